import type { Raster } from '../images/raster.js';

export interface RawRequest {
  path: string;
  pixelLimit: number;
}

export type RawReply = { ok: true; raster: Raster; camera: string } | { ok: false; code: 'IMAGE_TOO_LARGE' | 'IMAGE_UNREADABLE'; message: string };
