/** A brush stroke in the pixel coordinates of the raster it paints on. No Node imports: the renderer uses the limits. */
export interface Stroke {
  points: [number, number][];
  /** Brush radius in pixels. */
  radius: number;
  /** 1: a hard edge; 0: soft all the way from the centre. */
  hardness: number;
  /** The value painted, 0..255 (on a layer mask 0 hides, 255 reveals). */
  value: number;
  /** 0..1: how far one stroke moves pixels towards `value`. */
  opacity: number;
}

/** A drag sends a point per pointer move: 5000 is minutes of painting. The largest brush the app offers has a 250 px radius. */
export const STROKE_LIMITS = { points: 5000, radius: 500 } as const;
