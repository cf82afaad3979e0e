import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell, type MenuItemConstructorOptions } from 'electron';
import { IPC_CALL_PREFIX, IPC_EVENT_CHANNEL, calls, type AppEvent, type CallName, type MenuAction } from '../contract.js';
import { Engine } from '../engine/engine.js';
import { toErrorInfo } from '../engine/errors.js';
import { parseProvider } from '../engine/inference/providers.js';
import { appRoot, defaultModelsDir } from '../engine/paths.js';
import { createHandlers, type Dialogs } from '../ipc/handlers.js';
import { RecentFiles } from './recent.js';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let window: BrowserWindow | null = null;
const recent = new RecentFiles(app.getPath('userData'));
const engine = new Engine({
  modelsDir: defaultModelsDir(),
  // A packaged app ships installed models as extra resources (electron-builder.yml).
  readOnlyModelDirs: app.isPackaged ? [join(process.resourcesPath, 'models')] : [],
  provider: parseProvider(process.env.GANVAS_PROVIDER),
});

function send(e: AppEvent): void {
  window?.webContents.send(IPC_EVENT_CHANNEL, e);
}

const dialogs: Dialogs = {
  async openImage() {
    const r = await dialog.showOpenDialog(window!, {
      properties: ['openFile'],
      filters: [{ name: 'Images', extensions: ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'avif', 'heic', 'heif', 'gif'] }],
    });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  async saveImage(suggestedName, format) {
    const r = await dialog.showSaveDialog(window!, { defaultPath: suggestedName, filters: [{ name: format.toUpperCase(), extensions: [suggestedName.split('.').pop()!] }] });
    return r.canceled ? null : (r.filePath ?? null);
  },
};

const handlers = createHandlers(engine, dialogs, (path) => {
  recent.add(path);
  app.addRecentDocument(path);
  buildMenu();
});

function menuItem(label: string, accelerator: string, action: MenuAction): MenuItemConstructorOptions {
  return { label, accelerator, click: () => send({ type: 'menu', action }) };
}

async function openRecent(path: string): Promise<void> {
  try {
    send({ type: 'document-opened', doc: await handlers.openDropped({ path }) });
  } catch (err) {
    dialog.showErrorBox('Cannot open photo', toErrorInfo(err).message);
  }
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        menuItem('Open…', 'CmdOrCtrl+O', 'open'),
        { label: 'Open Recent', submenu: recent.list().map((p) => ({ label: p, click: () => void openRecent(p) })) },
        { type: 'separator' },
        menuItem('Export…', 'CmdOrCtrl+Shift+E', 'export'),
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'View',
      submenu: [
        menuItem('Zoom In', 'CmdOrCtrl+=', 'zoom-in'),
        menuItem('Zoom Out', 'CmdOrCtrl+-', 'zoom-out'),
        menuItem('Fit to Window', 'CmdOrCtrl+0', 'zoom-fit'),
        menuItem('Actual Size (100 %)', 'CmdOrCtrl+1', 'zoom-100'),
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    { label: 'Help', submenu: [menuItem('Keyboard Shortcuts', 'F1', 'help')] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function registerIpc(): void {
  for (const name of Object.keys(calls) as CallName[]) {
    ipcMain.handle(IPC_CALL_PREFIX + name, async (event, input: unknown) => {
      // Only our own window's top frame may call in.
      if (event.sender !== window?.webContents || event.senderFrame !== window.webContents.mainFrame) throw new Error('Unexpected IPC sender.');
      return handlers[name](input);
    });
  }
  engine.onEvent(send);
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    backgroundColor: '#1b1d22',
    title: 'Ganvas',
    webPreferences: {
      preload: join(appRoot, 'dist', 'electron', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.webContents.on('will-navigate', (e) => e.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void window.loadFile(join(appRoot, 'dist', 'renderer', 'index.html'));
  window.on('closed', () => (window = null));
}

app.enableSandbox();
app.whenReady().then(() => {
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } }));
  // No remote content: nothing but our own files may load.
  session.defaultSession.webRequest.onBeforeRequest((details, cb) => cb({ cancel: !/^(file|data|blob|devtools):/.test(details.url) }));
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  registerIpc();
  buildMenu();
  createWindow();
});
app.on('window-all-closed', () => {
  void engine.dispose().finally(() => app.quit());
});
app.on('open-file', (e, path) => {
  e.preventDefault();
  void app.whenReady().then(() => openRecent(path));
});
