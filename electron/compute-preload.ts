// Preload of the hidden compute window (compute-window.ts): hands the MessagePort main sends to
// the page (context isolation: the page is another world; window.postMessage can transfer the
// port to it). Exposes nothing else. Bundled by electron/build.mjs to out/electron/compute-preload.cjs.
import { ipcRenderer } from 'electron';
import { COMPUTE_PORT_CHANNEL } from './compute-channel.ts';

ipcRenderer.on(COMPUTE_PORT_CHANNEL, (e) => {
  window.postMessage(COMPUTE_PORT_CHANNEL, '*', e.ports);
});
