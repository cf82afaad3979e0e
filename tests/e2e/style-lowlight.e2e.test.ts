import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { canvasPixel, openApp } from '../support/bridge.js';
import { testEngine } from '../support/engine.js';
import { photo, photosDir } from '../support/paths.js';

describe('Style and Low light in Chromium, driving the real engine', () => {
  let page: Page;
  let close: (() => Promise<void>) | undefined;
  const engine = testEngine();
  let toOpen = photo('chelsea.png');
  const doc = () => engine.documents()[0]!;
  let showPhoto: () => void = () => {};

  beforeAll(async () => {
    // The presets arrive only after the photo is open, as on a slow first start: the thumbnails must still come.
    const presets = engine.styles.presets.bind(engine.styles);
    const photoShown = new Promise<void>((resolve) => (showPhoto = resolve));
    engine.styles.presets = async () => {
      engine.styles.presets = presets;
      await photoShown;
      return presets();
    };
    ({ page, close } = await openApp(engine, {
      openFile: async () => toOpen,
      openImage: async () => photo('rocket.jpg'),
      saveImage: async () => null,
      saveProject: async () => null,
    }));
  });

  afterAll(() => close?.());

  const useTool = (name: string) => page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name, exact: true }).click();

  it('shows each style previewed on the photo, made only once Style is opened', async () => {
    const previews = vi.spyOn(engine.tools, 'preview');
    await page.keyboard.press('Control+o');
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('chelsea.png · 451×300');
    showPhoto();
    // Opening a photo paints no thumbnails: nobody has asked for Style yet.
    await new Promise((r) => setTimeout(r, 1000));
    expect(previews).not.toHaveBeenCalled();
    await page.keyboard.press('s'); // Style's shortcut
    const painters = page.getByRole('radiogroup', { name: 'Painter' });
    await expect.poll(() => painters.getByRole('radio').count()).toBeGreaterThanOrEqual(11);
    // Thumbnails fill in one by one, each rendered by the engine on this photo.
    await expect.poll(() => painters.locator('img').count(), { timeout: 60_000 }).toBe(await painters.getByRole('radio').count());
    expect(await painters.getByRole('radio', { name: 'Monet', exact: true }).getAttribute('aria-checked')).toBe('true');
    expect(previews.mock.calls.length).toBeGreaterThanOrEqual(11);
    previews.mockRestore();
  });

  it('picks Monet, moves strength (live preview), applies, and undoes', async () => {
    const panel = page.getByRole('region', { name: 'Style' });
    const before = await canvasPixel(page, [0.5, 0.5]);
    await panel.getByRole('radio', { name: 'Monet', exact: true }).click();
    await panel.getByRole('slider', { name: 'Style strength' }).fill('0.6');
    // The preview is drawn over the photo on the canvas before anything is applied.
    await expect.poll(async () => (await canvasPixel(page, [0.5, 0.5])).reduce((d, v, i) => d + Math.abs(v - before[i]!), 0)).toBeGreaterThan(20);
    expect(doc().layers).toHaveLength(1);
    await panel.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 }).toMatch(/Painted in .* · 451×300/);
    expect(doc().layers.map((l) => l.name)).toEqual(['chelsea.png', 'Style: Monet, 60 %']);
    // A second style goes on top of the first, becomes the active layer, and is what the canvas shows.
    const monet = await canvasPixel(page, [0.5, 0.5]);
    await panel.getByRole('radio', { name: /^Hokusai/ }).click();
    await panel.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => doc().layers.length, { timeout: 60_000 }).toBe(3);
    expect(doc().layers[2]!.name).toMatch(/^Style: Hokusai/);
    await expect.poll(() => page.getByTestId(`layer-row-${doc().layers[2]!.name}`).getByRole('button', { pressed: true }).count()).toBe(1);
    await expect.poll(async () => (await canvasPixel(page, [0.5, 0.5])).reduce((d, v, i) => d + Math.abs(v - monet[i]!), 0)).toBeGreaterThan(20);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('status').textContent()).toMatch(/^Undid “Style: Hokusai/);
    expect(doc().layers.length).toBe(2);
    await page.keyboard.press('Control+z');
    await expect.poll(() => doc().layers.length).toBe(1);
  });

  it('learns a style from a painting and keeps it as a preset', async () => {
    const panel = page.getByRole('region', { name: 'Style' });
    await panel.getByRole('button', { name: 'From a painting…' }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 }).toMatch(/Painted in/);
    await panel.getByRole('textbox', { name: 'Preset name' }).fill('Night launch');
    await panel.getByRole('button', { name: 'Save as preset' }).click();
    await expect.poll(() => panel.getByRole('radio', { name: 'Night launch' }).getAttribute('aria-checked')).toBe('true');
    await expect.poll(() => panel.getByRole('radio', { name: 'Night launch' }).locator('img').count()).toBe(1);
    expect((await engine.styles.presets()).at(-1)).toMatchObject({ id: 'user:Night launch', kind: 'user' });
  });

  it('says a bright photo is not dark before anything runs; opens a dark photo, brightens it with Low light, and compares', async () => {
    // chelsea.png is still open: with its photo layer active the panel says so at once, from the small copy, with no job run.
    const layers = doc().layers.length;
    await page.getByRole('button', { name: /^chelsea\.png/ }).click();
    await useTool('Low light');
    const panel = page.getByRole('region', { name: 'Low light' });
    await expect.poll(() => panel.getByRole('note').allTextContents()).toEqual([expect.stringMatching(/^This photo is not dark \(average brightness \d+ %\)/)]);
    expect(doc().layers).toHaveLength(layers);
    toOpen = join(photosDir, 'lowlight', 'lime_1.png');
    await page.keyboard.press('Control+o');
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('lime_1.png');
    await expect.poll(() => panel.getByRole('note').count()).toBe(0);
    await panel.getByRole('slider', { name: 'Noise reduction' }).fill('0.3');
    // White balance is Auto unless the user keeps the colour as shot; the cast it took out is said with the result.
    expect(await panel.getByRole('radiogroup', { name: 'White balance' }).getByRole('radio', { name: 'Auto' }).isChecked()).toBe(true);
    await panel.getByRole('button', { name: 'Brighten' }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 }).toMatch(/Brightened in/);
    expect(await page.getByTestId('status').textContent()).toMatch(/White balance: colour cast \d\.\d\d → \d\.\d\d/);
    expect(doc().layers.map((l) => l.name)).toEqual(['lime_1.png', 'Low light: Best quality (IAT)']);
    // Compare is offered; while \ is held only the photo shows.
    expect(await page.getByTestId('status').textContent()).toContain('C compares before and after');
    await page.getByRole('button', { name: 'Compare' }).click();
    expect(await page.getByRole('slider', { name: 'Before/after divider' }).count()).toBe(1);
    const after = await canvasPixel(page, [0.9, 0.5]);
    await page.keyboard.down('\\');
    await expect.poll(() => page.getByText('Before (release \\ for after)').count()).toBe(1);
    await expect.poll(async () => (await canvasPixel(page, [0.9, 0.5])).reduce((d, v, i) => d + Math.abs(v - after[i]!), 0)).toBeGreaterThan(30);
    await page.keyboard.up('\\');
  });
});
