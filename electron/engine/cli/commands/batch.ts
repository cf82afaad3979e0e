import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../atomic-file.js';
import { REPORT_NAME, type BatchProgress, type BatchReport } from '../../batch/batch.js';
import type { WorkerInfo } from '../../farm/farm.js';
import { cancelFarmBatch, farmStatus } from '../../farm/submit.js';
import { clock } from '../progress-bar.js';
import { readRecipe, recipeSchemaFor, type Recipe } from '../../batch/recipe.js';
import { errorMessage } from '../../errors.js';
import { EXPORT_FORMATS } from '../../images/formats.js';
import { type Command, common, type Flag, intOption, parse, UsageError, withEngine } from '../shared.js';
import { paramsFromShorthand, shorthandHint } from '../tool-flags.js';
import type { AnyToolSpec } from '../../tools/specs.js';
import type { ToolSpec } from '../../tools/spec.js';

/** The batch command's flags, with a step flag for each of `specs`. */
const flagsFor = (specs: readonly (AnyToolSpec | ToolSpec)[]) =>
  ({
    ...common,
    recipe: { type: 'string', hint: '<recipe.json>', help: 'the steps and output settings, from a file' },
    'save-recipe': { type: 'string', hint: '<file>', help: 'save the recipe the flags make' },
    recursive: { type: 'boolean', default: false, help: 'take photos in sub-folders too' },
    include: { type: 'string', multiple: true, default: [], hint: '<glob>', help: 'only these (repeatable)' },
    exclude: { type: 'string', multiple: true, default: [], hint: '<glob>', help: 'not these (repeatable)' },
    formats: { type: 'string', hint: 'jpg,png,…', help: 'only these extensions' },
    'skip-existing': { type: 'boolean', default: false, help: 'leave a photo alone when its output exists' },
    concurrency: { type: 'string', default: '2', hint: 'N', help: 'photos in flight at once' },
    'allow-inside-input': { type: 'boolean', default: false, help: 'write inside the input folder (originals are never replaced)' },
    ...stepFlags(specs),
    resize: { type: 'string', multiple: true, hint: '<long side>', help: 'step: fit inside this many pixels' },
    format: { type: 'string', hint: ['same', ...EXPORT_FORMATS].join('|'), help: "output format (default: same, each photo's own)" },
    'jpeg-quality': { type: 'string', hint: '1-100', help: 'JPEG and WebP quality' },
    name: { type: 'string', hint: "'{name}-{recipe}'", help: 'output names: {name} {ext} {recipe} {scale} {date}' },
    queue: {
      type: 'string',
      hint: 'redis://host:6379/0',
      help: 'run on a farm: one job per photo for `ganvas worker`s (folders at the same path on every machine)',
    },
    status: { type: 'string', hint: '<id>', help: 'with --queue: how a farm batch stands' },
    cancel: { type: 'string', hint: '<id>', help: 'with --queue: cancel a farm batch (files running finish)' },
  }) as const satisfies Record<string, Flag>;

/** `--<tool> a:b` for each tool a recipe can have: its shorthand's settings. */
function stepFlags(specs: readonly (AnyToolSpec | ToolSpec)[]): Record<string, Flag> {
  return Object.fromEntries(specs.map((s) => [s.id, { type: 'string', multiple: true, hint: shorthandHint(s), help: `step: ${s.label}` } satisfies Flag]));
}

/** The recipe steps the flags give, in the order given on the command line. */
function stepsFromArgs(args: string[], specs: readonly (AnyToolSpec | ToolSpec)[]): unknown[] {
  const steps: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1] ?? ''];
    const spec = specs.find((s) => flag === `--${s.id}`);
    if (spec) steps.push({ tool: spec.id, params: paramsFromShorthand(spec, value) });
    else if (flag === '--resize') steps.push({ tool: 'resize', params: { longSide: intOption(value, 'resize') } });
  }
  return steps;
}

/** A recipe from the step flags, in the order given on the command line. */
function recipeFromFlags(args: string[], values: Record<string, unknown>, specs: readonly (AnyToolSpec | ToolSpec)[]): Recipe {
  const steps = stepsFromArgs(args, specs);
  const parsed = recipeSchemaFor(specs).safeParse({
    name: 'batch',
    steps,
    output: {
      ...(values.format ? { format: values.format } : {}),
      quality: intOption(values['jpeg-quality'] as string | undefined, 'jpeg-quality') ?? 92,
      ...(values.name ? { naming: values.name } : {}),
    },
  });
  if (!parsed.success) throw new UsageError(`The batch steps are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data;
}

function farmLine(p: BatchProgress, workers: WorkerInfo[]): string {
  const names = workers.map((w) => `${w.name} (${w.provider}, ${w.filesPerMinute?.toFixed(1) ?? '–'}/min)`).join(', ') || 'none connected';
  return `${p.done + p.skipped + p.failed}/${p.total}: ${p.done} done, ${p.skipped} skipped, ${p.failed} failed · ${p.filesPerMinute?.toFixed(1) ?? '–'} files/min · ETA ${p.etaSeconds === null ? '–' : clock(p.etaSeconds)} · workers: ${names}`;
}

/** --status and --cancel: a farm batch, from any machine. */
async function farmControl(url: string, values: { status?: string | undefined; cancel?: string | undefined }): Promise<number> {
  if (values.cancel) {
    const removed = await cancelFarmBatch(url, values.cancel);
    process.stderr.write(`Cancelled batch ${values.cancel}: ${removed} files taken off the queue; files being worked on finish.\n`);
    return 0;
  }
  const s = await farmStatus(url, values.status!);
  process.stdout.write(
    `Batch ${s.batch.id}${s.batch.cancelled ? ' (cancelled)' : ''}: ${s.batch.input} → ${s.batch.output}, recipe ${s.batch.recipe.name}\n` +
      `${s.done} done, ${s.skipped} skipped, ${s.failed} failed\n` +
      `Workers: ${s.workers.map((w) => `${w.name} (${w.provider}, ${w.filesDone} file${w.filesDone === 1 ? '' : 's'})`).join(', ') || 'none connected'}\n`,
  );
  return 0;
}

async function run(args: string[], specs: readonly (AnyToolSpec | ToolSpec)[]): Promise<number> {
  const { values, positionals } = parse(args, flagsFor(specs));
  if ((values.status || values.cancel) && !values.queue) throw new UsageError('--status and --cancel need --queue redis://…');
  if (values.queue && (values.status || values.cancel)) return farmControl(values.queue, values);
  if (positionals.length !== 2) throw new UsageError('batch takes an input folder and an output folder.');
  const [input, output] = positionals.map((p) => resolve(p)) as [string, string];
  let recipe: Recipe;
  if (values.recipe) {
    const path = resolve(values.recipe);
    recipe = await readRecipe(path).catch((err: unknown) => {
      throw new UsageError(errorMessage(err));
    });
  } else recipe = recipeFromFlags(args, values, specs);
  if (values['save-recipe']) await writeFileAtomic(resolve(values['save-recipe']), JSON.stringify(recipe, null, 2));
  const options = {
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
    allowInsideInput: values['allow-inside-input'],
  };
  return withEngine(values, async (engine) => {
    const { batchId, done } = values.queue
      ? engine.batches.startOnFarm({ ...options, url: values.queue })
      : engine.batches.start({ ...options, concurrency: intOption(values.concurrency, 'concurrency') ?? 2 });
    let last = '';
    let lastAt = 0;
    const off = engine.onEvent((e) => {
      if (e.type === 'batch-progress' && e.batchId === batchId && e.progress.farm) {
        if (!last)
          process.stderr.write(
            `Farm batch ${e.progress.farm.id}: \`ganvas batch --queue URL --status ${e.progress.farm.id}\` follows it, --cancel stops it.\n`,
          );
        // A line when a file ends, or every 10 s while files run: the rates in it change every poll.
        const { done, skipped, failed } = e.progress;
        const counted = `${done}/${skipped}/${failed}`;
        if (counted !== last || Date.now() - lastAt >= 10_000) {
          process.stderr.write(`${farmLine(e.progress, e.progress.farm.workers)}\n`);
          [last, lastAt] = [counted, Date.now()];
        }
      }
      if (e.type === 'batch-file' && e.batchId === batchId && e.file.status !== 'running') {
        process.stderr.write(
          `${e.file.status.padEnd(7)} ${e.file.input}${e.file.reason ? ` — ${e.file.reason}` : e.file.output ? ` → ${e.file.output}` : ''}${e.file.ms !== undefined ? ` (${(e.file.ms / 1000).toFixed(1)} s)` : ''}\n`,
        );
      }
    });
    const cancel = () => engine.batches.control(batchId, 'cancel');
    process.once('SIGINT', cancel);
    const report = await done;
    off();
    process.off('SIGINT', cancel);
    return ended(report, output);
  });
}

function ended(report: BatchReport, output: string): number {
  const t = report.totals;
  if (report.stoppedBecause) process.stderr.write(`Stopped: ${report.stoppedBecause}.\n`);
  process.stderr.write(`${t.files} files: ${t.done} done, ${t.skipped} skipped, ${t.failed} failed. Report: ${join(output, REPORT_NAME)}\n`);
  return report.cancelled ? 130 : t.failed > 0 || report.stoppedBecause ? 1 : 0;
}

/** `ganvas batch`, with a step flag for each batchable tool of `specs`; `recipe` is the recipe its step flags make. */
export function batchCommandFor(specs: readonly (AnyToolSpec | ToolSpec)[]): Command & { recipe(args: string[]): Recipe } {
  const steps = specs.filter((s) => s.batchable);
  return {
    name: 'batch',
    forms: ['<in-dir> <out-dir> (--recipe <recipe.json> | steps) [--queue redis://…]', '--queue redis://… (--status <id> | --cancel <id>)'],
    about: 'Runs a recipe over a folder: a few files at once, outputs written atomically, a journal to resume, a JSON report. Steps run in the order given.',
    flags: flagsFor(steps),
    run: (args) => run(args, steps),
    recipe: (args) => recipeFromFlags(args, parse(args, flagsFor(steps)).values, steps),
  };
}
