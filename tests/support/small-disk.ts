import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A tiny file system of its own (tmpfs), for full-disk tests. Mounting needs root and a kernel
 * that allows it (CI here runs as root); elsewhere `smallDiskSupport.reason` says why the tests
 * are skipped.
 */
export const smallDiskSupport = ((): { ok: boolean; reason: string } => {
  const probe = mkdtempSync(join(tmpdir(), 'ganvas-disk-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe]);
    return { ok: true, reason: '' };
  } catch (err) {
    return { ok: false, reason: `cannot mount a small tmpfs here (${String((err as Error).message).split('\n')[0]})` };
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();

/** A folder on a fresh tmpfs of `bytes`; `free` unmounts it. */
export function smallDisk(bytes: number): { dir: string; free: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ganvas-small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  return {
    dir,
    free: () => {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
