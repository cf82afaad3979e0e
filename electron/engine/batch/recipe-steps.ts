/** What a recipe step can be. No Node imports: the Batch dialog builds its step list from this. */
import { z } from 'zod';
import type { ToolSpec } from '../tools/spec.js';
import { batchable, TOOL_SPECS, toolVariants, type AnyToolSpec } from '../tools/specs.js';

const resizeParams = z.object({ longSide: z.number().int().min(16).max(65_535).default(2048) });

/** One step of a recipe, for a list of tools: a batchable tool with its settings, or a plain resize. */
export function recipeStepFor(specs: readonly ToolSpec[]) {
  return z.discriminatedUnion('tool', [
    ...toolVariants(batchable, {}, specs),
    /** Fit inside a long side of this many pixels (never enlarging). */
    z.object({ tool: z.literal('resize'), params: resizeParams }),
  ]);
}

/** One step of a recipe of the app's tools. */
export const recipeStep = recipeStepFor(TOOL_SPECS);
export type RecipeStep = z.infer<typeof recipeStep>;

/** Every kind of step with its name and its settings as they start, in the order the dialog offers them. */
export function recipeStepKinds(specs: readonly ToolSpec[]): { label: string; initial: RecipeStep }[] {
  const step = recipeStepFor(specs);
  return [
    ...(specs as readonly AnyToolSpec[]).filter(batchable).map((s) => ({ label: s.label, initial: step.parse({ tool: s.id, params: {} }) })),
    { label: 'Resize', initial: { tool: 'resize', params: resizeParams.parse({}) } },
  ];
}

export const RECIPE_STEP_KINDS = recipeStepKinds(TOOL_SPECS);

export const stepLabel = (step: RecipeStep): string => RECIPE_STEP_KINDS.find((k) => k.initial.tool === step.tool)!.label;

/** The tool labels that can make a recipe, for messages ("Enhance, Style or Low light"). */
export const BATCHABLE_LABELS = TOOL_SPECS.filter(batchable)
  .map((s) => s.label)
  .join(', ')
  .replace(/, ([^,]*)$/, ' or $1');
