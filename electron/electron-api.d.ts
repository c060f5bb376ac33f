// STAND-IN for the `electron` package's types, for machines where it is absent (it is an
// optional dependency whose binary download can fail; then node_modules/electron does not exist
// and `import ... from 'electron'` would not type-check).
//
// It declares ONLY the Electron APIs that electron/*.ts uses, with the signatures of Electron
// 45's electron.d.ts (checked against electron@45.4.1, docs: electronjs.org/docs/latest/api/):
// every declaration here is a subset of the real one, so the code also compiles against the real
// types. When the package is installed both declarations exist; the project's `skipLibCheck`
// keeps the duplicate from being reported. Add a signature here (copied from electron.d.ts) when
// electron/ starts using a new API.
declare module 'electron' {
  type Accelerator = string;
  type ElectronEvent<Params extends object = object> = { preventDefault: () => void; readonly defaultPrevented: boolean } & Params;

  // ------------------------------------------------------------------ app
  interface App {
    whenReady(): Promise<void>;
    quit(): void;
    exit(exitCode?: number): void;
    requestSingleInstanceLock(): boolean;
    enableSandbox(): void;
    readonly isPackaged: boolean;
    readonly commandLine: { appendSwitch(name: string, value?: string): void; getSwitchValue(name: string): string };
    on(event: 'window-all-closed', listener: () => void): this;
    on(event: 'before-quit', listener: (event: ElectronEvent) => void): this;
    on(event: 'web-contents-created', listener: (event: ElectronEvent, webContents: WebContents) => void): this;
    on(event: 'second-instance', listener: (event: ElectronEvent, argv: string[], workingDirectory: string, additionalData: unknown) => void): this;
  }
  export const app: App;

  // ------------------------------------------------------------------ windows and pages
  interface WebPreferences {
    preload?: string;
    sandbox?: boolean;
    contextIsolation?: boolean;
    nodeIntegration?: boolean;
    nodeIntegrationInWorker?: boolean;
    nodeIntegrationInSubFrames?: boolean;
    webSecurity?: boolean;
    allowRunningInsecureContent?: boolean;
    experimentalFeatures?: boolean;
    webviewTag?: boolean;
    navigateOnDragDrop?: boolean;
    spellcheck?: boolean;
    safeDialogs?: boolean;
    devTools?: boolean;
    javascript?: boolean;
    backgroundThrottling?: boolean;
  }
  interface BrowserWindowConstructorOptions {
    width?: number;
    height?: number;
    minWidth?: number;
    minHeight?: number;
    show?: boolean;
    title?: string;
    backgroundColor?: string;
    webPreferences?: WebPreferences;
  }
  export class BrowserWindow {
    constructor(options?: BrowserWindowConstructorOptions);
    static getAllWindows(): BrowserWindow[];
    readonly webContents: WebContents;
    loadURL(url: string): Promise<void>;
    show(): void;
    focus(): void;
    restore(): void;
    isMinimized(): boolean;
    isDestroyed(): boolean;
    destroy(): void;
    once(event: 'ready-to-show', listener: () => void): this;
    on(event: 'closed', listener: () => void): this;
  }

  interface WebFrameMain {
    readonly url: string;
    readonly parent: WebFrameMain | null;
  }
  interface HandlerDetails {
    url: string;
    frameName: string;
    features: string;
    disposition: 'default' | 'foreground-tab' | 'background-tab' | 'new-window' | 'other';
  }
  interface WindowOpenHandlerResponse {
    action: 'allow' | 'deny';
    overrideBrowserWindowOptions?: { width?: number; height?: number; webPreferences?: WebPreferences };
  }
  interface NavigationParams {
    url: string;
    isMainFrame: boolean;
    frame: WebFrameMain | null;
  }
  interface WebContents {
    readonly id: number;
    readonly mainFrame: WebFrameMain;
    send(channel: string, ...args: unknown[]): void;
    isDestroyed(): boolean;
    setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
    openDevTools(): void;
    on(event: 'will-navigate', listener: (details: ElectronEvent<NavigationParams>) => void): this;
    on(event: 'will-frame-navigate', listener: (details: ElectronEvent<NavigationParams>) => void): this;
    on(event: 'will-redirect', listener: (details: ElectronEvent<NavigationParams>) => void): this;
    on(event: 'will-attach-webview', listener: (event: ElectronEvent, webPreferences: WebPreferences, params: Record<string, string>) => void): this;
    on(event: 'did-finish-load', listener: () => void): this;
    on(event: 'render-process-gone', listener: (event: ElectronEvent, details: { reason: string; exitCode: number }) => void): this;
    postMessage(channel: string, message: unknown, transfer?: MessagePortMain[]): void;
  }

  // ------------------------------------------------------------------ message ports
  export class MessagePortMain {
    postMessage(message: unknown, transfer?: MessagePortMain[]): void;
    start(): void;
    close(): void;
    on(event: 'message', listener: (e: { data: unknown; ports: MessagePortMain[] }) => void): this;
    on(event: 'close', listener: () => void): this;
    off(event: 'message', listener: (e: { data: unknown; ports: MessagePortMain[] }) => void): this;
  }
  export class MessageChannelMain {
    readonly port1: MessagePortMain;
    readonly port2: MessagePortMain;
  }

  // ------------------------------------------------------------------ session, protocol
  interface CustomScheme {
    scheme: string;
    privileges?: {
      standard?: boolean;
      secure?: boolean;
      bypassCSP?: boolean;
      allowServiceWorkers?: boolean;
      supportFetchAPI?: boolean;
      corsEnabled?: boolean;
      stream?: boolean;
      codeCache?: boolean;
    };
  }
  interface Protocol {
    registerSchemesAsPrivileged(customSchemes: CustomScheme[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  }
  export const protocol: Protocol;

  interface OnBeforeRequestListenerDetails {
    id: number;
    url: string;
    method: string;
  }
  interface CallbackResponse {
    cancel?: boolean;
  }
  interface WebRequest {
    onBeforeRequest(
      filter: { urls: string[] },
      listener: ((details: OnBeforeRequestListenerDetails, callback: (response: CallbackResponse) => void) => void) | null,
    ): void;
  }
  interface Session {
    readonly webRequest: WebRequest;
    setPermissionRequestHandler(handler: ((webContents: WebContents, permission: string, callback: (permissionGranted: boolean) => void) => void) | null): void;
    setPermissionCheckHandler(handler: ((webContents: WebContents | null, permission: string, requestingOrigin: string) => boolean) | null): void;
  }
  export const session: { readonly defaultSession: Session };

  // ------------------------------------------------------------------ IPC
  interface IpcMainInvokeEvent {
    readonly sender: WebContents;
    readonly senderFrame: WebFrameMain | null;
  }
  interface IpcMain {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
    removeHandler(channel: string): void;
  }
  export const ipcMain: IpcMain;

  interface IpcRendererEvent {
    readonly sender: IpcRenderer;
    readonly ports: MessagePort[];
  }
  interface IpcRenderer {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): this;
    removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): this;
  }
  export const ipcRenderer: IpcRenderer;

  interface ContextBridge {
    exposeInMainWorld(apiKey: string, api: unknown): void;
  }
  export const contextBridge: ContextBridge;

  // ------------------------------------------------------------------ utility process
  interface ForkOptions {
    env?: NodeJS.ProcessEnv;
    execArgv?: string[];
    cwd?: string;
    stdio?: string[] | string;
    serviceName?: string;
  }
  interface UtilityProcess {
    readonly pid: number | undefined;
    postMessage(message: unknown, transfer?: MessagePortMain[]): void;
    kill(): boolean;
    on(event: 'message', listener: (message: unknown) => void): this;
    on(event: 'exit', listener: (code: number) => void): this;
    on(event: 'spawn', listener: () => void): this;
  }
  export const utilityProcess: { fork(modulePath: string, args?: string[], options?: ForkOptions): UtilityProcess };

  // ------------------------------------------------------------------ menus and dialogs
  interface MenuItemConstructorOptions {
    label?: string;
    accelerator?: Accelerator;
    role?: 'undo' | 'redo' | 'cut' | 'copy' | 'paste' | 'selectAll' | 'reload' | 'toggleDevTools' | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen' | 'minimize' | 'close' | 'quit' | 'about' | 'appMenu' | 'editMenu' | 'windowMenu';
    type?: 'normal' | 'separator' | 'submenu';
    visible?: boolean;
    enabled?: boolean;
    submenu?: MenuItemConstructorOptions[];
    click?: () => void;
  }
  export class Menu {
    static buildFromTemplate(template: MenuItemConstructorOptions[]): Menu;
    static setApplicationMenu(menu: Menu | null): void;
  }

  interface OpenDialogOptions {
    title?: string;
    defaultPath?: string;
    buttonLabel?: string;
    properties?: Array<'openFile' | 'openDirectory' | 'multiSelections' | 'showHiddenFiles' | 'createDirectory'>;
  }
  interface OpenDialogReturnValue {
    canceled: boolean;
    filePaths: string[];
  }
  interface Dialog {
    showOpenDialog(window: BrowserWindow, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
    showOpenDialog(options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
    showErrorBox(title: string, content: string): void;
  }
  export const dialog: Dialog;
}
