import './no-telemetry.js';
import * as ort from 'onnxruntime-node';
import type { TensorContract, TensorSpec } from '../models/catalog.js';
import { maxValue, type Raster } from '../images/raster.js';
import type { LoadedSession } from './sessions.js';

/**
 * Runs a network on one planar RGB tile with values 0..1; returns planar RGB 0..1 at the model's
 * scale. `style` feeds a model's style input (a vector), for networks that take one;
 * `retriesSmaller`: the caller retries an allocation failure with a smaller tile (see sessions.ts).
 */
export type TileInference = (rgb: Float32Array, width: number, height: number, style?: Float32Array, retriesSmaller?: boolean) => Promise<Float32Array>;

/** Runs a network that turns an image into a vector (e.g. a painting into its style). */
export type VectorInference = (rgb: Float32Array, width: number, height: number) => Promise<Float32Array>;

/**
 * Runs an inpainting network: planar RGB 0..1 and a hole map (1 = fill, 0 = keep), both
 * width×height; returns planar RGB 0..1 where known pixels are the input's.
 */
export type MaskedInference = (rgb: Float32Array, hole: Float32Array, width: number, height: number) => Promise<Float32Array>;

/** Reads a rectangle of a raster as planar RGB floats 0..1 (grey is repeated; alpha is ignored). */
export function readPlanarRgb(r: Raster, x0: number, y0: number, w: number, h: number): Float32Array {
  const out = new Float32Array(3 * w * h);
  const plane = w * h;
  const inv = 1 / maxValue(r.depth);
  const c = r.channels;
  const grey = c <= 2;
  for (let j = 0; j < h; j++) {
    let src = ((y0 + j) * r.width + x0) * c;
    let dst = j * w;
    for (let i = 0; i < w; i++, src += c, dst++) {
      const a = r.data[src]! * inv;
      out[dst] = a;
      out[plane + dst] = grey ? a : r.data[src + 1]! * inv;
      out[2 * plane + dst] = grey ? a : r.data[src + 2]! * inv;
    }
  }
  return out;
}

/** Our 0..1 values as the tensor a spec declares: its value range, its element type (no copy when that is 0..1 floats). */
function toTensor(spec: TensorSpec, values: Float32Array, dims: number[]): ort.Tensor {
  const [lo, hi] = spec.range ?? [0, 1];
  if (spec.dtype === 'uint8') {
    const data = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(lo + values[i]! * (hi - lo))));
    return new ort.Tensor('uint8', data, dims);
  }
  if (lo === 0 && hi === 1) return new ort.Tensor('float32', values, dims);
  const data = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = lo + values[i]! * (hi - lo);
  return new ort.Tensor('float32', data, dims);
}

/** A tensor's values back on our 0..1 scale, optionally clamped: in place when the tensor holds floats (it is ours). */
function fromTensor(spec: TensorSpec, tensor: ort.Tensor, clamp: boolean): Float32Array {
  const [lo, hi] = spec.range ?? [0, 1];
  const raw = tensor.data as Float32Array | Uint8Array;
  const out = raw instanceof Float32Array ? raw : new Float32Array(raw.length);
  const inv = 1 / (hi - lo);
  if (lo !== 0 || hi !== 1 || out !== raw) for (let i = 0; i < raw.length; i++) out[i] = (raw[i]! - lo) * inv;
  if (clamp) for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]!));
  return out;
}

/** Swaps the first and third planes when the model wants BGR (the same swap both ways). */
function inChannelOrder(planar: Float32Array, contract: TensorContract): Float32Array {
  if (contract.channelOrder === 'RGB') return planar;
  const plane = planar.length / 3;
  const out = new Float32Array(planar.length);
  out.set(planar.subarray(2 * plane), 0);
  out.set(planar.subarray(plane, 2 * plane), plane);
  out.set(planar.subarray(0, plane), 2 * plane);
  return out;
}

async function run(
  loaded: LoadedSession,
  feeds: Record<string, ort.Tensor>,
  output: string,
  onRunMs?: (ms: number) => void,
  retriesSmaller = false,
): Promise<ort.Tensor> {
  const t0 = performance.now();
  const result = await loaded.run(feeds, [output], retriesSmaller);
  onRunMs?.(performance.now() - t0);
  return result[output]!;
}

/**
 * The adapter between our 0..1 RGB tiles and a model's declared contract: value range, channel
 * order, clamp. Nothing model-specific lives anywhere else.
 */
export function sessionInference(loaded: LoadedSession, contract: TensorContract, onRunMs?: (ms: number) => void): TileInference {
  const input = contract.inputs.find((t) => t.role === 'image')!;
  const styleInput = contract.inputs.find((t) => t.role === 'style');
  const output = contract.outputs.find((t) => t.role === 'image')!;
  return async (rgb, width, height, style, retriesSmaller) => {
    const feeds: Record<string, ort.Tensor> = { [input.name]: toTensor(input, inChannelOrder(rgb, contract), [1, 3, height, width]) };
    if (styleInput) {
      if (!style) throw new Error('this model needs a style vector');
      feeds[styleInput.name] = new ort.Tensor('float32', Float32Array.from(style), [1, style.length]);
    }
    const tensor = await run(loaded, feeds, output.name, onRunMs, retriesSmaller);
    const out = inChannelOrder(fromTensor(output, tensor, contract.clamp), contract);
    tensor.dispose();
    return out;
  };
}

/** The adapter for networks whose output is a vector (role "style"): the image goes in as for any other. */
export function vectorInference(loaded: LoadedSession, contract: TensorContract, onRunMs?: (ms: number) => void): VectorInference {
  const input = contract.inputs.find((t) => t.role === 'image')!;
  const output = contract.outputs.find((t) => t.role === 'style')!;
  return async (rgb, width, height) => {
    const tensor = await run(loaded, { [input.name]: toTensor(input, inChannelOrder(rgb, contract), [1, 3, height, width]) }, output.name, onRunMs);
    const out = Float32Array.from(tensor.data as Float32Array);
    tensor.dispose();
    return out;
  };
}

/**
 * The same for inpainting networks: the mask goes in with the model's own hole and keep values,
 * sizes are checked against its multiple and fixed size, and a model that returns only its
 * prediction is composited here, so every model hands back known pixels unchanged.
 */
export function maskedInference(loaded: LoadedSession, contract: TensorContract, onRunMs?: (ms: number) => void): MaskedInference {
  const input = contract.inputs.find((t) => t.role === 'image')!;
  const maskSpec = contract.inputs.find((t) => t.role === 'mask');
  const output = contract.outputs.find((t) => t.role === 'image')!;
  if (!maskSpec || !contract.mask) throw new Error('this model takes no mask');
  const { hole: holeValue, keep: keepValue } = contract.mask;
  const [mlo, mhi] = maskSpec.range ?? [0, 1];
  return async (rgb, hole, width, height) => {
    const fixed = contract.fixedSize;
    if (fixed && (width !== fixed[1] || height !== fixed[0]))
      throw new Error(`this model takes exactly ${fixed[1]}×${fixed[0]} pixels, not ${width}×${height}`);
    if (width % contract.multipleOf || height % contract.multipleOf)
      throw new Error(`this model needs sizes that are multiples of ${contract.multipleOf}, not ${width}×${height}`);
    // The mask spec's range maps our 0..1 onto the tensor; hole/keep are tensor values.
    const maskValues = new Float32Array(hole.length);
    for (let i = 0; i < hole.length; i++) maskValues[i] = ((hole[i]! >= 0.5 ? holeValue : keepValue) - mlo) / (mhi - mlo);
    const tensor = await run(
      loaded,
      {
        [input.name]: toTensor(input, inChannelOrder(rgb, contract), [1, 3, height, width]),
        [maskSpec.name]: toTensor(maskSpec, maskValues, [1, 1, height, width]),
      },
      output.name,
      onRunMs,
    );
    const out = inChannelOrder(fromTensor(output, tensor, contract.clamp), contract);
    tensor.dispose();
    const plane = width * height;
    if (!contract.composited) {
      for (let k = 0; k < 3; k++) for (let i = 0; i < plane; i++) if (hole[i]! < 0.5) out[k * plane + i] = rgb[k * plane + i]!;
    }
    return out;
  };
}
