/** A tool's controls as command-line flags: the flag table, its help and the parsing all come from the spec. */
import { flagName, shows, type Control } from '../tools/controls.js';
import type { AnyToolSpec } from '../tools/specs.js';
import type { ToolSpec } from '../tools/spec.js';
import { UsageError, type Flag } from './shared.js';

type Value = string | number | boolean;

/** The value's form in the help: `2|4`, `0-1`, `iat|sci-easy|…`. */
export function controlHint(control: Control): string | undefined {
  switch (control.kind) {
    case 'slider':
      return control.unit === '%' ? '0-1' : `${control.min}-${control.max}`;
    case 'choice':
      return control.options.map((o) => String(o.value)).join('|');
    case 'number':
      return 'N';
    case 'model':
      return control.short ? Object.values(control.short).join('|') : '<id>';
    case 'preset':
      return '<preset>';
    case 'checkbox':
      return undefined;
  }
}

/** A switch says what it changes from the default: `--keep-colours` turns on, `--no-protect-highlights` off. */
const switchName = (control: Control, defaults: Record<string, unknown>) => `${defaults[control.param] === true ? 'no-' : ''}${flagName(control.param)}`;

function shown(value: unknown, control: Control): string | undefined {
  if (value === undefined || control.kind === 'checkbox') return undefined;
  if (control.kind === 'slider' && control.unit === '%') return value === 0 && control.zero ? control.zero : String(value);
  if (control.kind === 'model') return control.short?.[String(value)] ?? String(value);
  return String(value);
}

/** The flags a tool's command takes for its settings, with their defaults in the help. */
export function controlFlags(spec: AnyToolSpec | ToolSpec): Record<string, Flag> {
  const defaults = spec.params.parse({}) as Record<string, unknown>;
  const flags: Record<string, Flag> = {};
  for (const control of spec.ui.controls as readonly Control[]) {
    if (!shows(control, 'cli')) continue;
    if (control.kind === 'checkbox') {
      flags[switchName(control, defaults)] = { type: 'boolean', default: false, help: control.help };
      continue;
    }
    const hint = controlHint(control);
    const byDefault = shown(defaults[control.param], control);
    flags[flagName(control.param)] = { type: 'string', ...(hint ? { hint } : {}), help: `${control.help}${byDefault ? ` (default: ${byDefault})` : ''}` };
  }
  return flags;
}

/** One control's value from its text on the command line; `flag` names it in the message when it is not one the tool takes. */
export function readControl(control: Control, text: string, flag: string): Value {
  const number = Number(text);
  switch (control.kind) {
    case 'slider': {
      const [min, max] = control.unit === '%' ? [0, 1] : [control.min, control.max];
      if (text.trim() === '' || !Number.isFinite(number) || number < min || number > max)
        throw new UsageError(`--${flag} must be between ${min} and ${max}, not "${text}".`);
      return number;
    }
    case 'number':
      if (!/^\d+$/.test(text) || number < control.min || number > control.max)
        throw new UsageError(`--${flag} must be a whole number from ${control.min} to ${control.max}, not "${text}".`);
      return number;
    case 'choice': {
      const option = control.options.find((o) => String(o.value) === text);
      if (!option) throw new UsageError(`--${flag} must be ${control.options.map((o) => o.value).join(' or ')}, not "${text}".`);
      return option.value;
    }
    case 'model': {
      const byShort = Object.entries(control.short ?? {}).find(([, short]) => short === text);
      return byShort ? byShort[0] : text;
    }
    case 'preset':
      return text;
    case 'checkbox':
      throw new Error(`--${flag} is a switch`);
  }
}

/** The settings given as flags (parsed by `node:util`'s parseArgs from `controlFlags`); what is not given keeps the spec's default. */
export function paramsFromFlags(spec: AnyToolSpec | ToolSpec, values: Record<string, unknown>): Record<string, Value> {
  const defaults = spec.params.parse({}) as Record<string, unknown>;
  const params: Record<string, Value> = {};
  for (const control of spec.ui.controls as readonly Control[]) {
    if (!shows(control, 'cli')) continue;
    if (control.kind === 'checkbox') {
      const name = switchName(control, defaults);
      if (values[name]) params[control.param] = defaults[control.param] !== true;
      continue;
    }
    const text = values[flagName(control.param)];
    if (typeof text === 'string') params[control.param] = readControl(control, text, flagName(control.param));
  }
  return params;
}

/** `batch --<tool> a:b`: the shorthand's settings, in order, each read as its own flag would be. */
export function paramsFromShorthand(spec: AnyToolSpec | ToolSpec, text: string): Record<string, Value> {
  const names = spec.cli.shorthand ?? [];
  const parts = text.split(':');
  if (parts.length > names.length || !parts[0]) throw new UsageError(`--${spec.id} takes ${shorthandHint(spec)}, not "${text}".`);
  const controls = spec.ui.controls as readonly Control[];
  return Object.fromEntries(
    parts.map((part, i) => [
      names[i]!,
      readControl(
        controls.find((c) => c.param === names[i])!,
        part,
        spec.id,
      ),
    ]),
  );
}

/** `2|4[:fast|hq]`: the shorthand's form for the help. */
export function shorthandHint(spec: AnyToolSpec | ToolSpec): string {
  const controls = spec.ui.controls as readonly Control[];
  const hints = (spec.cli.shorthand ?? []).map((name) => controlHint(controls.find((c) => c.param === name)!) ?? name);
  return hints.map((h, i) => (i === 0 ? h : `[:${h}]`)).join('');
}
