/** `ganvas <tool> <photo> [flags]` for every tool, made from its spec: flags, help, parsing and where it writes. */
import { resolve } from 'node:path';
import { schemaIssues } from '../errors.js';
import type { AnyToolSpec, ToolId } from '../tools/specs.js';
import type { Size, ToolSpec } from '../tools/spec.js';
import { controlFlags, paramsFromFlags } from './tool-flags.js';
import {
  beside,
  common,
  exportFlags,
  exportOptionsFor,
  type EngineFlags,
  onePhoto,
  outputFor,
  parse,
  runToolToFile,
  UsageError,
  type Command,
  type Flag,
} from './shared.js';

type Spec = AnyToolSpec | ToolSpec;

/** What one tool command was asked to do, read from its arguments before any work. */
export interface ToolRequest {
  input: string;
  output: string;
  /** The settings, some of which may depend on the photo's size (Extend's `--aspect`). */
  params(size: Size): Record<string, unknown>;
  /** A mask to work in (tools that use one), white where the tool works. */
  mask: string | null;
  /** A picture the tool learns from (Style's painting). */
  reference: string | null;
  /** The flags as given (the engine's and the export's are read from them). */
  values: EngineFlags & Parameters<typeof exportOptionsFor>[0];
}

function flagsOf(spec: Spec): Record<string, Flag> {
  const cli = spec.cli;
  return {
    ...common,
    ...exportFlags,
    ...(spec.usesMask ? { mask: { type: 'string', hint: '<mask.png>', help: `white where to ${spec.label.toLowerCase()}` } } : {}),
    ...controlFlags(spec),
    ...(cli.reference ? { [cli.reference.flag]: { type: 'string', hint: cli.reference.hint, help: cli.reference.help } } : {}),
    ...Object.fromEntries(Object.entries(cli.derived ?? {}).map(([name, d]) => [name, { type: 'string', hint: d.hint, help: d.help } satisfies Flag])),
  };
}

/** Reads a tool command's arguments: usage errors here, before an engine starts. */
function readToolRequest(spec: Spec, args: string[]): ToolRequest {
  const { values, positionals } = parse(args, flagsOf(spec));
  const given = values as Record<string, unknown>;
  const input = onePhoto(spec.id, positionals);
  const settings = paramsFromFlags(spec, given);
  const mask = typeof given.mask === 'string' ? resolve(given.mask) : null;
  if (spec.usesMask && !mask)
    throw new UsageError(`${spec.id} needs --mask <mask.png>: white where to ${spec.label.toLowerCase()}, the same size as the photo.`);
  const ref = spec.cli.reference;
  const reference = ref && typeof given[ref.flag] === 'string' ? resolve(given[ref.flag] as string) : null;
  if (ref && reference && ref.replaces in settings) throw new UsageError(`Give either --${ref.replaces} or --${ref.flag}, not both.`);
  const derived = Object.entries(spec.cli.derived ?? {}).filter(([name]) => typeof given[name] === 'string');
  for (const [name, d] of derived) {
    const clash = d.excludes.filter((p) => p in settings);
    if (clash.length) throw new UsageError(`Give either --${name} or ${clash.map((p) => `--${p}`).join(', ')}, not both.`);
  }
  const params = (size: Size) => {
    const fromPhoto = derived.map(([name, d]) => {
      try {
        return d.apply(given[name] as string, size);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    });
    return Object.assign({}, settings, ...fromPhoto) as Record<string, unknown>;
  };
  // Derived flags wait for the photo's size, so the default name uses the settings as given.
  const named = checked(spec, settings);
  const output = outputFor(
    input,
    (given.output as string | undefined) ?? beside(input, spec.cli.suffix(named, reference !== null)),
    given.overwrite as boolean,
  );
  return { input, output, params, mask, reference, values: given };
}

/** The settings with the tool's defaults, or a usage error naming what the tool refuses. */
function checked(spec: Spec, params: Record<string, unknown>): never {
  const parsed = spec.params.safeParse(params);
  if (!parsed.success) throw new UsageError(`${spec.id}: ${schemaIssues(parsed.error, 'the settings')}.`);
  return parsed.data as never;
}

/** A tool's command; `read` is what its arguments ask for, checked as `run` checks them. */
export function toolCommand(spec: Spec): Command & { read(args: string[]): ToolRequest } {
  return {
    read: (args) => readToolRequest(spec, args),
    name: spec.id,
    aliases: spec.formerIds ?? [],
    forms: [spec.cli.form ?? (spec.usesMask ? '<photo> --mask <mask.png>' : '<photo>')],
    about: `${spec.summary}; ${spec.cli.writes}`,
    flags: flagsOf(spec),
    async run(args) {
      const request = readToolRequest(spec, args);
      return runToolToFile(request, { id: spec.id as ToolId, describe: (params) => spec.cli.describe(checked(spec, params)) });
    },
  };
}
