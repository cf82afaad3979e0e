/**
 * Pixels per side that bring width×height to `aspect` (width/height) by growing, split evenly.
 * Pure arithmetic: the renderer uses it to preview what Extend will do.
 */
export function sidesForAspect(width: number, height: number, aspect: number): { left: number; right: number; top: number; bottom: number } {
  const dx = Math.max(0, Math.round(height * aspect) - width);
  const dy = Math.max(0, Math.round(width / aspect) - height);
  return { left: Math.floor(dx / 2), right: Math.ceil(dx / 2), top: Math.floor(dy / 2), bottom: Math.ceil(dy / 2) };
}

/** "16:9" or "1.78" as width/height. */
export function parseAspect(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(text);
  const value = m ? Number(m[1]) / Number(m[2] ?? 1) : NaN;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--aspect must look like 16:9 or 1.5, not "${text}".`);
  return value;
}
