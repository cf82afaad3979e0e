import { existsSync, statSync } from 'node:fs';
import { access, constants, mkdir } from 'node:fs/promises';
import { removeLeftoverTemps, writeFileAtomic } from '../atomic-file.js';
import { secondsLeft } from './eta.js';
import { describeFsError } from '../files.js';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { CancelledError, GanvasError, errorMessage, isCancelled } from '../errors.js';
import type { AiEdit } from '../document/layer.js';
import { isPhotoPath, openImage, type OpenOptions } from '../images/open.js';
import type { Raster } from '../images/raster.js';
import { resizeRaster } from '../images/resample.js';
import { extensionFor, supports16Bit, type ExportFormat } from '../images/formats.js';
import { checkFormatFits, sameFormatAs, saveImage } from '../images/save.js';
import { xmpToWrite } from '../images/xmp.js';
import { pathKey, within } from '../paths.js';
import type { RunStats } from '../jobs/protocol.js';
import type { WorkerInfo } from '../farm/farm.js';
import type { ToolResult } from '../tools/tool.js';
import { Journal, type JournalRecord } from './journal.js';
import { recipeResultSize, recipeScale, type Recipe } from './recipe.js';
import { scanFolder, type ScanOptions } from './scan.js';

export interface BatchOptions extends Omit<ScanOptions, 'skipDir'> {
  input: string;
  output: string;
  recipe: Recipe;
  /** Leave a file alone when its output already exists: no decoding, no inference. */
  skipExisting: boolean;
  /** Files in flight at once: while one is inferring, others decode and encode. */
  concurrency: number;
  /** The user chose to write inside the input folder (never over an original). */
  allowInsideInput?: boolean;
  recordAiProvenance: boolean;
}

export type FileStatus = 'queued' | 'running' | 'done' | 'skipped' | 'failed';

export interface FileReport {
  /** Relative to the input folder. */
  input: string;
  /** Relative to the output folder. */
  output: string | null;
  status: FileStatus;
  reason?: string;
  /** Why the output's name differs from what the naming template gives (it would have replaced another file). */
  note?: string;
  ms?: number;
  /** The input's size: the measure of how much work each file is, for the time left. */
  bytes?: number;
}

export interface BatchProgress {
  total: number;
  done: number;
  skipped: number;
  failed: number;
  running: string[];
  paused: boolean;
  filesPerMinute: number | null;
  etaSeconds: number | null;
  /** On a farm: the batch's id there (for --status and --cancel from any machine) and the workers connected, with their speeds. */
  farm?: { id: string; workers: WorkerInfo[] };
}

export interface BatchReport {
  recipe: string;
  input: string;
  output: string;
  startedAt: string;
  finishedAt: string;
  cancelled: boolean;
  /** Why the batch stopped before every file was done (e.g. the output disk is full), or null. */
  stoppedBecause: string | null;
  totals: { files: number; done: number; skipped: number; failed: number };
  /** Network runs this batch made (0 when everything was skipped or done before). */
  inferenceRuns: number;
  /** Time spent inside the networks (ORT session.run), summed over all runs. */
  inferenceMs: number;
  /** What the networks ran on ("WebGPU on <adapter>", "CPU"). */
  devices: string[];
  files: FileReport[];
}

/** How the batch runs tools: the engine's worker, one network run at a time. */
export type RunTool = (
  toolId: string,
  raster: Raster,
  params: unknown,
) => { result: Promise<ToolResult & { stats?: RunStats; device?: string }>; cancel: () => void };

export const REPORT_NAME = 'ganvas-batch-report.json';

/** The format a file is written in: the recipe's, or the photo's own. */
function outputFormat(rel: string, recipe: Recipe): ExportFormat {
  return recipe.output.format === 'same' ? sameFormatAs(rel) : recipe.output.format;
}

/** The output's path for an input file: the naming template in the input's sub-folder. */
export function outputName(rel: string, recipe: Recipe, date: string): string {
  const ext = extensionFor(outputFormat(rel, recipe));
  const stem = basename(rel, extname(rel));
  const name = recipe.output.naming
    .replaceAll('{name}', stem)
    .replaceAll('{recipe}', recipe.name)
    .replaceAll('{scale}', String(recipeScale(recipe)))
    .replaceAll('{date}', date)
    .replaceAll('{ext}', ext);
  const folder = dirname(rel);
  return `${folder === '.' ? '' : `${folder}/`}${name.replace(/[/\\]/g, '_')}.${ext}`;
}

/**
 * Whether `output` can be what planning named for `rel`: the naming template's name, or that name
 * made unique (`a-2.jpg`). A farm worker takes no other, whatever a job says.
 */
export function plannedName(rel: string, output: string, recipe: Recipe, date: string): boolean {
  const wanted = outputName(rel, recipe, date);
  const ext = extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length);
  return output === wanted || (output.startsWith(`${stem}-`) && output.endsWith(ext) && /^\d+$/.test(output.slice(stem.length + 1, -ext.length || undefined)));
}

/** Why a batch stops when its output disk is full: the same words on this computer and on a farm. */
export const diskFull = (output: string) => `the output disk is full (${output}); free some space and run the batch again to finish it`;

/** Removes what a killed run was writing (temporary files) from the folders a batch's photos go to: once per folder, not per file. */
export async function clearDebris(output: string, photos: readonly FileReport[]): Promise<void> {
  for (const dir of new Set(photos.map((f) => dirname(join(output, f.output!))))) await removeLeftoverTemps(dir);
}

/** The report of a batch, written into its output folder as JSON; on a full disk it may not fit, and the caller still gets it. */
export async function writeReport(fields: Omit<BatchReport, 'totals' | 'finishedAt'>): Promise<BatchReport> {
  const total = (s: FileStatus) => fields.files.filter((f) => f.status === s).length;
  const report: BatchReport = {
    ...fields,
    finishedAt: new Date().toISOString(),
    totals: { files: fields.files.length, done: total('done'), skipped: total('skipped'), failed: total('failed') },
  };
  try {
    await writeFileAtomic(join(fields.output, REPORT_NAME), JSON.stringify(report, null, 2));
  } catch (err) {
    if (!isOutOfSpace(err)) throw err;
  }
  return report;
}

/**
 * Every file's output name, decided before any work: a name that is one of the inputs, is the
 * output of another input (a.png and a.jpg both → a.jpg), or is a file of the user's inside the
 * input folder gets a unique name instead (`a-2.jpg`), and the report says why. Names an earlier
 * run of this batch gave (in the journal) are kept, so a resumed batch finds its own outputs.
 */
function planOutputs(
  files: { rel: string }[],
  dirs: { input: string; output: string },
  name: (rel: string) => string,
  earlier: (rel: string) => string | null,
): { output: string; note?: string }[] {
  const inputs = new Set(files.map((f) => pathKey(join(dirs.input, f.rel))));
  const owners = new Map<string, string>();
  const userFileInInput = (target: string, rel: string) =>
    within(target, dirs.input) && existsSync(target) && earlier(rel) !== relative(dirs.output, target).split(sep).join('/');
  const clash = (candidate: string, rel: string): string | null => {
    const target = join(dirs.output, candidate);
    const key = pathKey(target);
    if (inputs.has(key)) return 'is one of the photos being processed';
    const owner = owners.get(key);
    if (owner !== undefined) return `is already the output of ${owner}`;
    if (userFileInInput(target, rel)) return 'is a file in the input folder';
    return null;
  };
  return files.map(({ rel }) => {
    const wanted = earlier(rel) ?? name(rel);
    const why = clash(wanted, rel);
    let chosen = wanted;
    if (why) {
      const ext = extname(wanted);
      const stem = wanted.slice(0, wanted.length - ext.length);
      for (let n = 2; clash(chosen, rel); n++) chosen = `${stem}-${n}${ext}`;
    }
    owners.set(pathKey(join(dirs.output, chosen)), rel);
    return why ? { output: chosen, note: `written as ${basename(chosen)} because ${basename(wanted)} ${why}` } : { output: chosen };
  });
}

/** A full disk or used-up quota: every later file would fail the same way, after its inference. */
export function isOutOfSpace(err: unknown): boolean {
  const codes = [(err as NodeJS.ErrnoException | null)?.code, (err as { cause?: NodeJS.ErrnoException } | null)?.cause?.code];
  return codes.includes('ENOSPC') || codes.includes('EDQUOT');
}

/**
 * Whether an earlier run of this batch produced the output: it says so, or it started the file and
 * was stopped after the output's atomic rename but before the journal line (the output is newer than the start).
 */
function doneEarlier(record: JournalRecord, target: string): boolean {
  const written = statSync(target, { throwIfNoEntry: false })?.mtimeMs;
  if (written === undefined) return false;
  return record.status === 'done' || (record.status === 'started' && written >= Date.parse(record.at));
}

/** The folders a batch reads and writes, checked, and what it will do with each file it found. */
export interface BatchPlan {
  input: string;
  output: string;
  /** Every photo with its output name (relative to the output folder), in scan order. */
  photos: FileReport[];
  /** Files that are not photos by their name: listed as skipped, never opened. */
  others: FileReport[];
}

/** What earlier runs of a batch decided: the date in its names and each file's output name. */
export interface BatchHistory {
  date: string;
  earlier?: (rel: string) => string | null;
}

/**
 * Checks the folders, scans the input and names every output before any work: shared by a batch
 * on this computer and one spread over a farm. `history` is read once the output folder is known
 * to be usable.
 */
export async function planBatch(
  opts: Omit<BatchOptions, 'concurrency' | 'skipExisting' | 'recordAiProvenance'>,
  history: (folders: { input: string; output: string }) => Promise<BatchHistory>,
): Promise<BatchPlan> {
  const input = resolve(opts.input);
  const output = resolve(opts.output);
  if (!existsSync(input)) throw new GanvasError('NOT_FOUND', `The input folder ${input} does not exist.`);
  // Asked where the folders really are: an output that is a link to the input is inside it. And
  // again once the output exists, in case a link appeared on its way meanwhile.
  const refuseInsideInput = () => {
    if (within(output, input) && !opts.allowInsideInput)
      throw new GanvasError('INVALID_INPUT', `The output folder is inside the input folder ${input}; choose another, or allow writing inside the input.`);
  };
  refuseInsideInput();
  await mkdir(output, { recursive: true }).catch((err: unknown) => {
    throw new GanvasError('WRITE_FAILED', `The output folder ${output} cannot be made: ${describeFsError(err, output, true)}.`, { cause: err });
  });
  refuseInsideInput();
  await access(output, constants.W_OK).catch((err: unknown) => {
    throw new GanvasError('WRITE_FAILED', `The output folder ${output} cannot be written: ${describeFsError(err, output, true)}.`, { cause: err });
  });
  const { date, earlier = () => null } = await history({ input, output });
  const { files: scanned, leftOut } = await scanFolder(input, { ...opts, skipDir: output });
  const photos = scanned.filter((f) => isPhotoPath(f.rel));
  const plan = planOutputs(photos, { input, output }, (rel) => outputName(rel, opts.recipe, date), earlier);
  return {
    input,
    output,
    photos: photos.map((f, i) => ({ input: f.rel, ...plan[i]!, status: 'queued', bytes: f.bytes })),
    others: scanned
      .filter((f) => !isPhotoPath(f.rel))
      .map((f): FileReport => ({ input: f.rel, output: null, status: 'skipped', reason: `not a photo (${extname(f.rel) || 'no extension'})` }))
      .concat(leftOut.map((f): FileReport => ({ input: f.rel, output: null, status: 'skipped', reason: f.reason }))),
  };
}

/** What rendering one photo needs besides its paths. */
export interface RenderContext {
  /** The batch's output folder: nothing is written outside it, whatever a link on the way says. */
  outputFolder: string;
  recipe: Recipe;
  runTool: RunTool;
  openOptions: OpenOptions;
  recordAiProvenance: boolean;
  /** The batch is stopping: the photo is abandoned between steps. */
  stopping: () => boolean;
  /** The network run in flight, so that a stop can cancel it (null when it ended). */
  onRun: (cancel: (() => void) | null) => void;
}

/**
 * Runs a recipe on one photo and writes the result atomically (a stop, a crash or a kill leaves
 * no partial file). Answers what the decoder noticed and the network runs it made.
 */
export async function renderPhoto(
  source: string,
  target: string,
  ctx: RenderContext,
): Promise<{ notices: string[]; inferenceRuns: number; inferenceMs: number; devices: string[] }> {
  const { raster: decoded, meta, notices } = await openImage(source, ctx.openOptions);
  const format = outputFormat(source, ctx.recipe);
  const size = recipeResultSize(ctx.recipe, decoded);
  // The depth is settled when the result is written (a 16-bit recipe gives 8 bits where the format has no more).
  checkFormatFits({ format, bitDepth: 8 }, size.width, size.height, target);
  let raster = decoded;
  let [inferenceRuns, inferenceMs] = [0, 0];
  const devices = new Set<string>();
  const ai: AiEdit[] = [];
  for (const step of ctx.recipe.steps) {
    if (ctx.stopping()) throw new CancelledError();
    if (step.tool === 'resize') {
      const to = recipeResultSize({ ...ctx.recipe, steps: [step] }, raster);
      if (to.width !== raster.width) raster = await resizeRaster(raster, to.width, to.height);
      continue;
    }
    const job = ctx.runTool(step.tool, raster, step.params);
    ctx.onRun(job.cancel);
    inferenceRuns++;
    const r = await job.result.finally(() => ctx.onRun(null));
    inferenceMs += r.stats?.inferenceMs ?? 0;
    if (r.device) devices.add(r.device);
    raster = r.raster;
    ai.push({ toolId: step.tool, modelId: r.modelId, provider: r.provider, params: step.params });
  }
  const o = ctx.recipe.output;
  const confine = () => {
    if (!within(dirname(target), ctx.outputFolder))
      throw new GanvasError(
        'INVALID_INPUT',
        `${basename(target)} would be written outside the output folder ${ctx.outputFolder} (a link on its way leads out); refused.`,
      );
  };
  confine();
  await mkdir(dirname(target), { recursive: true });
  confine();
  const xmp = xmpToWrite(meta.xmp, ctx.recordAiProvenance ? ai : [], 'Ganvas batch');
  await saveImage(
    raster,
    target,
    { format, quality: o.quality, bitDepth: o.bitDepth === 16 && supports16Bit(format) && raster.depth === 16 ? 16 : 8 },
    { exif: meta.exif, icc: meta.icc, xmp },
  );
  return { notices, inferenceRuns, inferenceMs, devices: [...devices] };
}

/**
 * One batch: scans the input folder, then runs the recipe on every file with a few in flight,
 * writes each output atomically, journals progress in the output folder so a second run of the
 * same batch resumes, and ends with a report (also written as JSON in the output folder).
 * A file that fails is reported with its reason; the rest go on.
 */
/** How often a running batch says how it stands, between the ends of files. */
const PROGRESS_EVERY_MS = 1000;

export class BatchRun {
  readonly files: FileReport[] = [];
  private paused = false;
  private cancelled = false;
  private stoppedBecause: string | null = null;
  private wake: (() => void) | null = null;
  private readonly running = new Map<string, () => void>();
  private inferenceRuns = 0;
  private readonly devices = new Set<string>();
  private inferenceMs = 0;
  private startedAt = new Date();
  private processedMs: number[] = [];
  /** Each running file's size and when it started (performance.now()). */
  private readonly startedFile = new Map<string, { bytes: number; at: number }>();
  /** The work waiting and the work finished, kept as files change (not counted over every file at every report). */
  private readonly queuedWork = { files: 0, bytes: 0 };
  private readonly finishedWork = { files: 0, bytes: 0, ms: 0 };
  /** Files per status, kept as they change: progress is reported after every file. */
  private readonly counts: Record<FileStatus, number> = { queued: 0, running: 0, done: 0, skipped: 0, failed: 0 };
  readonly done: Promise<BatchReport>;

  constructor(
    private readonly opts: BatchOptions,
    private readonly runTool: RunTool,
    private readonly openOptions: OpenOptions,
    private readonly onFile: (f: FileReport) => void,
    private readonly onProgress: (p: BatchProgress) => void,
  ) {
    this.done = this.run();
  }

  pause(): void {
    this.paused = true;
    this.onProgress(this.progress());
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
    this.onProgress(this.progress());
  }

  cancel(): void {
    this.cancelled = true;
    for (const stop of this.running.values()) stop();
    this.wake?.();
  }

  progress(): BatchProgress {
    const { done, skipped, failed } = this.counts;
    const minutes = (Date.now() - this.startedAt.getTime()) / 60_000;
    const worked = this.processedMs.length;
    const rate = worked > 0 && minutes > 0 ? worked / minutes : null;
    const now = performance.now();
    return {
      total: this.files.length,
      done,
      skipped,
      failed,
      running: [...this.running.keys()],
      paused: this.paused,
      filesPerMinute: rate,
      etaSeconds: secondsLeft({
        finished: this.finishedWork,
        running: [...this.startedFile.values()].map((r) => ({ bytes: r.bytes, elapsedMs: now - r.at })),
        queued: this.queuedWork,
        concurrency: Math.max(1, this.opts.concurrency),
      }),
    };
  }

  private set(file: FileReport, patch: Partial<FileReport>): void {
    this.counts[file.status]--;
    this.tally(file, -1);
    Object.assign(file, patch);
    this.counts[file.status]++;
    this.tally(file, 1);
    this.onFile({ ...file });
    this.onProgress(this.progress());
  }

  /** Adds a file to (1) or takes it from (-1) the work waiting or finished, by its status. */
  private tally(file: FileReport, sign: 1 | -1): void {
    const bytes = sign * (file.bytes ?? 0);
    if (file.status === 'queued') {
      this.queuedWork.files += sign;
      this.queuedWork.bytes += bytes;
    } else if ((file.status === 'done' || file.status === 'failed') && file.ms !== undefined) {
      this.finishedWork.files += sign;
      this.finishedWork.bytes += bytes;
      this.finishedWork.ms += sign * file.ms;
    }
  }

  private async run(): Promise<BatchReport> {
    let journal!: Journal;
    const plan = await planBatch(this.opts, async ({ input, output }) => {
      journal = await Journal.open(output, Journal.key({ input, output, recipe: this.opts.recipe }));
      return {
        date: journal.last.values().next().value?.at.slice(0, 10) ?? this.startedAt.toISOString().slice(0, 10),
        earlier: (rel) => journal.last.get(rel)?.output ?? null,
      };
    });
    const { input, output } = plan;
    this.files.push(...plan.photos);
    await clearDebris(output, this.files);
    const queue = [...this.files];
    this.counts.queued = queue.length;
    for (const file of queue) this.tally(file, 1);
    // Files that are not photos by their name (notes, sidecars, videos) are left alone and listed as skipped.
    this.files.push(...plan.others);
    this.counts.skipped += plan.others.length;
    this.onProgress(this.progress());

    const worker = async () => {
      for (let file = queue.shift(); file && !this.stopping; file = queue.shift()) {
        while (this.paused && !this.stopping) await new Promise<void>((r) => (this.wake = r));
        if (this.stopping) break;
        await this.process(file, input, output, journal);
      }
    };
    // The time left changes while a file runs, not only when one ends.
    const tick = setInterval(() => this.startedFile.size > 0 && this.onProgress(this.progress()), PROGRESS_EVERY_MS);
    try {
      await Promise.all(Array.from({ length: Math.max(1, this.opts.concurrency) }, worker));
    } finally {
      clearInterval(tick);
    }
    return this.finish(input, output);
  }

  private get stopping(): boolean {
    return this.cancelled || this.stoppedBecause !== null;
  }

  /** Stops taking new files (the running ones finish or fail on their own): nothing more can be written. */
  private stop(reason: string): void {
    if (this.stoppedBecause) return;
    this.stoppedBecause = reason;
    for (const cancel of this.running.values()) cancel();
    this.wake?.();
  }

  /**
   * Appends to the journal. When it cannot be written the batch stops with that reason in its
   * report instead of failing whole: what is done is done, but a later run could not tell.
   */
  private async record(journal: Journal, r: Parameters<Journal['write']>[0]): Promise<void> {
    try {
      await journal.write(r);
    } catch (err) {
      this.stop(
        isOutOfSpace(err) ? diskFull(resolve(this.opts.output)) : `the batch journal ${journal.path} cannot be written (${describeFsError(err, journal.path)})`,
      );
    }
  }

  private async process(file: FileReport, input: string, output: string, journal: Journal): Promise<void> {
    const target = join(output, file.output!);
    const source = join(input, file.input);
    const before = journal.last.get(file.input);
    if (before && doneEarlier(before, target)) return this.set(file, { status: 'done', reason: 'done in an earlier run' });
    if (this.opts.skipExisting && existsSync(target)) return this.set(file, { status: 'skipped', reason: 'the output exists' });
    const t0 = performance.now();
    this.startedFile.set(file.input, { bytes: file.bytes ?? 0, at: t0 });
    this.set(file, { status: 'running' });
    try {
      await this.record(journal, { rel: file.input, status: 'started', output: file.output });
      const rendered = await renderPhoto(source, target, {
        outputFolder: output,
        recipe: this.opts.recipe,
        runTool: this.runTool,
        openOptions: this.openOptions,
        recordAiProvenance: this.opts.recordAiProvenance,
        stopping: () => this.stopping,
        onRun: (cancel) => this.running.set(file.input, cancel ?? (() => {})),
      });
      if (rendered.notices.length) file.note = [file.note, ...rendered.notices].filter(Boolean).join(' ');
      this.inferenceRuns += rendered.inferenceRuns;
      for (const d of rendered.devices) this.devices.add(d);
      this.inferenceMs += rendered.inferenceMs;
      await this.record(journal, { rel: file.input, status: 'done', output: file.output });
      this.processedMs.push(performance.now() - t0);
      this.set(file, { status: 'done', ms: Math.round(performance.now() - t0) });
    } catch (err) {
      const cancelled = isCancelled(err);
      if (isOutOfSpace(err)) this.stop(diskFull(output));
      const reason = cancelled ? (this.stoppedBecause ?? 'cancelled') : errorMessage(err);
      if (!cancelled) await this.record(journal, { rel: file.input, status: 'failed', output: null, reason });
      this.processedMs.push(performance.now() - t0);
      this.set(file, {
        status: cancelled ? 'queued' : 'failed',
        reason,
        output: cancelled ? file.output : null,
        ...(cancelled ? {} : { ms: Math.round(performance.now() - t0) }),
      });
    } finally {
      this.running.delete(file.input);
      this.startedFile.delete(file.input);
    }
  }

  private finish(input: string, output: string): Promise<BatchReport> {
    return writeReport({
      recipe: this.opts.recipe.name,
      input,
      output,
      startedAt: this.startedAt.toISOString(),
      cancelled: this.cancelled,
      stoppedBecause: this.stoppedBecause,
      inferenceRuns: this.inferenceRuns,
      inferenceMs: Math.round(this.inferenceMs),
      devices: [...this.devices],
      files: this.files,
    });
  }
}
