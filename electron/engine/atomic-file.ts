import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processAlive } from './process-alive.js';

/** Hidden and in the target's folder (so the final rename is atomic), named after the process that writes it. */
export function tempPathBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** `.<file>.<pid>-<hex>.tmp`, as `tempPathBeside` names them; the pid is the writer's. */
const TEMP_NAME = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp$/;

/**
 * Removes the temporary files in `dir` left by writes whose process died (a crash or kill in the
 * middle of a save). A live process's temp file is never touched, whatever its age.
 */
export async function removeLeftoverTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [])) {
    const pid = Number(TEMP_NAME.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) await rm(join(dir, name), { force: true });
  }
}

/** Writes a whole file so that readers see the old contents or the new, never a part. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathBeside(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await removeLeftoverTemps(dirname(path));
}
