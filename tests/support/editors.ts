/**
 * The editors photographers finish in, run headless to read what Ganvas writes: GIMP (batch mode,
 * Script-Fu) for PSD, Krita (`--export`, under a virtual X server) for OpenRaster — Debian's GIMP
 * 2.10 has no OpenRaster plug-in (it was Python 2). And ExifTool, what photographers read metadata
 * with, for the EXIF Ganvas carries.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const found = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
export const hasGimp = found('gimp-console');
export const hasKrita = found('krita') && found('xvfb-run');
export const hasExiftool = found('exiftool');

const scheme = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Each file opened in GIMP, its visible layers merged and saved as PNG; with the layer names GIMP read, top first. */
export function gimpFlatten(files: string[]): { png: string; names: string[] }[] {
  const out = mkdtempSync(join(tmpdir(), 'ganvas-gimp-'));
  const jobs = files.map((file, i) => ({ file, png: join(out, `${i}.png`) }));
  const script = jobs
    .map(
      ({ file, png }, i) =>
        `(let* ((image (car (gimp-file-load RUN-NONINTERACTIVE ${scheme(file)} ${scheme(file)}))) (layers (vector->list (cadr (gimp-image-get-layers image)))))` +
        ` (for-each (lambda (l) (gimp-message (string-append "LAYER ${i}:" (car (gimp-item-get-name l))))) layers)` +
        ` (let ((flat (car (gimp-image-merge-visible-layers image CLIP-TO-IMAGE)))) (file-png-save RUN-NONINTERACTIVE image flat ${scheme(png)} ${scheme(png)} 0 9 0 0 0 0 0)))`,
    )
    .join(' ');
  // A second batch command quits even when the first fails (GIMP would otherwise wait for more).
  const run = spawnSync('gimp-console', ['-i', '-b', `(begin ${script} (gimp-quit 0))`, '-b', '(gimp-quit 0)'], { encoding: 'utf8', timeout: 300_000 });
  const log = `${run.stdout}\n${run.stderr}`;
  return jobs.map(({ png }, i) => ({
    png,
    names: [...log.matchAll(new RegExp(`LAYER ${i}:(.*)`, 'g'))].map((m) => m[1]!.trim()),
  }));
}

/** A PNG opened in GIMP and saved by GIMP as a PSD (at the PNG's depth): what GIMP itself writes, to hold ours against. */
export function gimpSavePsd(png: string): string {
  const psd = join(mkdtempSync(join(tmpdir(), 'ganvas-gimp-')), 'gimp.psd');
  const script = `(let* ((image (car (file-png-load RUN-NONINTERACTIVE ${scheme(png)} ${scheme(png)}))) (layer (car (gimp-image-get-active-layer image)))) (file-psd-save RUN-NONINTERACTIVE image layer ${scheme(psd)} ${scheme(psd)} 0 0))`;
  spawnSync('gimp-console', ['-i', '-b', `(begin ${script} (gimp-quit 0))`, '-b', '(gimp-quit 0)'], { encoding: 'utf8', timeout: 300_000 });
  return psd;
}

/** The file opened in Krita and exported flat as PNG. */
export function kritaFlatten(file: string): string {
  const png = join(mkdtempSync(join(tmpdir(), 'ganvas-krita-')), 'flat.png');
  const run = spawnSync('xvfb-run', ['-a', 'krita', '--export', '--export-filename', png, file], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir() },
  });
  if (run.status !== 0) throw new Error(`krita failed: ${run.stderr.slice(-500)}`);
  return png;
}

/** ExifTool's reading of the tags named (by ExifTool's names), with `-n` numbers; `Validate` lists its warnings. */
export function exiftoolRead(file: string, tags: string[]): Record<string, unknown> {
  const run = spawnSync('exiftool', ['-j', '-n', '-a', '-warning', ...tags.map((t) => `-${t}`), file], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0 && !run.stdout) throw new Error(`exiftool failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as Record<string, unknown>[])[0]!;
}

/** Runs ExifTool to write metadata (e.g. `-TagsFromFile src -exif:all`) into `file` in place. */
export function exiftoolWrite(file: string, args: string[]): void {
  const run = spawnSync('exiftool', ['-q', '-overwrite_original', ...args, file], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`exiftool failed: ${run.stderr}`);
}
