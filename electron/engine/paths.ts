import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json: the repository in development, the app (asar) root when packaged. */
function findAppRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Ganvas cannot find its package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

export const appRoot = findAppRoot();

export const appVersion = (JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** Per-user data folder, following each platform's convention. */
export function userDataDir(): string {
  if (process.env.GANVAS_DATA_DIR) return process.env.GANVAS_DATA_DIR;
  const home = homedir();
  switch (process.platform) {
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Ganvas');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Ganvas');
    default:
      return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'ganvas');
  }
}

/** Where models are installed: GANVAS_MODELS_DIR, else the user data folder. */
export function defaultModelsDir(): string {
  return process.env.GANVAS_MODELS_DIR ?? join(userDataDir(), 'models');
}

/**
 * The models shipped with the app, laid out as the catalog's `file` paths: the packaged app's
 * resources/models (outside the asar, so ONNX Runtime can read them), else the repository's models/.
 */
export function bundledModelsDir(): string {
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  const packaged = resources ? join(resources, 'models') : null;
  return packaged && existsSync(join(packaged, 'catalog.json')) ? packaged : join(appRoot, 'models');
}

/** Whether `child` is `parent` or lies inside it (after resolving both). */
export function within(child: string, parent: string): boolean {
  const r = relative(resolve(parent), resolve(child));
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}
