/** Batch: folders chosen in dialogs, the run, and recipes. */
import { z } from 'zod';
import { writeFileAtomic } from '../../engine/atomic-file.js';
import { readRecipe, recipeSchema } from '../../engine/batch/recipe.js';
import { GanvasError } from '../../engine/errors.js';
import { farmWorkers } from '../../engine/farm/submit.js';
import { within } from '../../engine/paths.js';
import { defineCall } from '../context.js';
import { doc, id } from '../schemas.js';

const patterns = z.array(z.string().min(1).max(200)).max(50);
/** A farm's Redis: redis:// or rediss:// (TLS), with a user and password when it has them. */
const queueUrl = z
  .string()
  .regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL')
  .max(1000);

export const batchCalls = {
  /** Shows the system folder dialog; the folder may then be used by a batch, for that purpose only. Null when cancelled. */
  chooseFolder: defineCall(z.object({ purpose: z.enum(['input', 'output']) }), async ({ purpose }, { dialogs, grants }) => {
    const path = await dialogs.openFolder(purpose);
    if (path) grants.grant(path, purpose);
    return path;
  }),
  /**
   * Starts a batch from a folder the user chose as input to one chosen as output, in this session's
   * folder dialogs. An output inside the input is written only after main asks the user.
   */
  startBatch: defineCall(
    z.object({
      input: z.string().min(1).max(4096),
      output: z.string().min(1).max(4096),
      recipe: recipeSchema,
      recursive: z.boolean(),
      include: patterns,
      exclude: patterns,
      extensions: z.array(z.string().min(1).max(10)).max(50),
      skipExisting: z.boolean(),
      concurrency: z.number().int().min(1).max(16),
      /** Run on this computer (null) or spread over a farm's workers through this queue. */
      queue: queueUrl.nullish(),
    }),
    async ({ queue, concurrency, ...o }, { engine, dialogs, grants }) => {
      if (!grants.has(o.input, 'input')) throw new GanvasError('INVALID_INPUT', `Choose the photos' folder ${o.input} with the folder dialog first.`);
      if (!grants.has(o.output, 'output')) throw new GanvasError('INVALID_INPUT', `Choose the output folder ${o.output} with the folder dialog first.`);
      // The page cannot allow this by itself: the user says so to main's own dialog.
      const allowInsideInput = within(o.output, o.input) && (await dialogs.confirmOutputInsideInput(o.input, o.output));
      const { batchId } = queue
        ? engine.batches.startOnFarm({ ...o, url: queue, allowInsideInput })
        : engine.batches.start({ ...o, concurrency, allowInsideInput });
      return { batchId };
    },
  ),
  /** The workers a farm has now (for the Batch dialog, before it starts). */
  farmWorkers: defineCall(z.object({ queue: queueUrl }), async ({ queue }) => farmWorkers(queue)),
  controlBatch: defineCall(z.object({ batchId: id, action: z.enum(['pause', 'resume', 'cancel']) }), async ({ batchId, action }, { engine }) => {
    engine.batches.control(batchId, action);
    return null;
  }),
  /** Shows a batch's output folder in the file manager: only a folder the user chose as output. */
  showOutputFolder: defineCall(z.object({ path: z.string().min(1).max(4096) }), async ({ path }, { dialogs, grants }) => {
    if (!grants.has(path, 'output')) throw new GanvasError('INVALID_INPUT', `${path} is not a folder you chose for a batch's results.`);
    await dialogs.showFolder(path);
    return null;
  }),
  recipeFromDocument: defineCall(z.object(doc), async ({ docId }, { engine }) => engine.document(docId).recipe()),
  saveRecipeWithDialog: defineCall(z.object({ recipe: recipeSchema }), async ({ recipe }, { dialogs }) => {
    const path = await dialogs.saveRecipe(`${recipe.name}.json`);
    if (!path) return null;
    await writeFileAtomic(path, JSON.stringify(recipe, null, 2));
    return path;
  }),
  loadRecipeWithDialog: defineCall(z.object({}), async (_, { dialogs }) => {
    const path = await dialogs.openRecipe();
    return path ? readRecipe(path) : null;
  }),
};
