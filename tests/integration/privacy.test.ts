import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, photo, testModelsDir } from '../support/paths.js';

describe('privacy', () => {
  it('ONNX Runtime’s telemetry stays off: no device-id database in the home folder, no /tmp/mat-debug log', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ganvas-home-'));
    const out = mkdtempSync(join(tmpdir(), 'ganvas-privacy-'));
    // The user's environment says nothing about telemetry: Ganvas must turn it off itself.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'ORT_DISABLE_TELEMETRY'));
    const child = spawn(process.execPath, [cli, 'lowlight', photo('coffee.png'), '--model', 'sci-easy', '-o', join(out, 'bright.png')], {
      env: { ...env, HOME: home, GANVAS_MODELS_DIR: testModelsDir, GANVAS_DATA_DIR: join(home, 'data') },
      stdio: 'ignore',
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(existsSync(join(out, 'bright.png'))).toBe(true);
    expect(existsSync(join('/tmp', `mat-debug-${child.pid}.log`))).toBe(false);
    expect(readdirSync(home).filter((n) => n !== 'data')).toEqual([]);
  });
});
