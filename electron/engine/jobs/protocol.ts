import type { ErrorInfo } from '../errors.js';
import type { Raster } from '../images/raster.js';
import type { GpuAdapter } from '../inference/gpu-adapter.js';
import type { ProviderCheck, ProviderChoice, ProviderId } from '../inference/providers.js';
import type { KnownFallback } from '../inference/known-fallbacks.js';
import type { ProviderAttempt } from '../inference/sessions.js';
import type { ResultPart, ToolProgress, ToolResult } from '../tools/tool.js';

export interface WorkerConfig {
  catalogPath: string;
  modelsDir: string;
  readOnlyModelDirs: string[];
  bundledModelsDir: string | null;
  /** Shared with the main thread's store: a model is hashed once per file version. */
  verifiedModelsCache: string | null;
  /** Each tiled model's measured speed, kept between sessions (see inference/speed.ts); null: this session only. */
  modelSpeedCache: string | null;
  /** The models a GPU failed on here, kept between sessions (see inference/known-fallbacks.ts); null: this session only. */
  providerFallbackCache: string | null;
  provider: ProviderChoice;
}

export interface ProviderReport {
  /** What the user chose (Settings, --provider, GANVAS_PROVIDER). */
  preferred: ProviderChoice;
  order: ProviderId[];
  /** The providers in the order tried, with whether each can run here. */
  checks: ProviderCheck[];
  /** Every provider as if chosen by name (what Settings offers). */
  byName: ProviderCheck[];
  /** The GPU WebGPU would use, if one was found. */
  adapter: GpuAdapter | null;
  /** Models loaded so far; `fallback` says why one left its GPU for the CPU. */
  sessions: { modelId: string; provider: ProviderId; attempts: ProviderAttempt[]; fallback: string | null }[];
  /** Every model a GPU failed on here, in this session or an earlier one. */
  knownFallbacks: KnownFallback[];
}

export interface RunStats {
  totalMs: number;
  /** Time spent inside ORT's session.run. */
  inferenceMs: number;
}

export interface JobResultMessage extends ToolResult {
  stats: RunStats;
  /** What the networks ran on ("WebGPU on <adapter>", "CPU"). */
  device: string;
}

export type ToWorker =
  | {
      type: 'run';
      jobId: string;
      toolId: string;
      params: unknown;
      input: Raster;
      mask: Raster | null;
      reference: Raster | null;
      memoryBudgetBytes: number;
      /** Send each finished part of the result (someone watches it grow). */
      showParts: boolean;
    }
  | { type: 'cancel'; jobId: string }
  | { type: 'providers' }
  | { type: 'use-provider'; provider: ProviderChoice }
  /** Models were installed, removed or added: read the catalog and folders again. */
  | { type: 'reload-models' };

export type FromWorker =
  | { type: 'progress'; jobId: string; progress: ToolProgress }
  | { type: 'part'; jobId: string; part: ResultPart }
  | { type: 'done'; jobId: string; result: JobResultMessage }
  | { type: 'failed'; jobId: string; error: ErrorInfo }
  | { type: 'providers'; report: ProviderReport };
