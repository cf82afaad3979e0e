/** The layer stack, layer settings, masks, and what Erase removes (the selection). */
import { layerIdSchema } from '../../engine/ids.js';
import { z } from 'zod';
import { defineCall } from '../context.js';
import { coordinate, doc, layer, layerPropsPatch, strokeSchema } from '../schemas.js';

/** A tile of the canvas's pyramid: a region in the picture's own pixels and the longest side to send it at. */
const tileRegion = {
  x: z.number().int().min(0),
  y: z.number().int().min(0),
  width: z.number().int().min(1).max(65_535),
  height: z.number().int().min(1).max(65_535),
  maxSide: z.number().int().min(16).max(2048),
};
const overlayColour = z.string().regex(/^#[0-9a-f]{6}$/i);
/** The longest side of a layer's or the selection's screen copy. */
const previewSide = z.number().int().min(16).max(8192);

export const layerCalls = {
  layerPreview: defineCall(z.object({ ...layer, maxSide: previewSide }), async ({ docId, layerId, maxSide }, { engine }) =>
    engine.document(docId).layerPreview(layerId, maxSide),
  ),
  /** A region of a layer no longer than `maxSide` (the canvas asks for the tiles it shows closer than its screen copy allows). */
  layerTile: defineCall(z.object({ ...layer, ...tileRegion }), async ({ docId, layerId, x, y, width, height, maxSide }, { engine }) =>
    engine.document(docId).layerTile(layerId, { x, y, width, height }, maxSide),
  ),
  addLayer: defineCall(
    z.object({
      ...doc,
      what: z.discriminatedUnion('kind', [z.object({ kind: z.literal('empty') }), z.object({ kind: z.literal('duplicate'), layerId: layerIdSchema })]),
    }),
    async ({ docId, what }, { engine }) => engine.document(docId).addLayer(what),
  ),
  /** Shows the Open dialog and adds the chosen image as a layer; null when cancelled. */
  addLayerFromFileWithDialog: defineCall(z.object(doc), async ({ docId }, { engine, dialogs }) => {
    const path = await dialogs.openImage();
    return path ? engine.document(docId).addLayer({ kind: 'file', path }) : null;
  }),
  deleteLayer: defineCall(z.object(layer), async ({ docId, layerId }, { engine }) => engine.document(docId).apply('deleteLayer', layerId)),
  moveLayer: defineCall(z.object({ ...layer, index: z.number().int().min(0) }), async ({ docId, layerId, index }, { engine }) =>
    engine.document(docId).apply('moveLayer', layerId, index),
  ),
  setLayerProps: defineCall(z.object({ ...layer, props: layerPropsPatch }), async ({ docId, layerId, props }, { engine }) =>
    engine.document(docId).apply('setLayerProps', layerId, props),
  ),
  addMask: defineCall(z.object({ ...layer, fill: z.enum(['reveal', 'hide']) }), async ({ docId, layerId, fill }, { engine }) =>
    engine.document(docId).apply('addMask', layerId, fill),
  ),
  removeMask: defineCall(z.object(layer), async ({ docId, layerId }, { engine }) => engine.document(docId).apply('removeMask', layerId)),
  paintMask: defineCall(z.object({ ...layer, stroke: strokeSchema }), async ({ docId, layerId, stroke }, { engine }) =>
    engine.document(docId).apply('paintMask', layerId, stroke),
  ),
  mergeDown: defineCall(z.object(layer), async ({ docId, layerId }, { engine }) => engine.document(docId).apply('mergeDown', layerId)),
  flatten: defineCall(z.object(doc), async ({ docId }, { engine }) => engine.document(docId).apply('flatten')),
  /**
   * Marks (value 255) or unmarks (0) what Erase removes with a brush stroke, in canvas pixels;
   * `shown`: how the page shows the selection, whose part the stroke changed comes back with it.
   */
  paintSelection: defineCall(
    z.object({ ...doc, stroke: strokeSchema, shown: z.object({ maxSide: previewSide, colour: overlayColour }).optional() }),
    async ({ docId, stroke, shown }, { engine }) => engine.document(docId).paintSelection(stroke, shown),
  ),
  selectShape: defineCall(
    z.object({
      ...doc,
      shape: z.discriminatedUnion('kind', [
        z.object({
          kind: z.literal('rect'),
          rect: z.object({ x: coordinate, y: coordinate, width: z.number().min(0).max(1e6), height: z.number().min(0).max(1e6) }),
        }),
        z.object({
          kind: z.literal('lasso'),
          points: z
            .array(z.tuple([coordinate, coordinate]))
            .min(3)
            .max(20_000),
        }),
      ]),
      value: z.union([z.literal(0), z.literal(255)]),
    }),
    async ({ docId, shape, value }, { engine }) => engine.document(docId).selectShape(shape, value),
  ),
  invertSelection: defineCall(z.object(doc), async ({ docId }, { engine }) => engine.document(docId).invertSelection()),
  clearSelection: defineCall(z.object(doc), async ({ docId }, { engine }) => engine.document(docId).clearSelection()),
  /** A region of the selection no longer than `maxSide` (the canvas asks for what it shows closer than the whole picture allows). */
  selectionTile: defineCall(z.object({ ...doc, ...tileRegion, colour: overlayColour }), async ({ docId, x, y, width, height, maxSide, colour }, { engine }) =>
    engine.document(docId).selectionTile({ x, y, width, height }, maxSide, colour),
  ),
  selectionPreview: defineCall(z.object({ ...doc, maxSide: previewSide, colour: overlayColour }), async ({ docId, maxSide, colour }, { engine }) =>
    engine.document(docId).selectionPreview(maxSide, colour),
  ),
};
