import * as ort from 'onnxruntime-node';
import type { TensorContract } from '../models/catalog.js';
import { maxValue, type Raster } from '../images/raster.js';
import type { LoadedSession } from './sessions.js';

/** Runs a network on one planar RGB tile with values 0..1; returns planar RGB 0..1 at the model's scale. */
export type TileInference = (rgb: Float32Array, width: number, height: number) => Promise<Float32Array>;

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

/**
 * The adapter between our 0..1 RGB tiles and a model's declared contract: value range, channel
 * order, clamp. Nothing model-specific lives anywhere else.
 */
export function sessionInference(loaded: LoadedSession, contract: TensorContract, onRunMs?: (ms: number) => void): TileInference {
  const input = contract.inputs.find((t) => t.role === 'image')!;
  const output = contract.outputs.find((t) => t.role === 'image')!;
  const [inLo, inHi] = input.range ?? [0, 1];
  const [outLo, outHi] = output.range ?? [0, 1];
  const bgr = contract.channelOrder === 'BGR';
  const s = contract.scale;
  return async (rgb, width, height) => {
    const plane = width * height;
    const data = new Float32Array(rgb.length);
    for (let k = 0; k < 3; k++) {
      const from = rgb.subarray((bgr ? 2 - k : k) * plane, (bgr ? 3 - k : k + 1) * plane);
      for (let i = 0; i < plane; i++) data[k * plane + i] = inLo + from[i]! * (inHi - inLo);
    }
    const feeds = { [input.name]: new ort.Tensor('float32', data, [1, 3, height, width]) };
    const t0 = performance.now();
    const result = await loaded.session.run(feeds, [output.name]);
    onRunMs?.(performance.now() - t0);
    const tensor = result[output.name]!;
    const raw = tensor.data as Float32Array;
    const outPlane = plane * s * s;
    const out = new Float32Array(3 * outPlane);
    const inv = 1 / (outHi - outLo);
    for (let k = 0; k < 3; k++) {
      const base = (bgr ? 2 - k : k) * outPlane;
      for (let i = 0; i < outPlane; i++) {
        const v = (raw[base + i]! - outLo) * inv;
        out[k * outPlane + i] = contract.clamp ? (v < 0 ? 0 : v > 1 ? 1 : v) : v;
      }
    }
    tensor.dispose();
    return out;
  };
}
