// Entry of the renderer, kept small: the page's first calls go out (lib/early.ts: the engine's info,
// and a page opened at an image has the engine start reading it) before the app's code (mount.ts,
// most of the script) has loaded, then the app is loaded and mounted (issue 14, launch to first
// image). Everything else is assembled in App.svelte.
import './app.css';
import { startEarlyCalls } from './lib/early.ts';
import { markStep } from './lib/view/perf.ts';

markStep('entry');
startEarlyCalls();
const { mountApp } = await import('./mount.ts');
markStep('app-loaded');
mountApp();
markStep('mounted');
