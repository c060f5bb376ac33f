// The app window and the hardening every page gets: permissions denied, network and file://
// requests cancelled, navigation away from the app origin, new windows and <webview> refused.
import { BrowserWindow, session } from 'electron';
import type { WebContents } from 'electron';
import { BLOCKED_REQUESTS, appWebPreferences, isAppUrl, isReportBlobUrl, reportWebPreferences } from './policy.ts';
import { APP_INDEX_URL } from './protocol.ts';

export function hardenSession(log: (m: string) => void): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => {
    log(`seglens: denied a permission request (${permission}).`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest({ urls: BLOCKED_REQUESTS }, (details, callback) => {
    log(`seglens: blocked a request to ${details.url}.`);
    callback({ cancel: true });
  });
}

/** Applied to every WebContents Electron creates (app 'web-contents-created'). */
export function hardenContents(contents: WebContents, log: (m: string) => void): void {
  contents.setWindowOpenHandler((d) => {
    // The report link: a window without script, preload or Node, for that blob only.
    if (isReportBlobUrl(d.url)) return { action: 'allow', overrideBrowserWindowOptions: { width: 1100, height: 900, webPreferences: reportWebPreferences() } };
    log(`seglens: denied opening a window for ${d.url}.`);
    return { action: 'deny' };
  });
  const refuseNavigation = (e: { url: string; preventDefault(): void }) => {
    if (isAppUrl(e.url)) return;
    e.preventDefault();
    log(`seglens: denied navigation to ${e.url}.`);
  };
  contents.on('will-navigate', refuseNavigation);
  contents.on('will-frame-navigate', refuseNavigation);
  contents.on('will-redirect', refuseNavigation);
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

export function createAppWindow(preload: string, devTools: boolean): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'seglens',
    backgroundColor: '#1e1e1e',
    webPreferences: appWebPreferences(preload, devTools),
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
  return win;
}
