/* global setTimeout, Request */
// A stand-in for the 'electron' module, just large enough to run the bundled main process
// (electron/main.ts) in plain Node where Electron is absent. The utility process is a real child
// (the engine, with parent-port-shim.mjs); windows, sessions and IPC are recorded. Once the
// window loads, `drive` plays what a page would do (fetch through the app scheme, IPC calls from
// trusted and untrusted frames), then quits, and the results go to the test over process.send.
import { fork } from 'node:child_process';

// Passed by the test: this file is bundled into main.js, so import.meta.url is not its own.
const SHIM = process.env.SEGLENS_TEST_PORT_SHIM;
const report = { schemes: null, sandbox: false, windows: [], blocked: null, menu: null, errors: [], switches: [], computeWindow: null, computePorts: 0 };
const appListeners = {};
const ipc = {};
let protocolHandler = null;
let permissionRequest = null;
let permissionCheck = null;
let ready = false;

export const app = {
  isPackaged: false,
  commandLine: {
    appendSwitch: (name, value) => report.switches.push(value === undefined ? name : `${name}=${value}`),
    getSwitchValue: () => '',
  },
  whenReady() {
    ready = true;
    return new Promise((resolve) => setTimeout(resolve, 0));
  },
  enableSandbox() {
    report.sandbox = !ready;
  },
  requestSingleInstanceLock: () => true,
  on(event, listener) {
    appListeners[event] = listener;
    return app;
  },
  quit() {
    const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    appListeners['before-quit']?.(e);
    if (!e.defaultPrevented) app.exit(0);
  },
  exit(code) {
    process.send?.({ type: 'report', report: { ...report, exitCode: code } }, () => process.exit(code));
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    report.schemes = { schemes, beforeReady: !ready };
  },
  handle(_scheme, handler) {
    protocolHandler = handler;
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler: (h) => (permissionRequest = h),
    setPermissionCheckHandler: (h) => (permissionCheck = h),
    webRequest: { onBeforeRequest: (filter) => (report.blocked = filter.urls) },
  },
};

export const ipcMain = {
  handle: (channel, listener) => (ipc[channel] = listener),
  removeHandler: (channel) => delete ipc[channel],
};

export const utilityProcess = {
  fork(modulePath, args) {
    const child = fork(modulePath, args, { execArgv: ['--import', SHIM], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return {
      // Electron passes MessagePorts beside the message; a Node child cannot take them: noted only.
      postMessage: (m, transfer) => {
        if (transfer?.length) report.computePorts++;
        child.send(m);
      },
      on(event, listener) {
        if (event === 'message') child.on('message', listener);
        if (event === 'exit') child.on('exit', (code) => listener(code ?? 1));
        return this;
      },
      kill: () => child.kill(),
    };
  },
};

export const Menu = {
  buildFromTemplate: (template) => template,
  setApplicationMenu: (menu) => (report.menu = menu.map((m) => m.label ?? m.role)),
};

export const dialog = {
  showErrorBox: (title, content) => report.errors.push(`${title}: ${content}`),
  showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
};

class FakePortMain {
  postMessage() {}
  start() {}
  close() {}
  on() {
    return this;
  }
  off() {
    return this;
  }
}
export class MessageChannelMain {
  port1 = new FakePortMain();
  port2 = new FakePortMain();
}

const windows = [];
export class BrowserWindow {
  constructor(options) {
    this.options = options;
    const listeners = {};
    const contents = {
      id: windows.length + 1,
      mainFrame: { url: '', parent: null },
      sent: [],
      posted: [],
      send: (channel) => contents.sent.push(channel),
      postMessage: (channel, _m, ports = []) => contents.posted.push({ channel, ports: ports.length }),
      isDestroyed: () => false,
      setWindowOpenHandler: (h) => (contents.openHandler = h),
      on: (event, l) => {
        (listeners[event] ??= []).push(l);
        return contents;
      },
      emit: (event, ...a) => (listeners[event] ?? []).forEach((l) => l(...a)),
    };
    this.webContents = contents;
    windows.push(this);
    appListeners['web-contents-created']?.({}, contents);
  }
  static getAllWindows() {
    return windows;
  }
  loadURL(url) {
    this.webContents.mainFrame.url = url;
    if (url.includes('/compute/')) {
      // The hidden GPU compute window: loads (through the app scheme), then gets its port.
      setTimeout(async () => {
        const page = await protocolHandler(new Request(url));
        report.computeWindow = { url, options: this.options, status: page.status, csp: page.headers.get('content-security-policy') };
        this.webContents.emit('did-finish-load');
        report.computeWindow.posted = this.webContents.posted;
      }, 0);
      return Promise.resolve();
    }
    setTimeout(() => drive(this).catch((e) => report.errors.push(`drive: ${e.stack ?? e}`)).finally(() => app.quit()), 0);
    return Promise.resolve();
  }
  destroy() {}
  once() {
    return this;
  }
  on() {
    return this;
  }
  show() {}
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return false;
  }
}

async function drive(win) {
  const wc = win.webContents;
  report.windows.push({ url: wc.mainFrame.url, webPreferences: win.options.webPreferences });
  const page = await protocolHandler(new Request(wc.mainFrame.url));
  report.page = { status: page.status, csp: page.headers.get('content-security-policy') };
  report.openWindow = wc.openHandler?.({ url: 'https://example.com/', frameName: '', features: '', disposition: 'new-window' });
  report.permission = await new Promise((resolve) => permissionRequest(wc, 'media', resolve));
  report.permissionCheck = permissionCheck(wc, 'clipboard-read', 'seglens://app');

  const trusted = { sender: wc, senderFrame: { url: wc.mainFrame.url, parent: null } };
  const call = (method, params, event = trusted) => ipc['seglens:call'](event, method, params);
  let info = null;
  for (let i = 0; i < 600 && !info?.result?.project; i++) {
    info = await call('appInfo', {});
    if (!info.result?.project) await new Promise((r) => setTimeout(r, 100));
  }
  report.project = info?.result?.project ?? null;
  const list = await call('listImages', {});
  const first = list.result?.images?.[0]?.name;
  const pixels = await ipc['seglens:download'](trusted, 'getImagePixels', { name: first });
  report.firstImage = { name: first, ok: pixels.ok, bytes: pixels.ok ? pixels.result.byteLength : 0 };
  const projectFile = await protocolHandler(new Request(`seglens://app/project-files/seglens.json`));
  report.projectFile = projectFile.status;
  const escape = await protocolHandler(new Request(`seglens://app/project-files/%2e%2e%2f%2e%2e%2fetc%2fpasswd`));
  report.escape = escape.status;
  report.untrusted = await call('appInfo', {}, { sender: wc, senderFrame: { url: 'https://evil.example/', parent: null } });
  report.invalid = await call('openProject', { dir: 42 });
  report.eventsSent = [...new Set(wc.sent)];
}
