/**
 * What a tool says about itself, apart from its work: no Node imports, so the renderer, the CLI,
 * batch recipes and the IPC contract all derive their lists, labels and defaults from it.
 */
import type { z } from 'zod';
import type { ModelTask } from '../models/tasks.js';

export interface ToolSpec<Id extends string = string, Params extends z.ZodObject = z.ZodObject> {
  id: Id;
  /** The tool's name in menus, panels and help (`Erase` for the tool whose id is `inpaint`). */
  label: string;
  /** How the status line says it finished ("Enhanced in 3.1 s"). */
  doneVerb: string;
  /** One line for the CLI help and tooltips. */
  summary: string;
  /** Every setting with its default: `params.parse({})` is the tool as it opens. */
  params: Params;
  /** Works on the user's selection (it gets it as the input's mask). */
  usesMask: boolean;
  /** Can be a step of a batch recipe (needs nothing but the photo). */
  batchable: boolean;
  /** Offers a preview on a small copy; `side` is a long side at which it looks like the full result. */
  preview: { side: number } | null;
  /** The catalog models a run with these settings needs, checked before any work starts. */
  models(params: z.output<Params>): string[];
  /** Tasks of the models a user may choose for this tool; a model of another task is refused. */
  modelTasks: readonly ModelTask[];
  /** The result's size for an input of `size`, known before any work (so a format's limits are checked first); the same when absent. */
  resultSize?(params: z.output<Params>, size: Size): Size;
}

export interface Size {
  width: number;
  height: number;
}

/** Keeps the literal id and flags, so lists derived from specs stay exact types. */
export function defineToolSpec<
  const Id extends string,
  Params extends z.ZodObject,
  const Flags extends { batchable: boolean; preview: { side: number } | null },
>(spec: ToolSpec<Id, Params> & Flags): ToolSpec<Id, Params> & Flags {
  return spec;
}
