import type { z } from 'zod';
import type { Raster } from '../images/raster.js';
import type { TensorContract } from '../models/catalog.js';
import type { TileInference } from '../inference/tensors.js';
import type { ProviderId } from '../inference/providers.js';

export interface ToolProgress {
  done: number;
  total: number;
  unit: 'tiles' | 'steps';
  message: string;
}

export interface ModelHandle {
  id: string;
  contract: TensorContract;
  provider: ProviderId;
  infer: TileInference;
}

/** What a tool may use while it runs: models, progress, cancellation, a memory budget. */
export interface ToolContext {
  model(id: string): Promise<ModelHandle>;
  progress(p: ToolProgress): void;
  signal: AbortSignal;
  memoryBudgetBytes: number;
}

export interface ToolResult {
  raster: Raster;
  /** Where the result applies (one 8-bit channel, 255 = show), for tools that change only part of the image. */
  mask?: Raster;
  layerName: string;
  modelId: string;
  provider: ProviderId;
}

/** Every tool has this shape: a new GAN tool is one file implementing it plus a catalog entry. */
export interface Tool<P> {
  id: string;
  params: z.ZodType<P>;
  /** The catalog models this run will need, so they can be checked before any work starts. */
  models(params: P): string[];
  run(input: Raster, params: P, ctx: ToolContext): Promise<ToolResult>;
}
