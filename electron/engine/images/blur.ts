/**
 * A separable Gaussian blur of one plane of floats (w × h), edges clamped; `across` only blurs
 * along the rows (what varies from column to column is smoothed, what runs along a row is kept).
 */
export function gaussianBlurPlane(src: Float32Array, w: number, h: number, sigma: number, { across = false } = {}): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = Float32Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = k.reduce((a, b) => a + b, 0);
  const rows = new Float32Array(src.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r]! * src[y * w + Math.min(w - 1, Math.max(0, x + i))]!;
      rows[y * w + x] = s / total;
    }
  if (across) return rows;
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r]! * rows[Math.min(h - 1, Math.max(0, y + i)) * w + x]!;
      out[y * w + x] = s / total;
    }
  return out;
}
