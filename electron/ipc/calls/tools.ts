/** Running tools on a layer as jobs, their previews, and style presets. */
import { z } from 'zod';
import { everyTool, previewable, toolVariants } from '../../engine/tools/specs.js';
import { styleParams } from '../../engine/tools/style/spec.js';
import { defineCall } from '../context.js';
import { jobIdSchema } from '../../engine/ids.js';
import { layer } from '../schemas.js';

const previewSize = z.number().int().min(16).max(4096);

export const toolCalls = {
  runTool: defineCall(z.discriminatedUnion('tool', toolVariants(everyTool, layer)), async ({ docId, layerId, tool, params }, { engine }) => ({
    // The canvas shows the result growing.
    jobId: engine.tools.run(docId, layerId, tool, params, { showParts: true }),
  })),
  /** A tool's result on a copy of the layer at most `maxSide` pixels long, not added to the document. */
  previewTool: defineCall(
    z.discriminatedUnion('tool', toolVariants(previewable, { ...layer, maxSide: previewSize })),
    async ({ docId, layerId, maxSide, tool, params }, { engine }) => engine.tools.preview(docId, layerId, tool, params, maxSide),
  ),
  /** What a tool says before it runs on the layer (e.g. Low light: "this photo is not dark"). */
  toolAdvice: defineCall(z.discriminatedUnion('tool', toolVariants(everyTool, layer)), async ({ docId, layerId, tool, params }, { engine }) =>
    engine.tools.advice(docId, layerId, tool, params),
  ),
  cancelJob: defineCall(z.object({ jobId: jobIdSchema }), async ({ jobId }, { engine }) => {
    engine.tools.cancel(jobId);
    return null;
  }),
  /** Asks for a painting, then applies its style to the layer; null when cancelled. */
  styleFromPaintingWithDialog: defineCall(z.object({ ...layer, params: styleParams }), async ({ docId, layerId, params }, { engine, dialogs }) => {
    const path = await dialogs.openImage();
    if (!path) return null;
    return { jobId: engine.tools.run(docId, layerId, 'style', params, { reference: await engine.tools.openReference(path) }) };
  }),
  stylePresets: defineCall(z.object({}), async (_, { engine }) => engine.styles.presets()),
  saveStylePreset: defineCall(
    z.object({ name: z.string().trim().min(1).max(100), vector: z.array(z.number().finite()).length(100) }),
    async ({ name, vector }, { engine }) => engine.styles.save(name, vector),
  ),
};
