import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { openApp } from '../support/bridge.js';
import { photo } from '../support/paths.js';

describe('the renderer in Chromium, driving the real engine', () => {
  let page: Page;
  let close: (() => Promise<void>) | undefined;
  const engine = testEngine();
  const out = mkdtempSync(join(tmpdir(), 'ganvas-e2e-'));
  let toOpen = photo('coffee.png');
  const exportPath = join(out, 'coffee-enhanced.jpg');

  beforeAll(async () => {
    ({ page, close } = await openApp(engine, {
      openFile: async () => toOpen,
      openImage: async () => toOpen,
      saveImage: async () => exportPath,
      saveProject: async () => null,
    }));
  });

  afterAll(() => close?.());

  it('opens a photo and shows it on the canvas', async () => {
    await page.keyboard.press('Control+o');
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('coffee.png · 600×400');
    await expect.poll(() => page.locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: /^coffee\.png/ }).count()).toBe(1);
    const zoomBefore = await page.getByTestId('zoom').textContent();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    expect(await page.getByTestId('zoom').textContent()).not.toBe(zoomBefore);
  });

  it('starts Enhance and cancels it: the document stays as it was', async () => {
    await page.getByRole('radio', { name: 'High quality' }).check();
    await page.getByRole('button', { name: 'Enhance ×4' }).click();
    await expect.poll(() => page.getByTestId('enhance-status').textContent(), { timeout: 60_000 }).toMatch(/\d+\/\d+ tiles/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 }).toMatch(/cancelled/i);
    const docId = engine.document('doc-1').info().id;
    expect(engine.document(docId).info().layers).toHaveLength(1);
  });

  it('runs Enhance to the end, shows the new layer and compares before/after', async () => {
    await page.getByRole('radio', { name: 'Fast' }).check();
    await page.getByRole('radio', { name: '×2' }).check();
    await page.getByRole('button', { name: 'Enhance ×2' }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 }).toMatch(/Enhanced in .* · 1200×800/);
    await expect.poll(() => page.getByRole('button', { name: /^Enhance ×2 \(Fast\)/ }).count()).toBe(1);
    // The compare slider appears and moves the split.
    const slider = page.getByRole('slider', { name: 'Before/after split' });
    await slider.fill('0.25');
    expect(await slider.inputValue()).toBe('0.25');
    // Hiding the new layer via its checkbox goes through the engine.
    await page.getByRole('checkbox', { name: /Show Enhance/ }).uncheck();
    await expect.poll(() => engine.document('doc-1').info().layers[1]!.visible).toBe(false);
    await page.getByRole('checkbox', { name: /Show Enhance/ }).check();
    await page.screenshot({ path: join(out, 'after-enhance.png') });
  });

  it('exports the result with Ctrl+Shift+E', async () => {
    await page.keyboard.press('Control+Shift+E');
    await page.getByRole('combobox', { name: 'Format' }).selectOption('jpeg');
    await page.getByRole('button', { name: 'Export…' }).last().click();
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('Exported');
    expect(existsSync(exportPath)).toBe(true);
    expect(await sharp(exportPath).metadata()).toMatchObject({ format: 'jpeg', width: 1200, height: 800 });
  });

  it('shows a clear error for a broken file', async () => {
    toOpen = join(out, 'missing.png');
    await page.getByRole('button', { name: 'Open…' }).first().click();
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('missing.png cannot be opened');
  });
});
