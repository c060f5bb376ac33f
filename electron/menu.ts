// The application menu: open a project folder or the demo, the usual edit and window roles, and
// the developer tools only in development (not in a packaged app).
import { Menu } from 'electron';
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openProject: () => void;
  openDemo: () => void;
  /** Reload and developer tools, for an unpackaged (development) run. */
  development: boolean;
}

export function installMenu(a: MenuActions): void {
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open Project Folder…', accelerator: 'CmdOrCtrl+O', click: a.openProject },
        { label: 'Open Demo Project', click: a.openDemo },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { type: 'separator', visible: a.development },
        { role: 'reload', visible: a.development },
        { role: 'toggleDevTools', visible: a.development },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
