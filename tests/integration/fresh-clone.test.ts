/**
 * A new user's first minutes: clone, `npm ci`, then every tool from the CLI with an empty home and
 * no model mirror anywhere. Clones the committed HEAD of this checkout (CI runs on a clean clone of
 * the submission, so there it is exactly what lands).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { photo, repoRoot } from '../support/paths.js';

const isGitCheckout = spawnSync('git', ['-C', repoRoot, 'rev-parse', '--is-inside-work-tree'], { encoding: 'utf8' }).stdout.trim() === 'true';

describe.skipIf(!isGitCheckout)('a fresh clone with no model mirror and an empty home', () => {
  const root = mkdtempSync(join(tmpdir(), 'ganvas-clone-'));
  const clone = join(root, 'ganvas');
  const home = join(root, 'home');
  const work = join(root, 'photos');
  // Only what a new user's shell has: no mirror, no models or data folder of ours, nothing of the test run's.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GANVAS_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const userEnv = { ...env, HOME: home, XDG_DATA_HOME: join(home, '.local', 'share') };
  const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();

  beforeAll(async () => {
    mkdirSync(home);
    mkdirSync(work);
    execFileSync('git', ['clone', '--quiet', repoRoot, clone]);
    // The npm cache is the machine's: a new home would only make npm download everything again.
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: clone,
      env: { ...userEnv, npm_config_cache: npmCache },
      stdio: 'pipe',
      timeout: 480_000,
    });
    await sharp(photo('coffee.png')).resize(120, 80).toFile(join(work, 'cup.png'));
    await sharp({ create: { width: 120, height: 80, channels: 3, background: '#000000' } })
      .composite([{ input: { create: { width: 24, height: 16, channels: 3, background: '#ffffff' } }, left: 50, top: 30 }])
      .png()
      .toFile(join(work, 'mask.png'));
  }, 600_000);

  const ganvas = (...args: string[]) => spawnSync('npx', ['ganvas', ...args], { cwd: clone, env: userEnv, encoding: 'utf8', timeout: 120_000 });

  it('has no mirror beside it', () => {
    expect(existsSync(join(root, 'shared'))).toBe(false);
    expect(existsSync(join(clone, 'models', 'superres', 'realesr-general-x4v3-split-prelu.onnx'))).toBe(true);
  });

  const commands: [string, string[], [number, number]][] = [
    ['enhance', ['--scale', '2'], [240, 160]],
    ['style', ['--style', 'monet'], [120, 80]],
    ['lowlight', ['--model', 'iat'], [120, 80]],
    ['erase', ['--mask', 'MASK'], [120, 80]],
    ['extend', ['--right', '40'], [160, 80]],
  ];
  for (const [tool, flags, [width, height]] of commands) {
    it(`npx ganvas ${tool} works`, async () => {
      const out = join(work, `cup-${tool}.png`);
      const r = ganvas(tool, join(work, 'cup.png'), ...flags.map((f) => (f === 'MASK' ? join(work, 'mask.png') : f)), '-o', out);
      expect(r.status, r.stderr).toBe(0);
      const md = await sharp(out).metadata();
      expect([md.width, md.height]).toEqual([width, height]);
    });
  }

  it('lists its models as coming with Ganvas, and says where the rest come from', () => {
    const r = ganvas('models', 'list');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^bundled +realesr-general-x4v3/m);
    expect(r.stdout).toMatch(/^missing +realesrgan-x4plus .*\n +It comes from xinntao\/Real-ESRGAN/m);
  });
});
