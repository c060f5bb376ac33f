// The app: loaded by main.ts once the page has made its early requests.
import { mount } from 'svelte';
import App from './App.svelte';

export function mountApp(): void {
  const target = document.getElementById('app');
  if (target) mount(App, { target });
}
