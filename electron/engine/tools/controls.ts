/**
 * A tool's settings as people change them: each control is bound to one of the spec's params,
 * and the panel, the Batch dialog's step editor and the CLI's flags are all made from the list
 * (a control kind → component table in the renderer, kind → flag parser in the CLI). No imports
 * beyond types: the renderer, main and the CLI load it.
 */
import type { ModelTask } from '../models/tasks.js';

/** Where a control appears: the tool's panel, a batch step's editor, the tool's CLI command (and `batch --<tool>`). */
export type Surface = 'panel' | 'batch' | 'cli';

interface Base<Key extends string> {
  param: Key;
  /** As the panel shows it ("Noise reduction"); the CLI flag is the param's name in kebab-case. */
  label: string;
  /** One line for the CLI help. */
  help: string;
  /** Every surface when absent. */
  on?: readonly Surface[];
}

export interface Slider<Key extends string = string> extends Base<Key> {
  kind: 'slider';
  min: number;
  max: number;
  step: number;
  /** How the value reads: `%` shows a 0–1 value as a percentage, `px` a pixel count. */
  unit: '%' | 'px';
  /** What 0 reads as, where 0 means the step does nothing ("off"). */
  zero?: string;
}

export interface ChoiceOption {
  value: string | number;
  label: string;
  /** A line the panel shows while this option is chosen. */
  note?: string;
}

/** One of a few fixed values: radio buttons in the panel, a list in a batch step, `--flag a|b` on the CLI. */
export interface Choice<Key extends string = string> extends Base<Key> {
  kind: 'choice';
  options: readonly ChoiceOption[];
}

export interface Checkbox<Key extends string = string> extends Base<Key> {
  kind: 'checkbox';
}

/** A whole number typed in (pixels per side, a tile size); absent from the params when left empty and optional. */
export interface NumberField<Key extends string = string> extends Base<Key> {
  kind: 'number';
  min: number;
  max: number;
}

/** One of the installed models of a task, the user's own included. */
export interface ModelPicker<Key extends string = string> extends Base<Key> {
  kind: 'model';
  task: ModelTask;
  /** Shorter names than the catalog's, by model id. */
  names?: Readonly<Record<string, string>>;
  /** The CLI's short names (`iat`, `sci-easy`), by model id. */
  short?: Readonly<Record<string, string>>;
}

/** A painter preset (the list is the user's, so it comes at run time). */
export interface PresetPicker<Key extends string = string> extends Base<Key> {
  kind: 'preset';
}

export type Control<Key extends string = string> = Slider<Key> | Choice<Key> | Checkbox<Key> | NumberField<Key> | ModelPicker<Key> | PresetPicker<Key>;

export const shows = (control: Control, surface: Surface): boolean => !control.on || control.on.includes(surface);

/** `protectHighlights` → `protect-highlights`: a param's CLI flag. */
export const flagName = (param: string): string => param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** A control's value as the panel and the batch step show it beside the control. */
export function valueText(control: Slider, value: number): string {
  if (value === 0 && control.zero) return control.zero;
  return control.unit === '%' ? `${Math.round(value * 100)} %` : `${value}px`;
}
