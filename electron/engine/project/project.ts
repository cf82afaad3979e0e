import { promisify } from 'node:util';
import { totalmem } from 'node:os';
import { deflate, inflate } from 'node:zlib';
import { z } from 'zod';
import { basename } from 'node:path';
import { GanvasError } from '../errors.js';
import { describeFsError } from '../files.js';
import { exifThatFits } from '../images/exif.js';
import { xmpThatFits } from '../images/xmp.js';
import { DEFAULT_PIXEL_LIMIT } from '../images/open.js';
import { allocRaster, hasAlpha, type Raster } from '../images/raster.js';
import { BLEND_MODES } from '../document/blend.js';
import { PhotoDocument, type StructureStep } from '../document/document.js';
import type { HistoryStore, StoredPixels } from '../document/history-store.js';
import type { AiEdit, Layer, LayerOrigin, LayerStep } from '../document/layer.js';
import { layerIdSchema, type DocId, type LayerId } from '../ids.js';
import { currentToolId } from '../tools/specs.js';
import { ContainerReader, ContainerWriter } from './container.js';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

export const PROJECT_EXTENSION = 'ganvas';
/** Version of the manifest's layout; a reader refuses what is newer than it knows. */
const PROJECT_VERSION = 1;

/** No side of a canvas, layer or placement is longer than this (the pixel limit keeps areas sane). */
const MAX_SIDE = 1_000_000;
const side = z.number().int().positive().max(MAX_SIDE);
const offset = z.number().int().min(-MAX_SIDE).max(MAX_SIDE);
const rect = z.object({ x: offset, y: offset, width: side, height: side });
const rasterRef = z.object({
  entry: z.string(),
  width: side,
  height: side,
  channels: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  depth: z.union([z.literal(8), z.literal(16)]),
});
const aiEdit = z.object({
  toolId: z.string().transform(currentToolId),
  modelId: z.string(),
  provider: z.string(),
  params: z.unknown(),
  label: z.string().optional(),
});
const origin = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('image'), fileName: z.string() }),
  z.object({ kind: z.literal('empty') }),
  aiEdit.extend({ kind: z.literal('ai') }),
  z.object({ kind: z.literal('composite'), aiEdits: z.array(aiEdit) }),
]);
const props = z.object({ name: z.string(), visible: z.boolean(), locked: z.boolean(), opacity: z.number().min(0).max(1), blend: z.enum(BLEND_MODES) });
const storedRef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('raster'), raster: rasterRef }),
  z.object({ kind: z.literal('patches'), entry: z.string(), channels: rasterRef.shape.channels, depth: rasterRef.shape.depth, rects: z.array(rect) }),
]);
const layerStep = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('props'), label: z.string(), props: props.partial() }),
  z.object({ kind: z.literal('pixels'), label: z.string(), target: z.enum(['pixels', 'mask']), stored: storedRef.nullable(), ai: aiEdit.nullable() }),
]);
const stacks = <T extends z.ZodType>(step: T) => z.object({ done: z.array(step), undone: z.array(step) });
const structureStep = z.object({
  label: z.string(),
  width: side,
  height: side,
  placements: z.array(z.object({ layerId: layerIdSchema, bounds: rect })),
});
const historyScope = z.union([z.literal('document'), z.object({ layerId: layerIdSchema })]);
const timelineEntry = z.object({
  label: z.string(),
  moves: z.array(z.object({ scope: historyScope, before: z.number().int().min(0), after: z.number().int().min(0) })),
});
const manifestSchema = z.object({
  format: z.literal('ganvas-project'),
  version: z.number().int(),
  savedAt: z.string(),
  canvas: z.object({ width: side, height: side }),
  source: z.object({
    path: z.string(),
    fileName: z.string(),
    format: z.string(),
    orientation: z.number().int(),
    bitDepth: z.union([z.literal(8), z.literal(16)]),
    exif: z.string().nullable(),
    icc: z.string().nullable(),
    /** Absent in projects saved before the photo's XMP was kept. */
    xmp: z.string().nullable().optional(),
  }),
  nextLayer: z.number().int().positive(),
  stack: z.array(z.object({ layerId: layerIdSchema, bounds: rect })),
  layers: z.record(layerIdSchema, z.object({ props, origin, raster: rasterRef, mask: rasterRef.nullable(), history: stacks(layerStep).nullable() })),
  documentHistory: stacks(structureStep).nullable(),
  /** The order of all the histories' steps (Ctrl+Z); absent in projects saved before it was kept. */
  timeline: stacks(timelineEntry).nullable().optional(),
});
type Manifest = z.infer<typeof manifestSchema>;
type RasterRef = z.infer<typeof rasterRef>;
type StoredRef = z.infer<typeof storedRef>;

export interface SaveOptions {
  /** Leave out undo histories: a smaller file that opens with nothing to undo. */
  includeHistory: boolean;
}

function bytesOf(data: Uint8Array | Uint16Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Writes the document as one project file, atomically: into a temporary file beside `path`,
 * flushed, then renamed over it. Layers, masks and history pixels are stored losslessly at
 * their own depth (16-bit stays 16-bit), deflated.
 */
export async function saveProject(doc: PhotoDocument, path: string, opts: SaveOptions): Promise<void> {
  // Everything is gathered before the first await: rasters are immutable, so this is a
  // consistent snapshot even if the user keeps editing while the file is written.
  const docHistory = opts.includeHistory ? doc.history.snapshot() : null;
  const timeline = opts.includeHistory ? doc.timeline.snapshot() : null;
  const reachable = new Set<Layer>(doc.layers);
  for (const s of docHistory ? [...docHistory.done, ...docHistory.undone] : []) for (const p of s.placements) reachable.add(p.layer);
  const layerStates = [...reachable].map((l) => ({
    layer: l,
    props: l.props,
    raster: l.raster,
    mask: l.mask,
    history: opts.includeHistory ? l.history.snapshot() : null,
  }));
  const stack = doc.layers.map((l) => ({ layerId: l.id, bounds: l.bounds }));
  const { width, height, source, nextLayer } = doc;

  const out = await ContainerWriter.create(path).catch((err: unknown) => {
    throw new GanvasError('WRITE_FAILED', `Could not save ${basename(path)}: ${describeFsError(err, path, true)}.`, { cause: err });
  });
  try {
    const writeRaster = async (entry: string, r: Raster): Promise<RasterRef> => {
      await out.add(entry, await deflateAsync(bytesOf(r.data), { level: 1 }));
      return { entry, width: r.width, height: r.height, channels: r.channels, depth: r.depth };
    };
    const writeStored = async (entry: string, v: StoredPixels): Promise<StoredRef> => {
      if (v.kind === 'raster') return { kind: 'raster', raster: await writeRaster(entry, v.raster) };
      const { channels, depth, rects, data } = v.patches;
      await out.add(entry, await deflateAsync(bytesOf(data), { level: 1 }));
      return { kind: 'patches', entry, channels, depth, rects };
    };
    const writeStep = async (prefix: string, s: LayerStep): Promise<z.infer<typeof layerStep>> => {
      if (s.kind === 'props') return s;
      const stored = s.blob === null ? null : await writeStored(prefix, await doc.store.get(s.blob));
      return { kind: 'pixels', label: s.label, target: s.target, ai: s.ai, stored };
    };
    const layers: Manifest['layers'] = {};
    for (const st of layerStates) {
      const base = `layers/${st.layer.id}`;
      const history = st.history && {
        done: await Promise.all(st.history.done.map((s, i) => writeStep(`${base}/history/done-${i}`, s))),
        undone: await Promise.all(st.history.undone.map((s, i) => writeStep(`${base}/history/undone-${i}`, s))),
      };
      layers[st.layer.id] = {
        props: st.props,
        origin: st.layer.origin,
        raster: await writeRaster(`${base}/pixels`, st.raster),
        mask: st.mask && (await writeRaster(`${base}/mask`, st.mask)),
        history,
      };
    }
    const structure = (s: StructureStep) => ({
      label: s.label,
      width: s.width,
      height: s.height,
      placements: s.placements.map((p) => ({ layerId: p.layer.id, bounds: p.bounds })),
    });
    const manifest: Manifest = {
      format: 'ganvas-project',
      version: PROJECT_VERSION,
      savedAt: new Date().toISOString(),
      canvas: { width, height },
      source: {
        path: source.path,
        fileName: source.meta.fileName,
        format: source.meta.format,
        orientation: source.meta.orientation,
        bitDepth: source.meta.bitDepth,
        exif: source.meta.exif && (await out.add('source/exif', source.meta.exif)),
        icc: source.meta.icc && (await out.add('source/icc', source.meta.icc)),
        xmp: source.meta.xmp && (await out.add('source/xmp', new TextEncoder().encode(source.meta.xmp))),
      },
      nextLayer,
      stack,
      layers,
      documentHistory: docHistory && { done: docHistory.done.map(structure), undone: docHistory.undone.map(structure) },
      timeline,
    };
    await out.commit(manifest, path);
  } catch (err) {
    await out.abort();
    throw new GanvasError('WRITE_FAILED', `Could not save ${basename(path)}: ${describeFsError(err, path, true)}.`, { cause: err });
  }
}

/** The pixels a project's live layers may declare: they are all held in memory at once. */
export const LAYER_MEMORY_BUDGET = Math.min(totalmem() / 2, 32 * 2 ** 30);
/** All the pixels a project may declare, undo history included (that waits on disk when memory is short, so twice the layers' share). */
export const PROJECT_PIXEL_BUDGET = 2 * LAYER_MEMORY_BUDGET;

/**
 * Refuses a project that would amplify: two parts pointing at one stored entry (so one small
 * entry inflates again and again), layers declaring more pixels than memory can hold, or layers
 * and history together more than memory and the history's disk cache can (each entry is also
 * held to deflate's ratio when it is read).
 */
function checkAmplification(m: Manifest, name: string): void {
  const pixelRefs: { entry: string; bytes: number; live: boolean }[] = [];
  const raster = (r: RasterRef, live: boolean) => pixelRefs.push({ entry: r.entry, bytes: (r.width * r.height * r.channels * r.depth) / 8, live });
  const stored = (s: StoredRef | null) => {
    if (s?.kind === 'raster') raster(s.raster, false);
    else if (s) pixelRefs.push({ entry: s.entry, bytes: s.rects.reduce((n, q) => n + (q.width * q.height * s.channels * s.depth) / 8, 0), live: false });
  };
  for (const l of Object.values(m.layers)) {
    raster(l.raster, true);
    if (l.mask) raster(l.mask, true);
    for (const step of [...(l.history?.done ?? []), ...(l.history?.undone ?? [])]) if (step.kind === 'pixels') stored(step.stored);
  }
  const entries = [...pixelRefs.map((r) => r.entry), m.source.exif, m.source.icc].filter((e): e is string => e !== null);
  if (new Set(entries).size !== entries.length)
    throw new GanvasError(
      'PROJECT_UNREADABLE',
      `${name} cannot be opened: several of its parts share one stored entry, which Ganvas never writes (a damaged or crafted file).`,
    );
  const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GB`;
  const live = pixelRefs.filter((r) => r.live).reduce((n, r) => n + r.bytes, 0);
  if (live > LAYER_MEMORY_BUDGET)
    throw new GanvasError(
      'IMAGE_TOO_LARGE',
      `${name} cannot be opened: its layers declare ${gb(live)} of pixels, more than this computer's memory allows (${gb(LAYER_MEMORY_BUDGET)}).`,
    );
  const all = pixelRefs.reduce((n, r) => n + r.bytes, 0);
  if (all > PROJECT_PIXEL_BUDGET)
    throw new GanvasError(
      'IMAGE_TOO_LARGE',
      `${name} cannot be opened: its layers and undo history declare ${gb(all)} of pixels, more than this computer can hold (${gb(PROJECT_PIXEL_BUDGET)}).`,
    );
}

/** The number the next layer gets: above every id the file has (a damaged counter would give two layers one id), repaired with a notice. */
function layerNumbering(m: Manifest, lost: string[]): number {
  const highest = Math.max(0, ...Object.keys(m.layers).map((id) => Number(/^layer-(\d{1,9})$/.exec(id)?.[1] ?? 0)));
  if (m.nextLayer > highest && m.nextLayer <= MAX_LAYER_NUMBER) return m.nextLayer;
  lost.push(`The project's layer numbering was damaged (${m.nextLayer}); it was repaired`);
  return highest + 1;
}

/** Layer ids stay small numbers: one beyond this is a damaged counter (2^53 − 1 saved a file that could not be opened again). */
const MAX_LAYER_NUMBER = 2 ** 31;

export interface LoadedProject {
  doc: PhotoDocument;
  /** What could not be restored, one line each, naming the layer and the problem. */
  lost: string[];
}

/**
 * deflate packs at most about 1032:1, so an entry cannot hold more than this many times its own
 * length: a declared size beyond that is a lie (a damaged file or a decompression bomb).
 */
const MAX_DEFLATE_RATIO = 1100;

/**
 * Opens a project file. Damaged parts are replaced (empty layer, no mask, no history) and listed
 * in `lost`. Sizes declared in the file are checked against `pixelLimit` and against the file's
 * own bytes before anything is allocated, and nothing inflates past the size it should have.
 */
export async function loadProject(path: string, docId: DocId, store: HistoryStore, pixelLimit = DEFAULT_PIXEL_LIMIT): Promise<LoadedProject> {
  const name = basename(path);
  const unreadable = (problem: string) => new GanvasError('PROJECT_UNREADABLE', `${name} cannot be opened: ${problem}.`);
  const file = await ContainerReader.open(path);
  try {
    const raw = file.manifest;
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success) {
      // Only a manifest that is otherwise ours and counts one of the next versions is "newer".
      const { version, format } = raw;
      if (
        format === 'ganvas-project' &&
        typeof version === 'number' &&
        Number.isInteger(version) &&
        version > PROJECT_VERSION &&
        version <= PROJECT_VERSION + 100
      ) {
        throw new GanvasError(
          'PROJECT_TOO_NEW',
          `${name} was saved by a newer Ganvas (project version ${version}; this version reads up to ${PROJECT_VERSION}). Update Ganvas to open it.`,
        );
      }
      throw unreadable(`its table of contents is damaged (${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? 'invalid'})`);
    }
    const m = parsed.data;
    if (m.version !== PROJECT_VERSION) throw unreadable(`its table of contents is damaged (project version ${m.version})`);
    const tooLarge = (what: string, w: number, h: number) =>
      new GanvasError('IMAGE_TOO_LARGE', `${name} cannot be opened: ${what} is ${w}×${h}, more pixels than the limit of this app.`);
    if (m.canvas.width * m.canvas.height > pixelLimit) throw tooLarge('its canvas', m.canvas.width, m.canvas.height);
    for (const l of Object.values(m.layers)) {
      for (const ref of [l.raster, l.mask]) if (ref && ref.width * ref.height > pixelLimit) throw tooLarge(`layer “${l.props.name}”`, ref.width, ref.height);
    }
    const lost: string[] = [];
    checkAmplification(m, name);
    const nextLayer = layerNumbering(m, lost);
    const stack = m.stack.filter((p, i) => {
      const first = m.stack.findIndex((q) => q.layerId === p.layerId) === i;
      if (!first) lost.push(`Layer ${p.layerId} was listed twice in the layer stack; it is kept once`);
      return first;
    });

    const readBytes = async (entry: string, what: string): Promise<Buffer | null> => {
      const r = await file.read(entry);
      if (!r.ok) lost.push(`${what}: ${r.problem}`);
      return r.ok ? r.data : null;
    };
    const readSamples = async (entry: string, depth: 8 | 16, expected: number, what: string) => {
      const expectedBytes = expected * (depth / 8);
      const stored = file.entry(entry)?.length;
      if (stored !== undefined && expectedBytes > (stored + 64) * MAX_DEFLATE_RATIO) {
        lost.push(`${what}: damaged (its declared size cannot come from ${stored} bytes)`);
        return null;
      }
      const bytes = await readBytes(entry, what);
      if (!bytes) return null;
      const plain = await inflateAsync(bytes, { maxOutputLength: Math.max(1, expectedBytes) }).catch(() => null);
      if (!plain || plain.byteLength !== expectedBytes) {
        lost.push(`${what}: damaged (cannot be decompressed)`);
        return null;
      }
      const r = allocRaster(expected, 1, 1, depth);
      bytesOf(r.data).set(plain);
      return r.data;
    };
    const readRaster = async (ref: RasterRef, what: string): Promise<Raster | null> => {
      const data = await readSamples(ref.entry, ref.depth, ref.width * ref.height * ref.channels, what);
      return data && { width: ref.width, height: ref.height, channels: ref.channels, depth: ref.depth, data };
    };
    const readStored = async (ref: StoredRef, what: string): Promise<StoredPixels | null> => {
      if (ref.kind === 'raster') {
        const r = await readRaster(ref.raster, what);
        return r && { kind: 'raster', raster: r };
      }
      const samples = ref.rects.reduce((n, q) => n + q.width * q.height * ref.channels, 0);
      const data = await readSamples(ref.entry, ref.depth, samples, what);
      return data && { kind: 'patches', patches: { channels: ref.channels, depth: ref.depth, rects: ref.rects, data } };
    };

    const meta = {
      // Only ever a name: it pre-fills the Export dialog, where `../../x` would lead elsewhere.
      fileName: basename(m.source.fileName.replaceAll('\\', '/')) || 'photo',
      format: m.source.format,
      orientation: m.source.orientation,
      bitDepth: m.source.bitDepth,
      exif: exifThatFits(m.source.exif ? await readBytes(m.source.exif, 'The photo’s EXIF metadata') : null, 'The photo', lost),
      icc: m.source.icc ? await readBytes(m.source.icc, 'The photo’s colour profile') : null,
      xmp: xmpThatFits((m.source.xmp && (await readBytes(m.source.xmp, 'The photo’s XMP metadata'))?.toString('utf8')) ?? null, 'The photo', lost),
    };
    const doc = new PhotoDocument(docId, { path: m.source.path, meta }, store, m.canvas);

    const layers = new Map<string, Layer>();
    for (const [id, l] of Object.entries(m.layers) as [LayerId, (typeof m.layers)[LayerId]][]) {
      const name = `Layer “${l.props.name}”`;
      let raster = await readRaster(l.raster, `${name} pixels`);
      if (!raster) {
        const channels = hasAlpha(l.raster) ? l.raster.channels : l.raster.channels === 1 ? 2 : 4;
        raster = allocRaster(l.raster.width, l.raster.height, channels, l.raster.depth);
        lost[lost.length - 1] += '; the layer is now empty';
      }
      const mask = l.mask && (await readRaster(l.mask, `${name} mask`));
      const layer = doc.createLayer(
        { name: l.props.name, raster, mask, bounds: { x: 0, y: 0, width: 1, height: 1 }, origin: l.origin as LayerOrigin, props: l.props },
        id,
      );
      if (l.history) {
        const steps = async (list: z.infer<typeof layerStep>[]): Promise<LayerStep[] | null> => {
          const outSteps: LayerStep[] = [];
          for (const s of list) {
            if (s.kind === 'props') {
              outSteps.push(s);
              continue;
            }
            const stored = s.stored && (await readStored(s.stored, `${name} undo history`));
            if (s.stored && !stored) return null;
            outSteps.push({ kind: 'pixels', label: s.label, target: s.target, ai: s.ai as AiEdit | null, blob: stored && store.put(stored) });
          }
          return outSteps;
        };
        const done = await steps(l.history.done);
        const undone = done && (await steps(l.history.undone));
        if (done && undone) layer.history.restore({ done, undone });
        else {
          for (const s of [...(done ?? []), ...(undone ?? [])]) if (s.kind === 'pixels' && s.blob !== null) store.release(s.blob);
          lost[lost.length - 1] += '; that layer’s undo history was dropped';
        }
      }
      layers.set(id, layer);
    }
    const place = (p: { layerId: string; bounds: z.infer<typeof rect> }) => {
      const layer = layers.get(p.layerId);
      if (!layer) throw unreadable(`it refers to a layer (${p.layerId}) it does not contain`);
      return { layer, bounds: p.bounds };
    };
    doc.restore(stack.map(place), nextLayer, path);
    if (m.documentHistory) {
      const structure = (s: z.infer<typeof structureStep>): StructureStep => ({ ...s, placements: s.placements.map(place) });
      doc.history.restore({ done: m.documentHistory.done.map(structure), undone: m.documentHistory.undone.map(structure) });
    }
    // Only with every history intact: the timeline's positions refer to them.
    if (m.timeline && lost.length === 0) doc.timeline.restore(m.timeline);
    return { doc, lost };
  } finally {
    await file.close();
  }
}
