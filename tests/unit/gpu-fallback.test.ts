/**
 * What happens when a GPU fails during a run: the tiler gets an allocation failure back while it
 * can still halve its tiles; anything else (an operator the provider gets wrong, memory at the
 * smallest tile) moves the model to the CPU, which repeats the run, and the session says why.
 */
import type * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { LoadedSession } from '../../electron/engine/inference/sessions.js';
import { testModelStore } from '../support/engine.js';

/** A session standing in for a GPU one that fails every run with `message`. */
function failingGpu(message: string): ort.InferenceSession {
  return {
    run: () => Promise.reject(new Error(message)),
    release: () => Promise.resolve(),
  } as unknown as ort.InferenceSession;
}

describe('a model whose GPU run fails', async () => {
  const path = await testModelStore().resolve('sci_easy');
  const { Tensor } = await import('onnxruntime-node');
  const feeds = () => ({ input: new Tensor('float32', new Float32Array(3 * 16 * 16).fill(0.2), [1, 3, 16, 16]) });
  const gpuSession = (message: string) => new LoadedSession('sci_easy', failingGpu(message), 'webgpu', [], path);

  it('moves to the CPU on an operator failure and gives the CPU’s result', async () => {
    const s = gpuSession("Non-zero status code returned while running Pow node. Name:'/Pow'");
    const out = await s.run(feeds(), ['output'], true);
    expect(out.output!.dims).toEqual([1, 3, 16, 16]);
    expect([s.provider, s.fallback]).toEqual([
      'cpu',
      "webgpu failed on this model (Non-zero status code returned while running Pow node. Name:'/Pow'); it runs on the CPU",
    ]);
  });

  it('leaves an allocation failure to a tiler that can still halve its tiles', async () => {
    const s = gpuSession('Failed to allocate memory for buffer');
    await expect(s.run(feeds(), ['output'], true)).rejects.toThrow(/allocate/);
    expect([s.provider, s.fallback]).toEqual(['webgpu', null]);
  });

  it('moves to the CPU on an allocation failure when no smaller tile will be tried', async () => {
    const s = gpuSession('Failed to allocate memory for buffer');
    await s.run(feeds(), ['output'], false);
    expect(s.provider).toBe('cpu');
    expect(s.fallback).toMatch(/allocate memory/);
  });
});
