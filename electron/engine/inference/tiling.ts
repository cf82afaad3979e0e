/** Tile starts along one axis: every tile has the same length; the last is shifted inward to end at the edge. */
export interface AxisPlan {
  starts: number[];
  length: number;
}

export function planAxis(size: number, tile: number, overlap: number): AxisPlan {
  if (size <= tile) return { starts: [0], length: size };
  const stride = tile - overlap;
  if (stride <= 0) throw new Error(`tile ${tile} must be larger than overlap ${overlap}`);
  const count = Math.ceil((size - overlap) / stride);
  // Spread the tiles evenly instead of leaving one mostly-overlapping tile at the end: less work.
  const length = Math.min(size, Math.ceil((size + (count - 1) * overlap) / count));
  const step = (size - length) / (count - 1);
  const starts = Array.from({ length: count }, (_, i) => Math.round(i * step));
  return { starts, length };
}

export interface TilePlan {
  cols: AxisPlan;
  rows: AxisPlan;
  count: number;
}

export function planTiles(width: number, height: number, tile: number, overlap: number): TilePlan {
  const cols = planAxis(width, tile, overlap);
  const rows = planAxis(height, tile, overlap);
  return { cols, rows, count: cols.starts.length * rows.starts.length };
}

/**
 * Blend weights along one axis of one tile, in output pixels: a linear ramp across each overlap
 * with a neighbour, 1 elsewhere. Tile borders carry the least context, so they weigh least.
 */
export function axisWeights(plan: AxisPlan, index: number, scale: number): Float32Array {
  const len = plan.length * scale;
  const w = new Float32Array(len).fill(1);
  const start = plan.starts[index]!;
  const prev = index > 0 ? plan.starts[index - 1]! : null;
  const next = index < plan.starts.length - 1 ? plan.starts[index + 1]! : null;
  if (prev !== null) {
    const ramp = (prev + plan.length - start) * scale;
    for (let i = 0; i < ramp; i++) w[i] = Math.min(w[i]!, (i + 0.5) / ramp);
  }
  if (next !== null) {
    const ramp = (start + plan.length - next) * scale;
    for (let i = 0; i < ramp; i++) w[len - 1 - i] = Math.min(w[len - 1 - i]!, (i + 0.5) / ramp);
  }
  return w;
}
