import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Engine } from '../engine.js';
import { fromErrorInfo } from '../errors.js';
import { EXPORT_FORMATS, extensionFor, formatFromPath, supports16Bit } from '../images/formats.js';
import { checkFormatFits, type ExportOptions } from '../images/save.js';
import { parseProvider } from '../inference/providers.js';
import { resultSize, type ToolId } from '../tools/specs.js';
import type { ToolRequest } from './tool-command.js';
import { samePath } from '../paths.js';
import { progressBar } from './progress-bar.js';

/** Bad usage: exit code 2. */
export class UsageError extends Error {}

/**
 * A command-line flag: what `node:util` parseArgs needs, and what the help says about it. The help
 * is generated from these tables, so it lists exactly the flags a command accepts.
 */
export interface Flag {
  type: 'string' | 'boolean';
  short?: string;
  default?: string | boolean | string[];
  multiple?: boolean;
  /** The value's form in the help (`2|4`, `<file>`); none for a switch. */
  hint?: string;
  help: string;
}

/** One `ganvas` command: its name, its forms for the help, its flags and its work. */
export interface Command {
  name: string;
  /** What follows the name, one line per form (e.g. `<photo>`, or `list` and `install <id>…`). */
  forms: string[];
  about: string;
  /** Other names it answers to (a tool's former ids). */
  aliases?: readonly string[];
  flags: Record<string, Flag>;
  run(args: string[]): Promise<number>;
}

/** A command's arguments read against its flag table (positionals allowed). */
export function parse<F extends Record<string, Flag>>(args: string[], flags: F) {
  return parseArgs({ args, allowPositionals: true, options: flags });
}

/** Flags every command takes. */
export const common = {
  'models-dir': { type: 'string', hint: '<dir>', help: 'where models are installed (default: $GANVAS_MODELS_DIR or the user data folder)' },
  provider: { type: 'string', hint: '<p>', help: 'auto (default), cuda, dml, coreml, webgpu or cpu ($GANVAS_PROVIDER)' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
} as const satisfies Record<string, Flag>;

export type EngineFlags = { 'models-dir'?: string | undefined; provider?: string | undefined };

/** Runs a command's work on an engine set up from its flags, and always shuts the engine down. */
export async function withEngine<T>(values: EngineFlags, work: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = new Engine({
    ...(values['models-dir'] ? { modelsDir: resolve(values['models-dir']) } : {}),
    provider: parseProvider(values.provider ?? process.env.GANVAS_PROVIDER),
  });
  try {
    return await work(engine);
  } finally {
    await engine.dispose();
  }
}

type Allowed = readonly number[] | { min: number; max: number };

export function intOption(value: string | undefined, name: string, allowed?: Allowed): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const inRange = !allowed || ('min' in allowed ? n >= allowed.min && n <= allowed.max : allowed.includes(n));
  if (!Number.isInteger(n) || !inRange) {
    const want = !allowed ? 'a whole number' : 'min' in allowed ? `a whole number from ${allowed.min} to ${allowed.max}` : allowed.join(' or ');
    throw new UsageError(`--${name} must be ${want}, not "${value}".`);
  }
  return n;
}

export function fraction(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name} must be between 0 and 1, not "${value}".`);
  return n;
}

/** Flags of every command that writes an image. */
export const exportFlags = {
  output: {
    type: 'string',
    short: 'o',
    hint: '<file>',
    help: `where to write; the format follows the extension (${EXPORT_FORMATS.map((f) => `.${extensionFor(f)}`).join(' ')})`,
  },
  'jpeg-quality': { type: 'string', default: '92', hint: '1-100', help: 'JPEG and WebP quality' },
  'bit-depth': { type: 'string', hint: '8|16', help: 'bits per channel (default: 16 where the photo and the format have it)' },
  overwrite: { type: 'boolean', default: false, help: 'replace an existing output (never the original)' },
} as const satisfies Record<string, Flag>;

/** The output path, refusing to overwrite the input, or anything else unless asked. */
export function outputFor(input: string, out: string, overwrite: boolean | undefined): string {
  const output = resolve(out);
  if (!formatFromPath(output))
    throw new UsageError(`Cannot tell the output format from "${basename(output)}": use ${EXPORT_FORMATS.map((f) => `.${extensionFor(f)}`).join(', ')}.`);
  if (samePath(output, input)) throw new UsageError('The output would overwrite the original; choose another name.');
  if (existsSync(output) && !overwrite) throw new UsageError(`${output} exists; pass --overwrite to replace it.`);
  return output;
}

/** Format from the extension; 16-bit by default where both the document and the format have it. */
export function exportOptionsFor(
  values: { 'jpeg-quality'?: string | undefined; 'bit-depth'?: string | undefined },
  output: string,
  docDepth: 8 | 16,
): ExportOptions {
  const format = formatFromPath(output)!;
  const bitDepth = (intOption(values['bit-depth'], 'bit-depth', [8, 16]) ?? (docDepth === 16 && supports16Bit(format) ? 16 : 8)) as 8 | 16;
  return { format, quality: intOption(values['jpeg-quality'], 'jpeg-quality') ?? 92, bitDepth };
}

/** Opens a photo, runs one tool on it with a progress bar (Ctrl+C cancels), and exports the result. */
export async function runToolToFile(request: ToolRequest, tool: { id: ToolId; describe(params: Record<string, unknown>): string }): Promise<number> {
  const { input, output, values } = request;
  return withEngine(values, async (engine) => {
    const doc = await engine.open(input);
    for (const line of doc.lost) process.stderr.write(`warning: ${line}\n`);
    if (request.mask) await engine.document(doc.id).selectionFromFile(request.mask);
    const exportOptions = exportOptionsFor(values, output, doc.bitDepth);
    const params = request.params(doc);
    for (const line of await engine.tools.advice(doc.id, doc.layers[0]!.id, tool.id, params)) process.stderr.write(`warning: ${line}\n`);
    process.stderr.write(`${tool.describe(params)} ${doc.fileName} (${doc.width}×${doc.height})\n`);
    const bar = progressBar();
    const size = resultSize(tool.id, params, doc);
    checkFormatFits(exportOptions, size.width, size.height, output);
    const reference = request.reference ? await engine.tools.openReference(request.reference) : undefined;
    const jobId = engine.tools.run(doc.id, doc.layers[0]!.id, tool.id, params, reference ? { reference } : {});
    const off = engine.onEvent((e) => e.type === 'job-progress' && e.jobId === jobId && bar.update(e.progress));
    const cancel = () => engine.tools.cancel(jobId);
    process.once('SIGINT', cancel);
    const end = await engine.tools.waitFor(jobId);
    off();
    bar.end();
    process.off('SIGINT', cancel);
    if (end.type === 'job-failed') throw fromErrorInfo(end.error);
    if (end.type === 'job-cancelled') {
      process.stderr.write('Cancelled; nothing was written.\n');
      return 130;
    }
    for (const w of end.warnings) process.stderr.write(`warning: ${w}\n`);
    const saved = await engine.document(doc.id).export(output, exportOptions);
    process.stderr.write(`Wrote ${saved.path} (${saved.width}×${saved.height}) in ${(end.stats.totalMs / 1000).toFixed(1)} s on ${end.device}\n`);
    for (const note of end.notes) process.stderr.write(`${note}\n`);
    return 0;
  });
}

export function onePhoto(command: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one photo.`);
  return resolve(positionals[0]!);
}

/** `<photo><suffix>.png` beside the photo: where a tool writes when not told. */
export const beside = (input: string, suffix: string) => join(dirname(input), `${basename(input, extname(input))}${suffix}.png`);
