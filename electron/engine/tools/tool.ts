import type { z } from 'zod';
import type { Raster } from '../images/raster.js';
import type { TensorContract } from '../models/catalog.js';
import type { MaskedInference, TileInference, VectorInference } from '../inference/tensors.js';
import type { ProviderId } from '../inference/providers.js';
import type { ToolSpec } from './spec.js';
import type { Steps } from './steps.js';

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
  /** For models that take a mask (inpainting); null for the others. */
  inferMasked: MaskedInference | null;
  /** For models whose output is a vector (style prediction); null for the others. */
  inferVector: VectorInference | null;
  /** Seconds per input pixel on this machine and provider, as its last tiled run measured; null before one. */
  secondsPerPixel(): number | null;
  /** What one run may use on the GPU the model runs on (bytes), or null on the CPU: tiles are sized to it as to the memory budget. */
  deviceBudgetBytes(): number | null;
  recordSpeed(secondsPerPixel: number): void;
}

/** What a tool works on: the layer's pixels and, for tools that need one, a mask at the same size. */
export interface ToolInput {
  raster: Raster;
  /** One 8-bit channel; 255 marks what the tool should change (e.g. what to erase). */
  mask: Raster | null;
  /** A second image the tool learns from (e.g. the painting whose style Style applies), or null. */
  reference?: Raster | null;
}

/** A finished piece of a result, to show it as it grows: where it lies in the input's pixels, and a small picture of it. */
export interface ResultPart {
  x: number;
  y: number;
  width: number;
  height: number;
  image: Raster;
}

/** What a tool may use while it runs: models, progress, cancellation, a memory budget. */
export interface ToolContext {
  model(id: string): Promise<ModelHandle>;
  /** The verified path of a catalog data file (e.g. style vectors). */
  dataFile(id: string): Promise<string>;
  progress(p: ToolProgress): void;
  /** Set when someone watches the result grow (the app's canvas); tools that work in pieces hand each finished one here. */
  showPart: ((part: ResultPart) => void) | null;
  signal: AbortSignal;
  /** The run as named steps: each start reports progress and checks for a cancel. */
  steps(names: readonly string[]): Steps;
  memoryBudgetBytes: number;
}

export interface ToolResult {
  raster: Raster;
  /** Where the result differs from the input (one 8-bit channel, 255 = there), for tools that change part of the image. */
  mask?: Raster;
  /** Pixels added on each side, for tools that grow the image (the input sits at left, top). */
  grown?: { left: number; top: number; right: number; bottom: number };
  /** Things the user should know about the result (e.g. a hole too large for good results). */
  warnings?: string[];
  /** What the tool measured and did that the user may want to know (the colour cast it took out). */
  notes?: string[];
  /** The style vector a tool learned from its reference image, so it can be kept as a preset. */
  styleVector?: number[];
  layerName: string;
  modelId: string;
  provider: ProviderId;
}

/** A tool: what it says about itself (its spec, importable anywhere) and its work (Node only). */
export interface Tool<S extends ToolSpec = ToolSpec> {
  spec: S;
  run(input: ToolInput, params: z.output<S['params']>, ctx: ToolContext): Promise<ToolResult>;
  /** What the user should know before running with these settings, judged on a small copy of the layer ("this photo is not dark"). */
  advise?(small: Raster, params: z.output<S['params']>): string[];
}

export function defineTool<S extends ToolSpec>(spec: S, run: Tool<S>['run'], advise?: Tool<S>['advise']): Tool<S> {
  return advise ? { spec, run, advise } : { spec, run };
}
