/**
 * 100 % is the photo's own pixels, also on a photo larger than the screen copy (at most 4096 px
 * long): a 1-px chart in a 6000×4000 photo is read back from the canvas pixel for pixel.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasPixel, clearMarks, openApp } from '../support/bridge.js';
import { testEngine } from '../support/engine.js';
import { repoRoot } from '../support/paths.js';

const [W, H] = [6000, 4000];
/** The chart: 1-px checks and stripes around the photo's centre, flat grey elsewhere. */
const CHART = { x: 2600, y: 1700, width: 800, height: 600 };
const chartPixel = (x: number, y: number): [number, number, number] => [(x + y) % 2 ? 255 : 0, (x % 3) * 120, (y % 4) * 80];

describe('a camera-size photo at 100 % in Chromium', () => {
  let page: Page;
  let close: (() => Promise<void>) | undefined;
  const engine = testEngine();
  const file = join(mkdtempSync(join(tmpdir(), 'ganvas-100-')), 'chart-6000x4000.png');

  beforeAll(async () => {
    const data = Buffer.alloc(W * H * 3, 128);
    for (let y = CHART.y; y < CHART.y + CHART.height; y++) for (let x = CHART.x; x < CHART.x + CHART.width; x++) data.set(chartPixel(x, y), (y * W + x) * 3);
    await sharp(data, { raw: { width: W, height: H, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toFile(file);
    ({ page, close } = await openApp(engine, { openFile: async () => file }));
  });

  afterAll(() => close?.());

  it('shows the file’s pixels exactly at 100 %, from full-resolution tiles', async () => {
    await page.keyboard.press('Control+o');
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 }).toContain('chart-6000x4000.png · 6000×4000');
    await page.keyboard.press('Control+1');
    await expect.poll(() => page.getByTestId('zoom').textContent()).toBe('100 %');
    const canvas = page.getByTestId('canvas');
    await expect.poll(async () => Number(await canvas.getAttribute('data-full-tiles')), { timeout: 60_000 }).toBeGreaterThan(0);
    const [vx, vy, scale] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number, number];
    expect(scale).toBe(1);
    expect([Number.isInteger(vx), Number.isInteger(vy)]).toEqual([true, true]);
    const box = (await canvas.boundingBox())!;
    // Screen pixels over the chart, in a grid that lands on every kind of neighbour.
    let compared = 0;
    for (let sy = Math.max(0, CHART.y + vy); sy < Math.min(box.height, CHART.y + CHART.height + vy); sy += 37)
      for (let sx = Math.max(0, CHART.x + vx); sx < Math.min(box.width, CHART.x + CHART.width + vx); sx += 41) {
        const [x, y] = [sx - vx, sy - vy];
        expect(await canvasPixel(page, [sx / box.width, sy / box.height]), `(${x}, ${y})`).toEqual([...chartPixel(x, y), 255]);
        compared++;
      }
    expect(compared).toBeGreaterThan(100);
    await page.screenshot({ path: join(repoRoot, 'test-results', 'view-100-percent.png') });
  });

  it('at 100 %, what Erase will remove is shown to the pixel: the overlay ends where the marked rectangle ends', async () => {
    await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Erase', exact: true }).click();
    await page.getByRole('region', { name: 'Erase', exact: true }).getByRole('radio', { name: 'Rectangle' }).check();
    const canvas = page.getByTestId('canvas');
    const [vx, vy] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number];
    const box = (await canvas.boundingBox())!;
    const rect = { x: 2950, y: 1950, width: 101, height: 67 };
    await page.mouse.move(box.x + vx + rect.x, box.y + vy + rect.y);
    await page.mouse.down();
    await page.mouse.move(box.x + vx + rect.x + rect.width, box.y + vy + rect.y + rect.height, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => engine.documents()[0]!.hasSelection).toBe(true);
    // The overlay's colour (#ff3b5c) at its opacity (50 %) over the chart, as the canvas blends it.
    const tinted = (x: number, y: number) => chartPixel(x, y).map((c, i) => c + ([0xff, 0x3b, 0x5c][i]! - c) * 0.5);
    const seen = (x: number, y: number) => canvasPixel(page, [(vx + x) / box.width, (vy + y) / box.height]);
    const near = (a: number[], b: number[]) => a.slice(0, 3).every((v, i) => Math.abs(v - b[i]!) <= 2);
    const mid = rect.y + 30;
    const inside = [rect.x, rect.x + 1, rect.x + rect.width - 1].map((x) => [x, mid] as const);
    const outside = [rect.x - 1, rect.x - 2, rect.x + rect.width].map((x) => [x, mid] as const);
    // Tiles of the selection come a moment after its whole picture (which alone would blur its edges over 3 px here).
    await expect
      .poll(async () => (await Promise.all(inside.map(([x, y]) => seen(x, y)))).every((p, i) => near(p, tinted(...inside[i]!))), { timeout: 30_000 })
      .toBe(true);
    for (const [x, y] of outside) expect(await seen(x, y), `(${x}, ${y})`).toEqual([...chartPixel(x, y), 255]);
    await clearMarks(page, engine);
  });

  it('at 100 %, a brush stroke asks again only for the overlay’s tiles it changed: the rest stays sharp meanwhile', async () => {
    const panel = page.getByRole('region', { name: 'Erase', exact: true });
    await panel.getByRole('radio', { name: 'Rectangle' }).check();
    const canvas = page.getByTestId('canvas');
    const [vx, vy] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number];
    const box = (await canvas.boundingBox())!;
    const drag = async (from: [number, number], to: [number, number]) => {
      await page.mouse.move(box.x + vx + from[0], box.y + vy + from[1]);
      await page.mouse.down();
      await page.mouse.move(box.x + vx + to[0], box.y + vy + to[1], { steps: 5 });
      await page.mouse.up();
    };
    // A rectangle in the tile at x 2560–3071, y 1536–2047, its edges seen once its tiles have come.
    await drag([2950, 1950], [3051, 2017]);
    await expect.poll(() => engine.documents()[0]!.hasSelection).toBe(true);
    const seen = (x: number, y: number) => canvasPixel(page, [(vx + x) / box.width, (vy + y) / box.height]);
    const tinted = (x: number, y: number) => chartPixel(x, y).map((c, i) => c + ([0xff, 0x3b, 0x5c][i]! - c) * 0.5);
    // Sharp: across both of its side edges, each screen pixel is the chart's, tinted inside only.
    const sharp = async () => {
      for (const x of [2946, 2947, 2948, 2949, 2950, 2951, 2952, 2953, 3047, 3048, 3049, 3050, 3051, 3052, 3053, 3054]) {
        const expected = x >= 2950 && x < 3051 ? tinted(x, 1980) : chartPixel(x, 1980);
        if (!(await seen(x, 1980)).slice(0, 3).every((v, i) => Math.abs(v - expected[i]!) <= 2)) return false;
      }
      return true;
    };
    await expect.poll(sharp, { timeout: 30_000 }).toBe(true);
    // Tiles now come 3 s late; a stroke in the next tile to the right (x 3072–3583).
    const session = engine.document(engine.documents()[0]!.id);
    const tile = session.selectionTile.bind(session);
    const asked: { x: number; y: number; width: number; height: number }[] = [];
    session.selectionTile = async (region, ...rest) => {
      asked.push(region);
      await new Promise((r) => setTimeout(r, 3000));
      return tile(region, ...rest);
    };
    try {
      await panel.getByRole('radio', { name: 'Brush' }).check();
      await drag([3300, 1800], [3340, 1820]);
      await expect.poll(() => canvas.getAttribute('data-sketches-waiting')).toBe('0');
      await page.evaluate(
        () => new Promise((r) => (globalThis as unknown as { requestAnimationFrame(f: () => void): void }).requestAnimationFrame(() => r(null))),
      );
      expect(await sharp()).toBe(true);
      expect(asked.map((r) => [r.x, r.y])).toEqual([[3072, 1536]]);
    } finally {
      session.selectionTile = tile;
    }
    await clearMarks(page, engine);
  });

  it('between the screen copy and 100 %, draws from a coarser level of the pyramid instead of stretching the screen copy', async () => {
    for (let i = 0; i < 4; i++) await page.keyboard.press('Control+-');
    await expect.poll(() => page.getByTestId('zoom').textContent()).toBe('41 %');
    const canvas = page.getByTestId('canvas');
    await expect.poll(async () => Number(await canvas.getAttribute('data-full-tiles')), { timeout: 60_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(repoRoot, 'test-results', 'view-41-percent.png') });
    // No seams where tiles meet: across each tile boundary on a flat grey row, every screen pixel is the grey.
    const [vx, vy, scale] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number, number];
    const box = (await canvas.boundingBox())!;
    const row = Math.round(vy + 1200 * scale);
    let checked = 0;
    for (let boundary = 1024; boundary < W; boundary += 1024) {
      const at = Math.round(vx + boundary * scale);
      if (at < 3 || at > box.width - 4) continue;
      for (let sx = at - 3; sx <= at + 3; sx++) {
        const [r, g, b, a] = await canvasPixel(page, [sx / box.width, row / box.height]);
        expect([Math.abs(r! - 128) <= 2, Math.abs(g! - 128) <= 2, Math.abs(b! - 128) <= 2, a], `x ${sx} (boundary ${boundary})`).toEqual([
          true,
          true,
          true,
          255,
        ]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
    // …nor inside the chart, where each tile is made smaller on its own: the step between screen
    // columns at the tile boundary (raster x 3072) is no larger than the chart's own steps beside it.
    const shot = await canvas.screenshot();
    const { data, info } = await sharp(shot).greyscale().raw().toBuffer({ resolveWithObject: true });
    const seam = Math.round(vx + 3072 * scale);
    const rows = Array.from({ length: 40 }, (_, i) => Math.round(vy + (CHART.y + 100 + i * 10) * scale));
    const step = (x: number) => rows.reduce((s, y) => s + Math.abs(data[y * info.width + x]! - data[y * info.width + x - 1]!), 0);
    const beside = [...Array.from({ length: 20 }, (_, i) => seam - 30 + i), ...Array.from({ length: 20 }, (_, i) => seam + 10 + i)]
      .map(step)
      .sort((a, b) => a - b);
    const atSeam = Math.max(step(seam - 1), step(seam), step(seam + 1));
    expect(atSeam).toBeLessThanOrEqual(beside.at(-1)!);
    await page.keyboard.press('Control+0');
    await expect.poll(async () => Number(await canvas.getAttribute('data-full-tiles'))).toBe(0);
  });
});
