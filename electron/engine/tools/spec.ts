/**
 * What a tool says about itself, apart from its work: no Node imports, so the renderer, the CLI,
 * batch recipes and the IPC contract all derive their lists, labels and defaults from it.
 */
import type { z } from 'zod';
import type { ModelTask } from '../models/tasks.js';
import type { Control } from './controls.js';

export interface ToolSpec<Id extends string = string, Params extends z.ZodObject = z.ZodObject> {
  id: Id;
  /** The tool's name in menus, panels and help. */
  label: string;
  /** Ids it had before: projects saved then still name it so, and so may people's scripts (`ganvas <former id>`). */
  formerIds?: readonly string[];
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
  /** The tool in the app: its rail button, key and panel. */
  ui: ToolUi<z.output<Params>>;
  /** The tool on the command line: `ganvas <id> <photo>` and `ganvas batch --<id> …`. */
  cli: ToolCli<z.output<Params>>;
}

type ParamKey<P> = keyof P & string;

export interface ToolUi<P> {
  /** The one-letter key that picks the tool (Electron accelerator syntax). */
  key: string;
  /** A 24×24 stroke-drawn SVG path for the rail. */
  icon: string;
  /** The settings, in the order the panel shows them. */
  controls: readonly Control<ParamKey<P>>[];
  /** What the run button says for these settings ("Enhance ×4"). */
  action(params: P): string;
  /** Why these settings cannot run yet, in words the status line shows; null when they can. */
  needs?(params: P, document: { hasSelection: boolean }): string | null;
  /** Settings measured on the canvas as it is, which start afresh with the next photo or result (Extend's pixels per side). */
  perPhoto?: readonly ParamKey<P>[];
}

/** A flag of the tool's command that is not a setting of its own but sets some from the photo (Extend's `--aspect 16:9`). */
export interface DerivedFlag<P> {
  hint: string;
  help: string;
  /** Settings that cannot be given with it. */
  excludes: readonly ParamKey<P>[];
  /** The settings it stands for on a photo of this size; throws an Error whose message says what is wrong with `value`. */
  apply(value: string, size: Size): Partial<P>;
}

export interface ToolCli<P> {
  /** What follows `ganvas <id> <photo>` in the help, when more than the flags. */
  form?: string;
  /** What the command writes, after the summary, for the help. */
  writes: string;
  /** Where it writes when not told: `<name><suffix>.png` beside the photo. */
  suffix(params: P, fromReference: boolean): string;
  /** The progress line's start ("Enhancing ×4 (Fast)"). */
  describe(params: P): string;
  /** The settings `batch --<id> a:b` sets, in order; the first is required. */
  shorthand?: readonly ParamKey<P>[];
  /** A picture the tool learns from instead of one of its settings (Style's `--style-image`): its flag, and the setting it replaces. */
  reference?: { flag: string; hint: string; help: string; replaces: ParamKey<P> };
  derived?: Readonly<Record<string, DerivedFlag<P>>>;
}

export interface Size {
  width: number;
  height: number;
}

/** Keeps the literal id and flags, so lists derived from specs stay exact types. */
export function defineToolSpec<
  const Id extends string,
  Params extends z.ZodObject,
  const Batchable extends boolean,
  const Preview extends { side: number } | null,
>(spec: ToolSpec<Id, Params> & { batchable: Batchable; preview: Preview }): ToolSpec<Id, Params> & { batchable: Batchable; preview: Preview } {
  return spec;
}
