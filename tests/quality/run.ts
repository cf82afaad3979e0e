/**
 * npm run quality: Erase and Extend beside the peers a photographer would try (GIMP
 * Resynthesizer, InvokeAI's PatchMatch, IOPaint's OpenCV fills), on every photo of
 * ../shared/photos, with the same holes, in one run. Prints a table per case and a summary against
 * the targets, and writes each case's crops side by side (the photo, Ganvas, then each peer, at
 * 100 %) into test-results/quality/. Not part of CI (the peers take minutes).
 *
 * QUALITY_ONLY=<text> keeps the cases whose name contains it; QUALITY_PEERS=none runs Ganvas alone
 * (quicker, while tuning). The peers are built once with `bash ../shared/peers/setup.sh`; without
 * them Ganvas runs alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { allocRaster, cropRaster, sharpInput, type Raster } from '../../electron/engine/images/raster.js';
import { testEngine } from '../support/engine.js';
import { edgeAgreement, holeError, mirrorCorrelation, ringAround, seamStep, textureIn } from '../support/metrics.js';
import { photosDir, repoRoot } from '../support/paths.js';
import { rasterOf } from '../support/rasters.js';
import { holesFor, type MaskKind } from './cases.js';

const PEERS_DIR = process.env.GANVAS_PEERS ?? join(homedir(), '.cache', 'ganvas-peers');
const PY = join(PEERS_DIR, 'venv', 'bin', 'python');
const FILL = join(repoRoot, '..', 'shared', 'peers', 'fill.py');
const ERASE_PEERS = ['patchmatch', 'resynth', 'ns', 'telea'] as const;
const EXTEND_PEERS = ['patchmatch', 'resynth', 'ns'] as const;
const only = process.env.QUALITY_ONLY;
const out = join(repoRoot, 'test-results', 'quality');
const tmp = mkdtempSync(join(tmpdir(), 'ganvas-quality-'));
mkdirSync(out, { recursive: true });
const peersReady = process.env.QUALITY_PEERS !== 'none' && existsSync(PY) && existsSync(FILL);

interface Scores {
  psnr: number;
  mae: number;
  texture: number;
  edges: number | null;
  mirror?: number;
  seam?: number;
  seconds: number;
}
/** `photoTexture`: the texture ratio of what the photo itself has there, measured the same way. */
type Row = { name: string; kind: MaskKind | 'extend'; method: string; scores: Scores; result: Raster; photoTexture: number };

const engine = testEngine();
const rows: Row[] = [];

async function save(r: Raster, file: string): Promise<string> {
  await sharp(...sharpInput(r))
    .png()
    .toFile(file);
  return file;
}

function maskRaster(hole: Uint8Array, w: number, h: number): Raster {
  const m = allocRaster(w, h, 1, 8);
  for (let p = 0; p < hole.length; p++) m.data[p] = hole[p] ? 255 : 0;
  return m;
}

/** A peer's fill of `image` (a file), timed by the peer itself (the fill step alone). */
async function peer(args: string[]): Promise<{ result: Raster; seconds: number } | null> {
  const target = join(tmp, `peer-${rows.length}-${Math.random().toString(16).slice(2)}.png`);
  const run = spawnSync(PY, [FILL, ...args, target], { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) {
    process.stderr.write(`peer ${args[0]} failed: ${run.stderr.trim().split('\n').at(-1)}\n`);
    return null;
  }
  const seconds = Number(/time_s=([\d.]+)/.exec(run.stderr)?.[1] ?? NaN);
  return { result: await rasterOf(target), seconds };
}

async function ganvas(file: string, tool: 'erase' | 'extend', params: object, mask?: string): Promise<{ result: Raster; seconds: number }> {
  const doc = await engine.open(file);
  if (mask) await engine.document(doc.id).selectionFromFile(mask);
  const end = await engine.tools.waitFor(engine.tools.run(doc.id, doc.layers[0]!.id, tool, params));
  if (end.type !== 'job-done') throw new Error(`${tool} on ${file}: ${JSON.stringify(end)}`);
  const layer = engine.document(doc.id).doc.layers.at(-1)!.raster;
  await engine.close(doc.id);
  return { result: await rasterOf(await save(layer, join(tmp, `ganvas-${rows.length}.png`))), seconds: end.stats.totalMs / 1000 };
}

/** The crop around `where` of each result side by side, at 100 %. */
async function sideBySide(name: string, results: Raster[], where: Uint8Array, width: number): Promise<void> {
  let [x0, y0, x1, y1] = [Infinity, Infinity, 0, 0];
  for (let p = 0; p < where.length; p++) {
    if (!where[p]) continue;
    const x = p % width,
      y = (p - x) / width;
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  const pad = Math.round(Math.max(24, (x1 - x0) / 2));
  const first = results[0]!;
  const rect = { x: Math.max(0, x0 - pad), y: Math.max(0, y0 - pad), width: 0, height: 0 };
  rect.width = Math.min(first.width, x1 + pad + 1) - rect.x;
  rect.height = Math.min(first.height, y1 + pad + 1) - rect.y;
  const gap = 4;
  const tiles = await Promise.all(
    results.map(async (r, i) => ({
      input: await sharp(...sharpInput(cropRaster(r, rect)))
        .png()
        .toBuffer(),
      left: i * (rect.width + gap),
      top: 0,
    })),
  );
  await sharp({ create: { width: results.length * (rect.width + gap) - gap, height: rect.height, channels: 3, background: '#ffffff' } })
    .composite(tiles)
    .png()
    .toFile(join(out, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`));
}

function record(name: string, kind: Row['kind'], method: string, scores: Scores, result: Raster, photoTexture: number): void {
  rows.push({ name, kind, method, scores, result, photoTexture });
  const s = scores;
  const extra = s.mirror !== undefined ? ` | mirror ${s.mirror.toFixed(2)} | seam ${s.seam!.toFixed(2)}` : '';
  process.stderr.write(
    `${name.padEnd(40)} ${method.padEnd(10)} | ${s.psnr.toFixed(2).padStart(5)} dB | MAE ${s.mae.toFixed(1).padStart(4)} | texture ${s.texture.toFixed(2)} | edges ${s.edges === null ? '  — ' : s.edges.toFixed(2)}${extra} | ${s.seconds.toFixed(2)} s\n`,
  );
}

async function eraseCases(file: string): Promise<void> {
  const truth = await rasterOf(file);
  const { width: w, height: h } = truth;
  for (const c of holesFor(truth)) {
    const name = `${file.split('/').slice(-1)[0]} · ${c.kind}`;
    if (only && !name.includes(only)) continue;
    const mask = await save(maskRaster(c.hole, w, h), join(tmp, `mask-${rows.length}.png`));
    const image = await save(truth, join(tmp, `image-${rows.length}.png`));
    const base = textureIn(truth, ringAround(c.hole, w, h));
    const photoTexture = textureIn(truth, c.hole) / base;
    const measure = (r: Raster, seconds: number): Scores => ({
      ...holeError(r, truth, c.hole),
      texture: textureIn(r, c.hole) / base,
      edges: edgeAgreement(r, truth, c.hole)?.score ?? null,
      seconds,
    });
    const results = [truth];
    const ours = await ganvas(image, 'erase', {}, mask);
    record(name, c.kind, 'Ganvas', measure(ours.result, ours.seconds), ours.result, photoTexture);
    results.push(ours.result);
    if (peersReady)
      for (const method of ERASE_PEERS) {
        const p = await peer([method, image, mask]);
        if (!p) continue;
        record(name, c.kind, method, measure(p.result, p.seconds), p.result, photoTexture);
        results.push(p.result);
      }
    await sideBySide(name, results, c.hole, w);
  }
}

/** Extend by a share on the right: the photo cut to 1/(1+share) of its width, grown back, compared with what was cut. */
async function extendCase(file: string, share: number): Promise<void> {
  const truth = await rasterOf(file);
  const name = `${file.split('/').slice(-1)[0]} · extend +${Math.round(share * 100)} %`;
  if (only && !name.includes(only)) return;
  const kept = Math.round(truth.width / (1 + share));
  const grow = truth.width - kept;
  const cut = await save(cropRaster(truth, { x: 0, y: 0, width: kept, height: truth.height }), join(tmp, `cut-${rows.length}.png`));
  const border = new Uint8Array(truth.width * truth.height);
  for (let y = 0; y < truth.height; y++) border.fill(1, y * truth.width + kept, (y + 1) * truth.width);
  // The ring is the photo just inside the old edge, as around an Erase hole: what the border goes on from.
  const base = textureIn(truth, ringAround(border, truth.width, truth.height));
  const photoTexture = textureIn(truth, border) / base;
  const measure = (r: Raster, seconds: number): Scores => ({
    ...holeError(r, truth, border),
    texture: textureIn(r, border) / base,
    edges: edgeAgreement(r, truth, border)?.score ?? null,
    mirror: mirrorCorrelation(r, kept),
    seam: seamStep(r, kept),
    seconds,
  });
  const results = [truth];
  const ours = await ganvas(cut, 'extend', { right: grow });
  record(name, 'extend', 'Ganvas', measure(ours.result, ours.seconds), ours.result, photoTexture);
  results.push(ours.result);
  if (peersReady)
    for (const method of EXTEND_PEERS) {
      const p = await peer(['extend', method, cut, String(grow)]);
      if (!p) continue;
      record(name, 'extend', method, measure(p.result, p.seconds), p.result, photoTexture);
      results.push(p.result);
    }
  await sideBySide(name, results, border, truth.width);
}

function summary(): void {
  const methods = [...new Set(rows.map((r) => r.method))];
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  const db = (v: number) => (Number.isNaN(v) ? '—' : `${v.toFixed(2)} dB`);
  const structural = (r: Row) => r.kind === 'straight edge' || r.kind === 'curved edge' || r.kind === 'object';
  console.log(`\nErase and Extend against the peers (${new Set(rows.map((r) => r.name)).size} cases; photos in ${photosDir})\n`);
  console.log(
    'method     | PSNR across structure | PSNR background | edge continuation | texture range | Extend: PSNR | worst mirror | worst seam | mean time',
  );
  console.log(
    '-----------|-----------------------|-----------------|-------------------|---------------|--------------|--------------|------------|----------',
  );
  const table: Record<string, { structure: number; edges: number }> = {};
  for (const m of methods) {
    const mine = rows.filter((r) => r.method === m);
    const erase = mine.filter((r) => r.kind !== 'extend');
    const extend = mine.filter((r) => r.kind === 'extend');
    const structure = mean(erase.filter(structural).map((r) => r.scores.psnr));
    const edges = mean(erase.flatMap((r) => (r.scores.edges === null ? [] : [r.scores.edges])));
    table[m] = { structure, edges };
    const textures = mine.map((r) => r.scores.texture);
    console.log(
      [
        m.padEnd(10),
        db(structure).padEnd(21),
        db(mean(erase.filter((r) => r.kind === 'background').map((r) => r.scores.psnr))).padEnd(15),
        edges.toFixed(3).padEnd(17),
        `${Math.min(...textures).toFixed(2)}–${Math.max(...textures).toFixed(2)}`.padEnd(13),
        db(mean(extend.map((r) => r.scores.psnr))).padEnd(12),
        extend.length
          ? Math.max(...extend.map((r) => r.scores.mirror!))
              .toFixed(2)
              .padEnd(12)
          : '—'.padEnd(12),
        extend.length
          ? Math.max(...extend.map((r) => r.scores.seam!))
              .toFixed(2)
              .padEnd(10)
          : '—'.padEnd(10),
        `${mean(mine.map((r) => r.scores.seconds)).toFixed(2)} s`,
      ].join(' | '),
    );
  }
  const peers = methods.filter((m) => m !== 'Ganvas' && m !== 'ns' && m !== 'telea');
  const diffusion = methods.filter((m) => m === 'ns' || m === 'telea');
  const ours = table.Ganvas;
  if (!ours) return;
  const check = (ok: boolean, what: string) => console.log(`${ok ? '✓' : '✗'} ${what}`);
  console.log('');
  const bestPeer = Math.max(...peers.map((m) => table[m]!.structure));
  if (peers.length) check(ours.structure >= bestPeer, `PSNR across structure ≥ the best peer's (${ours.structure.toFixed(2)} vs ${bestPeer.toFixed(2)} dB)`);
  const bestDiffusion = Math.max(...diffusion.map((m) => table[m]!.structure));
  if (diffusion.length) check(ours.structure >= bestDiffusion, `PSNR across structure ≥ a diffusion fill's (${bestDiffusion.toFixed(2)} dB)`);
  const bestEdges = Math.max(...peers.map((m) => table[m]!.edges));
  if (peers.length) check(ours.edges >= bestEdges, `edge continuation ≥ the best peer's (${ours.edges.toFixed(3)} vs ${bestEdges.toFixed(3)})`);
  const mine = rows.filter((r) => r.method === 'Ganvas');
  check(
    mine.every((r) => r.scores.texture >= 0.5 && r.scores.texture <= 1.5),
    'texture 0.5–1.5 everywhere' +
      mine
        .filter((r) => r.scores.texture < 0.5 || r.scores.texture > 1.5)
        .map((r) => ` (${r.name}: ${r.scores.texture.toFixed(2)}, the photo's own ${r.photoTexture.toFixed(2)})`)
        .join(''),
  );
  const extend = mine.filter((r) => r.kind === 'extend');
  if (extend.length) {
    check(
      extend.every((r) => r.scores.mirror! <= 0.3),
      `Extend: mirror correlation ≤ 0.3 on every photo (worst ${Math.max(...extend.map((r) => r.scores.mirror!)).toFixed(2)})`,
    );
    check(
      extend.every((r) => r.scores.seam! <= 1.5),
      `Extend: seam step ≤ 1.5× the photo's own (worst ${Math.max(...extend.map((r) => r.scores.seam!)).toFixed(2)})`,
    );
  }
  console.log(`\nCrops (the photo, Ganvas${peersReady ? `, ${ERASE_PEERS.join(', ')}; Extend: ${EXTEND_PEERS.join(', ')}` : ''}) in ${out}`);
}

const photos = [
  ...readdirSync(photosDir)
    .filter((n) => /\.(png|jpe?g)$/i.test(n))
    .map((n) => join(photosDir, n)),
  ...readdirSync(join(photosDir, 'lowlight')).map((n) => join(photosDir, 'lowlight', n)),
].sort();
if (!peersReady)
  process.stderr.write(
    process.env.QUALITY_PEERS === 'none'
      ? 'QUALITY_PEERS=none: Ganvas runs alone.\n'
      : `The peers are not built (${PY}): run \`bash ../shared/peers/setup.sh\`; Ganvas runs alone.\n`,
  );
for (const file of photos) await eraseCases(file);
for (const file of photos.filter((f) => !f.includes('lowlight'))) for (const share of [0.25, 0.5]) await extendCase(file, share);
summary();
await engine.dispose();
