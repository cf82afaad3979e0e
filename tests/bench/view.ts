/** The view rows of `npm run bench`: 24 and 50 MP photos opened, looked at and panned at 100 % in Chromium, and brushed on, through the real handlers. */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright';
import { canvasPixel, openApp } from '../support/bridge.js';
import { testEngine } from '../support/engine.js';
import { photoOfSize } from './enhance.js';
import { gib, median, ms, row } from './measure.js';

/** Polls `done` every 10 ms (not yet while it throws: the canvas may not be there) and answers the milliseconds since `t0` when it holds. */
async function until(t0: number, done: () => Promise<boolean>): Promise<number> {
  while (!(await done().catch(() => false))) await new Promise((r) => setTimeout(r, 10));
  return performance.now() - t0;
}

const SIZES = [
  { mp: 24, width: 6000, height: 4000 },
  { mp: 50, width: 8660, height: 5774 },
];

export async function viewBench(): Promise<void> {
  for (const size of SIZES) await viewOf(size);
}

async function viewOf({ mp, width, height }: (typeof SIZES)[number]): Promise<void> {
  const file = await photoOfSize(width, height);
  const engine = testEngine();
  let readMs = 0;
  const open = engine.open.bind(engine);
  engine.open = async (path, ...rest) => {
    const t = performance.now();
    const doc = await open(path, ...rest);
    readMs = performance.now() - t;
    return doc;
  };
  const { page, close } = await openApp(engine, { openFile: async () => file });
  try {
    const t0 = performance.now();
    await page.keyboard.press('Control+o');
    const painted = await until(t0, async () => (await canvasPixel(page, [0.5, 0.5]))[3] === 255);
    row(
      `View: ${mp} MP photo, Open → first paint of the fitted view`,
      `${ms(painted)} (reading the file ${ms(readMs)}, after it ${ms(painted - readMs)})`,
      '≤ 0.5 s after the file is read',
    );
    await page.evaluate(RECORDER);
    const canvas = page.getByTestId('canvas');
    const t1 = performance.now();
    await page.keyboard.press('Control+1');
    const sharp = await until(t1, async () => Number(await canvas.getAttribute('data-full-tiles')) > 0);
    row(`View: ${mp} MP photo, Ctrl+1 → every visible tile at full resolution`, ms(sharp), '≤ 1.5 s');
    await panBench(page, mp);
    await page.keyboard.press('Control+0');
    if (mp === 24) await strokeBench(page);
  } finally {
    await close();
  }
}

/** The longest frame the page drew between two of its own times. */
async function longestFrame(page: Page, from: number, to: number): Promise<number> {
  const frames = (await page.evaluate('window.frames_')) as number[];
  const within = frames.filter((t) => t >= from && t <= to);
  return Math.max(0, ...within.slice(1).map((t, i) => t - within[i]!));
}

const pageNow = (page: Page) => page.evaluate(() => performance.now());

/** A hand's pan across the photo at 100 %, with the Hand tool: the longest frame while it moves, and the time until the new view is sharp. */
async function panBench(page: Page, mp: number): Promise<void> {
  await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Hand', exact: true }).click();
  const box = (await page.getByTestId('canvas').boundingBox())!;
  const from = await pageNow(page);
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.7);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) await page.mouse.move(box.x + box.width * (0.8 - (0.6 * i) / 60), box.y + box.height * (0.7 - (0.4 * i) / 60));
  await page.mouse.up();
  const t = performance.now();
  const canvas = page.getByTestId('canvas');
  const sharp = await until(t, async () => Number(await canvas.getAttribute('data-full-tiles')) > 0);
  await page.waitForTimeout(500);
  row(
    `View: ${mp} MP photo, pan at 100 %: longest frame while moving / new view sharp after release`,
    `${ms(await longestFrame(page, from, await pageNow(page)))} / ${ms(sharp)}`,
    '≤ 50 ms / ≤ 1.5 s',
  );
}

/** The renderer processes' resident memory (Linux), from the browser's list of its processes. */
async function rendererRss(page: Page): Promise<number> {
  const cdp = await page.context().browser()!.newBrowserCDPSession();
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  await cdp.detach();
  const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  return processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + rss(p.id), 0);
}

/** In the page: every frame's time, every release's, and when the canvas has no sketch left waiting for the engine's mark. */
const RECORDER = `
  window.frames_ = []; window.ups = []; window.settled = [];
  const frame = (t) => { window.frames_.push(t); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  addEventListener('mouseup', () => window.ups.push(performance.now()), { capture: true });
  const canvas = document.querySelector('[data-testid="canvas"]');
  new MutationObserver(() => canvas.getAttribute('data-sketches-waiting') === '0' && window.settled.push(performance.now()))
    .observe(canvas, { attributes: true, attributeFilter: ['data-sketches-waiting'] });
`;

const STROKES = 10;
const POINTS = 200;

/**
 * Ten 200-point Erase strokes over the fitted 24 MP photo, as a hand makes them: the page's frames
 * are timed from the first press until a second after the engine's mark replaced each sketch.
 */
async function strokeBench(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Tools' }).getByRole('button', { name: 'Erase', exact: true }).click();
  await page.getByRole('region', { name: 'Erase', exact: true }).getByRole('radio', { name: 'Brush' }).check();
  const box = (await page.getByTestId('canvas').boundingBox())!;
  const before = await rendererRss(page);
  const from = await pageNow(page);
  // The recorder has heard earlier releases (the pan's); these strokes' come after them.
  const earlier = ((await page.evaluate('window.ups')) as number[]).length;
  for (let s = 0; s < STROKES; s++) {
    const y = box.y + box.height * (0.1 + (0.8 * s) / STROKES);
    await page.mouse.move(box.x + box.width * 0.1, y);
    await page.mouse.down();
    for (let i = 1; i <= POINTS; i++) await page.mouse.move(box.x + box.width * (0.1 + (0.8 * i) / POINTS), y + Math.sin(i / 15) * 20);
    await page.mouse.up();
    await page.waitForFunction((n) => (globalThis as unknown as { settled: number[] }).settled.length > n, s);
  }
  await page.waitForTimeout(1000);
  const [ups, settled] = (await page.evaluate('[window.ups, window.settled]')) as [number[], number[]];
  const replaced = settled.map((t, i) => t - ups[earlier + i]!);
  row(
    `Erase brush: ${POINTS}-point stroke on 24 MP, release → the engine's mark in place of the stroke's sketch (median of ${STROKES})`,
    ms(median(replaced)),
    '≤ 100 ms',
  );
  row(`Erase brush: longest frame during and after ${STROKES} strokes`, ms(await longestFrame(page, from, await pageNow(page))), '≤ 50 ms');
  row(`Renderer memory: 24 MP photo, before / after ${STROKES} strokes`, `${gib(before)} / ${gib(await rendererRss(page))}`, '≤ 600 MB');
}
