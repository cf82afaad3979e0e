/** One scale of an image being filled, and what halves it. */
export interface Level {
  width: number;
  height: number;
  /** Interleaved RGB; in the hole, the current estimate. */
  image: Float32Array;
  hole: Uint8Array;
  /** 1 where patch centres may be taken from. */
  from: Uint8Array;
}

export function downsample(l: Level, fromRule: 'any' | 'all'): Level {
  const width = Math.ceil(l.width / 2);
  const height = Math.ceil(l.height / 2);
  const image = new Float32Array(width * height * 3);
  const hole = new Uint8Array(width * height);
  const from = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let n = 0;
      let r = 0,
        g = 0,
        b = 0;
      let anyHole = 0;
      let anyFrom = 0,
        allFrom = 1;
      for (let dy = 0; dy < 2; dy++) {
        const sy = 2 * y + dy;
        if (sy >= l.height) continue;
        for (let dx = 0; dx < 2; dx++) {
          const sx = 2 * x + dx;
          if (sx >= l.width) continue;
          const s = sy * l.width + sx;
          r += l.image[s * 3]!;
          g += l.image[s * 3 + 1]!;
          b += l.image[s * 3 + 2]!;
          anyHole |= l.hole[s]!;
          anyFrom |= l.from[s]!;
          allFrom &= l.from[s]!;
          n++;
        }
      }
      const p = y * width + x;
      image[p * 3] = r / n;
      image[p * 3 + 1] = g / n;
      image[p * 3 + 2] = b / n;
      hole[p] = anyHole;
      from[p] = fromRule === 'any' ? anyFrom : allFrom;
    }
  }
  return { width, height, image, hole, from };
}
