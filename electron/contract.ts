/**
 * The one IPC contract: every call the renderer can make, its input schema (validated in main,
 * never trusted) and its result type, plus the events main sends. The renderer imports types only.
 */
import { z } from 'zod';
import type { DocumentInfo, DoctorReport, EngineEvent } from './engine/engine.js';
import { EXPORT_FORMATS } from './engine/images/save.js';
import { enhanceParams } from './engine/tools/enhance.js';

const id = z.string().min(1).max(64);

export const exportSettings = z.object({
  format: z.enum(EXPORT_FORMATS),
  quality: z.number().int().min(1).max(100),
  bitDepth: z.union([z.literal(8), z.literal(16)]),
});

export const calls = {
  /** Shows the system Open dialog; null when the user cancels. */
  openWithDialog: z.object({}),
  /** A file the user dropped on the window (its path comes from Electron's webUtils). */
  openDropped: z.object({ path: z.string().min(1).max(4096) }),
  documentInfo: z.object({ docId: id }),
  layerPreview: z.object({ docId: id, layerId: id, maxSide: z.number().int().min(16).max(8192) }),
  setLayerVisible: z.object({ docId: id, layerId: id, visible: z.boolean() }),
  runTool: z.object({ docId: id, layerId: id, tool: z.literal('enhance'), params: enhanceParams }),
  cancelJob: z.object({ jobId: id }),
  /** Shows the system Save dialog, then exports the flattened document there; null when cancelled. */
  exportWithDialog: z.object({ docId: id, settings: exportSettings }),
  doctor: z.object({}),
} as const;

export type CallName = keyof typeof calls;
export type CallInput<K extends CallName> = z.input<(typeof calls)[K]>;

export interface CallResults {
  openWithDialog: DocumentInfo | null;
  openDropped: DocumentInfo;
  documentInfo: DocumentInfo;
  layerPreview: { width: number; height: number; dataUrl: string };
  setLayerVisible: DocumentInfo;
  runTool: { jobId: string };
  cancelJob: null;
  exportWithDialog: { path: string; width: number; height: number } | null;
  doctor: DoctorReport;
}

export type MenuAction = 'open' | 'export' | 'zoom-in' | 'zoom-out' | 'zoom-fit' | 'zoom-100' | 'help';

export type AppEvent = EngineEvent | { type: 'menu'; action: MenuAction } | { type: 'document-opened'; doc: DocumentInfo };

/** What preload exposes on window.ganvas, and what the test bridge provides in its place. */
export interface GanvasApi {
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallResults[K]>;
  onEvent(listener: (e: AppEvent) => void): () => void;
  /** The path of a file dropped on the window, or null where there is none (e.g. in a browser). */
  pathForFile(file: File): string | null;
}

export const IPC_CALL_PREFIX = 'ganvas:call:';
export const IPC_EVENT_CHANNEL = 'ganvas:event';
export type { DocumentInfo, DoctorReport, EngineEvent };
export type { LayerInfo } from './engine/engine.js';
export type { JobProgress } from './engine/jobs/host.js';
