import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasPixel, clearMarks, openApp } from '../support/bridge.js';
import { testEngine } from '../support/engine.js';
import { photo, repoRoot } from '../support/paths.js';

describe('Erase and Extend in Chromium, driving the real engine', () => {
  let page: Page;
  let close: (() => Promise<void>) | undefined;
  const engine = testEngine();
  const doc = () => engine.documents()[0]!;

  beforeAll(async () => {
    ({ page, close } = await openApp(engine, {
      openFile: async () => photo('coffee.png'),
      openImage: async () => null,
      saveImage: async () => null,
      saveProject: async () => null,
    }));
  });

  afterAll(() => close?.());

  it('opens a photo', async () => {
    await page.keyboard.press('Control+o');
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('coffee.png · 600×400');
  });

  async function drag(from: [number, number], to: [number, number]) {
    const box = (await page.getByTestId('canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps: 10 });
    await page.mouse.up();
  }

  const useTool = (name: string) => page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name, exact: true }).click();

  // The canvas's pixels as one number: equal pictures, equal numbers. Read after two frames: the
  // page says a stroke is settled when its part is in the picture, and the canvas draws it at the next frame.
  const canvasHash = () =>
    page.evaluate(async () => {
      const frame = () => new Promise((r) => (globalThis as unknown as { requestAnimationFrame(f: () => void): void }).requestAnimationFrame(() => r(null)));
      await frame();
      await frame();
      type Canvas = {
        width: number;
        height: number;
        getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      };
      const doc = (globalThis as unknown as { document: { querySelector(selector: string): unknown } }).document;
      const c = doc.querySelector('[data-testid="canvas"] canvas') as Canvas;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let h = 2166136261;
      for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 16777619);
      return h >>> 0;
    });
  const settled = () => expect.poll(() => page.getByTestId('canvas').getAttribute('data-sketches-waiting')).toBe('0');
  /** The canvas shows the marks as `shown` (a canvasHash) is, exactly as the whole picture fetched again: another overlay colour and back. */
  async function expectAsFetchedAgain(shown: number) {
    const colour = page.getByRole('region', { name: 'Erase', exact: true }).getByLabel('Overlay colour');
    await colour.fill('#00ff00');
    await expect.poll(canvasHash).not.toBe(shown);
    await colour.fill('#ff3b5c');
    await expect.poll(canvasHash).toBe(shown);
  }
  /** Holds the engine's reply with the marks' whole picture 1 s (a large picture on a busy machine) while `act` asks for it; waits until it has come, and a moment for the page to take it. */
  async function withLatePicture(act: () => Promise<void>): Promise<() => Promise<unknown>> {
    const session = engine.document(doc().id);
    const preview = session.selectionPreview.bind(session);
    let late: ReturnType<typeof preview> | undefined;
    session.selectionPreview = (...a) => (late = preview(...a).then((picture) => new Promise((r) => setTimeout(() => r(picture), 1000))));
    try {
      await act();
      await expect.poll(() => late !== undefined).toBe(true);
    } finally {
      session.selectionPreview = preview;
    }
    return () => late!.then(() => new Promise((r) => setTimeout(r, 500)));
  }

  it('brushes a stroke, erases it with Enter, shows the Erase layer, and undoes it', async () => {
    await useTool('Erase');
    const panel = page.getByRole('region', { name: 'Erase', exact: true });
    await panel.getByRole('radio', { name: 'Brush' }).check();
    await panel.getByRole('slider', { name: 'Erase brush size' }).fill('24');
    const before = await canvasPixel(page, [0.575, 0.4]);
    await drag([0.55, 0.2], [0.6, 0.6]);
    await expect.poll(() => doc().hasSelection).toBe(true);
    const marked = engine.document(doc().id).doc.marks.pixels!.data.filter((v) => v === 255).length;
    expect(marked).toBeGreaterThan(1000);
    // The overlay shows what is marked, in its colour (#ff3b5c at 50 %), on the canvas itself.
    await expect
      .poll(async () => {
        const after = await canvasPixel(page, [0.575, 0.4]);
        return after[2]! - before[2]! + (after[0]! - before[0]!);
      })
      .toBeGreaterThan(30);

    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 }).toMatch(/Erased in .* · 600×400/);
    expect(doc().layers.map((l) => [l.name, l.hasMask])).toEqual([
      ['coffee.png', false],
      ['Erase', true],
    ]);
    expect(doc().hasSelection).toBe(false);
    await expect.poll(() => page.getByRole('button', { name: /^Erase/ }).count()).toBeGreaterThan(0);

    // Ctrl+Z undoes the latest step, whatever it was: here the Erase layer; Ctrl+Shift+Z brings it back.
    // Each key waits for the page to show the last one's step, as a user's next press does: the
    // engine's layers change a moment before the page learns what can be undone next.
    const status = () => page.getByTestId('status').textContent();
    await page.keyboard.press('Control+z');
    await expect.poll(() => doc().layers.length).toBe(1);
    await expect.poll(status).toMatch(/^Undid “Erase”/);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => doc().layers.length).toBe(2);
    await expect.poll(status).toMatch(/^Redid “Erase”/);
    await page.keyboard.press('Control+z');
    await expect.poll(() => doc().layers.length).toBe(1);
  });

  it('marks with a rectangle and a lasso, inverts and clears', async () => {
    const panel = page.getByRole('region', { name: 'Erase', exact: true });
    await panel.getByRole('radio', { name: 'Rectangle' }).check();
    await drag([0.1, 0.1], [0.3, 0.3]);
    await expect.poll(() => doc().hasSelection).toBe(true);
    const rectCount = engine.document(doc().id).doc.marks.pixels!.data.filter((v) => v === 255).length;
    await panel.getByRole('radio', { name: 'Lasso' }).check();
    await drag([0.6, 0.6], [0.8, 0.9]);
    await expect.poll(() => engine.document(doc().id).doc.marks.pixels!.data.filter((v) => v === 255).length).toBeGreaterThan(rectCount);
    // The inverted marks' picture comes late: after Clear.
    const came = await withLatePicture(() => panel.getByRole('button', { name: 'Invert' }).click());
    expect(engine.document(doc().id).doc.marks.pixels!.data.filter((v) => v === 255).length).toBeGreaterThan((600 * 400) / 2);
    await clearMarks(page, engine);
    // Once it has come, the canvas still shows no marks: a picture asked for before a later change is not shown.
    await came();
    expect(await page.getByTestId('canvas').getAttribute('data-overlay')).toBe('none');
  });

  it('a brush stroke stays on screen from release until the engine’s mark takes its place, however long that takes', async () => {
    const panel = page.getByRole('region', { name: 'Erase', exact: true });
    await panel.getByRole('radio', { name: 'Brush' }).check();
    // An engine slower than any a user has (a huge photo on a busy machine): its mark comes 2 s after release.
    const session = engine.document(doc().id);
    const paint = session.paintSelection.bind(session);
    session.paintSelection = async (stroke, shown) => {
      await new Promise((r) => setTimeout(r, 2000));
      return paint(stroke, shown);
    };
    try {
      // What the user sees there: the screen, every layer of the canvas (the sketch is on one of its own) composited.
      const box = (await page.getByTestId('canvas').boundingBox())!;
      const seenAt = async () => {
        const png = await page.screenshot({ clip: { x: box.x + box.width * 0.2, y: box.y + box.height * 0.75, width: 1, height: 1 } });
        return [...(await sharp(png).removeAlpha().raw().toBuffer())];
      };
      const before = await seenAt();
      const marked = async () => {
        const now = await seenAt();
        return now.reduce((d, v, i) => d + Math.abs(v - before[i]!), 0) > 40;
      };
      await drag([0.1, 0.75], [0.3, 0.75]);
      const released = Date.now();
      const seen: boolean[] = [];
      while (Date.now() - released < 1800) {
        seen.push(await marked());
        await page.waitForTimeout(100);
      }
      expect(seen.length).toBeGreaterThan(8);
      expect(seen.every(Boolean)).toBe(true);
      expect(doc().hasSelection).toBe(false);
      await expect.poll(() => doc().hasSelection).toBe(true);
      await expect.poll(() => page.getByTestId('canvas').getAttribute('data-sketches-waiting')).toBe('0');
      expect(await marked()).toBe(true);
    } finally {
      session.paintSelection = paint;
      await clearMarks(page, engine);
    }
  });

  it('draws each stroke’s part of the mark into the picture shown, exactly as the whole picture fetched again', async () => {
    const panel = page.getByRole('region', { name: 'Erase', exact: true });
    await panel.getByRole('radio', { name: 'Brush' }).check();
    // The engine's reply to the second stroke comes after the third's, as a long stroke's part
    // (slower to encode) may: its part must still be drawn before the third's, which crosses it.
    const session = engine.document(doc().id);
    const paint = session.paintSelection.bind(session);
    let strokes = 0;
    session.paintSelection = async (stroke, shown) => {
      const reply = await paint(stroke, shown);
      if (++strokes === 2) await new Promise((r) => setTimeout(r, 800));
      return reply;
    };
    // The view is above 100 % (fitted), but the screen copies are the photo's own pixels: no tiles
    // are asked for, so the picture shown is the one the strokes are drawn into (tiles, placed on
    // whole screen pixels, drew it a pixel apart a moment later).
    const tile = session.selectionTile.bind(session);
    let tilesAsked = 0;
    session.selectionTile = (...a) => (tilesAsked++, tile(...a));
    try {
      await drag([0.1, 0.2], [0.9, 0.3]); // the first: the whole picture comes
      await settled();
      await drag([0.2, 0.8], [0.7, 0.1]); // the next ones: their parts only, drawn in
      await drag([0.15, 0.5], [0.85, 0.55]);
      await panel.getByRole('radio', { name: 'Unmark' }).check();
      await drag([0.4, 0.1], [0.45, 0.9]);
      await settled();
    } finally {
      session.paintSelection = paint;
      session.selectionTile = tile;
    }
    await expect.poll(() => doc().hasSelection).toBe(true);
    expect(Number((await page.getByTestId('canvas').getAttribute('data-view'))!.split(',')[2])).toBeGreaterThan(1);
    expect([tilesAsked, await page.getByTestId('canvas').getAttribute('data-full-tiles')]).toEqual([0, '0']);
    await expectAsFetchedAgain(await canvasHash());
    await panel.getByRole('radio', { name: 'Brush' }).check();
    await clearMarks(page, engine);
  });

  it('a stroke brushed while the whole picture of the marks is on its way is shown with it', async () => {
    const panel = page.getByRole('region', { name: 'Erase', exact: true });
    await panel.getByRole('radio', { name: 'Rectangle' }).check();
    await drag([0.1, 0.1], [0.4, 0.4]);
    await settled();
    await expect.poll(() => doc().hasSelection).toBe(true);
    // The inverted marks' picture comes late; a stroke inside the rectangle, now unmarked, comes first.
    const came = await withLatePicture(() => panel.getByRole('button', { name: 'Invert' }).click());
    await panel.getByRole('radio', { name: 'Brush' }).check();
    await drag([0.15, 0.2], [0.35, 0.3]);
    await settled();
    await came();
    await expectAsFetchedAgain(await canvasHash());
    await clearMarks(page, engine);
  });

  it('extends the canvas to 16:9 as a new layer', async () => {
    await useTool('Extend');
    const panel = page.getByRole('region', { name: 'Extend', exact: true });
    await panel.getByRole('combobox', { name: 'Extend to aspect' }).selectOption('16:9');
    expect(await panel.getByRole('spinbutton', { name: 'Extend left' }).inputValue()).toBe('55');
    await panel.getByRole('button', { name: 'Extend', exact: true }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 }).toMatch(/Extended in .* · 711×400/);
    expect(doc().layers.map((l) => l.name)).toEqual(['coffee.png', 'Extend 711×400']);
    expect(doc().layers[0]!.bounds).toEqual({ x: 55, y: 0, width: 600, height: 400 });
    // The panel shows the canvas as it is now: nothing more to add, no aspect chosen.
    await expect.poll(() => panel.getByRole('spinbutton', { name: 'Extend left' }).inputValue()).toBe('0');
    expect(await panel.getByRole('combobox', { name: 'Extend to aspect' }).inputValue()).toBe('');
    expect(await panel.getByText('New size: 711×400').count()).toBe(1);
    expect(await panel.getByRole('button', { name: 'Extend', exact: true }).isDisabled()).toBe(true);
    // On screen too: no line where the photo ends and the new border begins.
    const shot = await page.getByTestId('canvas').screenshot({ path: join(repoRoot, 'test-results', 'extend-canvas.png') });
    const { data, info } = await sharp(shot).greyscale().raw().toBuffer({ resolveWithObject: true });
    // Where the 711×400 canvas lies on the screenshot: the first and last bright columns of its
    // middle row (the stage around it is a dark checkerboard), and the old edge 55 px in.
    const mid = Math.round(info.height / 2);
    const bright = (x: number) => data[mid * info.width + x]! > 60;
    const x0 = Array.from({ length: info.width }, (_, x) => x).find(bright)!;
    const x1 = Array.from({ length: info.width }, (_, x) => info.width - 1 - x).find(bright)!;
    const expected = x0 + (55 * (x1 - x0 + 1)) / 711;
    // The step between neighbouring columns, over the middle rows: a line shows as the largest one near the edge.
    const step = (x: number) => {
      let sum = 0;
      for (let y = Math.round(info.height * 0.3); y < Math.round(info.height * 0.7); y++)
        sum += Math.abs(data[y * info.width + x]! - data[y * info.width + x - 1]!);
      return sum;
    };
    const around = Array.from({ length: 41 }, (_, i) => Math.round(expected) - 20 + i).map(step);
    const typical = [...around].sort((p, q) => p - q)[20]!;
    expect(Math.max(...around.slice(16, 25))).toBeLessThanOrEqual(2 * typical);
    // The opacity slider shows on the canvas while it is dragged (the new border gives way to the
    // empty canvas under it), and the layer takes the value when the slider is let go.
    // A point of the new border on the canvas: just inside the first column the image covers.
    let left = 0;
    while (left < 0.5 && (await canvasPixel(page, [left, 0.5]))[3] !== 255) left += 0.005;
    const at: [number, number] = [left + 0.01, 0.5];
    const border = await canvasPixel(page, at);
    const slider = page.getByRole('slider', { name: 'Opacity', exact: true });
    type Input = { value: string; dispatchEvent(e: Event): boolean };
    await slider.evaluate((el) => {
      (el as unknown as Input).value = '20';
      (el as unknown as Input).dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect.poll(async () => (await canvasPixel(page, at)).reduce((d, v, i) => d + Math.abs(v - border[i]!), 0)).toBeGreaterThan(30);
    expect(doc().layers[1]!.opacity).toBe(1);
    await slider.evaluate((el) => (el as unknown as Input).dispatchEvent(new Event('change', { bubbles: true })));
    await expect.poll(() => doc().layers[1]!.opacity).toBe(0.2);
  });
});
