/**
 * The one IPC contract: every call the renderer can make, its input schema (validated in main,
 * never trusted) and its result type, plus the events main sends. The renderer imports types only.
 */
import { z } from 'zod';
import { BLEND_MODES } from './engine/document/blend.js';
import { STROKE_LIMITS } from './engine/document/stroke.js';
import type { DocumentInfo, DoctorReport, EngineEvent, HistoryInfo, StylePreset } from './engine/engine.js';
import type { ErrorInfo } from './engine/errors.js';
import { EXPORT_FORMATS } from './engine/images/save.js';
import type { RecoveryEntry } from './engine/project/recovery.js';
import type { ModelStatus } from './engine/models/store.js';
import type { ModelListing } from './engine/models/manager.js';
import { CUSTOM_MODEL_TASKS, MODEL_TASKS, type CustomModelTask } from './engine/models/tasks.js';
import { settingsPatch, type Settings } from './engine/settings.js';
import { recipeSchema, type Recipe } from './engine/batch/recipe.js';
import { enhanceParams } from './engine/tools/enhance.js';
import { extendParams } from './engine/tools/extend.js';
import { inpaintParams } from './engine/tools/inpaint.js';
import { lowlightParams } from './engine/tools/lowlight.js';
import { styleParams } from './engine/tools/style.js';

const id = z.string().min(1).max(64);
const doc = { docId: id };
const layer = { docId: id, layerId: id };
const scope = z.union([z.literal('document'), z.object({ layerId: id })]);

export const exportSettings = z.object({
  format: z.enum(EXPORT_FORMATS),
  quality: z.number().int().min(1).max(100),
  bitDepth: z.union([z.literal(8), z.literal(16)]),
});

export const layerPropsPatch = z
  .object({
    name: z.string().trim().min(1).max(200),
    visible: z.boolean(),
    locked: z.boolean(),
    opacity: z.number().min(0).max(1),
    blend: z.enum(BLEND_MODES),
  })
  .partial();

const coordinate = z.number().finite().min(-1e6).max(1e6);
export const strokeSchema = z.object({
  points: z
    .array(z.tuple([coordinate, coordinate]))
    .min(1)
    .max(STROKE_LIMITS.points),
  radius: z.number().min(0.5).max(STROKE_LIMITS.radius),
  hardness: z.number().min(0).max(1),
  value: z.number().int().min(0).max(255),
  opacity: z.number().min(0).max(1),
});

export const calls = {
  /** Shows the system Open dialog (photos and projects); null when the user cancels. */
  openWithDialog: z.object({}),
  closeDocument: z.object(doc),
  documentInfo: z.object(doc),
  layerPreview: z.object({ ...layer, maxSide: z.number().int().min(16).max(8192) }),
  addLayer: z.object({
    ...doc,
    what: z.discriminatedUnion('kind', [z.object({ kind: z.literal('empty') }), z.object({ kind: z.literal('duplicate'), layerId: id })]),
  }),
  /** Shows the Open dialog and adds the chosen image as a layer; null when cancelled. */
  addLayerFromFileWithDialog: z.object(doc),
  deleteLayer: z.object(layer),
  moveLayer: z.object({ ...layer, index: z.number().int().min(0) }),
  setLayerProps: z.object({ ...layer, props: layerPropsPatch }),
  addMask: z.object({ ...layer, fill: z.enum(['reveal', 'hide']) }),
  removeMask: z.object(layer),
  paintMask: z.object({ ...layer, stroke: strokeSchema }),
  mergeDown: z.object(layer),
  flatten: z.object(doc),
  undo: z.object({ ...doc, scope }),
  redo: z.object({ ...doc, scope }),
  history: z.object({ ...doc, scope }),
  jumpHistory: z.object({ ...doc, scope, position: z.number().int().min(0) }),
  runTool: z.discriminatedUnion('tool', [
    z.object({ ...layer, tool: z.literal('enhance'), params: enhanceParams }),
    z.object({ ...layer, tool: z.literal('inpaint'), params: inpaintParams }),
    z.object({ ...layer, tool: z.literal('extend'), params: extendParams }),
    z.object({ ...layer, tool: z.literal('style'), params: styleParams }),
    z.object({ ...layer, tool: z.literal('lowlight'), params: lowlightParams }),
  ]),
  /** A tool's result on a copy of the layer at most `maxSide` pixels long, not added to the document. */
  previewTool: z.discriminatedUnion('tool', [
    z.object({ ...layer, maxSide: z.number().int().min(16).max(4096), tool: z.literal('style'), params: styleParams }),
    z.object({ ...layer, maxSide: z.number().int().min(16).max(4096), tool: z.literal('lowlight'), params: lowlightParams }),
  ]),
  /** Asks for a painting, then applies its style to the layer; null when cancelled. */
  styleFromPaintingWithDialog: z.object({ ...layer, params: styleParams }),
  stylePresets: z.object({}),
  saveStylePreset: z.object({ name: z.string().trim().min(1).max(100), vector: z.array(z.number().finite()).length(100) }),
  /** Marks (value 255) or unmarks (0) what Erase removes with a brush stroke, in canvas pixels. */
  paintSelection: z.object({ ...doc, stroke: strokeSchema }),
  selectShape: z.object({
    ...doc,
    shape: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('rect'),
        rect: z.object({ x: coordinate, y: coordinate, width: z.number().min(0).max(1e6), height: z.number().min(0).max(1e6) }),
      }),
      z.object({
        kind: z.literal('lasso'),
        points: z
          .array(z.tuple([coordinate, coordinate]))
          .min(3)
          .max(20_000),
      }),
    ]),
    value: z.union([z.literal(0), z.literal(255)]),
  }),
  invertSelection: z.object(doc),
  clearSelection: z.object(doc),
  selectionPreview: z.object({ ...doc, maxSide: z.number().int().min(16).max(8192) }),
  /** Catalog models (of one task, or all) with their state, for the Models window and the tools' model pickers. */
  models: z.object({ task: z.enum(MODEL_TASKS).optional() }),
  /** Starts downloading a model from its catalog URL; progress arrives as model-progress events. */
  downloadModel: z.object({ id }),
  cancelModelDownload: z.object({ id }),
  /** Asks for a folder (a model mirror, or where a downloaded file is) and installs what it holds; null when cancelled. */
  installModelsWithDialog: z.object({ ids: z.array(id).max(100).optional() }),
  removeModel: z.object({ id }),
  verifyModel: z.object({ id }),
  /** Asks for an ONNX file and adds it as the user's own model for a task, after checking it fits; null when cancelled. */
  addCustomModelWithDialog: z.object({
    task: z.enum(Object.keys(CUSTOM_MODEL_TASKS) as [CustomModelTask, ...CustomModelTask[]]),
    name: z.string().trim().min(1).max(60),
  }),
  cancelJob: z.object({ jobId: id }),
  /** Saves the project where it was saved before; with `saveAs` or the first time, asks where. Null when cancelled. */
  saveProject: z.object({ ...doc, saveAs: z.boolean() }),
  /** Shows the system Save dialog, then exports the flattened document there; null when cancelled. */
  exportWithDialog: z.object({ ...doc, settings: exportSettings }),
  /** Autosaves left by a session that crashed. */
  recoverable: z.object({}),
  restoreRecovery: z.object({ key: z.string().min(1).max(64) }),
  discardRecovery: z.object({ key: z.string().min(1).max(64) }),
  getSettings: z.object({}),
  updateSettings: settingsPatch,
  doctor: z.object({}),
  /** Shows the system folder dialog; the folder may then be used by a batch. Null when cancelled. */
  chooseFolder: z.object({ purpose: z.enum(['input', 'output']) }),
  /**
   * Starts a batch from a folder the user chose as input to one chosen as output, in this session's
   * folder dialogs. An output inside the input is written only after main asks the user.
   */
  startBatch: z.object({
    input: z.string().min(1).max(4096),
    output: z.string().min(1).max(4096),
    recipe: recipeSchema,
    recursive: z.boolean(),
    include: z.array(z.string().min(1).max(200)).max(50),
    exclude: z.array(z.string().min(1).max(200)).max(50),
    extensions: z.array(z.string().min(1).max(10)).max(50),
    skipExisting: z.boolean(),
    concurrency: z.number().int().min(1).max(16),
  }),
  controlBatch: z.object({ batchId: id, action: z.enum(['pause', 'resume', 'cancel']) }),
  recipeFromDocument: z.object(doc),
  saveRecipeWithDialog: z.object({ recipe: recipeSchema }),
  loadRecipeWithDialog: z.object({}),
} as const;

export type CallName = keyof typeof calls;
export type CallInput<K extends CallName> = z.input<(typeof calls)[K]>;

type DocumentCalls =
  | 'documentInfo'
  | 'addLayer'
  | 'deleteLayer'
  | 'moveLayer'
  | 'setLayerProps'
  | 'addMask'
  | 'removeMask'
  | 'paintMask'
  | 'mergeDown'
  | 'flatten'
  | 'undo'
  | 'redo'
  | 'jumpHistory'
  | 'restoreRecovery'
  | 'paintSelection'
  | 'selectShape'
  | 'invertSelection'
  | 'clearSelection';

export type CallResults = { [K in DocumentCalls]: DocumentInfo } & {
  openWithDialog: DocumentInfo | null;
  addLayerFromFileWithDialog: DocumentInfo | null;
  saveProject: DocumentInfo | null;
  closeDocument: null;
  layerPreview: { width: number; height: number; dataUrl: string };
  selectionPreview: { width: number; height: number; dataUrl: string } | null;
  models: ModelListing[];
  downloadModel: null;
  cancelModelDownload: null;
  installModelsWithDialog: { installed: string[]; failed: { id: string; reason: string }[] } | null;
  removeModel: null;
  verifyModel: ModelListing;
  addCustomModelWithDialog: ModelListing | null;
  previewTool: { width: number; height: number; dataUrl: string; warnings: string[] };
  styleFromPaintingWithDialog: { jobId: string } | null;
  stylePresets: StylePreset[];
  saveStylePreset: StylePreset[];
  history: HistoryInfo;
  runTool: { jobId: string };
  cancelJob: null;
  exportWithDialog: { path: string; width: number; height: number; aiEdits: number } | null;
  recoverable: RecoveryEntry[];
  discardRecovery: null;
  getSettings: Settings;
  updateSettings: Settings;
  doctor: DoctorReport;
  chooseFolder: string | null;
  startBatch: { batchId: string };
  controlBatch: null;
  recipeFromDocument: Recipe;
  saveRecipeWithDialog: string | null;
  loadRecipeWithDialog: Recipe | null;
};

export type MenuAction =
  | 'open'
  | 'save'
  | 'save-as'
  | 'export'
  | 'undo'
  | 'redo'
  | 'undo-document'
  | 'redo-document'
  | 'zoom-in'
  | 'zoom-out'
  | 'zoom-fit'
  | 'zoom-100'
  | 'help'
  | 'settings'
  | 'batch'
  | 'models';

export type AppEvent = EngineEvent | { type: 'menu'; action: MenuAction } | { type: 'document-opened'; doc: DocumentInfo };

/**
 * How a call's outcome crosses IPC: its result, or the failure with its code (Electron would pass
 * a thrown error's message only), so the renderer can act on the kind of failure.
 */
export type CallReply<T = unknown> = { ok: T } | { error: ErrorInfo };

/** What preload exposes on window.ganvas, and what the test bridge provides in its place. */
export interface GanvasApi {
  /** Resolves with the result; rejects with an Error that carries the failure's `code`. */
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallResults[K]>;
  onEvent(listener: (e: AppEvent) => void): () => void;
  /**
   * Opens a file the user dropped on the window. Its path is taken from the real `File` in preload
   * (Electron's webUtils), never from the page, so the page cannot name a path; null when the file
   * has none (e.g. made in the page).
   */
  openDroppedFile(file: File): Promise<DocumentInfo | null>;
}

export const IPC_CALL_PREFIX = 'ganvas:call:';
export const IPC_EVENT_CHANNEL = 'ganvas:event';
/** Not a contract call: only preload sends on it, with a path it got from a dropped `File`. */
export const IPC_DROP_CHANNEL = 'ganvas:drop';
export type { DocumentInfo, DoctorReport, EngineEvent, ErrorInfo, HistoryInfo, ModelListing, ModelStatus, Recipe, RecoveryEntry, Settings, StylePreset };
export type { BatchProgress, BatchReport, FileReport } from './engine/batch/batch.js';
export type { LayerInfo } from './engine/engine.js';
export type { JobProgress } from './engine/jobs/host.js';
export type { BlendMode } from './engine/document/blend.js';
