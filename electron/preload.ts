// Preload of the app window (sandboxed, context-isolated): exposes the contract transport as
// `window.seglens` and nothing else. electron/build.mjs bundles it to out/electron/preload.cjs
// (a sandboxed preload must be one CommonJS file that requires only 'electron').
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_KEY } from '../src/api/transports/ipc-bridge.ts';
import { createBridge } from './bridge.ts';

contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge(ipcRenderer));
