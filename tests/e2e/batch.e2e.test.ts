import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../electron/engine/batch/batch.js';
import { openApp } from '../support/bridge.js';
import { testEngine } from '../support/engine.js';
import { photo, repoRoot } from '../support/paths.js';

describe('Batch in Chromium, driving the real engine', () => {
  let page: Page;
  let close: (() => Promise<void>) | undefined;
  const engine = testEngine();
  const tmp = mkdtempSync(join(tmpdir(), 'ganvas-e2e-batch-'));
  const input = join(tmp, 'in');
  const output = join(tmp, 'out');
  const shown: string[] = [];

  beforeAll(async () => {
    mkdirSync(join(input, 'sub'), { recursive: true });
    for (const [i, name] of ['chelsea.png', 'coffee.png', 'rocket.jpg', 'astronaut.png', 'camera.png', 'chelsea.png'].entries()) {
      await sharp(photo(name))
        .resize(96)
        .png()
        .toFile(join(input, i % 2 ? 'sub' : '', `photo-${i}.png`));
    }
    writeFileSync(join(input, 'broken.jpg'), 'not a jpeg');
    ({ page, close } = await openApp(engine, {
      openFolder: async (purpose) => (purpose === 'input' ? input : output),
      showFolder: async (path) => void shown.push(path),
    }));
  });

  afterAll(() => close?.());

  it('configures a batch, pauses and resumes it, and shows the report', async () => {
    await page.keyboard.press('Control+b');
    const dialog = page.getByRole('dialog', { name: 'Batch' });
    await dialog.getByRole('button', { name: 'Input folder…' }).click();
    await expect.poll(() => dialog.getByTestId('batch-input').textContent()).toBe(input);
    await dialog.getByRole('button', { name: 'Output folder…' }).click();
    await dialog.getByRole('button', { name: '+ Resize' }).click();
    await dialog.getByRole('combobox', { name: 'Batch format' }).selectOption('png');
    await dialog.getByRole('spinbutton', { name: 'Concurrency' }).fill('1');
    await dialog.getByRole('button', { name: '+ Style' }).click();
    await page.screenshot({ path: join(repoRoot, 'test-results', 'batch-dialog.png') });
    await dialog.getByRole('button', { name: 'Remove step 3' }).click();
    await dialog.getByRole('button', { name: 'Start' }).click();

    await dialog.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => dialog.getByTestId('batch-progress').textContent()).toContain('paused');
    // Paused: once the file in flight is finished, nothing more starts.
    // (The counts, that is: the rate and the time left beside them may change while a file is in flight.)
    const counts = async () => (await dialog.getByTestId('batch-progress').textContent())!.split(' · ').slice(0, 4).join(' · ');
    await new Promise((r) => setTimeout(r, 1500));
    const doneWhilePaused = await counts();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await counts()).toBe(doneWhilePaused);
    expect(doneWhilePaused).not.toMatch(/^6 done/);

    // The batch goes on in the background: the editor is usable, the status bar shows it, Show brings the dialog back.
    await dialog.getByRole('button', { name: 'Run in the background' }).click();
    expect(await dialog.count()).toBe(0);
    const background = page.getByRole('group', { name: 'Batch in the background' });
    await expect.poll(() => background.textContent()).toContain('paused');
    expect(await background.getByRole('progressbar', { name: 'Batch progress' }).count()).toBe(1);
    await page.keyboard.press('F1');
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await background.getByRole('button', { name: 'Show' }).click();
    await dialog.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => dialog.getByTestId('batch-report').textContent(), { timeout: 90_000 }).toContain('Finished: 6 done, 0 skipped, 1 failed');
    await dialog.getByRole('button', { name: 'Open output folder' }).click();
    await expect.poll(() => shown).toEqual([output]);
    expect(await dialog.locator('li.failed').textContent()).toContain('broken.jpg');
    // Each file that was made says its output's name and how long it took.
    const made = await dialog.locator('li.done').allTextContents();
    expect(made).toHaveLength(6);
    for (const line of made) expect(line).toMatch(/ → \S+-my-recipe\.png · \d+\.\d s\s*$/);
    const report = JSON.parse(readFileSync(join(output, 'ganvas-batch-report.json'), 'utf8')) as BatchReport;
    expect(report.totals).toEqual({ files: 7, done: 6, skipped: 0, failed: 1 });
    expect(existsSync(join(output, 'sub', 'photo-1-my-recipe.png'))).toBe(true);
  });
});
