/** Field schemas several IPC calls share. */
import { z } from 'zod';
import { BLEND_MODES } from '../engine/document/blend.js';
import { STROKE_LIMITS } from '../engine/document/stroke.js';
import { docIdSchema, layerIdSchema } from '../engine/ids.js';
import { EXPORT_FORMATS } from '../engine/images/formats.js';

export const id = z.string().min(1).max(64);
export const doc = { docId: docIdSchema };
export const layer = { docId: docIdSchema, layerId: layerIdSchema };
/** A history: the document's, or one layer's. */
export const scope = z.union([z.literal('document'), z.object({ layerId: layerIdSchema })]);
/** What Undo and Redo act on: the latest step wherever it was (Ctrl+Z), or one history. */
export const undoScope = z.union([z.literal('latest'), scope]);
/** Canvas pixels, with room for strokes that start off the canvas. */
export const coordinate = z.number().finite().min(-1e6).max(1e6);

export const exportSettings = z.object({
  format: z.enum(EXPORT_FORMATS),
  quality: z.number().int().min(1).max(100),
  bitDepth: z.union([z.literal(8), z.literal(16)]),
});

export const layerPropsPatch = z
  .object({
    name: z.string().trim().min(1).max(200),
    visible: z.boolean(),
    locked: z.boolean(),
    opacity: z.number().min(0).max(1),
    blend: z.enum(BLEND_MODES),
  })
  .partial();

export const strokeSchema = z.object({
  points: z
    .array(z.tuple([coordinate, coordinate]))
    .min(1)
    .max(STROKE_LIMITS.points),
  radius: z.number().min(0.5).max(STROKE_LIMITS.radius),
  hardness: z.number().min(0).max(1),
  value: z.number().int().min(0).max(255),
  opacity: z.number().min(0).max(1),
});
