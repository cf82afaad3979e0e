/** The Models window and the tools' model pickers. */
import { z } from 'zod';
import { CUSTOM_MODEL_TASKS, MODEL_TASKS, type CustomModelTask } from '../../engine/models/tasks.js';
import { defineCall } from '../context.js';
import { id } from '../schemas.js';

export const modelCalls = {
  /** Catalog models (of one task, or all) with their state. */
  models: defineCall(z.object({ task: z.enum(MODEL_TASKS).optional() }), async ({ task }, { engine }) => engine.models.list(task)),
  /** Starts downloading a model from its catalog URL; progress arrives as model-progress events. */
  downloadModel: defineCall(z.object({ id }), async ({ id }, { engine }) => {
    engine.models.download(id);
    return null;
  }),
  cancelModelDownload: defineCall(z.object({ id }), async ({ id }, { engine }) => {
    engine.models.cancelDownload(id);
    return null;
  }),
  /** Asks for a folder (a model mirror, or where a downloaded file is) and installs what it holds; null when cancelled. */
  installModelsWithDialog: defineCall(z.object({ ids: z.array(id).max(100).optional() }), async ({ ids }, { engine, dialogs }) => {
    const folder = await dialogs.openFolder('models');
    return folder ? engine.models.installFromFolder(folder, ids) : null;
  }),
  removeModel: defineCall(z.object({ id }), async ({ id }, { engine }) => {
    await engine.models.remove(id);
    return null;
  }),
  verifyModel: defineCall(z.object({ id }), async ({ id }, { engine }) => engine.models.verify(id)),
  /** The execution providers and the GPU (Settings), and what each loaded model runs on (the Models window). */
  providers: defineCall(z.object({}), async (_, { engine }) => engine.providers()),
  /** Asks for an ONNX file and adds it as the user's own model for a task, after checking it fits; null when cancelled. */
  addCustomModelWithDialog: defineCall(
    z.object({ task: z.enum(Object.keys(CUSTOM_MODEL_TASKS) as [CustomModelTask, ...CustomModelTask[]]), name: z.string().trim().min(1).max(60) }),
    async ({ task, name }, { engine, dialogs }) => {
      const file = await dialogs.openModel();
      return file ? engine.models.addCustom(task, file, name) : null;
    },
  ),
};
