import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { GanvasError } from '../errors.js';
import { describeFsError } from '../files.js';
import { pathKey, realPath, within } from '../paths.js';

/** Files a batch never touches: hidden files and folders and the OS's own clutter. */
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', '.ds_store', 'ehthumbs.db', 'icon\r']);

export interface ScanOptions {
  recursive: boolean;
  /** Glob patterns (relative to the folder; `*`, `**`, `?`, `{a,b}`, `[abc]`); none means everything. */
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

/** What the scan found, and what it left out with the reason (a folder it cannot read, a link that leads out). */
export interface Scan {
  files: ScannedFile[];
  leftOut: { rel: string; reason: string }[];
}

const OPENERS: Record<string, string> = { '}': '{', ']': '[', ')': '(' };

/** Refuses a pattern whose braces, brackets or parentheses do not pair up, quoting it. */
function checkPattern(glob: string): void {
  const open: string[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') i++;
    else if (c === '{' || c === '[' || c === '(') open.push(c);
    else if (OPENERS[c] && open.pop() !== OPENERS[c]) throw malformed(glob, `its "${c}" closes nothing`);
  }
  if (open.length) throw malformed(glob, `its "${open.at(-1)}" is never closed`);
}

const malformed = (glob: string, why: string) => new GanvasError('INVALID_INPUT', `The pattern "${glob}" is malformed: ${why}.`);

/** A glob as a matcher of forward-slash relative paths; one without a slash matches the file name in any folder, as in .gitignore. */
function matcher(glob: string): (rel: string) => boolean {
  checkPattern(glob);
  return picomatch(glob, { nocase: true, dot: true, basename: !glob.includes('/') });
}

function isSystemFile(name: string): boolean {
  return name.startsWith('.') || SYSTEM_FILES.has(name.toLowerCase());
}

/**
 * The batch's input files, in a stable order, with system and hidden files left out. Links are
 * followed inside the input folder (each real folder once); a link that leads out of it, the
 * output folder wherever a link puts it, and a folder that cannot be read are left out, the
 * first and last with the reason.
 */
export async function scanFolder(dir: string, opts: ScanOptions): Promise<Scan> {
  const include = opts.include.map(matcher);
  const exclude = opts.exclude.map(matcher);
  const root = realPath(dir);
  const exts = new Set(opts.extensions.map((e) => e.toLowerCase().replace(/^\./, '')));
  const files: ScannedFile[] = [];
  const leftOut: Scan['leftOut'] = [];
  const relOf = (full: string) => relative(dir, full).split(sep).join('/');
  const skip = opts.skipDir ? pathKey(opts.skipDir) : null;
  // Each real folder once: links may lead to one already walked, or to one above it (a cycle).
  const walked = new Set<string>();
  const walk = async (folder: string): Promise<void> => {
    const key = pathKey(folder);
    if (walked.has(key) || (folder !== dir && key === skip)) return;
    walked.add(key);
    let entries;
    try {
      entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    } catch (err) {
      if (folder === dir) throw new GanvasError('INVALID_INPUT', `The input folder ${dir} cannot be read: ${describeFsError(err, dir)}.`, { cause: err });
      return void leftOut.push({ rel: `${relOf(folder)}/`, reason: `the folder cannot be read (${describeFsError(err, folder)})` });
    }
    for (const e of entries) {
      if (isSystemFile(e.name)) continue;
      const full = join(folder, e.name);
      const rel = relOf(full);
      // The output folder, wherever a link puts it; only folders and links are looked up, not every file.
      if ((e.isDirectory() || e.isSymbolicLink()) && pathKey(full) === skip) continue;
      if (e.isSymbolicLink() && !within(full, root)) {
        leftOut.push({ rel, reason: 'a link that leads outside the input folder' });
        continue;
      }
      // A link is followed; one that leads nowhere stays in, so the batch reports it as unreadable.
      const target = e.isSymbolicLink() ? await stat(full).catch(() => null) : null;
      if (e.isDirectory() || target?.isDirectory()) {
        if (opts.recursive) await walk(full);
        continue;
      }
      if (!e.isFile() && !e.isSymbolicLink()) continue;
      if (exts.size && !exts.has(extname(e.name).slice(1).toLowerCase())) continue;
      if (include.length && !include.some((m) => m(rel))) continue;
      if (exclude.some((m) => m(rel))) continue;
      files.push({ path: full, rel, bytes: e.isSymbolicLink() ? (target?.size ?? 0) : (await stat(full)).size });
    }
  };
  await walk(dir);
  return { files, leftOut };
}
