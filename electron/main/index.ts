import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import { IPC_CALL_PREFIX, IPC_DROP_CHANNEL, IPC_EVENT_CHANNEL, type AppEvent, type CallName } from '../contract.js';
import { hasModifier, KEYMAP, type MenuName } from '../keymap.js';
import { callTable } from '../ipc/calls/index.js';
import { Engine } from '../engine/engine.js';
import { toErrorInfo } from '../engine/errors.js';
import { parseProvider } from '../engine/inference/providers.js';
import { appRoot, defaultModelsDir } from '../engine/paths.js';
import { PROJECT_EXTENSION } from '../engine/project/project.js';
import { FORMAT_NAMES, LAYERED_EXTENSIONS } from '../engine/images/formats.js';
import { PHOTO_EXTENSIONS } from '../engine/images/open.js';
import { createHandlers, reply, type Dialogs } from '../ipc/handlers.js';
import { RecentFiles } from '../engine/recent.js';

/**
 * The renderer is served from this privileged scheme rather than file:// (which grants a page
 * extra powers over the whole disk); its strict CSP is the meta tag in renderer/index.html.
 */
const APP_SCHEME = 'app';
const APP_ORIGIN = `${APP_SCHEME}://ganvas`;
const rendererRoot = join(appRoot, 'dist', 'renderer');
/** The only pages outside the app a link may open: our own. */
const EXTERNAL_LINKS = [/^https:\/\/github\.com\/ganvas\//, /^https:\/\/ganvas\.app\//];

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);

let window: BrowserWindow | null = null;
const recent = new RecentFiles(app.getPath('userData'));
const engine = new Engine({
  autosave: true,
  modelsDir: defaultModelsDir(),
  // Models installed on the build machine ship as extra resources too (electron-builder.yml).
  readOnlyModelDirs: app.isPackaged ? [join(process.resourcesPath, 'models', 'installed')] : [],
  // GANVAS_PROVIDER, where set, wins over the provider chosen in Settings.
  ...(process.env.GANVAS_PROVIDER ? { provider: parseProvider(process.env.GANVAS_PROVIDER) } : {}),
});

function send(e: AppEvent): void {
  window?.webContents.send(IPC_EVENT_CHANNEL, e);
}

// No .heic: sharp's libvips decodes HEIF only with AV1 inside (AVIF), not the HEVC of phone photos.
const PROJECTS = { name: 'Ganvas projects', extensions: [PROJECT_EXTENSION] };
const RECIPES = { name: 'Batch recipes', extensions: ['json'] };

async function pickFile(filters: Electron.FileFilter[]): Promise<string | null> {
  const r = await dialog.showOpenDialog(window!, { properties: ['openFile'], filters });
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

async function pickSavePath(defaultPath: string, filter: Electron.FileFilter): Promise<string | null> {
  const r = await dialog.showSaveDialog(window!, { defaultPath, filters: [filter] });
  return r.canceled ? null : (r.filePath ?? null);
}

const dialogs: Dialogs = {
  openFile: () =>
    pickFile([
      { name: 'Photos and projects', extensions: [...PHOTO_EXTENSIONS, ...LAYERED_EXTENSIONS, PROJECT_EXTENSION] },
      { name: 'Images', extensions: PHOTO_EXTENSIONS },
      { name: 'Layered (Photoshop, OpenRaster)', extensions: LAYERED_EXTENSIONS },
      PROJECTS,
    ]),
  openImage: () => pickFile([{ name: 'Images', extensions: PHOTO_EXTENSIONS }]),
  saveImage: (suggestedName, format) => pickSavePath(suggestedName, { name: FORMAT_NAMES[format], extensions: [suggestedName.split('.').pop()!] }),
  saveProject: (suggestedName) => pickSavePath(suggestedName, PROJECTS),
  async openFolder(purpose) {
    const title = { input: 'Photos to process', output: 'Where to write the results', models: 'The folder that holds the models' }[purpose];
    const r = await dialog.showOpenDialog(window!, { title, properties: ['openDirectory', 'createDirectory'] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  openModel: () => pickFile([{ name: 'ONNX models', extensions: ['onnx'] }]),
  saveRecipe: (suggestedName) => pickSavePath(suggestedName, RECIPES),
  openRecipe: () => pickFile([RECIPES]),
  async showFolder(path) {
    const failure = await shell.openPath(path);
    if (failure) throw new Error(failure);
  },
  async confirmOutputInsideInput(input, output) {
    const { response } = await dialog.showMessageBox(window!, {
      type: 'question',
      message: 'Write the results inside the folder of photos?',
      detail: `${output} is inside ${input}. Originals are never replaced: a result whose name is taken by a photo gets a name of its own.`,
      buttons: ['Write Inside', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
    });
    return response === 0;
  },
};

const {
  calls: handlers,
  openUserPath,
  openHandedOver,
} = createHandlers(engine, dialogs, recent, (path) => {
  app.addRecentDocument(path);
  buildMenu();
});

/** The keymap's commands of one menu, each sending its action to the renderer. */
function menuItems(menu: MenuName): MenuItemConstructorOptions[] {
  return KEYMAP.filter((c) => c.menu === menu).map((c) => ({
    label: c.label,
    accelerator: c.keys[0],
    // A key without a modifier (a tool's letter) is the renderer's to handle, so typing in a field is not stolen.
    registerAccelerator: hasModifier(c.keys[0]!),
    click: () => send({ type: 'menu', action: c.action }),
  }));
}

async function openRecent(path: string, open = openUserPath): Promise<void> {
  try {
    send({ type: 'document-opened', doc: await open(path) });
  } catch (err) {
    dialog.showErrorBox('Cannot open photo', toErrorInfo(err).message);
  }
}

function buildMenu(): void {
  const [open, ...file] = menuItems('File');
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        open!,
        { label: 'Open Recent', submenu: recent.list().map((p) => ({ label: p, click: () => void openRecent(p) })) },
        { type: 'separator' },
        ...file,
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { label: 'Edit', submenu: [...menuItems('Edit'), { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }] },
    {
      label: 'View',
      submenu: [...menuItems('View'), { type: 'separator' }, { role: 'togglefullscreen' }, ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }])],
    },
    { label: 'Tools', submenu: menuItems('Tools') },
    { label: 'Help', submenu: menuItems('Help') },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Only our own window's top frame, showing our own page, may call in. */
function checkSender(event: IpcMainInvokeEvent): void {
  if (event.sender !== window?.webContents || event.senderFrame !== window.webContents.mainFrame || !event.senderFrame.url.startsWith(`${APP_ORIGIN}/`)) {
    throw new Error('Unexpected IPC sender.');
  }
}

function registerIpc(): void {
  for (const name of Object.keys(callTable) as CallName[]) {
    ipcMain.handle(IPC_CALL_PREFIX + name, async (event, input: unknown) => {
      checkSender(event);
      return reply(handlers[name](input));
    });
  }
  // Preload sends here only a path it took from a dropped File; the page has no way to send one.
  ipcMain.handle(IPC_DROP_CHANNEL, async (event, path: unknown) => {
    checkSender(event);
    if (typeof path !== 'string' || !isAbsolute(path) || path.length > 4096) throw new Error('Not a dropped file.');
    return reply(openUserPath(path));
  });
  engine.onEvent((e) => {
    send(e);
    if (e.type === 'document-changed') showTitle(e.title, e.dirty);
  });
}

function showTitle(title: string, dirty: boolean): void {
  window?.setTitle(`${dirty ? '• ' : ''}${title} — Ganvas`);
  window?.setDocumentEdited(dirty);
}

/** Asks about each document with unsaved changes; false when the user cancels the close. */
async function confirmClose(): Promise<boolean> {
  for (const doc of engine.documents().filter((d) => d.dirty)) {
    const { response } = await dialog.showMessageBox(window!, {
      type: 'warning',
      message: `Save changes to “${doc.title}” before closing?`,
      detail: 'Your changes will be lost if you don’t save them.',
      buttons: ['Save', 'Don’t Save', 'Cancel'],
      defaultId: 0,
      cancelId: 2,
    });
    if (response === 2) return false;
    if (response === 0 && !(await handlers.saveProject({ docId: doc.id, saveAs: false }))) return false;
  }
  return true;
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
  window.webContents.on('will-frame-navigate', (e) => e.preventDefault());
  window.webContents.on('will-attach-webview', (e) => e.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (EXTERNAL_LINKS.some((link) => link.test(url))) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  let closing = false;
  window.on('close', (e) => {
    if (closing || !engine.documents().some((d) => d.dirty)) return;
    e.preventDefault();
    void confirmClose().then(async (ok) => {
      if (!ok) return;
      // The user decided about every document: their autosaves are no longer needed.
      for (const d of engine.documents()) await engine.close(d.id);
      closing = true;
      window?.close();
    });
  });
  window.on('closed', () => (window = null));
}

/** Serves files of the built renderer, and nothing outside its folder. */
function serveRenderer(): void {
  protocol.handle(APP_SCHEME, (request) => {
    const url = new URL(request.url);
    const file = join(rendererRoot, decodeURIComponent(url.pathname));
    const rel = relative(rendererRoot, file);
    if (url.host !== 'ganvas' || rel.startsWith('..') || isAbsolute(rel)) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString());
  });
}

app.enableSandbox();
// One Ganvas: a second launch (Lightroom's Edit in while Ganvas runs) hands its photo to this one and quits.
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();
app.whenReady().then(() => {
  if (!primary) return;
  serveRenderer();
  // No remote content: nothing but our own page and the images it makes may load.
  session.defaultSession.webRequest.onBeforeRequest((details, cb) =>
    cb({ cancel: !(details.url.startsWith(`${APP_ORIGIN}/`) || /^(data|blob|devtools):/.test(details.url)) }),
  );
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  registerIpc();
  buildMenu();
  createWindow();
  const path = handedOverPath(process.argv);
  if (path) whenPageReady(() => void openRecent(path, openHandedOver));
});
app.on('window-all-closed', () => {
  void engine.dispose().finally(() => app.quit());
});
app.on('open-file', (e, path) => {
  e.preventDefault();
  void app.whenReady().then(() => whenPageReady(() => openRecent(path, openHandedOver)));
});

/** The photo an external editor's host (Lightroom's Edit in, a file manager's Open with) names on the command line. */
function handedOverPath(argv: string[]): string | null {
  const args = argv.slice(app.isPackaged ? 1 : 2);
  return args.find((a) => !a.startsWith('-') && existsSync(a) && statSync(a).isFile()) ?? null;
}

/** Runs `then` once the page can receive events (at once if it already can). */
function whenPageReady(then: () => void): void {
  if (window && !window.webContents.isLoading()) then();
  else window?.webContents.once('did-finish-load', then);
}

app.on('second-instance', (_e, argv) => {
  const path = handedOverPath(argv);
  if (path) whenPageReady(() => void openRecent(path, openHandedOver));
  if (window?.isMinimized()) window.restore();
  window?.focus();
});
