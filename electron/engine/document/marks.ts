import type { Raster } from '../images/raster.js';

/**
 * What the user has marked for a tool that works in a mask (Erase): one 8-bit channel at canvas
 * size (255 = marked), or none. A tool setting, not part of the document: not saved, not undone.
 */
export class Marks {
  private raster: Raster | null = null;
  private any = false;

  get pixels(): Raster | null {
    return this.raster;
  }

  set pixels(r: Raster | null) {
    this.raster = r;
    this.any = r?.data.some((v) => v >= 128) ?? false;
  }

  /** Whether anything is marked; kept with the pixels, so asking costs no scan. */
  get marked(): boolean {
    return this.any;
  }
}
