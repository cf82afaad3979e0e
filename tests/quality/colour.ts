/**
 * npm run quality:colour — Low light's colour and highlights, and Style's pixel-level pattern, on
 * every low-light photo of ../shared/photos and the daylight ones:
 * clipped pixels before and after, whether the brightest region stays the brightest, the colour
 * cast (spread of the channel means ÷ their mean) as shot and after Auto white balance, chroma
 * fringes at edges; for Style, the power of a pattern at the network's grid period against the
 * photo's own. Writes 100 % crops (photo, result) into test-results/colour/. Not part of CI.
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { findModel, loadCatalog, tensorContract } from '../../electron/engine/models/catalog.js';
import { cropRaster, sharpInput, type Raster } from '../../electron/engine/images/raster.js';
import { resizeRaster } from '../../electron/engine/images/resample.js';
import { chromaFringe, clippedShare, colourCast, periodicShare } from '../support/colour-metrics.js';
import { testEngine } from '../support/engine.js';
import { luma } from '../support/metrics.js';
import { photosDir, repoRoot } from '../support/paths.js';
import { readdirSync } from 'node:fs';

const out = join(repoRoot, 'test-results', 'colour');
mkdirSync(out, { recursive: true });
const engine = testEngine();
const only = process.env.QUALITY_ONLY;

const nightPhotos = readdirSync(join(photosDir, 'lowlight'))
  .filter((f) => /\.(png|jpe?g)$/i.test(f))
  .map((f) => join(photosDir, 'lowlight', f));
const dayPhotos = ['coffee.png', 'astronaut.png', 'chelsea.png', 'rocket.jpg'].map((f) => join(photosDir, f));

async function run(file: string, tool: 'lowlight' | 'style', params: object): Promise<{ original: Raster; result: Raster }> {
  const doc = await engine.open(file);
  const end = await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, tool, params));
  if (end.type !== 'job-done') throw new Error(`${basename(file)}: ${JSON.stringify(end)}`);
  const layers = engine.document(doc.id).doc.layers;
  return { original: layers[0]!.raster, result: layers.at(-1)!.raster };
}

/** Mean output luma percentile of the original's brightest 0.2 % of pixels (1: they stay the brightest). */
function brightestKept(original: Raster, result: Raster): number {
  const [a, b] = [luma(original), luma(result)];
  const top = [...a.keys()].sort((i, j) => a[j]! - a[i]!).slice(0, Math.max(1, Math.floor(a.length * 0.002)));
  const sorted = Float32Array.from(b).sort();
  const rank = (v: number) => {
    let lo = 0,
      hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo / sorted.length;
  };
  return top.reduce((s, i) => s + rank(b[i]!), 0) / top.length;
}

/** The photo and the result side by side at 100 %, a crop around the brightest part of the photo. */
async function crop(original: Raster, result: Raster, name: string): Promise<void> {
  const side = Math.min(256, original.width, original.height);
  const y = luma(original);
  let best = 0;
  for (let i = 1; i < y.length; i++) if (y[i]! > y[best]!) best = i;
  const cx = Math.min(original.width - side, Math.max(0, (best % original.width) - side / 2));
  const cy = Math.min(original.height - side, Math.max(0, Math.floor(best / original.width) - side / 2));
  const box = { x: Math.round(cx), y: Math.round(cy), width: side, height: side };
  const tiles = await Promise.all(
    [original, result].map(async (r) =>
      sharp(...sharpInput(cropRaster(r, box)))
        .removeAlpha()
        .toColourspace('srgb')
        .png()
        .toBuffer(),
    ),
  );
  await sharp({ create: { width: side * 2 + 8, height: side, channels: 3, background: '#808080' } })
    .composite(tiles.map((input, i) => ({ input, left: i * (side + 8), top: 0 })))
    .png()
    .toFile(join(out, name));
}

const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

say(
  'Low light (defaults: Auto white balance, highlights protected) — clipped pixels, where the brightest 0.2 % end (percentile), colour cast of the whole image, chroma fringe at edges (1 = the photo’s own)',
);
say('photo | clipped | rise (pp) | brightest kept | cast of photo | cast after | fringe | fringe as shot | seconds');
for (const file of [...nightPhotos, ...dayPhotos]) {
  if (only && !file.includes(only)) continue;
  const t0 = performance.now();
  const { original, result } = await run(file, 'lowlight', {});
  const seconds = (performance.now() - t0) / 1000;
  const asShot = await run(file, 'lowlight', { whiteBalance: 'as-shot' });
  const [c0, c1] = [clippedShare(original), clippedShare(result)];
  say(
    `${basename(file)} | ${pct(c0)} → ${pct(c1)} | ${((c1 - c0) * 100).toFixed(2)} | ${brightestKept(original, result).toFixed(3)} | ${colourCast(original).cast.toFixed(2)} | ${colourCast(result).cast.toFixed(2)} | ${chromaFringe(original, result).toFixed(2)} | ${chromaFringe(original, asShot.result).toFixed(2)} | ${seconds.toFixed(1)}`,
  );
  await crop(original, result, `lowlight-${basename(file).replace(/\.\w+$/, '')}.png`);
}

const catalog = loadCatalog();
say('');
say('Style — share of fine detail that repeats at the network period (1/16 = none), photo → painting, at the working size');
say('photo | style | period | photo | painting');
for (const style of ['monet', 'vangogh_starry_night', 'fst_matta']) {
  for (const file of [...dayPhotos, nightPhotos[0]!]) {
    if (only && !file.includes(only) && !style.includes(only)) continue;
    const { original, result } = await run(file, 'style', { style });
    const modelId = style.startsWith('fst_') ? style : style === 'monet' ? 'painter_monet' : 'magenta_style_transfer';
    const period = tensorContract(findModel(catalog, modelId)).gridPeriod ?? 1;
    const scale = Math.min(1, 512 / Math.max(original.width, original.height));
    const [w, h] = [Math.round(original.width * scale), Math.round(original.height * scale)];
    const [a, b] = await Promise.all([original, result].map((r) => (scale < 1 ? resizeRaster(r, w, h, 'linear') : r)));
    say(`${basename(file)} | ${style} | ${period} | ${periodicShare(a!, period).toFixed(3)} | ${periodicShare(b!, period).toFixed(3)}`);
    await crop(original, result, `style-${style}-${basename(file).replace(/\.\w+$/, '')}.png`);
  }
}
await engine.dispose();
