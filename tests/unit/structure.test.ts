/**
 * The lines drawn through a hole before it is filled (structure.ts), checked on their own: which
 * edges are joined and where the joining line runs.
 */
import { describe, expect, it } from 'vitest';
import { continueStructure } from '../../electron/engine/images/structure.js';

type Rgb = [number, number, number];

/** Interleaved RGB 0..1: `colour(x, y)` with a little sensor noise. */
function picture(width: number, height: number, colour: (x: number, y: number) => Rgb): Float32Array {
  const out = new Float32Array(width * height * 3);
  let s = 11;
  const noise = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.03;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const c = colour(x, y);
      for (let k = 0; k < 3; k++) out[(y * width + x) * 3 + k] = c[k]! + noise();
    }
  return out;
}

function rectHole(width: number, height: number, r: { x: number; y: number; width: number; height: number }): Uint8Array {
  const hole = new Uint8Array(width * height);
  for (let y = r.y; y < r.y + r.height; y++) hole.fill(1, y * width + r.x, y * width + r.x + r.width);
  return hole;
}

describe('lines through a hole', () => {
  it('a tower’s upright, dark against the sky above and lit by a lamp against the ground below, is one line through the hole', () => {
    // Its sides' colours differ between the ends more than two unrelated edges' may, but both ends
    // were followed far and point straight at each other. Its dark side above matches the ground
    // below better than the lit upright does, so by colour its left edge above pairs with its right
    // edge below: those two may be drawn, but never both crossed pairs, an X.
    const [w, h] = [160, 200];
    const bar = (x: number) => x >= 76 && x < 84;
    const image = picture(w, h, (x, y) => (y < 100 ? (bar(x) ? [0.12, 0.09, 0.07] : [0.3, 0.36, 0.5]) : bar(x) ? [0.55, 0.42, 0.28] : [0.16, 0.15, 0.17]));
    const r = { x: 50, y: 60, width: 60, height: 80 };
    const { entries, pairs } = continueStructure(image, w, h, rectHole(w, h, r), () => ({ share: 0, longest: 0, rays: false }));
    // Each joined pair as [x above the hole, x below it], for those that run from top to bottom.
    const uprights = pairs
      .map((pair) => pair.map((i) => entries[i]!).sort((a, b) => a.y - b.y))
      .filter(([top, bottom]) => top!.y < r.y && bottom!.y >= r.y + r.height)
      .map(([top, bottom]) => [top!.x, bottom!.x] as const);
    expect(uprights.length, JSON.stringify(pairs)).toBeGreaterThan(0);
    for (const end of uprights.flat()) expect(Math.abs(end - 80), `an end at ${end}, not on the upright`).toBeLessThan(6);
    for (const [topA, bottomA] of uprights)
      for (const [topB, bottomB] of uprights)
        expect((topA - topB) * (bottomA - bottomB), `${topA} → ${bottomA} and ${topB} → ${bottomB} cross`).toBeGreaterThanOrEqual(0);
  });

  it('an edge with no partner across the hole goes on straight for the share of the way it is given, and no further than the longest run', () => {
    // A floor's edge runs into the hole from the left; on the right there is only a plain wall.
    const [w, h] = [160, 200];
    const image = picture(w, h, (x, y) => (x >= 110 ? [0.45, 0.45, 0.45] : y < 100 ? [0.2, 0.25, 0.3] : [0.7, 0.6, 0.5]));
    const r = { x: 50, y: 60, width: 60, height: 80 };
    const hole = rectHole(w, h, r);
    const drawnOnEdge = (share: number, longest = Infinity) => {
      const asked: number[] = [];
      const { drawn } = continueStructure(image, w, h, hole, (unpaired) => (asked.push(unpaired.length), { share, longest, rays: false }));
      expect(asked, 'asked once, with the floor edge unpaired').toEqual([expect.any(Number)]);
      expect(asked[0]).toBeGreaterThanOrEqual(1);
      const xs: number[] = [];
      // (The wall's side, just right of the hole, is joined from top to bottom: left out here.)
      for (let y = 96; y < 104; y++) for (let x = r.x; x < r.x + 40; x++) if (drawn[y * w + x]) xs.push(x);
      return xs;
    };
    expect(drawnOnEdge(0)).toEqual([]);
    const xs = drawnOnEdge(0.3);
    expect(Math.min(...xs)).toBeLessThanOrEqual(r.x + 1);
    // 0.3 of the 60 px through the hole: it reaches 18 px in, and stops there.
    expect(Math.max(...xs)).toBeGreaterThanOrEqual(r.x + 15);
    expect(Math.max(...xs)).toBeLessThanOrEqual(r.x + 21);
    // …and no further than it is allowed.
    expect(Math.max(...drawnOnEdge(0.3, 8))).toBeLessThanOrEqual(r.x + 10);
  });

  it('a border carries on an edge that meets it at a slant, on its line; a hole only one that heads into it', () => {
    // A tripod's leg, a bright 4 px bar falling 62° from the level, reaches the old right edge at (160, 60).
    const [w, h] = [260, 200];
    const slope = Math.tan((62 * Math.PI) / 180);
    const legX = (y: number) => 160 - (60 - y) / slope;
    const image = picture(w, h, (x, y) => (Math.abs(x - legX(y)) * Math.sin((62 * Math.PI) / 180) < 2 ? [0.85, 0.85, 0.85] : [0.4, 0.42, 0.38]));
    const hole = rectHole(w, h, { x: 160, y: 0, width: 100, height: h });
    const drawnRows = (widest?: number) => {
      const { drawn } = continueStructure(image, w, h, hole, () => ({ share: 1, longest: Infinity, rays: true, ...(widest ? { widest } : {}) }));
      // For each row below the old edge's meeting point, where the drawn pixels lie.
      const rows: { y: number; x: number }[] = [];
      for (let y = 64; y < h; y++) {
        const xs: number[] = [];
        for (let x = 160; x < w; x++) if (drawn[y * w + x]) xs.push(x);
        if (xs.length) rows.push({ y, x: xs.reduce((a, b) => a + b, 0) / xs.length });
      }
      return rows;
    };
    expect(drawnRows(), 'only edges heading into the hole').toEqual([]);
    const rows = drawnRows(70);
    expect(rows.length, 'the leg goes on into the border').toBeGreaterThanOrEqual(40);
    for (const { y, x } of rows) expect(Math.abs(x - legX(y)), `row ${y}: drawn at ${x}, the leg's line is at ${legX(y)}`).toBeLessThan(3);
  });

  it('an outpainted border carries an edge on only as far as it ran straight in the photo', () => {
    // A floor's edge meets the border level, but only for its last 20 px: before that it comes up
    // at 45° (a lamp's ray turning into a cloud's edge). Carried on all the way it becomes a bar.
    const [w, h] = [260, 200];
    const border = { x: 160, y: 0, width: 100, height: h };
    const reach = (bend: number) => {
      const floor = (x: number) => (x >= bend ? 100 : 100 + (bend - x));
      const image = picture(w, h, (x, y) => (y < floor(x) ? [0.2, 0.25, 0.45] : [0.6, 0.45, 0.3]));
      const { drawn } = continueStructure(image, w, h, rectHole(w, h, border), () => ({ share: 1, longest: Infinity, rays: true }));
      let furthest = 0;
      for (let y = 96; y < 104; y++) for (let x = border.x; x < w; x++) if (drawn[y * w + x]) furthest = Math.max(furthest, x - border.x);
      return furthest;
    };
    expect(reach(0), 'a level edge across the whole photo goes on to the end').toBeGreaterThanOrEqual(90);
    const bent = reach(140);
    expect(bent, 'the level part goes on').toBeGreaterThanOrEqual(10);
    expect(bent, 'no further than it was level').toBeLessThanOrEqual(30);
  });

  it('a lamp’s rays, fanning out from it, do not go on where pixels are copied after them; rails in perspective do', () => {
    // Bright 2 px lines on a night sky, left of a hole; beyond them nothing but sky.
    const [w, h] = [200, 160];
    const hole = rectHole(w, h, { x: 90, y: 20, width: 80, height: 120 });
    const linesFrom = (from: [number, number], through: number[]) =>
      picture(w, h, (x, y) => {
        const lit =
          x < 90 &&
          through.some((ty) => {
            const [dx, dy] = [90 - from[0], ty - from[1]];
            return Math.abs((x - from[0]) * dy - (y - from[1]) * dx) / Math.hypot(dx, dy) < 1;
          });
        return lit && x > from[0] + 6 ? [0.9, 0.85, 0.7] : [0.1, 0.12, 0.2];
      });
    const drawnIn = (image: Float32Array, rays: boolean) =>
      continueStructure(image, w, h, hole, () => ({ share: 0.3, longest: 16, rays })).drawn.filter(Boolean).length;
    // A lamp at (30, 80): five rays 20° apart.
    const star = linesFrom(
      [30, 80],
      [
        80 - 60 * Math.tan((40 * Math.PI) / 180),
        80 - 60 * Math.tan((20 * Math.PI) / 180),
        80,
        80 + 60 * Math.tan((20 * Math.PI) / 180),
        80 + 60 * Math.tan((40 * Math.PI) / 180),
      ],
    );
    expect(drawnIn(star, true), 'told to, the rays go on').toBeGreaterThan(0);
    expect(drawnIn(star, false), 'the rays are drawn on into the hole').toBe(0);
    // Three rails meeting far away (a fence in perspective, 12° apart): they go on.
    const rails = linesFrom([-200, 80], [50, 80, 110]);
    expect(drawnIn(rails, false), 'the rails stop at the hole').toBeGreaterThan(0);
  });

  it('a wire brushed along its length is not drawn back; a line crossing the same stroke is', () => {
    // A 3 px wire across the sky, and a stroke 20 px wide brushed along it (its middle 200 px).
    const [w, h] = [400, 300];
    const onWire = (x: number, y: number, slope: number, at: number) => Math.abs(y - (at + slope * x)) * Math.cos(Math.atan(slope));
    const stroke = (slope: number, at: number) => {
      const hole = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 100; x <= 300; x++) if (onWire(x, y, slope, at) < 10) hole[y * w + x] = 1;
      return hole;
    };
    const sky: Rgb = [0.47, 0.63, 0.82];
    const wire = picture(w, h, (x, y) => (onWire(x, y, 0.3, 60) < 1.5 ? [0.15, 0.15, 0.15] : sky));
    const along = continueStructure(wire, w, h, stroke(0.3, 60), () => ({ share: 0.3, longest: 16, rays: false }));
    expect(along.entries.length, 'the wire runs into the stroke at both ends').toBeGreaterThanOrEqual(2);
    expect(along.pairs, 'the wire is joined back through the stroke').toEqual([]);
    expect(along.drawn.filter(Boolean).length, 'the wire is drawn on into the stroke').toBe(0);
    // The same kind of line at 45° to a stroke brushed across it goes on through.
    const crossing = picture(w, h, (x, y) => (onWire(x, y, -1, 350) < 1.5 ? [0.15, 0.15, 0.15] : sky));
    expect(continueStructure(crossing, w, h, stroke(0.3, 60), () => ({ share: 0, longest: 0, rays: false })).pairs.length).toBeGreaterThan(0);
  });

  it('a thin highlight is drawn through the hole once, as thin as it is, not once along each of its sides', () => {
    // A 3 px highlight along a saucer's red rim, at 20°: an edge runs into the hole on each of its sides.
    const [w, h] = [200, 160];
    const slope = Math.tan((20 * Math.PI) / 180);
    const centre = (x: number) => 50 + x * slope;
    const image = picture(w, h, (x, y) => (Math.abs(y - centre(x)) <= 1.5 ? [0.95, 0.85, 0.75] : y < centre(x) ? [0.55, 0.12, 0.05] : [0.3, 0.06, 0.03]));
    const r = { x: 70, y: 50, width: 60, height: 60 };
    const { entries, pairs, pixels } = continueStructure(image, w, h, rectHole(w, h, r), () => ({ share: 0, longest: 0, rays: false }));
    expect(entries.length, 'both sides of the highlight run in at both ends').toBeGreaterThanOrEqual(4);
    expect(pairs.length, JSON.stringify(pairs)).toBe(1);
    // Down each column of the hole: the highlight as bright and no wider than it is beside the hole.
    const red = (x: number, y: number) => pixels[(y * w + x) * 3]!;
    for (let x = r.x + 6; x < r.x + r.width - 6; x += 6) {
      const bright: number[] = [];
      for (let y = r.y; y < r.y + r.height; y++) if (red(x, y) > 0.75) bright.push(y);
      expect(bright.length, `column ${x}: ${bright.length} bright rows`).toBeGreaterThan(0);
      expect(bright.length, `column ${x}: ${bright.length} bright rows`).toBeLessThanOrEqual(5);
      for (const y of bright) expect(Math.abs(y - centre(x)), `column ${x}, row ${y}`).toBeLessThanOrEqual(3);
    }
  });
});
