import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../support/bridge.js';
import { testEngine } from '../support/engine.js';
import { photo, repoRoot } from '../support/paths.js';

/** Kills a process right after it autosaved an edited rocket.jpg into `dataDir`, as a crash would. */
async function crashAfterAutosave(dataDir: string): Promise<void> {
  const proc = spawn(process.execPath, [join(repoRoot, 'dist', 'tests', 'support', 'project-child.js'), 'autosave', photo('rocket.jpg'), dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => d.toString().includes('\n') && resolve());
    proc.on('exit', (code) => reject(new Error(`autosave child exited ${code}`)));
  });
  proc.kill('SIGKILL');
  await new Promise((r) => proc.once('exit', r));
}

describe('layers, history and projects in Chromium, driving the real engine', () => {
  let page: Page;
  let close: (() => Promise<void>) | undefined;
  let handOver: (path: string) => Promise<void>;
  const dataDir = mkdtempSync(join(tmpdir(), 'ganvas-e2e-data-'));
  const engine = testEngine({ dataDir });
  const out = mkdtempSync(join(tmpdir(), 'ganvas-e2e-layers-'));
  const projectPath = join(out, 'rocket-edit.ganvas');
  const psdPath = join(out, 'rocket-edit.psd');
  let toOpen = '';
  const docId = () => engine.documents()[0]!.id;
  const layers = () => engine.documents()[0]!.layers;
  const named = (name: string) => layers().find((l) => l.name === name);

  beforeAll(async () => {
    await crashAfterAutosave(dataDir);
    ({ page, close, handOver } = await openApp(engine, {
      openFile: async () => toOpen,
      openImage: async () => photo('coffee.png'),
      saveImage: async () => psdPath,
      saveProject: async () => projectPath,
    }));
  });

  afterAll(() => close?.());

  it('offers to restore the autosave a crashed session left, and restores it', async () => {
    const dialog = page.getByRole('dialog', { name: 'Restore unsaved work' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('rocket.jpg');
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => engine.documents().length).toBe(1);
    expect(layers().map((l) => [l.name, l.blend, l.hasMask])).toEqual([
      ['rocket.jpg', 'normal', false],
      ['rocket.jpg copy', 'multiply', true],
    ]);
    // Restored work is unsaved work.
    await expect.poll(() => page.title()).toBe('• rocket.jpg — Ganvas');
    // Each row's thumbnail is the layer's picture (drawn from the bitmap the engine's bytes decoded to), not a blank box.
    const thumbInk = () =>
      page
        .getByTestId('layer-row-rocket.jpg')
        .locator('canvas.thumb')
        .evaluate((node) => {
          type Canvas = {
            width: number;
            height: number;
            getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
          };
          const c = node as unknown as Canvas;
          const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let opaque = 0;
          for (let i = 3; i < px.length; i += 4) opaque += px[i]! > 0 ? 1 : 0;
          return opaque / (c.width * c.height);
        });
    await expect.poll(thumbInk).toBeGreaterThan(0.5);
  });

  it('adds layers (empty, from a file), reorders by dragging, hides, sets opacity and blend', async () => {
    await page.getByRole('button', { name: 'New', exact: true }).click();
    await expect.poll(() => layers().length).toBe(3);
    await page.getByRole('button', { name: 'Add image…' }).click();
    await expect.poll(() => named('coffee.png')).toBeDefined();

    await page.getByTestId('layer-row-coffee.png').dragTo(page.getByTestId('layer-row-rocket.jpg'));
    await expect.poll(() => layers()[0]!.name).toBe('coffee.png');

    await page.getByRole('checkbox', { name: 'Show Layer 3' }).uncheck();
    await expect.poll(() => named('Layer 3')!.visible).toBe(false);

    await page.getByRole('button', { name: /^coffee\.png/ }).click();
    await page.getByRole('slider', { name: 'Opacity', exact: true }).fill('40');
    await expect.poll(() => named('coffee.png')!.opacity).toBe(0.4);
    await page.getByRole('combobox', { name: 'Blend mode' }).selectOption('overlay');
    await expect.poll(() => named('coffee.png')!.blend).toBe('overlay');
  });

  it('Ctrl+Z undoes the latest step wherever it was; per-layer undo leaves later edits on other layers; the History panel jumps', async () => {
    // Layer A: the copy (restored with a mask); layer B: coffee.png (opacity, blend).
    await page.getByRole('button', { name: /^rocket\.jpg copy/ }).click();
    await page.getByRole('radio', { name: 'Paint to hide' }).check();
    const box = (await page.getByTestId('canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.55, { steps: 8 });
    await page.mouse.up();
    await expect
      .poll(
        () =>
          engine
            .document(docId())
            .historyOf({ layerId: named('rocket.jpg copy')!.id })
            .entries.at(-1)!.label,
      )
      .toBe('Mask: hide');
    const copyId = named('rocket.jpg copy')!.id;
    const painted = engine.document(docId()).doc.layer(copyId).mask!;
    expect(painted.data.some((v) => v === 0)).toBe(true);
    const coffeeBefore = named('coffee.png')!;

    await page.keyboard.press('Control+z');
    await expect.poll(() => engine.document(docId()).doc.layer(copyId).mask).not.toBe(painted);
    expect(named('coffee.png')).toMatchObject({ opacity: coffeeBefore.opacity, blend: coffeeBefore.blend, version: coffeeBefore.version });
    // The redo's pictures come late (a large layer on a busy machine), after the undo below has finished.
    const session = engine.document(docId());
    const preview = session.layerPreview.bind(session);
    session.layerPreview = async (...a) => {
      const picture = await preview(...a);
      await new Promise((r) => setTimeout(r, 1500));
      return picture;
    };
    await page.keyboard.press('Control+Shift+z');
    await expect
      .poll(() =>
        engine
          .document(docId())
          .doc.layer(copyId)
          .mask!.data.some((v) => v === 0),
      )
      .toBe(true);
    session.layerPreview = preview;

    // Per-layer undo on coffee.png (its blend) keeps the copy's later mask edit.
    await page.getByRole('button', { name: /^coffee\.png/ }).click();
    const maskAfterPaint = engine.document(docId()).doc.layer(copyId).mask;
    // From the layer's context menu (the History panel has the same button).
    await page.getByTestId('layer-row-coffee.png').click({ button: 'right' });
    await page.getByRole('menu', { name: 'coffee.png menu' }).getByRole('menuitem', { name: 'Undo on this layer' }).click();
    await expect.poll(() => named('coffee.png')!.blend).toBe('normal');
    expect(engine.document(docId()).doc.layer(copyId).mask).toBe(maskAfterPaint);
    // The status line says what was undone, and where — also once the redo before it has finished.
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('Undid “Blend: overlay” on “coffee.png”.');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await page.getByTestId('status').textContent()).toBe('Undid “Blend: overlay” on “coffee.png”.');
    // That per-layer undo is itself the latest step: Ctrl+Z takes it back.
    await page.keyboard.press('Control+z');
    await expect.poll(() => named('coffee.png')!.blend).toBe('overlay');
    expect(engine.document(docId()).doc.layer(copyId).mask).toBe(maskAfterPaint);

    // History of coffee.png: opened, opacity, blend. Jump back to "opened".
    const panel = page.getByRole('region', { name: 'History' });
    await expect.poll(() => panel.getByRole('list').getByRole('button').allTextContents()).toEqual(['Opened coffee.png', 'Opacity 40 %', 'Blend: overlay']);
    await panel.getByRole('button', { name: 'Opened coffee.png' }).click();
    await expect.poll(() => named('coffee.png')).toMatchObject({ opacity: 1, blend: 'normal' });
    // …and the document's own history lists the layer operations.
    await panel.getByRole('tab', { name: 'Document' }).click();
    await expect.poll(() => panel.getByRole('listitem').allTextContents()).toContain('Move “coffee.png”');
  });

  it('saves the project (Ctrl+S) and reopens it exactly', async () => {
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.title()).toBe('rocket-edit.ganvas — Ganvas');
    const saved = layers().map((l) => [l.name, l.visible, l.opacity, l.blend, l.hasMask, l.width, l.height]);
    toOpen = projectPath;
    await page.keyboard.press('Control+o');
    // Opened, not just saved (the status line named the file already: “Saved …/rocket-edit.ganvas”).
    await expect.poll(() => page.getByTestId('status').textContent()).toMatch(/^rocket-edit\.ganvas · \d+×\d+/);
    expect(engine.documents()).toHaveLength(1);
    expect(layers().map((l) => [l.name, l.visible, l.opacity, l.blend, l.hasMask, l.width, l.height])).toEqual(saved);
    expect(await page.getByRole('checkbox', { name: 'Show Layer 3' }).isChecked()).toBe(false);
    await page.screenshot({ path: join(out, 'layers.png') });
  });

  it('exports the layers to a PSD from File › Export, and opens the PSD as layers', async () => {
    const kept = layers().map((l) => [l.name, l.visible, l.blend, l.hasMask]);
    await page.keyboard.press('Control+Shift+e');
    await page.getByRole('combobox', { name: 'Format' }).selectOption('psd');
    expect(await page.getByRole('dialog', { name: 'Export' }).textContent()).toContain('Every layer is kept');
    await page.getByRole('button', { name: 'Export…' }).last().click();
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('Exported');
    expect(existsSync(psdPath)).toBe(true);
    toOpen = psdPath;
    await page.keyboard.press('Control+o');
    // (The status line already names the file: it was exported there.)
    await expect.poll(() => engine.documents().some((d) => d.fileName === 'rocket-edit.psd')).toBe(true);
    const psd = engine.documents().find((d) => d.fileName === 'rocket-edit.psd')!;
    expect(psd.layers.map((l) => [l.name, l.visible, l.blend, l.hasMask])).toEqual(kept);
  });

  it('edits a photo Lightroom handed over (Edit in): Ctrl+S writes it back into the same TIFF, 16-bit, without a dialog', async () => {
    const tiff = join(out, 'IMG_0002-Edit.tif');
    await sharp(photo('chelsea.png')).toColourspace('rgb16').tiff({ compression: 'lzw' }).toFile(tiff);
    const before = readFileSync(tiff);
    await handOver(tiff);
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('IMG_0002-Edit.tif');
    await page.getByRole('button', { name: 'Duplicate', exact: true }).first().click();
    await expect.poll(() => engine.documents().find((d) => d.fileName === 'IMG_0002-Edit.tif')?.layers.length).toBe(2);
    await page.getByRole('combobox', { name: 'Blend mode' }).selectOption('multiply');
    await expect.poll(() => page.title()).toBe('• IMG_0002-Edit.tif — Ganvas');
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByTestId('status').textContent()).toBe(`Saved ${tiff}`);
    await expect.poll(() => page.title()).toBe('IMG_0002-Edit.tif — Ganvas');
    expect(readFileSync(tiff).equals(before)).toBe(false);
    expect(await sharp(readFileSync(tiff)).metadata()).toMatchObject({ format: 'tiff', depth: 'ushort', width: 451, height: 300, hasAlpha: false });
    // No project was written beside it: the saveProject dialog was never asked.
    expect(existsSync(projectPath.replace('rocket-edit', 'IMG_0002-Edit'))).toBe(false);
  });

  it('a photo handed over while the one shown still loads opens without an error about the one it replaces', async () => {
    // The shown document is closed at once but the reply comes a moment later (its autosave is
    // discarded meanwhile), while its new layer's picture is still on its way.
    const shown = engine.document(docId());
    const [preview, closeDoc] = [shown.layerPreview.bind(shown), engine.close.bind(engine)];
    shown.layerPreview = async (...a) => {
      await new Promise((r) => setTimeout(r, 300));
      return preview(...a);
    };
    engine.close = async (id) => {
      await closeDoc(id);
      await new Promise((r) => setTimeout(r, 1500));
    };
    try {
      const next = join(out, 'coffee-handed-over.png');
      copyFileSync(photo('coffee.png'), next);
      await page.getByRole('button', { name: 'Duplicate', exact: true }).first().click();
      await handOver(next);
      // The new one shows once the close's reply has come, long after the old one's picture.
      await expect.poll(() => page.getByTestId('status').textContent()).toContain('coffee-handed-over.png');
      expect(await page.getByRole('alertdialog').count()).toBe(0);
    } finally {
      engine.close = closeDoc;
    }
  });
});
