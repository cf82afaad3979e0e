import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { GanvasError } from '../errors.js';
import { appRoot } from '../paths.js';
import { MODEL_TASKS, type ModelTask } from './tasks.js';

const tensorSpec = z.object({
  name: z.string(),
  dtype: z.enum(['float32', 'uint8']),
  shape: z.array(z.union([z.number().int(), z.string()])),
  role: z.enum(['image', 'mask', 'style', 'aux']),
  range: z.tuple([z.number(), z.number()]).optional(),
});

const tiling = z.object({
  /** free: fully convolutional, tile only to bound memory; none: whole-image statistics, never tile. */
  mode: z.enum(['free', 'none']),
  minTile: z.number().int().positive().optional(),
  maxTile: z.number().int().positive().optional(),
  overlap: z.number().int().nonnegative().optional(),
  /**
   * For networks slow enough that a tile could keep a cancel waiting: tiles are sized from the
   * model's measured speed to take at most this long (the model's smallest tile until it is measured).
   */
  maxTileSeconds: z.number().positive().optional(),
  workingSize: z.number().int().positive().optional(),
});

const tensorContractSchema = z.object({
  inputs: z.array(tensorSpec).min(1),
  outputs: z.array(tensorSpec).min(1),
  layout: z.literal('NCHW'),
  channelOrder: z.enum(['RGB', 'BGR']),
  /** Output pixels per input pixel along each axis. */
  scale: z.number().int().positive(),
  clamp: z.boolean(),
  multipleOf: z.number().int().positive(),
  minSize: z.number().int().positive(),
  /** [height, width] for networks that take one size only. */
  fixedSize: z.tuple([z.number().int(), z.number().int()]).optional(),
  mask: z.object({ hole: z.number(), keep: z.number() }).optional(),
  composited: z.boolean().optional(),
  /**
   * For networks that upsample inside (nearest resize or strided transposed convolution): the
   * period in output pixels of the grid pattern that upsampling can leave, which is taken out.
   */
  gridPeriod: z.number().int().min(2).optional(),
  tiling,
  /** Peak working memory of one run, to size tiles: baseBytes + bytesPerInputPixel * pixels. */
  memory: z.object({ bytesPerInputPixel: z.number().positive(), baseBytes: z.number().nonnegative() }),
  notes: z.string().optional(),
});

const otherContract = z.object({
  kind: z.enum(['data', 'unavailable']),
  format: z.string().optional(),
  notes: z.string(),
});

const modelEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/),
  task: z.enum(MODEL_TASKS),
  displayName: z.string(),
  /** Path inside a mirror folder; the installed file takes its base name. */
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  bytes: z.number().int().positive().nullable(),
  licence: z.string(),
  source: z.string(),
  /**
   * mirror: from a folder (or its URL); download: from its URL; bundled: only in the app's models/
   * folder (a rewrite of a mirror model, see derivedFrom); custom: the user's own file;
   * unavailable: no source.
   */
  availability: z.enum(['mirror', 'download', 'bundled', 'custom', 'unavailable']),
  /** Shipped in the app's models/ folder at `file`; no install step. */
  bundled: z.boolean().default(false),
  url: z.string().url().nullable().optional(),
  /** The published file this one was rewritten from, exactly (same outputs), and the script that did it. */
  derivedFrom: z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), rewrite: z.string() }).optional(),
  contract: z.union([tensorContractSchema, otherContract]),
});

const catalogSchema = z.object({
  version: z.literal(1),
  models: z.array(modelEntrySchema),
});

export type TensorSpec = z.infer<typeof tensorSpec>;
export type TensorContract = z.infer<typeof tensorContractSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type Catalog = z.infer<typeof catalogSchema>;
export type { ModelTask };

export function isTensorContract(c: ModelEntry['contract']): c is TensorContract {
  return 'inputs' in c;
}

/** The catalog shipped with the app: models/catalog.json at the repository (or app) root. */
export const bundledCatalogPath = join(appRoot, 'models', 'catalog.json');

export function parseCatalog(json: unknown, source: string): Catalog {
  const parsed = catalogSchema.safeParse(json);
  if (!parsed.success) {
    throw new GanvasError('INVALID_INPUT', `${source} is not a valid model catalog: ${z.prettifyError(parsed.error)}`);
  }
  const ids = new Set<string>();
  for (const m of parsed.data.models) {
    if (ids.has(m.id)) throw new GanvasError('INVALID_INPUT', `${source} lists model "${m.id}" twice.`);
    ids.add(m.id);
  }
  return parsed.data;
}

/** The user's own models (added from ONNX files), kept beside them in the models folder. */
export const customCatalogPath = (modelsDir: string): string => join(modelsDir, 'custom-models.json');

/**
 * The catalog: the one shipped with the app, plus the user's own models when `modelsDir` is given
 * (a damaged list of custom models is ignored rather than stopping the app).
 */
export function loadCatalog(path = bundledCatalogPath, modelsDir?: string): Catalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GanvasError('NOT_FOUND', `The model catalog ${path} cannot be read.`, { cause: err });
  }
  const catalog = parseCatalog(JSON.parse(text), path);
  if (!modelsDir) return catalog;
  try {
    const custom = parseCatalog(JSON.parse(readFileSync(customCatalogPath(modelsDir), 'utf8')), customCatalogPath(modelsDir));
    const known = new Set(catalog.models.map((m) => m.id));
    return { ...catalog, models: [...catalog.models, ...custom.models.filter((m) => m.availability === 'custom' && !known.has(m.id))] };
  } catch {
    return catalog;
  }
}

export function findModel(catalog: Catalog, id: string): ModelEntry {
  const m = catalog.models.find((x) => x.id === id);
  if (!m) {
    const known = catalog.models.map((x) => x.id).join(', ');
    throw new GanvasError('MODEL_UNKNOWN', `Unknown model "${id}". Known models: ${known}.`);
  }
  return m;
}

export function tensorContract(model: ModelEntry): TensorContract {
  if (!isTensorContract(model.contract)) {
    throw new GanvasError('INVALID_INPUT', `Model "${model.id}" is not a runnable network (${model.contract.kind}).`);
  }
  return model.contract;
}
