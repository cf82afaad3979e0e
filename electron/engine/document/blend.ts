/**
 * Blend modes as defined by W3C Compositing and Blending Level 1 — the formulas browsers use for
 * canvas globalCompositeOperation, so the screen preview and the export agree.
 */
export const BLEND_MODES = ['normal', 'multiply', 'screen', 'overlay', 'soft-light', 'darken', 'lighten'] as const;
export type BlendMode = (typeof BLEND_MODES)[number];

/** B(cb, cs): the backdrop and source colour channels, both in [0, 1]. */
export type BlendFunction = (cb: number, cs: number) => number;

const multiply: BlendFunction = (cb, cs) => cb * cs;
const screen: BlendFunction = (cb, cs) => cb + cs - cb * cs;
const hardLight: BlendFunction = (cb, cs) => (cs <= 0.5 ? multiply(cb, 2 * cs) : screen(cb, 2 * cs - 1));

export const BLEND_FUNCTIONS: Record<BlendMode, BlendFunction> = {
  normal: (_cb, cs) => cs,
  multiply,
  screen,
  overlay: (cb, cs) => hardLight(cs, cb),
  'soft-light': (cb, cs) => {
    if (cs <= 0.5) return cb - (1 - 2 * cs) * cb * (1 - cb);
    const d = cb <= 0.25 ? ((16 * cb - 12) * cb + 4) * cb : Math.sqrt(cb);
    return cb + (2 * cs - 1) * (d - cb);
  },
  darken: Math.min,
  lighten: Math.max,
};

/**
 * One channel of "source over" with blending. cb/ab: backdrop colour and alpha; cs/as: source.
 * Returns the result colour (not premultiplied); the result alpha is as + ab·(1 − as).
 */
export function compositeChannel(blend: BlendFunction, cb: number, ab: number, cs: number, as: number): number {
  const ao = as + ab * (1 - as);
  if (ao === 0) return 0;
  const mixed = (1 - ab) * cs + ab * blend(cb, cs);
  return (as * mixed + (1 - as) * ab * cb) / ao;
}
