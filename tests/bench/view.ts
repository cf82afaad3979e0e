/** The view rows of `npm run bench`: a 24 MP photo opened and looked at 100 % in Chromium, through the real handlers. */
import { canvasPixel, openApp } from '../support/bridge.js';
import { testEngine } from '../support/engine.js';
import { photoOfSize } from './enhance.js';
import { ms, row } from './measure.js';

/** Polls `done` every 10 ms (not yet while it throws: the canvas may not be there) and answers the milliseconds since `t0` when it holds. */
async function until(t0: number, done: () => Promise<boolean>): Promise<number> {
  while (!(await done().catch(() => false))) await new Promise((r) => setTimeout(r, 10));
  return performance.now() - t0;
}

export async function viewBench(): Promise<void> {
  const file = await photoOfSize(6000, 4000);
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
      'View: 24 MP photo, Open → first paint of the fitted view',
      `${ms(painted)} (reading the file ${ms(readMs)}, after it ${ms(painted - readMs)})`,
      '≤ 0.5 s after the file is read',
    );
    const canvas = page.getByTestId('canvas');
    const t1 = performance.now();
    await page.keyboard.press('Control+1');
    const sharp = await until(t1, async () => Number(await canvas.getAttribute('data-full-tiles')) > 0);
    row('View: 24 MP photo, Ctrl+1 → every visible tile at full resolution', ms(sharp), '≤ 1.5 s');
  } finally {
    await close();
  }
}
