import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
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

/** Links followed at most this deep when a path does not exist yet (a cycle of links ends here). */
const MAX_LINKS = 40;

/**
 * Where `p` really is: every link on the way resolved, also for a path that does not exist yet
 * (the real path of its deepest existing ancestor with the rest appended; a dangling link is
 * followed to where it points, since a write through it would land there).
 */
export function realPath(p: string): string {
  let path = resolve(p);
  for (let links = 0; links < MAX_LINKS; links++) {
    const rest: string[] = [];
    let head = path;
    for (;;) {
      try {
        return join(realpathSync.native(head), ...rest.reverse());
      } catch {
        let link = false;
        try {
          link = lstatSync(head).isSymbolicLink();
        } catch {
          // Missing, unreadable or a name too long: not a link to follow; its folder is looked at instead.
        }
        if (link) break;
        const parent = dirname(head);
        if (parent === head) return path;
        rest.push(basename(head));
        head = parent;
      }
    }
    path = join(resolve(dirname(head), readlinkSync(head)), ...rest.reverse());
  }
  return path;
}

/**
 * Whether `child` is `parent` or lies inside it, compared where both really are: a link that
 * leads out of `parent` is outside, and one that leads into it is inside.
 */
export function within(child: string, parent: string): boolean {
  const r = relative(realPath(parent), realPath(child));
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/** A path as the file system tells files apart: where it really is, case-insensitively where the file system is so by default. */
export function pathKey(p: string): string {
  return process.platform === 'linux' ? realPath(p) : realPath(p).toLowerCase();
}

/** Whether two paths name the same file once links are resolved. */
export function samePath(a: string, b: string): boolean {
  return pathKey(a) === pathKey(b);
}

/** `rel` resolved inside `folder`, or null when it leads out of it, by its name (`..`, an absolute path, a drive) or through a link. */
export function inFolder(folder: string, rel: string): string | null {
  const full = resolve(folder, rel);
  return full !== resolve(folder) && within(full, folder) ? full : null;
}
