/**
 * The fill's fine detail is bounded by the photo's grain where the fill meets it: patches that
 * brought a lit girder into a calm sky leave at most the sky's own grain there, not an embossed
 * ghost, while beside busy texture the same detail stays.
 */
import { describe, expect, it } from 'vitest';
import { combineBands } from '../../electron/engine/images/bands.js';

/** The spread (standard deviation) of the red channel of `out`, interleaved RGB `w` wide, over columns `xs` and rows `ys` (ends excluded). */
function spread(out: Float32Array, w: number, [x0, x1]: [number, number], [y0, y1]: [number, number]): number {
  let [sum, sq, n] = [0, 0, 0];
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const v = out[(y * w + x) * 3]!;
      [sum, sq, n] = [sum + v, sq + v * v, n + 1];
    }
  return Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2));
}

/** Uniform noise in −1…1, the same sequence for the same seed. */
function noise(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 2;
}

/**
 * Extend's fill of a border (columns `from` on) of a `w`×`h` grey photo whose pixel (x, y) is
 * `photo(x, y)`, the border's broad colours `border(y)`, with lines drawn on into it along the rows of
 * `drawn` (row → grey). The patches match nothing (flat blue), so what grain there is is the photo's.
 */
function extendBorder(
  w: number,
  h: number,
  from: number,
  photo: (x: number, y: number) => number,
  border: (y: number) => number,
  drawn = new Map<number, number>(),
): Float32Array {
  const low = new Float32Array(w * h * 3);
  const hole = new Uint8Array(w * h);
  const lines = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const line = x >= from ? drawn.get(y) : undefined;
      if (line !== undefined) lines[p] = 1;
      else if (x >= from) hole[p] = 1;
      low.fill(line ?? (x >= from ? border(y) : photo(x, y)), p * 3, p * 3 + 3);
    }
  const detail = Float32Array.from(low);
  for (let p = 0; p < w * h; p++) if (hole[p]) detail.set([0.1, 0.1, 0.8], p * 3);
  return combineBands(low, detail, w, h, hole, 1.5, 1, { agreeEverywhere: true, ...(drawn.size ? { lines: { where: lines, colours: low } } : {}) });
}

/** The spread of grain of ±0.05, uniform, as `greyWithHole` lays it. */
const GREY_SPREAD = 0.05 / Math.sqrt(3);

/** A 120×80 photo of grain (±0.05) on a mid grey, with an 80×40 hole whose broad colours are that grey. */
function greyWithHole(seed: number): { w: number; h: number; low: Float32Array; hole: Uint8Array; rand: () => number } {
  const [w, h] = [120, 80];
  const rand = noise(seed);
  const low = new Float32Array(w * h * 3);
  for (let p = 0; p < w * h; p++) for (let k = 0; k < 3; k++) low[p * 3 + k] = 0.5 + rand() * 0.05;
  const hole = new Uint8Array(w * h);
  for (let y = 20; y < 60; y++) hole.fill(1, y * w + 20, y * w + 100);
  for (let p = 0; p < w * h; p++) if (hole[p]) for (let k = 0; k < 3; k++) low[p * 3 + k] = 0.5;
  return { w, h, low, hole, rand };
}

describe('combineBands', () => {
  it('bounds the detail by the grain of the photo nearest to each part of the hole', () => {
    const [w, h] = [120, 120];
    const rand = noise(9);
    // The photo: a calm sky on the left half (noise ±0.005), a busy lattice on the right (bars of ±0.3).
    const low = new Float32Array(w * h * 3);
    const busy = (x: number, y: number) => x >= w / 2 && (x + y) % 6 < 2;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let k = 0; k < 3; k++) low[(y * w + x) * 3 + k] = 0.4 + (x < w / 2 ? rand() * 0.005 : busy(x, y) ? 0.3 : -0.1);
    // The hole spans both; the patches put the lattice's detail everywhere in it.
    const hole = new Uint8Array(w * h);
    for (let y = 40; y < 80; y++) hole.fill(1, y * w + 20, y * w + 100);
    const detail = Float32Array.from(low);
    for (let y = 40; y < 80; y++) for (let x = 20; x < 100; x++) for (let k = 0; k < 3; k++) detail[(y * w + x) * 3 + k] = (x + y) % 6 < 2 ? 0.7 : 0.3;
    const out = combineBands(low, detail, w, h, hole, 1.5, 1);
    // Deep in the hole's sky side (nearest photo: sky), the detail is at most a few times the sky's noise…
    expect(spread(out, w, [24, 40], [45, 75])).toBeLessThan(0.02);
    // …and beside the lattice it keeps its strength.
    expect(spread(out, w, [80, 96], [45, 75])).toBeGreaterThan(0.05);
  });

  it("keeps the detail only where the patches agree with the broad colours, at the surroundings' strength", () => {
    const { w, h, low, hole, rand } = greyWithHole(4);
    // The patches: grey grain on the right half of the hole; on the left, letters of a badge (white
    // strokes on dark blue), which are nothing like the grey they were meant to match.
    const detail = Float32Array.from(low);
    for (let y = 20; y < 60; y++)
      for (let x = 20; x < 100; x++)
        for (let k = 0; k < 3; k++) detail[(y * w + x) * 3 + k] = x < 60 ? ((x + y) % 5 < 2 ? 0.9 : k === 2 ? 0.4 : 0.1) : 0.5 + rand() * 0.05;
    // How much brighter the letters' strokes are than between them, over the left half of the hole.
    const strokes = (out: Float32Array) => {
      let [on, onCount, off, offCount] = [0, 0, 0, 0];
      for (let y = 25; y < 55; y++)
        for (let x = 25; x < 55; x++) {
          const v = out[(y * w + x) * 3]!;
          if ((x + y) % 5 < 2) [on, onCount] = [on + v, onCount + 1];
          else [off, offCount] = [off + v, offCount + 1];
        }
      return on / onCount - off / offCount;
    };
    const all = combineBands(low, detail, w, h, hole, 1.5, 1);
    const agreed = combineBands(low, detail, w, h, hole, 1.5, 1, { agreeEverywhere: true });
    // Without the check the letters' strokes are laid over the grey.
    expect(strokes(all)).toBeGreaterThan(GREY_SPREAD);
    // With it, none of them: the photo's own grain is there instead, at its strength…
    expect(Math.abs(strokes(agreed))).toBeLessThan(GREY_SPREAD / 5);
    expect(spread(agreed, w, [25, 55], [25, 55])).toBeGreaterThan(GREY_SPREAD / 2);
    expect(spread(agreed, w, [25, 55], [25, 55])).toBeLessThan(GREY_SPREAD * 2);
    // …as it is where the patches agree.
    expect(spread(agreed, w, [65, 95], [25, 55])).toBeGreaterThan(GREY_SPREAD / 2);
    expect(spread(agreed, w, [65, 95], [25, 55])).toBeLessThan(GREY_SPREAD * 2);
  });

  it('keeps no detail along the seams of patches that disagree on either side (scratches in a border)', () => {
    // The broad colours are a blend (a suit's orange fading into a wall); the patches are stripes of
    // the two colours, 8 px wide, each far from the blend, whose blur passes through it at every seam.
    const { w, h, low, hole } = greyWithHole(23);
    for (let p = 0; p < w * h; p++) if (hole[p]) low.fill(0.45, p * 3, p * 3 + 3);
    const detail = Float32Array.from(low);
    const stripe = (x: number) => Math.floor(x / 8) % 2;
    for (let p = 0; p < w * h; p++) if (hole[p]) detail.fill(stripe(p % w) ? 0.7 : 0.3, p * 3, p * 3 + 3);
    const out = combineBands(low, detail, w, h, hole, 1.5, 1, { agreeEverywhere: true });
    // The mean of the columns just left of each seam against the rest: a line along every seam, or none.
    let [atSeam, seamCount, elsewhere, count] = [0, 0, 0, 0];
    for (let y = 25; y < 55; y++)
      for (let x = 26; x < 94; x++) {
        const v = out[(y * w + x) * 3]!;
        if (stripe(x) !== stripe(x + 1)) [atSeam, seamCount] = [atSeam + v, seamCount + 1];
        else [elsewhere, count] = [elsewhere + v, count + 1];
      }
    expect(Math.abs(atSeam / seamCount - elsewhere / count)).toBeLessThan(GREY_SPREAD / 5);
    expect(spread(out, w, [25, 95], [25, 55])).toBeGreaterThan(GREY_SPREAD / 2);
  });

  it('where the patches disagree, lays the photo’s grain but no piece of an edge beside the hole', () => {
    // A thin bright line beside the hole (a wire, a mast).
    const { w, h, low, hole } = greyWithHole(7);
    low.fill(0.95, 14 * w * 3, 15 * w * 3);
    // The patches match nothing: flat blue.
    const detail = Float32Array.from(low);
    for (let p = 0; p < w * h; p++) if (hole[p]) detail.set([0.1, 0.1, 0.8], p * 3);
    const out = combineBands(low, detail, w, h, hole, 1.5, 1, { agreeEverywhere: true });
    let brightest = 0;
    for (let p = 0; p < w * h; p++) if (hole[p]) brightest = Math.max(brightest, out[p * 3]!);
    // The grain is there, at the photo's strength, and nothing near the line's brightness (0.95):
    // the grain, strengthened for the line's edge among the surroundings, stays within three times its amplitude.
    expect(spread(out, w, [25, 95], [22, 58])).toBeGreaterThan(GREY_SPREAD / 2);
    expect(brightest).toBeLessThan(0.5 + 0.05 * 3);
  });

  it('takes the grain beside a line drawn into a border from the photo, not from the line', () => {
    // A border (x ≥ 40) beside a photo of calm sky (rows 0–34) over grass; a dark line drawn from
    // the photo's horizon (rows 50–51) right across the border.
    const [w, h] = [160, 80];
    const rand = noise(31);
    const GRASS = 0.05;
    const out = extendBorder(
      w,
      h,
      40,
      (_, y) => 0.5 + rand() * (y < 35 ? 0.002 : GRASS),
      () => 0.5,
      new Map([
        [50, 0.2],
        [51, 0.2],
      ]),
    );
    // Every 8-px block of the grass's part of the border, far from the photo, has grass's grain: none is sky's.
    const flat: string[] = [];
    for (let y = 54; y + 8 <= 78; y += 8)
      for (let x = 80; x + 8 <= 156; x += 8) if (spread(out, w, [x, x + 8], [y, y + 8]) < GRASS / Math.sqrt(3) / 3) flat.push(`${x},${y}`);
    expect(flat, 'blocks as calm as the sky').toEqual([]);
  });

  it('bounds the grain beside a faint line drawn into a border by the photo’s grain, not by the line’s', () => {
    // A border (x ≥ 40) beside grass; a line drawn on from the photo (rows 40–41), as smooth as the
    // border and barely darker.
    const [w, h] = [160, 80];
    const rand = noise(37);
    const GRASS = 0.05;
    const out = extendBorder(
      w,
      h,
      40,
      () => 0.5 + rand() * GRASS,
      () => 0.5,
      new Map([
        [40, 0.497],
        [41, 0.497],
      ]),
    );
    // Beside the line and far from the photo, nearer the line than the photo, the grain is grass's:
    // bounded by the line's own smoothness, it was flat.
    expect(spread(out, w, [100, 156], [28, 38])).toBeGreaterThan(GRASS / Math.sqrt(3) / 2);
    expect(spread(out, w, [100, 156], [43, 53])).toBeGreaterThan(GRASS / Math.sqrt(3) / 2);
  });

  it('lays no piece of a line beside a border as grain, though its square is as calm as the grain', () => {
    // A border (x ≥ 60) beside a photo of grain crossed by a thin bright line (row 40) that does not
    // go on into it. Squares across the line are no busier than 1.5 times the typical square (a
    // line 1 px wide holds little), but their broad colours vary: their detail is the line's.
    const [w, h] = [160, 80];
    const rand = noise(41);
    const GRAIN = 0.04;
    const out = extendBorder(
      w,
      h,
      60,
      (_, y) => 0.5 + rand() * GRAIN + (y === 40 ? 2.5 * GRAIN : 0),
      () => 0.5,
    );
    // A piece of the line laid as grain is a run of bright pixels along a row: 8 of them average
    // 0.07 above the grey, where the grain's average over 8 is within 0.04 (over 8 σ).
    let brightestRun = 0;
    for (let y = 2; y < h - 2; y++)
      for (let x = 62; x + 8 <= w - 2; x++) {
        let sum = 0;
        for (let i = 0; i < 8; i++) sum += out[(y * w + x + i) * 3]! - 0.5;
        brightestRun = Math.max(brightestRun, sum / 8);
      }
    expect(brightestRun).toBeLessThan(0.04);
    expect(spread(out, w, [64, 156], [10, 30])).toBeGreaterThan(GRAIN / Math.sqrt(3) / 2);
  });

  it('where the photo beside a border is too busy to be calm, lays calm grain of the border’s colour there, not the sky’s', () => {
    // A border (x ≥ 60) beside sky (rows 0–89, light, faint grain), far grass (rows 90–169, dark,
    // fine grain) and near grass (rows 170–255, dark, grain too coarse to be calm: sky and far grass
    // make up most of the photo beside the border, so their squares are the typical ones).
    const [w, h] = [160, 256];
    const rand = noise(43);
    const [SKY, FAR, NEAR] = [0.003, 0.03, 0.09];
    const broad = (y: number) => (y < 90 ? 0.8 : 0.4);
    const out = extendBorder(w, h, 60, (_, y) => broad(y) + rand() * (y < 90 ? SKY : y < 170 ? FAR : NEAR), broad);
    // The border beside the near grass has grass's grain (strengthened up to 1.4 times), not in part the sky's.
    expect(spread(out, w, [64, 156], [208, 252])).toBeGreaterThan((1.2 * FAR) / Math.sqrt(3));
  });

  it('strengthens faint patch detail at most twice, and lays the photo’s grain for the rest', () => {
    const { w, h, low, hole } = greyWithHole(11);
    // The patches match the grey, with only faint ripples of their seams (±0.005) for detail.
    const ripple = (x: number, y: number) => 0.005 * Math.sin((x + y) * 1.9);
    const detail = Float32Array.from(low);
    for (let y = 20; y < 60; y++) for (let x = 20; x < 100; x++) for (let k = 0; k < 3; k++) detail[(y * w + x) * 3 + k] = 0.5 + ripple(x, y);
    const out = combineBands(low, detail, w, h, hole, 1.5, 1, { agreeEverywhere: true });
    // The ripples' strength in the result: its correlation with them.
    let [along, norm] = [0, 0];
    for (let y = 25; y < 55; y++)
      for (let x = 25; x < 95; x++) [along, norm] = [along + (out[(y * w + x) * 3]! - 0.5) * ripple(x, y), norm + ripple(x, y) ** 2];
    expect(along / norm).toBeGreaterThan(0.5);
    expect(along / norm).toBeLessThan(2.2);
    expect(spread(out, w, [25, 95], [25, 55])).toBeGreaterThan(GREY_SPREAD / 2);
  });

  it('lays no detail of patches that disagree with a line drawn through the hole (flecks along a metal leg)', () => {
    const { w, h, low, hole, rand } = greyWithHole(17);
    // A bright bar drawn across the hole (rows 38–41), smooth; the patches there are the grey's grain.
    const lines = new Uint8Array(w * h);
    for (let y = 38; y < 42; y++)
      for (let x = 20; x < 100; x++) {
        lines[y * w + x] = 1;
        low.fill(0.9, (y * w + x) * 3, (y * w + x) * 3 + 3);
      }
    const detail = Float32Array.from(low);
    for (let p = 0; p < w * h; p++) if (hole[p]) for (let k = 0; k < 3; k++) detail[p * 3 + k] = 0.5 + rand() * 0.05;
    const bar = (out: Float32Array) => spread(out, w, [25, 95], [39, 41]);
    // Unchecked, the grey's grain is laid over the bar; checked, the bar stays smooth…
    expect(bar(combineBands(low, detail, w, h, hole, 1.5, 1))).toBeGreaterThan(GREY_SPREAD / 2);
    const checked = combineBands(low, detail, w, h, hole, 1.5, 1, { lines: { where: lines, colours: low } });
    expect(bar(checked)).toBeLessThan(GREY_SPREAD / 10);
    // …and the grey around it keeps its grain.
    expect(spread(checked, w, [25, 95], [24, 34])).toBeGreaterThan(GREY_SPREAD / 2);
  });

  it('keeps a thin line drawn through the hole as sharp as it was drawn, and the grain beside it', () => {
    const { w, h, low, hole, rand } = greyWithHole(19);
    // A band drawn across the hole (rows 30–49), grey but for a 3 px highlight along its middle
    // (rows 39–41): finer than the split at σ 1.5, so its own broad colours hold only part of it.
    const lines = new Uint8Array(w * h);
    for (let y = 30; y < 50; y++)
      for (let x = 20; x < 100; x++) {
        lines[y * w + x] = 1;
        low.fill(y >= 39 && y < 42 ? 0.9 : 0.5, (y * w + x) * 3, (y * w + x) * 3 + 3);
      }
    // The patches bring the grey's grain everywhere, the highlight's place included.
    const detail = Float32Array.from(low);
    for (let p = 0; p < w * h; p++) if (hole[p]) for (let k = 0; k < 3; k++) detail[p * 3 + k] = 0.5 + rand() * 0.05;
    const out = combineBands(low, detail, w, h, hole, 1.5, 1, { lines: { where: lines, colours: low } });
    let highlight = 0;
    for (let x = 25; x < 95; x++) highlight += out[(40 * w + x) * 3]! / 70;
    expect(highlight, 'the highlight’s brightness').toBeGreaterThan(0.85);
    // Beside it, in the band but where the drawn colours are plain, the grey keeps its grain.
    expect(spread(out, w, [25, 95], [30, 34])).toBeGreaterThan(GREY_SPREAD / 2);
  });

  it("measures the grain's strength on the photo, not on lines drawn through the hole", () => {
    const { w, h, low, hole, rand } = greyWithHole(13);
    // Three dark lines drawn across the hole: no longer hole, and not the photo either.
    const lines = new Uint8Array(w * h);
    for (const line of [30, 40, 50])
      for (let y = line; y < line + 2; y++)
        for (let x = 20; x < 100; x++) {
          hole[y * w + x] = 0;
          lines[y * w + x] = 1;
          low.fill(0.1, (y * w + x) * 3, (y * w + x) * 3 + 3);
        }
    // The patches bring grain of the photo's kind.
    const detail = Float32Array.from(low);
    for (let p = 0; p < w * h; p++) if (hole[p]) for (let k = 0; k < 3; k++) detail[p * 3 + k] = 0.5 + rand() * 0.05;
    const grain = (out: Float32Array) => spread(out, w, [25, 95], [22, 29]);
    const counted = combineBands(low, detail, w, h, hole, 1.5, 1);
    const photoOnly = combineBands(low, detail, w, h, hole, 1.5, 1, { lines: { where: lines, colours: low } });
    // Counted as grain, the lines' edges make it stronger than the photo's; measured on the photo, it is the photo's.
    expect(grain(counted)).toBeGreaterThan(grain(photoOnly) * 1.25);
    expect(grain(photoOnly)).toBeGreaterThan(GREY_SPREAD * 0.5);
    expect(grain(photoOnly)).toBeLessThan(GREY_SPREAD * 1.3);
  });
});
