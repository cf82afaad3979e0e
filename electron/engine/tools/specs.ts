/**
 * Every tool's spec, in the order the app shows them. No Node imports: the contract's tool calls,
 * batch recipe steps, the CLI and the renderer's labels and defaults are all derived from this list.
 */
import { z } from 'zod';
import { enhanceSpec } from './enhance/spec.js';
import { extendSpec } from './extend/spec.js';
import { eraseSpec } from './erase/spec.js';
import { lowlightSpec } from './lowlight/spec.js';
import type { ModelTask } from '../models/tasks.js';
import type { Size, ToolSpec } from './spec.js';
import { styleSpec } from './style/spec.js';

export const TOOL_SPECS = [enhanceSpec, eraseSpec, extendSpec, styleSpec, lowlightSpec] as const;

const labelsFor = (task: ModelTask) => TOOL_SPECS.filter((s) => (s.modelTasks as readonly ModelTask[]).includes(task)).map((s) => s.label);

/** Which tools use the models of each task (the Models window's "used by"). */
export const TOOLS_BY_TASK: Record<ModelTask, readonly string[]> = {
  superres: labelsFor('superres'),
  style: labelsFor('style'),
  'style-predict': [`${styleSpec.label} (from a painting)`],
  'style-vectors': [styleSpec.label],
  lowlight: labelsFor('lowlight'),
  'lowlight-raw': [`${lowlightSpec.label} (camera RAW)`],
  inpaint: labelsFor('inpaint'),
};

export type AnyToolSpec = (typeof TOOL_SPECS)[number];
export type ToolId = AnyToolSpec['id'];
export type SpecOf<Id extends ToolId> = Extract<AnyToolSpec, { id: Id }>;
export type BatchableToolId = Extract<AnyToolSpec, { batchable: true }>['id'];
export type PreviewToolId = Extract<AnyToolSpec, { preview: { side: number } }>['id'];

/** A tool's id now, for one that may be from before a rename (a project saved then). */
export const currentToolId = (id: string): string => TOOL_SPECS.find((s) => (s as ToolSpec).formerIds?.includes(id))?.id ?? id;

export function isToolId(id: string): id is ToolId {
  return TOOL_SPECS.some((s) => s.id === id);
}

export function toolSpec<Id extends ToolId>(id: Id): SpecOf<Id> {
  return TOOL_SPECS.find((s) => s.id === id) as SpecOf<Id>;
}

/** `{ ...shape, tool: <id>, params: <its schema> }` for one tool. */
type Variant<S, Shape extends z.ZodRawShape> = S extends ToolSpec<infer Id, infer P> ? z.ZodObject<Shape & { tool: z.ZodLiteral<Id>; params: P }> : never;

/**
 * A schema accepting `{ ...shape, tool, params }` for each of the tools whose spec passes
 * `include`: the input of a tool call or a recipe step, checked against that tool's own schema.
 */
export function toolVariants<const Ids extends ToolId, Shape extends z.ZodRawShape = Record<never, never>>(
  include: (spec: AnyToolSpec) => spec is Extract<AnyToolSpec, { id: Ids }>,
  shape: Shape = {} as Shape,
  specs: readonly ToolSpec[] = TOOL_SPECS,
): [Variant<SpecOf<Ids>, Shape>, ...Variant<SpecOf<Ids>, Shape>[]] {
  const variants = (specs as readonly AnyToolSpec[]).filter(include).map((s) => z.object({ ...shape, tool: z.literal(s.id), params: s.params }));
  return variants as unknown as [Variant<SpecOf<Ids>, Shape>, ...Variant<SpecOf<Ids>, Shape>[]];
}

export const everyTool = (_: AnyToolSpec): _ is AnyToolSpec => true;
export const batchable = (s: AnyToolSpec): s is SpecOf<BatchableToolId> => s.batchable;
export const previewable = (s: AnyToolSpec): s is SpecOf<PreviewToolId> => s.preview !== null;

/** A run's result size for an input of `size`, from the tool's own word (the same size when it says nothing). */
export function resultSize(id: ToolId, params: unknown, size: Size): Size {
  const spec = TOOL_SPECS.find((s) => s.id === id)! as ToolSpec;
  return spec.resultSize?.(spec.params.parse(params), size) ?? size;
}
