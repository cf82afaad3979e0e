import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import type { PhotoDocument } from '../document/document.js';
import { GanvasError, schemaIssues } from '../errors.js';
import { checkReadableFile, describeFsError } from '../files.js';
import { EXPORT_FORMATS } from '../images/formats.js';
import type { Size, ToolSpec } from '../tools/spec.js';
import { resultSize, TOOL_SPECS } from '../tools/specs.js';
import { BATCHABLE_LABELS, recipeStep, recipeStepFor } from './recipe-steps.js';

export { recipeStep, type RecipeStep } from './recipe-steps.js';

/** What a batch does to each photo and how it writes the result, for a list of tools; saved and loaded as JSON. */
export const recipeSchemaFor = (specs: readonly ToolSpec[]) =>
  z.object({
    version: z.literal(1).default(1),
    name: z.string().min(1).max(100).default('recipe'),
    steps: z.array(recipeStepFor(specs)).max(20),
    output: z
      .object({
        /** `same`: each photo in its own format (see `sameFormatAs`). */
        format: z.enum(['same', ...EXPORT_FORMATS]).default('same'),
        quality: z.number().int().min(1).max(100).default(92),
        /** 16 only where the format holds it; otherwise 8. */
        bitDepth: z.union([z.literal(8), z.literal(16)]).default(8),
        /** {name} {ext} {recipe} {scale} {date}; sub-folders are kept separately. */
        naming: z.string().min(1).max(200).default('{name}'),
      })
      .default({ format: 'same', quality: 92, bitDepth: 8, naming: '{name}' }),
  });

/** A recipe of the app's tools. */
export const recipeSchema = recipeSchemaFor(TOOL_SPECS);
export type Recipe = z.infer<typeof recipeSchema>;

/** The overall scale a recipe's tools apply (for the {scale} name token): resizing to fit is not a scale. */
export function recipeScale(r: Recipe): number {
  const unit = { width: 1000, height: 1000 };
  return r.steps.reduce((s, step) => (step.tool === 'resize' ? s : (s * resultSize(step.tool, step.params, unit).width) / unit.width), 1);
}

/** The size a recipe makes of a photo of `size`, known before any work. */
export function recipeResultSize(r: Recipe, size: Size): Size {
  return r.steps.reduce((at, step) => {
    if (step.tool !== 'resize') return resultSize(step.tool, step.params, at);
    const s = Math.min(1, step.params.longSide / Math.max(at.width, at.height));
    return s < 1 ? { width: Math.round(at.width * s), height: Math.round(at.height * s) } : at;
  }, size);
}

/** Reads a recipe file; every problem is an INVALID_INPUT error that names the file. */
export async function readRecipe(path: string): Promise<Recipe> {
  const name = basename(path);
  const { size } = await checkReadableFile(path, 'recipe');
  if (size > 1e6) throw new GanvasError('INVALID_INPUT', `${name} is not a Ganvas recipe: it is ${Math.round(size / 1e6)} MB, far larger than a recipe.`);
  const text = await readFile(path, 'utf8').catch((err: unknown) => {
    throw new GanvasError('INVALID_INPUT', `${name} cannot be read: ${describeFsError(err, path)}.`, { cause: err });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new GanvasError('INVALID_INPUT', `${name} is not a Ganvas recipe: it is not valid JSON (${(err as Error).message}).`, { cause: err });
  }
  const parsed = recipeSchema.safeParse(json);
  if (!parsed.success) throw new GanvasError('INVALID_INPUT', `${name} is not a valid Ganvas recipe: ${schemaIssues(parsed.error, 'the file')}.`);
  return parsed.data;
}

/**
 * The AI edits of a document as a batch recipe: every visible layer made by a batchable tool,
 * bottom to top (each tool having worked on the result below it, as the panels do).
 */
export function recipeFromDocument(doc: PhotoDocument): Recipe {
  const steps = doc.layers
    .filter((l) => l.props.visible)
    .flatMap((l) => l.aiEdits())
    .filter((e) => TOOL_SPECS.some((s) => s.batchable && s.id === e.toolId))
    .map((e) => recipeStep.parse({ tool: e.toolId, params: e.params }));
  if (steps.length === 0) throw new GanvasError('INVALID_INPUT', `This document has no ${BATCHABLE_LABELS} edits to make a recipe from.`);
  return recipeSchema.parse({ name: `${doc.source.meta.fileName.replace(/\.[^.]+$/, '')} edits`, steps });
}
