import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine.js';
import { openApp } from '../support/bridge.js';
import { photo, repoRoot } from '../support/paths.js';

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

  it('starts Enhance and cancels it from the progress area: the document stays as it was', async () => {
    await page.getByRole('radio', { name: 'High quality' }).check();
    await page.getByRole('button', { name: 'Enhance ×4' }).click();
    // The progress shows in the status bar and over the canvas, whichever tool panel is open.
    const bar = page.getByRole('group', { name: 'Progress', exact: true });
    await expect.poll(() => bar.textContent(), { timeout: 60_000 }).toMatch(/Enhance.*tile \d+ of \d+/);
    expect(await page.getByRole('group', { name: 'Progress on the canvas' }).textContent()).toContain('Enhance');
    // The result grows on the canvas tile by tile; a cancel takes the tiles away with the job.
    const canvas = page.getByTestId('canvas');
    await expect.poll(async () => Number(await canvas.getAttribute('data-result-parts')), { timeout: 60_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(repoRoot, 'test-results', 'enhance-growing.png') });
    await bar.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 }).toMatch(/cancelled/i);
    expect(await canvas.getAttribute('data-result-parts')).toBe('0');
    const docId = engine.documents()[0]!.id;
    expect(engine.document(docId).info().layers).toHaveLength(1);
  });

  it('runs Enhance to the end, shows the new layer and compares before/after', async () => {
    await page.getByRole('radio', { name: 'Fast' }).check();
    await page.getByRole('radio', { name: '×2' }).check();
    await page.getByRole('button', { name: 'Enhance ×2' }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 120_000 }).toMatch(/Enhanced in .* · 1200×800/);
    await expect
      .poll(() =>
        page
          .getByRole('region', { name: 'Layers' })
          .getByRole('button', { name: /^Enhance ×2 \(Fast\)/ })
          .count(),
      )
      .toBe(1);
    // Names for people: the new layer's history says what made it and with which network.
    const history = page.getByRole('region', { name: 'History' }).getByRole('list');
    await expect.poll(() => history.getByRole('button').first().textContent()).toBe('Enhance ×2 (Fast) with Real-ESRGAN general x4 v3');
    // Ctrl+Z undoes the latest step (the Enhance layer); Ctrl+Shift+Z brings it back.
    await page.keyboard.press('Control+z');
    await expect.poll(() => engine.document(engine.documents()[0]!.id).info().layers.length).toBe(1);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => engine.document(engine.documents()[0]!.id).info().layers.length).toBe(2);
    // As a user's next key: once the page shows the layer back (C compares only with a layer over the photo).
    await expect.poll(() => page.getByRole('checkbox', { name: /Show Enhance/ }).count()).toBe(1);
    // Compare (C): a divider on the image with Before and After on either side; the arrow keys move it.
    await page.keyboard.press('c');
    const divider = page.getByRole('slider', { name: 'Before/after divider' });
    expect(await divider.getAttribute('aria-valuenow')).toBe('50');
    await divider.focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => divider.getAttribute('aria-valuenow')).toBe('45');
    const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
    await divider.dragTo(page.getByTestId('canvas'), { targetPosition: { x: canvasBox.width * 0.5, y: canvasBox.height / 2 } });
    await expect.poll(async () => Number(await divider.getAttribute('aria-valuenow'))).toBeGreaterThan(45);
    // The wheel zooms over the divider as it does over the rest of the photo.
    const zoomBefore = await page.getByTestId('zoom').textContent();
    const handle = (await divider.boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.wheel(0, -120);
    await expect.poll(() => page.getByTestId('zoom').textContent()).not.toBe(zoomBefore);
    await page.keyboard.press('Control+0');
    expect(await page.getByText('Before', { exact: true }).count()).toBe(1);
    expect(await page.getByText('After', { exact: true }).count()).toBe(1);
    // Hiding the new layer via its checkbox goes through the engine.
    await page.getByRole('checkbox', { name: /Show Enhance/ }).uncheck();
    await expect.poll(() => engine.document(engine.documents()[0]!.id).info().layers[1]!.visible).toBe(false);
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

  it('shows a clear error for a missing file, and a damaged one with the library’s words under Details only', async () => {
    toOpen = join(out, 'missing.png');
    await page.getByRole('button', { name: 'Open…' }).first().click();
    const dialog = page.getByRole('alertdialog', { name: 'Could not open the photo' });
    await expect.poll(() => dialog.count()).toBe(1);
    expect(await dialog.getByTestId('error-message').textContent()).toContain('missing.png cannot be opened');
    await dialog.getByRole('button', { name: 'OK' }).click();

    toOpen = join(out, 'cut-short.jpg');
    const jpeg = await sharp(photo('coffee.png')).jpeg().toBuffer();
    writeFileSync(toOpen, jpeg.subarray(0, Math.floor(jpeg.length / 3)));
    await page.getByRole('button', { name: 'Open…' }).first().click();
    await expect.poll(() => dialog.count()).toBe(1);
    const message = (await dialog.getByTestId('error-message').textContent())!;
    expect(message).toBe('cut-short.jpg is damaged or truncated and cannot be read.');
    // The decoder's own text is there for whoever wants it, folded, each repeated line once.
    const details = dialog.getByTestId('error-details');
    expect(await details.isVisible()).toBe(false);
    await dialog.getByText('Details').click();
    expect(await details.isVisible()).toBe(true);
    const lines = (await details.textContent())!.split('\n');
    expect(lines.length).toBe(new Set(lines).size);
    await page.screenshot({ path: join(repoRoot, 'test-results', 'error-dialog.png') });
    await dialog.getByRole('button', { name: 'OK' }).click();
  });
});
