import { GanvasError } from '../../errors.js';
import { binarize, countSet, dilate, feather, regions, type BinaryMask, maskBounds } from '../../images/masks.js';
import { allocRaster, copyRaster, intersectRect, type Raster, type Rect } from '../../images/raster.js';
import { blendFill, ERASE_FILL, fillCrop, withPhotoTexture } from '../fill-crop.js';
import { defineTool } from '../tool.js';
import { eraseSpec, type EraseParams } from './spec.js';

/** A mask over this share of the image still runs, with a warning. */
const LARGE_HOLE = 0.5;

export interface InpaintPlan {
  /** What the model fills (the user's mask, grown). */
  hole: BinaryMask;
  /** How much of the fill shows at each pixel: 1 in the hole, a soft ramp outside it, 0 beyond. */
  weights: Float32Array;
  /** One crop per separate hole: the hole plus context, and the area (`region`) the crop's fill may change. */
  crops: (Rect & { region: Rect })[];
}

function overlaps(a: Rect, b: Rect): boolean {
  return intersectRect(a, b) !== null;
}

function unionRect(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x),
    y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/**
 * Where to run the model: each separate hole with a context margin as large as the hole (at
 * least 32 px), so the crop is about three times the hole, clipped to the image. Crops may
 * overlap; each writes only its own hole's area. Holes whose areas overlap share one crop.
 */
export function planInpaint(mask: Raster, params: Pick<EraseParams, 'grow' | 'feather'>): InpaintPlan {
  const image = { x: 0, y: 0, width: mask.width, height: mask.height };
  const marked = binarize(mask);
  // Growing, feathering and finding regions only where something is marked (plus their reach):
  // on a large photo with a small mark that is most of the work saved.
  const reach = params.grow + params.feather + 2;
  const box = maskBounds(marked);
  const work = box
    ? intersectRect({ x: box.x - reach, y: box.y - reach, width: box.width + 2 * reach, height: box.height + 2 * reach }, image)!
    : { x: 0, y: 0, width: 1, height: 1 };
  const localHole = dilate(subMask(marked, work), params.grow);
  const localWeights = feather(localHole, params.feather);
  const hole: BinaryMask = { width: mask.width, height: mask.height, bits: new Uint8Array(mask.width * mask.height) };
  const weights = new Float32Array(mask.width * mask.height);
  for (let y = 0; y < work.height; y++) {
    const at = (work.y + y) * mask.width + work.x;
    hole.bits.set(localHole.bits.subarray(y * work.width, (y + 1) * work.width), at);
    weights.set(localWeights.subarray(y * work.width, (y + 1) * work.width), at);
  }
  const areas: Rect[] = [];
  for (let box of regions(dilate(localHole, params.feather)).map((r) => ({ ...r, x: r.x + work.x, y: r.y + work.y }))) {
    for (let i = areas.findIndex((a) => overlaps(a, box)); i >= 0; i = areas.findIndex((a) => overlaps(a, box))) box = unionRect(box, areas.splice(i, 1)[0]!);
    areas.push(box);
  }
  const crops = areas.map((region) => {
    const margin = Math.max(32, region.width, region.height);
    const crop = intersectRect({ x: region.x - margin, y: region.y - margin, width: region.width + 2 * margin, height: region.height + 2 * margin }, image)!;
    return { ...crop, region };
  });
  return { hole, weights, crops };
}

function subMask(m: BinaryMask, r: Rect): BinaryMask {
  const bits = new Uint8Array(r.width * r.height);
  for (let y = 0; y < r.height; y++) bits.set(m.bits.subarray((r.y + y) * m.width + r.x, (r.y + y) * m.width + r.x + r.width), y * r.width);
  return { width: r.width, height: r.height, bits };
}

/**
 * Erase: fills the masked area with an inpainting model, crop by crop at full resolution where
 * the crop fits the model's working size, and blends the fill in with a feathered edge. Pixels
 * outside the feathered mask are the input's, bit for bit.
 */
export const eraseTool = defineTool(eraseSpec, async ({ raster, mask }, params, ctx) => {
  if (!mask) throw new GanvasError('INVALID_INPUT', 'Erase needs a mask: paint over what to remove.');
  if (mask.width !== raster.width || mask.height !== raster.height) {
    throw new GanvasError('INVALID_INPUT', `The mask is ${mask.width}×${mask.height} but the image is ${raster.width}×${raster.height}; they must match.`);
  }
  const marked = countSet(binarize(mask));
  if (marked === 0) throw new GanvasError('INVALID_INPUT', 'The mask is empty: paint over what to remove first.');
  const share = marked / (mask.width * mask.height);
  const warnings =
    share > LARGE_HOLE ? [`The mask covers ${Math.round(share * 100)} % of the image; with so little left to go on, the fill will be poor.`] : [];
  const model = await ctx.model(params.model);
  const plan = planInpaint(mask, params);
  const out = copyRaster(raster);
  const areas = plan.crops.map((_, i) => `area ${i + 1} of ${plan.crops.length}`);
  const steps = ctx.steps(areas);
  for (const [i, crop] of plan.crops.entries()) {
    steps.start(areas[i]!);
    const hole = subMask(plan.hole, crop);
    const fill = await fillCrop(model, raster, crop, hole);
    blendFill(out, crop, params.texture ? await withPhotoTexture(fill, crop, hole, ERASE_FILL, { signal: ctx.signal }) : fill, plan.weights, crop.region);
  }
  steps.finish();
  const support = allocRaster(raster.width, raster.height, 1, 8);
  for (let p = 0; p < plan.weights.length; p++) if (plan.weights[p]! > 0) support.data[p] = 255;
  return { raster: out, mask: support, layerName: 'Erase', modelId: model.id, provider: model.provider, warnings };
});
