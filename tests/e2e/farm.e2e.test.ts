import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../electron/engine/batch/batch.js';
import { openApp } from '../support/bridge.js';
import { testEngine } from '../support/engine.js';
import { cli, photo, repoRoot, testModelsDir } from '../support/paths.js';
import { TestRedis } from '../support/redis.js';

describe('Batch on a farm from the Batch dialog, in Chromium', () => {
  let page: Page;
  let close: (() => Promise<void>) | undefined;
  let redis: TestRedis;
  let worker: ChildProcess;
  const engine = testEngine();
  const tmp = mkdtempSync(join(tmpdir(), 'ganvas-e2e-farm-'));
  const [input, output] = [join(tmp, 'in'), join(tmp, 'out')];

  beforeAll(async () => {
    mkdirSync(input);
    for (let i = 0; i < 8; i++)
      await sharp(photo('coffee.png'))
        .resize(120)
        .png()
        .toFile(join(input, `cup-${i}.png`));
    redis = await TestRedis.start();
    worker = spawn(process.execPath, [cli, 'worker', '--queue', redis.url, '--name', 'studio-1'], {
      env: { ...process.env, GANVAS_MODELS_DIR: testModelsDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve) => worker.stderr!.setEncoding('utf8').on('data', (t: string) => t.includes('takes files') && resolve()));
    ({ page, close } = await openApp(engine, { openFolder: async (purpose) => (purpose === 'input' ? input : output) }));
  });

  afterAll(async () => {
    await close?.();
    worker?.kill('SIGKILL');
    await redis?.stop();
  });

  it('lists the workers, runs the batch on them and shows the same report', async () => {
    await page.keyboard.press('Control+b');
    const dialog = page.getByRole('dialog', { name: 'Batch' });
    await dialog.getByRole('button', { name: 'Input folder…' }).click();
    await dialog.getByRole('button', { name: 'Output folder…' }).click();
    await dialog.getByRole('button', { name: 'Remove step 1' }).click();
    await dialog.getByRole('button', { name: '+ Low light' }).click();
    await dialog.getByRole('combobox', { name: 'Batch low light model' }).selectOption('sci_easy');
    await dialog.getByRole('radio', { name: 'A farm' }).check();
    expect(await dialog.getByRole('spinbutton', { name: 'Concurrency' }).count()).toBe(0);
    await dialog.getByRole('textbox', { name: 'Farm queue URL' }).fill(redis.url);
    await dialog.getByRole('button', { name: 'Check' }).click();
    const workers = dialog.getByRole('list', { name: 'Farm workers' });
    await expect.poll(() => workers.textContent()).toMatch(/studio-1 · CPU · – files\/min/);
    await page.screenshot({ path: join(repoRoot, 'test-results', 'batch-farm-dialog.png') });

    await dialog.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => dialog.getByTestId('batch-report').textContent(), { timeout: 90_000 }).toContain('Finished: 8 done, 0 skipped, 0 failed');
    expect(await dialog.getByTestId('batch-progress').textContent()).toMatch(/on the farm as [0-9a-f]{16}/);
    // A farm batch is not paused (cancelled and started again instead).
    expect(await dialog.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    const report = JSON.parse(readFileSync(join(output, 'ganvas-batch-report.json'), 'utf8')) as BatchReport;
    expect(report.totals).toEqual({ files: 8, done: 8, skipped: 0, failed: 0 });
    expect(new Set(report.files.map((f) => f.status))).toEqual(new Set(['done']));
  });

  it('says clearly when the farm cannot be reached', async () => {
    const dialog = page.getByRole('dialog', { name: 'Batch' });
    await dialog.getByRole('textbox', { name: 'Farm queue URL' }).fill('redis://:pw@127.0.0.1:1/0');
    await dialog.getByRole('button', { name: 'Check' }).click();
    await expect
      .poll(() => dialog.locator('.error').textContent(), { timeout: 20_000 })
      .toMatch(/Cannot reach the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0/);
  });
});
