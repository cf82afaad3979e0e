import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';

/** Files a batch never touches: hidden files and folders and the OS's own clutter. */
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', '.ds_store', 'ehthumbs.db', 'icon\r']);

export interface ScanOptions {
  recursive: boolean;
  /** Glob patterns (relative to the folder; `*`, `**`, `?`, `{a,b}`); none means everything. */
  include: string[];
  exclude: string[];
  /** Extensions to take, without the dot; empty means every file (unsupported ones then fail, reported). */
  extensions: string[];
  /** A folder inside the input that must not be read (the output, when the user put it there). */
  skipDir?: string;
}

export interface ScannedFile {
  path: string;
  /** Relative to the input folder, with forward slashes. */
  rel: string;
  bytes: number;
}

/** A glob as a regular expression over a forward-slash relative path. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      re += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map((s) => s.replace(/[.+^$()|[\]\\]/g, '\\$&'))
        .join('|')})`;
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  // A pattern without a slash matches the file name in any folder, as in .gitignore.
  return new RegExp(glob.includes('/') ? `^${re}$` : `(?:^|/)${re}$`, 'i');
}

function isSystemFile(name: string): boolean {
  return name.startsWith('.') || SYSTEM_FILES.has(name.toLowerCase());
}

/** The batch's input files, in a stable order, with system and hidden files left out. */
export async function scanFolder(dir: string, opts: ScanOptions): Promise<ScannedFile[]> {
  const root = resolve(dir);
  const include = opts.include.map(globToRegExp);
  const exclude = opts.exclude.map(globToRegExp);
  const exts = new Set(opts.extensions.map((e) => e.toLowerCase().replace(/^\./, '')));
  const out: ScannedFile[] = [];
  // Links may lead to a folder already walked (or to one above it: a cycle); each real folder is read once.
  const walked = new Set<string>();
  const walk = async (folder: string): Promise<void> => {
    const real = await realpath(folder).catch(() => folder);
    if (walked.has(real)) return;
    walked.add(real);
    const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (isSystemFile(e.name)) continue;
      const full = join(folder, e.name);
      if (e.isDirectory()) {
        if (opts.recursive && full !== opts.skipDir) await walk(full);
        continue;
      }
      // A link is followed; one that leads nowhere stays in, so the batch reports it as unreadable.
      const target = e.isSymbolicLink() ? await stat(full).catch(() => null) : null;
      if (target?.isDirectory()) {
        if (opts.recursive && full !== opts.skipDir) await walk(full);
        continue;
      }
      if (!e.isFile() && !e.isSymbolicLink()) continue;
      const rel = relative(root, full).split(sep).join('/');
      if (exts.size && !exts.has(extname(e.name).slice(1).toLowerCase())) continue;
      if (include.length && !include.some((r) => r.test(rel))) continue;
      if (exclude.some((r) => r.test(rel))) continue;
      out.push({ path: full, rel, bytes: e.isSymbolicLink() ? (target?.size ?? 0) : (await stat(full)).size });
    }
  };
  await walk(root);
  return out;
}
