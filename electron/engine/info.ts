/**
 * What crosses to the renderer and the CLI about documents, layers, histories and jobs: plain data,
 * built from the engine's objects here and nowhere else.
 */
import type { DocId, JobId, LayerId } from './ids.js';
import { basename } from 'node:path';
import type { BatchProgress, BatchReport, FileReport } from './batch/batch.js';
import type { BlendMode } from './document/blend.js';
import type { HistoryScope, PhotoDocument } from './document/document.js';
import type { Layer } from './document/layer.js';
import { currentSelection } from './document/selection.js';
import type { ErrorInfo } from './errors.js';
import type { Rect } from './images/raster.js';
import type { EncodedImage, ScreenImage } from './images/preview.js';
import type { ProviderId } from './inference/providers.js';
import type { JobProgress } from './jobs/host.js';
import type { ProviderReport, RunStats } from './jobs/protocol.js';
import type { ModelEvent } from './models/manager.js';
import type { ModelStatus } from './models/store.js';

export interface LayerInfo {
  id: LayerId;
  name: string;
  visible: boolean;
  locked: boolean;
  opacity: number;
  blend: BlendMode;
  bounds: Rect;
  width: number;
  height: number;
  channels: number;
  bitDepth: 8 | 16;
  hasMask: boolean;
  /** Changes whenever the layer's pixels or mask do. */
  version: number;
  kind: Layer['origin']['kind'];
  modelId: string | null;
  canUndo: boolean;
  canRedo: boolean;
}

export interface DocumentInfo {
  id: DocId;
  /** The project's file name, or the photo's when it has not been saved as a project. */
  title: string;
  fileName: string;
  path: string;
  projectPath: string | null;
  /** The file Save writes the flattened result back into (an image handed over by Lightroom's Edit in), or null. */
  writesBackTo: string | null;
  dirty: boolean;
  width: number;
  height: number;
  bitDepth: 8 | 16;
  hasIcc: boolean;
  hasExif: boolean;
  layers: LayerInfo[];
  canUndoDocument: boolean;
  canRedoDocument: boolean;
  /** What Ctrl+Z and Ctrl+Shift+Z would undo and redo: the latest step wherever it was; null when there is none. */
  undoLabel: string | null;
  redoLabel: string | null;
  /** Whether anything is marked for Erase. */
  hasSelection: boolean;
  /** What could not be restored when the document was opened. */
  lost: string[];
}

export interface HistoryInfo {
  /** The state before any edit, then every edit: those in effect first, then those that can be redone. */
  entries: { label: string; done: boolean }[];
  /** How many entries are in effect. */
  position: number;
}

/**
 * A part of the selection's picture as the page shows it, changed by a stroke: where it goes in the
 * picture, the picture's size it fits, and `area`, the canvas pixels the stroke changed.
 */
export type SelectionPatch = ScreenImage & { x: number; y: number; picture: { width: number; height: number }; area: Rect };

export type SelectionShape = { kind: 'rect'; rect: Rect } | { kind: 'lasso'; points: [number, number][] };

export type NewLayer = { kind: 'empty' } | { kind: 'file'; path: string } | { kind: 'duplicate'; layerId: LayerId };

export type EngineEvent =
  | { type: 'job-progress'; jobId: JobId; docId: DocId; progress: JobProgress }
  /** A finished part of a running job's result, where it goes on the canvas (a JPEG data URL). */
  | { type: 'job-part'; jobId: JobId; docId: DocId; rect: Rect; image: EncodedImage }
  | {
      type: 'job-done';
      jobId: JobId;
      docId: DocId;
      layerId: LayerId;
      stats: RunStats;
      provider: ProviderId;
      device: string;
      warnings: string[];
      notes: string[];
      styleVector?: number[];
    }
  | { type: 'job-cancelled'; jobId: JobId; docId: DocId }
  | { type: 'job-failed'; jobId: JobId; docId: DocId; error: ErrorInfo }
  | { type: 'document-changed'; docId: DocId; dirty: boolean; title: string }
  | { type: 'autosave-failed'; docId: DocId; error: ErrorInfo }
  /** Something the user should know that stops nothing (e.g. undo history cannot spill to disk). */
  | { type: 'warning'; message: string }
  | { type: 'batch-file'; batchId: string; file: FileReport }
  | { type: 'batch-progress'; batchId: string; progress: BatchProgress }
  | { type: 'batch-done'; batchId: string; report: BatchReport }
  | { type: 'batch-failed'; batchId: string; error: ErrorInfo }
  | ModelEvent;

export interface DoctorReport {
  modelsDir: string;
  providers: ProviderReport;
  models: ModelStatus[];
}

function layerInfo(l: Layer): LayerInfo {
  return {
    id: l.id,
    ...l.props,
    bounds: l.bounds,
    width: l.raster.width,
    height: l.raster.height,
    channels: l.raster.channels,
    bitDepth: l.raster.depth,
    hasMask: l.mask !== null,
    version: l.version,
    kind: l.origin.kind,
    modelId: l.origin.kind === 'ai' ? l.origin.modelId : null,
    canUndo: l.history.canUndo,
    canRedo: l.history.canRedo,
  };
}

/** The project's file name, or the photo's when it has not been saved as a project. */
export function documentTitle(doc: PhotoDocument): string {
  return doc.saveState.projectPath ? basename(doc.saveState.projectPath) : doc.source.meta.fileName;
}

export function documentInfo(d: PhotoDocument, lost: string[]): DocumentInfo {
  return {
    id: d.id,
    title: documentTitle(d),
    fileName: d.source.meta.fileName,
    path: d.source.path,
    projectPath: d.saveState.projectPath,
    writesBackTo: d.saveState.writesBackTo,
    dirty: d.saveState.dirty,
    width: d.width,
    height: d.height,
    bitDepth: d.layers.some((l) => l.raster.depth === 16) ? 16 : 8,
    hasIcc: d.source.meta.icc !== null,
    hasExif: d.source.meta.exif !== null,
    layers: d.layers.map(layerInfo),
    canUndoDocument: d.history.canUndo,
    canRedoDocument: d.history.canRedo,
    undoLabel: d.timeline.undoLabel,
    redoLabel: d.timeline.redoLabel,
    hasSelection: currentSelection(d) !== null && d.marks.marked,
    lost,
  };
}

/** A model's name as a history shows it: "Real-ESRGAN general x4 v3" from "Enhance — Fast (Real-ESRGAN general x4 v3)". */
export function modelShortName(displayName: string): string {
  // Catalog names read "<tool> — <variant> (<network>)"; others are names of their own.
  const variant = /^[^—]+ — (.+)$/.exec(displayName)?.[1];
  return variant ? (/\(([^)]+)\)$/.exec(variant)?.[1] ?? variant) : displayName;
}

export function historyInfo(doc: PhotoDocument, scope: HistoryScope, modelName: (id: string) => string): HistoryInfo {
  const h = scope === 'document' ? doc.history : doc.layer(scope.layerId).history;
  const first = scope === 'document' ? 'Opened' : originLabel(doc.layer(scope.layerId), modelName);
  return { entries: [{ label: first, done: true }, ...h.entries()], position: h.position };
}

function originLabel(l: Layer, modelName: (id: string) => string): string {
  switch (l.origin.kind) {
    case 'image':
      return `Opened ${l.origin.fileName}`;
    case 'empty':
      return 'New layer';
    case 'ai':
      return `${l.origin.label ?? l.props.name} with ${modelName(l.origin.modelId)}`;
    case 'composite':
      return 'Merged';
  }
}
