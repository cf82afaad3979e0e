/**
 * The one IPC contract as the renderer sees it: every call's name, input and result, derived from
 * the call table (electron/ipc/calls, where each call's schema and handler are declared once), and
 * the events main sends. The renderer imports types only.
 */
import type { z } from 'zod';
import type { DocumentInfo, DoctorReport, EngineEvent, HistoryInfo, SelectionPatch } from './engine/info.js';
import type { StylePreset } from './engine/tools/style/presets.js';
import type { ErrorInfo } from './engine/errors.js';
import type { RecoveryEntry } from './engine/project/recovery.js';
import type { ModelStatus } from './engine/models/store.js';
import type { ModelListing } from './engine/models/manager.js';
import type { Settings } from './engine/settings.js';
import type { Recipe } from './engine/batch/recipe.js';
import type { CallTable } from './ipc/calls/index.js';
import type { Action } from './keymap.js';

export type CallName = keyof CallTable;
export type CallInput<K extends CallName> = z.input<CallTable[K]['input']>;
export type CallResults = { [K in CallName]: Awaited<ReturnType<CallTable[K]['handle']>> };
/** The calls that change or read one document and answer with its new state. */
export type DocumentCallName = {
  [K in CallName]: CallResults[K] extends DocumentInfo ? (CallInput<K> extends { docId: string } ? K : never) : never;
}[CallName];

export type AppEvent = EngineEvent | { type: 'menu'; action: Action } | { type: 'document-opened'; doc: DocumentInfo };

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
export type {
  DocumentInfo,
  DoctorReport,
  EngineEvent,
  ErrorInfo,
  HistoryInfo,
  ModelListing,
  ModelStatus,
  Recipe,
  RecoveryEntry,
  SelectionPatch,
  Settings,
  StylePreset,
};
export type { BatchProgress, BatchReport, FileReport } from './engine/batch/batch.js';
export type { WorkerInfo } from './engine/farm/farm.js';
export type { ProviderReport } from './engine/jobs/protocol.js';
export type { LayerInfo } from './engine/info.js';
export type { Rect } from './engine/images/raster.js';
export type { EncodedImage } from './engine/images/preview.js';
export type { JobProgress } from './engine/jobs/host.js';
export type { BlendMode } from './engine/document/blend.js';
