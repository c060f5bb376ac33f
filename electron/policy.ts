// The window's security settings as data, so that tests can read them without Electron
// (https://www.electronjs.org/docs/latest/tutorial/security is the checklist followed here).
import { APP_ORIGIN } from './protocol.ts';

/** webPreferences of every app window: the renderer gets no Node, no Electron, only the preload's bridge. */
export function appWebPreferences(preload: string, devTools: boolean) {
  return {
    preload,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools,
  } as const;
}

/** True for a URL of the app's own origin (the only thing a window may show). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/**
 * Requests the session cancels outright: the app loads nothing from the network or from file://
 * (its own files come through the app scheme). devtools:// and the app scheme are not listed.
 */
export const BLOCKED_REQUESTS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file://*/*'];

/**
 * The exported report, opened from its link as a blob: URL the app page made from the report's
 * HTML (the only window the app opens). Only blobs of the app origin qualify.
 */
export function isReportBlobUrl(url: string): boolean {
  return url.startsWith(`blob:${APP_ORIGIN}/`) && /^[0-9a-f-]{36}$/i.test(url.slice(`blob:${APP_ORIGIN}/`.length));
}

/** webPreferences of a report window: static HTML and inline SVG, so no script, preload or Node. */
export function reportWebPreferences() {
  return {
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    javascript: false,
    webSecurity: true,
    webviewTag: false,
    devTools: false,
  } as const;
}
