// Entry of the renderer: mounts the app. Everything else is assembled in App.svelte.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

const target = document.getElementById('app');
if (target) mount(App, { target });
