/**
 * The smoothest fill of a hole that meets the photo all round its edge (a membrane: each hole
 * pixel the mean of its neighbours, Laplace's equation), solved coarse to fine so large holes
 * converge in a few sweeps. Interleaved RGB 0..1 in and out; outside the hole the input as is.
 */
export function harmonicFill(pixels: Float32Array, width: number, height: number, hole: Uint8Array): Float32Array {
  return solve({ width, height, image: Float32Array.from(pixels), hole }, 0);
}

interface Grid {
  width: number;
  height: number;
  image: Float32Array;
  hole: Uint8Array;
}

/** Below this the hole is solved directly with many sweeps. */
const SMALLEST = 24;

function half(g: Grid): Grid {
  const width = Math.ceil(g.width / 2);
  const height = Math.ceil(g.height / 2);
  const image = new Float32Array(width * height * 3);
  const hole = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      let n = 0;
      let allHole = 1;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const sx = 2 * x + dx,
            sy = 2 * y + dy;
          if (sx >= g.width || sy >= g.height) continue;
          const s = sy * g.width + sx;
          // Known pixels only, so the coarse boundary holds the photo's colours, not the hole's guess.
          if (g.hole[s]) continue;
          allHole = 0;
          for (let k = 0; k < 3; k++) image[p * 3 + k] = image[p * 3 + k]! + g.image[s * 3 + k]!;
          n++;
        }
      }
      hole[p] = allHole;
      if (n > 0) for (let k = 0; k < 3; k++) image[p * 3 + k] = image[p * 3 + k]! / n;
    }
  }
  return { width, height, image, hole };
}

/** How many neighbours each combination of the four side bits names. */
const NEIGHBOURS = Uint8Array.from({ length: 16 }, (_, bits) => (bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1) + ((bits >> 3) & 1));

/** Gauss–Seidel sweeps with over-relaxation over the hole pixels, in raster order. */
function sweep(g: Grid, times: number): void {
  const { width: w, height: h, image, hole } = g;
  let count = 0;
  for (let p = 0; p < w * h; p++) count += hole[p]!;
  const cells = new Int32Array(count);
  // Which of each cell's four neighbours exist (left, right, up, down): all four away from the grid's edge.
  const sides = new Uint8Array(count);
  for (let p = 0, i = 0; p < w * h; p++) {
    if (!hole[p]) continue;
    const x = p % w;
    const y = (p - x) / w;
    cells[i] = p;
    sides[i++] = (x > 0 ? 1 : 0) | (x < w - 1 ? 2 : 0) | (y > 0 ? 4 : 0) | (y < h - 1 ? 8 : 0);
  }
  const omega = 1.8;
  const row = 3 * w;
  for (let t = 0; t < times; t++) {
    for (let i = 0; i < count; i++) {
      const o = cells[i]! * 3;
      const has = sides[i]!;
      for (let k = 0; k < 3; k++) {
        const c = o + k;
        // Summed in the order left, right, up, down whichever exist.
        let sum = 0;
        if (has & 1) sum += image[c - 3]!;
        if (has & 2) sum += image[c + 3]!;
        if (has & 4) sum += image[c - row]!;
        if (has & 8) sum += image[c + row]!;
        image[c] = image[c]! + omega * (sum / NEIGHBOURS[has]! - image[c]!);
      }
    }
  }
}

function solve(g: Grid, depth: number): Float32Array {
  if (Math.min(g.width, g.height) > SMALLEST && depth < 12) {
    const coarse = half(g);
    const solved = solve(coarse, depth + 1);
    for (let y = 0; y < g.height; y++) {
      for (let x = 0; x < g.width; x++) {
        const p = y * g.width + x;
        if (!g.hole[p]) continue;
        const q = Math.min(coarse.height - 1, y >> 1) * coarse.width + Math.min(coarse.width - 1, x >> 1);
        for (let k = 0; k < 3; k++) g.image[p * 3 + k] = solved[q * 3 + k]!;
      }
    }
    sweep(g, 24);
  } else sweep(g, 400);
  return g.image;
}
