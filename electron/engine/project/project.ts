import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import { z } from 'zod';
import { GanvasError } from '../errors.js';
import { allocRaster, hasAlpha, type Raster } from '../images/raster.js';
import { BLEND_MODES } from '../document/blend.js';
import { PhotoDocument, type StructureStep } from '../document/document.js';
import type { HistoryStore, StoredPixels } from '../document/history-store.js';
import type { AiEdit, Layer, LayerOrigin, LayerStep } from '../document/layer.js';
import { ContainerReader, ContainerWriter } from './container.js';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

export const PROJECT_EXTENSION = 'ganvas';
/** Version of the manifest's layout; a reader refuses what is newer than it knows. */
export const PROJECT_VERSION = 1;

const rect = z.object({ x: z.number().int(), y: z.number().int(), width: z.number().int().positive(), height: z.number().int().positive() });
const rasterRef = z.object({
  entry: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  channels: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  depth: z.union([z.literal(8), z.literal(16)]),
});
const aiEdit = z.object({ toolId: z.string(), modelId: z.string(), provider: z.string(), params: z.unknown() });
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
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  placements: z.array(z.object({ layerId: z.string(), bounds: rect })),
});
const manifestSchema = z.object({
  format: z.literal('ganvas-project'),
  version: z.number().int(),
  savedAt: z.string(),
  canvas: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  source: z.object({
    path: z.string(),
    fileName: z.string(),
    format: z.string(),
    orientation: z.number().int(),
    bitDepth: z.union([z.literal(8), z.literal(16)]),
    exif: z.string().nullable(),
    icc: z.string().nullable(),
  }),
  nextLayer: z.number().int().positive(),
  stack: z.array(z.object({ layerId: z.string(), bounds: rect })),
  layers: z.record(z.string(), z.object({ props, origin, raster: rasterRef, mask: rasterRef.nullable(), history: stacks(layerStep).nullable() })),
  documentHistory: stacks(structureStep).nullable(),
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
  const reachable = new Set<Layer>(doc.layers);
  for (const s of docHistory ? [...docHistory.done, ...docHistory.undone] : []) for (const p of s.placements) reachable.add(p.layer);
  const layerStates = [...reachable].map((l) => ({ layer: l, props: l.props, raster: l.raster, mask: l.mask, history: opts.includeHistory ? l.history.snapshot() : null }));
  const stack = doc.layers.map((l) => ({ layerId: l.id, bounds: l.bounds }));
  const { width, height, source, nextLayer } = doc;

  const out = await ContainerWriter.create(path);
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
    const structure = (s: StructureStep) => ({ label: s.label, width: s.width, height: s.height, placements: s.placements.map((p) => ({ layerId: p.layer.id, bounds: p.bounds })) });
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
      },
      nextLayer,
      stack,
      layers,
      documentHistory: docHistory && { done: docHistory.done.map(structure), undone: docHistory.undone.map(structure) },
    };
    await out.commit(manifest, path);
  } catch (err) {
    await out.abort();
    throw err;
  }
}

export interface LoadedProject {
  doc: PhotoDocument;
  /** What could not be restored, one line each, naming the layer and the problem. */
  lost: string[];
}

/** Opens a project file. Damaged parts are replaced (empty layer, no mask, no history) and listed in `lost`. */
export async function loadProject(path: string, docId: string, store: HistoryStore): Promise<LoadedProject> {
  const file = await ContainerReader.open(path);
  try {
    const raw = file.manifest;
    if (typeof raw.version === 'number' && raw.version > PROJECT_VERSION) {
      throw new GanvasError('PROJECT_TOO_NEW', `${path} was saved by a newer Ganvas (project version ${raw.version}; this version reads up to ${PROJECT_VERSION}). Update Ganvas to open it.`);
    }
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success) throw new GanvasError('PROJECT_UNREADABLE', `${path} cannot be opened: its table of contents is not a Ganvas project manifest (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
    const m = parsed.data;
    const lost: string[] = [];

    const readBytes = async (entry: string, what: string): Promise<Buffer | null> => {
      const r = await file.read(entry);
      if (!r.ok) lost.push(`${what}: ${r.problem}`);
      return r.ok ? r.data : null;
    };
    const readSamples = async (entry: string, depth: 8 | 16, expected: number, what: string) => {
      const bytes = await readBytes(entry, what);
      if (!bytes) return null;
      const plain = await inflateAsync(bytes).catch(() => null);
      if (!plain || plain.byteLength !== expected * (depth / 8)) {
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
      fileName: m.source.fileName,
      format: m.source.format,
      orientation: m.source.orientation,
      bitDepth: m.source.bitDepth,
      exif: m.source.exif ? await readBytes(m.source.exif, 'The photo’s EXIF metadata') : null,
      icc: m.source.icc ? await readBytes(m.source.icc, 'The photo’s colour profile') : null,
    };
    const doc = new PhotoDocument(docId, { path: m.source.path, meta }, store, m.canvas);
    doc.nextLayer = m.nextLayer;

    const layers = new Map<string, Layer>();
    for (const [id, l] of Object.entries(m.layers)) {
      const name = `Layer “${l.props.name}”`;
      let raster = await readRaster(l.raster, `${name} pixels`);
      if (!raster) {
        const channels = hasAlpha(l.raster) ? l.raster.channels : l.raster.channels === 1 ? 2 : 4;
        raster = allocRaster(l.raster.width, l.raster.height, channels, l.raster.depth);
        lost[lost.length - 1] += '; the layer is now empty';
      }
      const mask = l.mask && (await readRaster(l.mask, `${name} mask`));
      const layer = doc.createLayer({ name: l.props.name, raster, mask, bounds: { x: 0, y: 0, width: 1, height: 1 }, origin: l.origin as LayerOrigin, props: l.props }, id);
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
      if (!layer) throw new GanvasError('PROJECT_UNREADABLE', `${path} cannot be opened: it refers to a layer (${p.layerId}) it does not contain.`);
      return { layer, bounds: p.bounds };
    };
    const current = m.stack.map(place);
    doc.layers = current.map((p) => p.layer);
    for (const p of current) p.layer.bounds = p.bounds;
    if (m.documentHistory) {
      const structure = (s: z.infer<typeof structureStep>): StructureStep => ({ ...s, placements: s.placements.map(place) });
      doc.history.restore({ done: m.documentHistory.done.map(structure), undone: m.documentHistory.undone.map(structure) });
    }
    doc.projectPath = path;
    return { doc, lost };
  } finally {
    await file.close();
  }
}
