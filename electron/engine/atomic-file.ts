import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GanvasError } from './errors.js';
import { describeFsError } from './files.js';
import { processAlive } from './process-alive.js';

/** This machine in temporary file names: a folder shared by several machines (a render farm) holds the temps of each. */
const HOST =
  hostname()
    .replace(/[^A-Za-z0-9-]/g, '')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'host';

/**
 * Hidden and in the target's folder (so the final rename is atomic), named after the machine and
 * the process that writes it. Short whatever the target's name, so a target name near the file
 * system's 255-byte limit can still be written.
 */
export function tempPathBeside(target: string): string {
  return join(dirname(target), `.ganvas-${HOST}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * `.ganvas-<host>-<pid>-<hex>.tmp`, as `tempPathBeside` makes them. Older versions' names
 * (`.<file>.<pid>-<hex>.tmp`) cannot be told from a user's own file, so they are never removed.
 */
const TEMP_NAME = /^\.ganvas-([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*?)-(\d+)-[0-9a-f]{8}\.tmp$/;

/**
 * Removes the temporary files in `dir` left by writes on this machine whose process died (a crash
 * or kill in the middle of a save). A live process's temp file is never touched, whatever its age,
 * nor one of another machine (whether its writer lives cannot be told from here).
 */
export async function removeLeftoverTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [])) {
    const [, host, pidText] = TEMP_NAME.exec(name) ?? [];
    const pid = Number(pidText);
    if (host !== HOST || !Number.isInteger(pid)) continue;
    if (pid !== process.pid && !processAlive(pid)) await rm(join(dir, name), { force: true });
  }
}

/**
 * Writes a whole file so that readers see the old contents or the new, never a part. Leftover
 * temporary files of dead writers in that folder are cleared afterwards unless the caller does it
 * once for many files (a batch). The app's own data folders are made when missing; a user's
 * export into a folder that is not there (`createFolder: false`) is an error that says so.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, { clearLeftovers = true, createFolder = true } = {}): Promise<void> {
  if (createFolder) await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathBeside(path);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new GanvasError('WRITE_FAILED', `Could not write ${basename(path)}: ${describeFsError(err, path, true)}.`, { cause: err });
  }
  if (clearLeftovers) await removeLeftoverTemps(dirname(path));
}
