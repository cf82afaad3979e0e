#!/usr/bin/env node
import { existsSync, realpathSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { fileURLToPath } from 'node:url';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPORT_NAME } from '../batch/batch.js';
import { readRecipe, recipeSchema, type Recipe } from '../batch/recipe.js';
import { Engine, type DocumentInfo } from '../engine.js';
import { sidesForAspect } from '../tools/aspect.js';
import { TILE_RANGE } from '../tools/enhance.js';
import type { ToolId } from '../tools/registry.js';
import { errorMessage, fromErrorInfo, GanvasError } from '../errors.js';
import { formatFromPath, supports16Bit, type ExportOptions } from '../images/save.js';
import { parseProvider } from '../inference/providers.js';
import { installFromUrl, type InstallProgress } from '../models/install.js';
import { CUSTOM_MODEL_TASKS, type CustomModelTask } from '../models/tasks.js';
import { appVersion } from '../paths.js';
import { progressBar } from './progress-bar.js';

const HELP = `ganvas — GAN photo tools from the command line (the same engine as the app)

Usage:
  ganvas enhance <photo> [-o <out>] [--scale 2|4] [--quality fast|hq]
                 [--jpeg-quality 1-100] [--bit-depth 8|16] [--tile N] [--overwrite]
  ganvas inpaint <photo> --mask <mask.png> [-o <out>] [--model <id>]
  ganvas extend <photo> (--left N --right N --top N --bottom N | --aspect 16:9) [-o <out>] [--model <id>]
  ganvas style <photo> [--style monet|<preset>] [--style-image <painting>] [--strength 0-1]
                 [--keep-colours] [-o <out>]
  ganvas lowlight <photo|raw> [--model iat|sci-easy|sci-medium|sci-difficult] [--denoise 0-1]
                 [--no-protect-highlights] [-o <out>]
  ganvas batch <in-dir> <out-dir> (--recipe <recipe.json> | steps) [--recursive]
                 [--include <glob>]... [--exclude <glob>]... [--formats jpg,png,…]
                 [--skip-existing] [--concurrency N] [--allow-inside-input]
           steps: [--enhance 2|4[:fast|hq]] [--style <preset>[:strength]] [--lowlight iat|sci-…]
                  [--resize <long side>] [--format jpeg|png|webp|tiff] [--jpeg-quality 1-100]
                  [--name '{name}-{recipe}'] [--save-recipe <file>]
  ganvas export <photo|project.ganvas> -o <out> [--jpeg-quality 1-100] [--bit-depth 8|16]
                 [--overwrite] [--no-ai-provenance]
  ganvas project info <project.ganvas>
  ganvas models list [--verify]
  ganvas models install <id>...            (downloads from the catalog's URL)
  ganvas models install [<id>...] --from <folder>
  ganvas models install <id> --url <url> [--sha256 <hash>]
  ganvas models verify [<id>...]
  ganvas models remove <id>
  ganvas models add <model.onnx> --task superres|lowlight|inpaint --name <name>
  ganvas doctor
  ganvas --help | --version

Common options:
  --models-dir <dir>   where models are installed (default: $GANVAS_MODELS_DIR or the user data folder)
  --provider <p>       auto (default), cuda, dml, coreml, webgpu or cpu ($GANVAS_PROVIDER)

Enhance writes <name>@<scale>x.png beside the photo unless -o is given; the output format follows
the extension (.png .jpg .webp .tif). EXIF, orientation and the ICC profile are kept.
Photos can be JPEG, PNG, WebP, TIFF, AVIF, GIF or camera RAW (DNG, ARW, CR2, CR3, NEF, RAF,
ORF, RW2 …; decoded by LibRaw to 16-bit, white-balanced as shot, exposure as shot).
Inpaint erases what the mask marks (white = remove; same size as the photo). Extend grows
the canvas and fills the new border (the photo's own pixels stay as they are).
Export flattens a project (blend modes, opacity and masks applied) and, unless told not to,
records in the file's XMP which edits were made by AI (IPTC Digital Source Type).
Exit codes: 0 success, 1 the work failed, 2 bad usage.`;

class UsageError extends Error {}

const common = {
  'models-dir': { type: 'string' },
  provider: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function engineFor(values: { 'models-dir'?: string | undefined; provider?: string | undefined }): Engine {
  return new Engine({
    ...(values['models-dir'] ? { modelsDir: resolve(values['models-dir']) } : {}),
    provider: parseProvider(values.provider ?? process.env.GANVAS_PROVIDER),
  });
}

type Allowed = readonly number[] | { min: number; max: number };

function intOption(value: string | undefined, name: string, allowed?: Allowed): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const inRange = !allowed || ('min' in allowed ? n >= allowed.min && n <= allowed.max : allowed.includes(n));
  if (!Number.isInteger(n) || !inRange) {
    const want = !allowed ? 'a whole number' : 'min' in allowed ? `a whole number from ${allowed.min} to ${allowed.max}` : allowed.join(' or ');
    throw new UsageError(`--${name} must be ${want}, not "${value}".`);
  }
  return n;
}

const exportFlags = {
  output: { type: 'string', short: 'o' },
  'jpeg-quality': { type: 'string', default: '92' },
  'bit-depth': { type: 'string' },
  overwrite: { type: 'boolean', default: false },
} as const;

/** The output path, refusing to overwrite the input, or anything else unless asked. */
function outputFor(input: string, out: string, overwrite: boolean | undefined): string {
  const output = resolve(out);
  if (!formatFromPath(output)) throw new UsageError(`Cannot tell the output format from "${basename(output)}": use .png, .jpg, .webp or .tif.`);
  if (output === input) throw new UsageError('The output would overwrite the original; choose another name.');
  if (existsSync(output) && !overwrite) throw new UsageError(`${output} exists; pass --overwrite to replace it.`);
  return output;
}

/** Format from the extension; 16-bit by default where both the document and the format have it. */
function exportOptionsFor(values: { 'jpeg-quality'?: string | undefined; 'bit-depth'?: string | undefined }, output: string, docDepth: 8 | 16): ExportOptions {
  const format = formatFromPath(output)!;
  const bitDepth = (intOption(values['bit-depth'], 'bit-depth', [8, 16]) ?? (docDepth === 16 && supports16Bit(format) ? 16 : 8)) as 8 | 16;
  return { format, quality: intOption(values['jpeg-quality'], 'jpeg-quality') ?? 92, bitDepth };
}

async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...common, ...exportFlags, 'no-ai-provenance': { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new UsageError('export takes exactly one photo or project.');
  if (!values.output) throw new UsageError('export needs -o <output file>.');
  const input = resolve(positionals[0]!);
  const output = outputFor(input, values.output, values.overwrite);
  const engine = engineFor(values);
  try {
    const doc = await engine.open(input);
    for (const line of doc.lost) process.stderr.write(`warning: ${line}\n`);
    const saved = await engine.export(doc.id, output, {
      ...exportOptionsFor(values, output, doc.bitDepth),
      ...(values['no-ai-provenance'] ? { recordAiProvenance: false } : {}),
    });
    const ai = saved.aiEdits > 0 && !values['no-ai-provenance'] ? `; ${saved.aiEdits} AI edit(s) recorded in XMP` : '';
    process.stderr.write(`Wrote ${saved.path} (${saved.width}×${saved.height})${ai}\n`);
    return 0;
  } finally {
    await engine.dispose();
  }
}

async function project(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: common });
  if (sub !== 'info') throw new UsageError(`Unknown project command "${sub ?? ''}": use info.`);
  if (positionals.length !== 1) throw new UsageError('project info takes exactly one project file.');
  const engine = engineFor(values);
  try {
    const doc = await engine.open(resolve(positionals[0]!));
    const docHistory = engine.historyOf(doc.id, 'document');
    process.stdout.write(`${doc.title}: ${doc.width}×${doc.height}, ${doc.layers.length} layer(s), from ${doc.fileName}\n`);
    process.stdout.write(`Document history: ${docHistory.position} step(s) done, ${docHistory.entries.length - 1 - docHistory.position} to redo\n`);
    for (const l of [...doc.layers].reverse()) {
      const h = engine.historyOf(doc.id, { layerId: l.id });
      const flags = [l.visible ? 'visible' : 'hidden', l.locked ? 'locked' : '', l.hasMask ? 'mask' : ''].filter(Boolean).join(', ');
      process.stdout.write(
        `  ${l.name} — ${l.width}×${l.height} ${l.bitDepth}-bit, ${l.blend} ${Math.round(l.opacity * 100)} %, ${flags}; ${l.kind}${l.modelId ? ` (${l.modelId})` : ''}; history ${h.position}/${h.entries.length - 1}\n`,
      );
    }
    for (const line of doc.lost) process.stdout.write(`lost: ${line}\n`);
    return doc.lost.length > 0 ? 1 : 0;
  } finally {
    await engine.dispose();
  }
}

/**
 * Opens a photo, runs one tool on it with a progress bar (Ctrl+C cancels), and exports the
 * result. `prepare` may set up the document first (e.g. the mask to erase).
 */
async function runToolToFile(
  values: Parameters<typeof engineFor>[0] & Parameters<typeof exportOptionsFor>[0],
  input: string,
  output: string,
  tool: { id: ToolId; params: object | ((doc: DocumentInfo) => object); describe: string; reference?: string | null },
  prepare: (engine: Engine, docId: string) => Promise<void> = async () => {},
): Promise<number> {
  const engine = engineFor(values);
  try {
    const doc = await engine.open(input);
    for (const line of doc.lost) process.stderr.write(`warning: ${line}\n`);
    await prepare(engine, doc.id);
    const exportOptions = exportOptionsFor(values, output, doc.bitDepth);
    process.stderr.write(`${tool.describe} ${doc.fileName} (${doc.width}×${doc.height})\n`);
    const bar = progressBar();
    const params = typeof tool.params === 'function' ? tool.params(doc) : tool.params;
    const reference = tool.reference ? await engine.openReference(tool.reference) : undefined;
    const jobId = engine.runTool(doc.id, doc.layers[0]!.id, tool.id, params, reference ? { reference } : {});
    const off = engine.onEvent((e) => e.type === 'job-progress' && e.jobId === jobId && bar.update(e.progress));
    const cancel = () => engine.cancel(jobId);
    process.once('SIGINT', cancel);
    const end = await engine.waitFor(jobId);
    off();
    bar.end();
    process.off('SIGINT', cancel);
    if (end.type === 'job-failed') throw fromErrorInfo(end.error);
    if (end.type === 'job-cancelled') {
      process.stderr.write('Cancelled; nothing was written.\n');
      return 130;
    }
    for (const w of end.warnings) process.stderr.write(`warning: ${w}\n`);
    const saved = await engine.export(doc.id, output, exportOptions);
    process.stderr.write(
      `Wrote ${saved.path} (${saved.width}×${saved.height}) in ${(end.stats.totalMs / 1000).toFixed(1)} s on ${end.provider.toUpperCase()}\n`,
    );
    return 0;
  } finally {
    await engine.dispose();
  }
}

function onePhoto(command: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one photo.`);
  return resolve(positionals[0]!);
}

const beside = (input: string, suffix: string) => join(dirname(input), `${basename(input, extname(input))}${suffix}.png`);

async function enhance(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...common, ...exportFlags, scale: { type: 'string', default: '4' }, quality: { type: 'string', default: 'fast' }, tile: { type: 'string' } },
  });
  const input = onePhoto('enhance', positionals);
  const scale = intOption(values.scale, 'scale', [2, 4]) as 2 | 4;
  if (values.quality !== 'fast' && values.quality !== 'hq') throw new UsageError(`--quality must be fast or hq, not "${values.quality}".`);
  const output = outputFor(input, values.output ?? beside(input, `@${scale}x`), values.overwrite);
  const tile = intOption(values.tile, 'tile', TILE_RANGE);
  const params = { scale, quality: values.quality, ...(tile ? { tile } : {}) };
  return runToolToFile(values, input, output, {
    id: 'enhance',
    params,
    describe: `Enhancing ×${scale} (${values.quality === 'fast' ? 'Fast' : 'High quality'})`,
  });
}

function fraction(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name} must be between 0 and 1, not "${value}".`);
  return n;
}

async function style(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...common,
      ...exportFlags,
      style: { type: 'string' },
      'style-image': { type: 'string' },
      strength: { type: 'string' },
      'keep-colours': { type: 'boolean', default: false },
    },
  });
  const input = onePhoto('style', positionals);
  if (values.style && values['style-image']) throw new UsageError('Give either --style or --style-image, not both.');
  const output = outputFor(input, values.output ?? beside(input, `-${values.style ?? (values['style-image'] ? 'painting' : 'monet')}`), values.overwrite);
  const strength = fraction(values.strength, 'strength');
  const params = { ...(values.style ? { style: values.style } : {}), ...(strength !== undefined ? { strength } : {}), keepColours: values['keep-colours'] };
  const painting = values['style-image'] ? resolve(values['style-image']) : null;
  return runToolToFile(values, input, output, { id: 'style', params, describe: 'Painting', reference: painting });
}

const LOWLIGHT_SHORT: Record<string, string> = { iat: 'iat_lol', 'sci-easy': 'sci_easy', 'sci-medium': 'sci_medium', 'sci-difficult': 'sci_difficult' };

async function lowlight(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...common,
      ...exportFlags,
      model: { type: 'string' },
      denoise: { type: 'string' },
      'no-protect-highlights': { type: 'boolean', default: false },
    },
  });
  const input = onePhoto('lowlight', positionals);
  const output = outputFor(input, values.output ?? beside(input, '-bright'), values.overwrite);
  const model = values.model ? (LOWLIGHT_SHORT[values.model] ?? values.model) : undefined;
  const denoise = fraction(values.denoise, 'denoise');
  const params = { ...(model ? { model } : {}), ...(denoise !== undefined ? { denoise } : {}), protectHighlights: !values['no-protect-highlights'] };
  return runToolToFile(values, input, output, { id: 'lowlight', params, describe: 'Brightening' });
}

/** A recipe from the step flags, in the order given on the command line. */
function recipeFromFlags(args: string[], values: Record<string, unknown>): Recipe {
  const steps: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1] ?? ''];
    if (flag === '--enhance') {
      const [scale, quality] = value.split(':');
      steps.push({ tool: 'enhance', params: { scale: intOption(scale, 'enhance', [2, 4]), quality: quality ?? 'fast' } });
    } else if (flag === '--style') {
      const [style, strength] = value.split(':');
      steps.push({ tool: 'style', params: { style, ...(strength ? { strength: fraction(strength, 'style strength') } : {}) } });
    } else if (flag === '--lowlight') steps.push({ tool: 'lowlight', params: { model: LOWLIGHT_SHORT[value] ?? value } });
    else if (flag === '--resize') steps.push({ tool: 'resize', params: { longSide: intOption(value, 'resize') } });
  }
  const parsed = recipeSchema.safeParse({
    name: 'batch',
    steps,
    output: {
      format: (values.format as string | undefined) ?? 'jpeg',
      quality: intOption(values['jpeg-quality'] as string | undefined, 'jpeg-quality') ?? 92,
      ...(values.name ? { naming: values.name } : {}),
    },
  });
  if (!parsed.success) throw new UsageError(`The batch steps are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function batch(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...common,
      recipe: { type: 'string' },
      'save-recipe': { type: 'string' },
      recursive: { type: 'boolean', default: false },
      include: { type: 'string', multiple: true, default: [] },
      exclude: { type: 'string', multiple: true, default: [] },
      formats: { type: 'string' },
      'skip-existing': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '2' },
      'allow-inside-input': { type: 'boolean', default: false },
      enhance: { type: 'string', multiple: true },
      style: { type: 'string', multiple: true },
      lowlight: { type: 'string', multiple: true },
      resize: { type: 'string', multiple: true },
      format: { type: 'string' },
      'jpeg-quality': { type: 'string' },
      name: { type: 'string' },
    },
  });
  if (positionals.length !== 2) throw new UsageError('batch takes an input folder and an output folder.');
  const [input, output] = positionals.map((p) => resolve(p)) as [string, string];
  let recipe: Recipe;
  if (values.recipe) {
    const path = resolve(values.recipe);
    recipe = await readRecipe(path).catch((err: unknown) => {
      throw new UsageError(errorMessage(err));
    });
  } else recipe = recipeFromFlags(args, values);
  if (values['save-recipe']) await writeFileAtomic(resolve(values['save-recipe']), JSON.stringify(recipe, null, 2));
  const engine = engineFor(values);
  try {
    const { batchId, done } = engine.startBatch({
      input,
      output,
      recipe,
      recursive: values.recursive,
      include: values.include,
      exclude: values.exclude,
      extensions: values.formats
        ? values.formats
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean)
        : [],
      skipExisting: values['skip-existing'],
      concurrency: intOption(values.concurrency, 'concurrency') ?? 2,
      allowInsideInput: values['allow-inside-input'],
    });
    const off = engine.onEvent((e) => {
      if (e.type === 'batch-file' && e.batchId === batchId && e.file.status !== 'running') {
        process.stderr.write(
          `${e.file.status.padEnd(7)} ${e.file.input}${e.file.reason ? ` — ${e.file.reason}` : e.file.output ? ` → ${e.file.output}` : ''}\n`,
        );
      }
    });
    const cancel = () => engine.controlBatch(batchId, 'cancel');
    process.once('SIGINT', cancel);
    const report = await done;
    off();
    process.off('SIGINT', cancel);
    const t = report.totals;
    process.stderr.write(`${t.files} files: ${t.done} done, ${t.skipped} skipped, ${t.failed} failed. Report: ${join(output, REPORT_NAME)}\n`);
    return report.cancelled ? 130 : t.failed > 0 ? 1 : 0;
  } finally {
    await engine.dispose();
  }
}

async function inpaint(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...common, ...exportFlags, mask: { type: 'string' }, model: { type: 'string' } },
  });
  const input = onePhoto('inpaint', positionals);
  if (!values.mask) throw new UsageError('inpaint needs --mask <image> (white = remove), the same size as the photo.');
  const mask = resolve(values.mask);
  const output = outputFor(input, values.output ?? beside(input, '-erased'), values.overwrite);
  const params = values.model ? { model: values.model } : {};
  return runToolToFile(
    values,
    input,
    output,
    { id: 'inpaint', params, describe: 'Erasing in' },
    async (engine, docId) => void (await engine.selectionFromFile(docId, mask)),
  );
}

/** "16:9" or "1.78" as width/height. */
function parseAspect(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(text);
  const value = m ? Number(m[1]) / Number(m[2] ?? 1) : NaN;
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--aspect must look like 16:9 or 1.5, not "${text}".`);
  return value;
}

async function extend(args: string[]): Promise<number> {
  const sides = { left: { type: 'string' }, right: { type: 'string' }, top: { type: 'string' }, bottom: { type: 'string' } } as const;
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...common, ...exportFlags, ...sides, aspect: { type: 'string' }, model: { type: 'string' } },
  });
  const input = onePhoto('extend', positionals);
  const output = outputFor(input, values.output ?? beside(input, '-extended'), values.overwrite);
  const given = Object.fromEntries((['left', 'right', 'top', 'bottom'] as const).map((s) => [s, intOption(values[s], s) ?? 0]));
  if (values.aspect && Object.values(given).some((v) => v > 0)) throw new UsageError('Give either --aspect or pixels per side, not both.');
  const model = values.model ? { model: values.model } : {};
  const aspect = values.aspect ? parseAspect(values.aspect) : null;
  // The aspect applies to the photo as shown (EXIF orientation applied), so it waits for the open.
  const params = (doc: DocumentInfo) => ({ ...(aspect ? sidesForAspect(doc.width, doc.height, aspect) : given), ...model });
  return runToolToFile(values, input, output, { id: 'extend', params, describe: 'Extending' });
}

/** A download's progress on the terminal: MB done of the total, speed and time left. */
function downloadBar(): { update: (p: InstallProgress) => void; end: () => void } {
  const bar = progressBar();
  return {
    update: (p) =>
      bar.update({
        done: Math.round(p.bytesDone / 1e6),
        total: Math.round((p.bytesTotal ?? 0) / 1e6),
        unit: 'MB',
        message: '',
        note: p.bytesPerSecond ? ` at ${(p.bytesPerSecond / 1e6).toFixed(1)} MB/s` : '',
        etaSeconds: p.etaSeconds,
      }),
    end: () => bar.end(),
  };
}

async function models(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...common,
      from: { type: 'string' },
      url: { type: 'string' },
      sha256: { type: 'string' },
      verify: { type: 'boolean', default: false },
      task: { type: 'string' },
      name: { type: 'string' },
    },
  });
  const engine = engineFor(values);
  const { store } = engine;
  try {
    switch (sub) {
      case 'list':
      case 'verify': {
        const verify = sub === 'verify' || values.verify === true;
        const ids = new Set(positionals.map((id) => store.model(id).id));
        const list = (await engine.models.list(undefined, verify)).filter((m) => ids.size === 0 || ids.has(m.id));
        let bad = 0;
        process.stdout.write(`Models folder: ${store.dir}\n`);
        for (const m of list) {
          if (sub === 'verify' && m.state !== 'installed' && m.state !== 'bundled') bad++;
          const size = m.bytes === null ? 'size unknown' : m.bytes < 1e6 ? `${Math.ceil(m.bytes / 1e3)} KB` : `${(m.bytes / 1e6).toFixed(1)} MB`;
          process.stdout.write(`${m.state.padEnd(11)} ${m.id.padEnd(26)} ${m.displayName} — ${size}, ${m.licence}; for ${m.usedBy.join(', ')}; ${m.detail}\n`);
          if (m.state === 'missing' || m.state === 'corrupt') process.stdout.write(`            ${store.installHint(store.model(m.id))}\n`);
        }
        return bad > 0 ? 1 : 0;
      }
      case 'install':
        return await installModels(engine, positionals, values);
      case 'remove': {
        if (positionals.length !== 1) throw new UsageError('models remove takes one model id.');
        await engine.models.remove(positionals[0]!);
        process.stdout.write(`removed    ${positionals[0]}\n`);
        return 0;
      }
      case 'add': {
        const task = values.task as CustomModelTask | undefined;
        if (!task || !Object.hasOwn(CUSTOM_MODEL_TASKS, task)) throw new UsageError(`models add needs --task ${Object.keys(CUSTOM_MODEL_TASKS).join('|')}.`);
        if (positionals.length !== 1 || !values.name) throw new UsageError('models add takes one ONNX file and --name <name>.');
        const added = await engine.models.addCustom(task, resolve(positionals[0]!), values.name);
        process.stdout.write(`added      ${added.id} (${added.displayName}) for ${added.usedBy.join(', ')}\n`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown models command "${sub ?? ''}": use list, install, verify, remove or add.`);
    }
  } finally {
    await engine.dispose();
  }
}

/** `models install`: from a folder, from a URL, or (with neither) from each model's catalog URL. */
async function installModels(
  engine: Engine,
  ids: string[],
  values: { from?: string | undefined; url?: string | undefined; sha256?: string | undefined },
): Promise<number> {
  const { store } = engine;
  if (values.from && values.url) throw new UsageError('Give either --from <folder> or --url <url>, not both.');
  const chosen = ids.map((id) => store.model(id));
  if (values.from) {
    const { installed, failed } = await engine.models.installFromFolder(resolve(values.from), ids);
    for (const id of installed) process.stdout.write(`installed  ${id} -> ${store.targetPath(store.model(id))}\n`);
    for (const f of failed) process.stderr.write(`failed     ${f.id}: ${f.reason}\n`);
    return failed.length > 0 ? 1 : 0;
  }
  if (chosen.length === 0) throw new UsageError('models install needs the ids of the models to install (see `ganvas models list`), or --from <folder>.');
  if (values.url) {
    if (chosen.length !== 1) throw new UsageError('models install --url installs one model: name its id.');
    const bar = downloadBar();
    await installFromUrl(store, chosen[0]!, values.url, { ...(values.sha256 ? { sha256: values.sha256 } : {}), onProgress: bar.update });
    bar.end();
    process.stdout.write(`installed  ${chosen[0]!.id} -> ${store.targetPath(chosen[0]!)}\n`);
    return 0;
  }
  let failed = 0;
  for (const m of chosen) {
    if (store.locate(m)) {
      process.stdout.write(`present    ${m.id} (${store.isBundled(store.locate(m)!) ? 'comes with Ganvas' : 'already installed'})\n`);
      continue;
    }
    if (!m.url) {
      failed++;
      process.stderr.write(`failed     ${m.id}: no download location is known. ${store.installHint(m)}\n`);
      continue;
    }
    const bar = downloadBar();
    const off = engine.onEvent((e) => e.type === 'model-progress' && e.progress.id === m.id && bar.update(e.progress));
    const cancel = () => engine.models.cancelDownload(m.id);
    process.once('SIGINT', cancel);
    try {
      await engine.models.download(m.id).done;
      process.stdout.write(`installed  ${m.id} -> ${store.targetPath(m)}\n`);
    } catch (err) {
      failed++;
      process.stderr.write(`failed     ${m.id}: ${errorMessage(err)}\n`);
    } finally {
      bar.end();
      off();
      process.off('SIGINT', cancel);
    }
  }
  return failed > 0 ? 1 : 0;
}

async function doctor(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: common });
  const engine = engineFor(values);
  try {
    const report = await engine.doctor();
    process.stdout.write(`Ganvas ${appVersion} on ${process.platform}/${process.arch}, Node ${process.version}\n`);
    process.stdout.write(`Execution providers, in the order tried:\n`);
    for (const c of report.providers.checks) process.stdout.write(`  ${c.available ? 'yes' : 'no '}  ${c.id.padEnd(7)} ${c.reason}\n`);
    process.stdout.write(`Models folder: ${report.modelsDir}\n`);
    for (const m of report.models) process.stdout.write(`  ${m.state.padEnd(11)} ${m.id.padEnd(24)} ${m.detail}\n`);
    return 0;
  } finally {
    await engine.dispose();
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  enhance,
  style,
  lowlight,
  batch,
  inpaint,
  extend,
  export: exportCommand,
  project,
  models,
  doctor,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help' || rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${HELP}\n`);
      return command ? 0 : 2;
    }
    if (command === '--version') {
      process.stdout.write(`${appVersion}\n`);
      return 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) throw new UsageError(`Unknown command "${command}". Run \`ganvas --help\` for the list.`);
    return await run(rest);
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    // The code is for scripts that react to a kind of failure (MODEL_MISSING, WRITE_FAILED, …).
    const code = err instanceof GanvasError ? ` [${err.code}]` : '';
    process.stderr.write(`ganvas: ${errorMessage(err)}${code}\n`);
    return usage ? 2 : 1;
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
