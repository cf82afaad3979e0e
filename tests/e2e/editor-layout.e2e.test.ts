import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../support/bridge.js';
import { testEngine } from '../support/engine.js';
import { photo, repoRoot } from '../support/paths.js';

const SIZES = [
  [1280, 720],
  [1440, 900],
  [1920, 1080],
  [2560, 1440],
] as const;
const TOOLS = ['Enhance', 'Erase', 'Extend', 'Style', 'Low light'] as const;
const shots = join(repoRoot, 'test-results', 'layout');

/** Elements of the editor's panels whose content is wider than they are (cut off or scrolling sideways); text ending in "…" is meant to. */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document;
    type El = { scrollWidth: number; clientWidth: number; tagName: string; className: string; textContent: string | null };
    const getStyle = (globalThis as unknown as { getComputedStyle(e: unknown): { textOverflow: string; display: string } }).getComputedStyle;
    return Array.from(doc.querySelectorAll('header *, .rail *, .options *, .dock *, footer *') as ArrayLike<El>)
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && getStyle(el).textOverflow !== 'ellipsis' && getStyle(el).display !== 'inline')
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${el.className.replace(/ ?svelte-\w+/g, '')} “${(el.textContent ?? '').trim().slice(0, 40)}” ${el.scrollWidth} > ${el.clientWidth}`,
      );
  });
}

/** Whether the user can see and click `target` without scrolling: inside the window and not covered or clipped at its centre. */
async function reachable(target: Locator): Promise<boolean> {
  return target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const w = globalThis as unknown as { innerWidth: number; innerHeight: number; document: { elementFromPoint(x: number, y: number): unknown } };
    if (r.width === 0 || r.top < 0 || r.left < 0 || r.bottom > w.innerHeight || r.right > w.innerWidth) return false;
    const hit = w.document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) as { closest?: unknown } | null;
    return hit === el || (el as unknown as { contains(n: unknown): boolean }).contains(hit);
  });
}

describe('the editor at the usual window sizes', () => {
  let page: Page;
  let close: (() => Promise<void>) | undefined;
  const engine = testEngine();

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    ({ page, close } = await openApp(engine, { openFile: async () => photo('coffee.png') }, [photo('chelsea.png')]));
  });

  afterAll(() => close?.());

  it('without a photo offers only Open (and dropping one) and the recent files; no tool options', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(await reachable(page.getByRole('button', { name: 'Open…' }).last())).toBe(true);
    const recent = page.getByRole('navigation', { name: 'Recent files' });
    await expect.poll(() => recent.getByRole('button').allTextContents()).toEqual(['chelsea.png']);
    // The page can open only what the list holds, not a path of its own making.
    const refused = await page.evaluate(() =>
      (globalThis as unknown as { ganvas: { call(n: string, i: unknown): Promise<unknown> } }).ganvas
        .call('openRecent', { path: '/etc/passwd' })
        .catch((e: { code: string }) => e.code),
    );
    expect(refused).toBe('NOT_FOUND');
    expect(await page.getByRole('navigation', { name: 'Tools' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Tool options' }).count()).toBe(0);
    await page.screenshot({ path: join(shots, 'empty-1440x900.png') });
  });

  it('fits every panel without sideways overflow, with each tool’s action, Layers and History in view', async () => {
    await page.keyboard.press('Control+o');
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('coffee.png · 600×400');
    for (const [width, height] of SIZES) {
      await page.setViewportSize({ width, height });
      for (const tool of TOOLS) {
        await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: tool, exact: true }).click();
        const options = page.getByRole('region', { name: 'Tool options' });
        await expect.poll(() => options.getByRole('region', { name: tool }).count()).toBe(1);
        expect(await overflowing(page), `${tool} at ${width}×${height}`).toEqual([]);
        const action = options.locator('.actions button.primary');
        expect(await reachable(action), `${tool}'s action at ${width}×${height}`).toBe(true);
        expect(
          await reachable(page.getByRole('region', { name: 'Layers' }).getByRole('button', { name: /^coffee\.png/ })),
          `Layers at ${width}×${height}`,
        ).toBe(true);
        expect(await reachable(page.getByRole('region', { name: 'History' }).getByRole('tab', { name: 'Document' })), `History at ${width}×${height}`).toBe(
          true,
        );
        if (width === 1280) await page.screenshot({ path: join(shots, `${tool.toLowerCase().replace(' ', '-')}-1280x720.png`) });
      }
      await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Style', exact: true }).click();
      await page.screenshot({ path: join(shots, `style-${width}x${height}.png`) });
    }
  });

  it('fits the photo to the window again when the window changes size, unless the user zoomed', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('button', { name: 'Fit' }).click();
    const fitted = await page.getByTestId('zoom').textContent();
    await page.setViewportSize({ width: 1280, height: 720 });
    await expect.poll(() => page.getByTestId('zoom').textContent()).not.toBe(fitted);
    const refitted = await page.getByTestId('zoom').textContent();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    const zoomed = await page.getByTestId('zoom').textContent();
    expect(zoomed).not.toBe(refitted);
    await page.setViewportSize({ width: 1440, height: 900 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.getByTestId('zoom').textContent()).toBe(zoomed);
  });
});
