import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { rasterFromBuffer } from '../../electron/engine/images/raster.js';
import { readPlanarRgb } from '../../electron/engine/inference/tensors.js';
import { sessionOptions } from '../../electron/engine/inference/sessions.js';
import { loadCatalog, tensorContract } from '../../electron/engine/models/catalog.js';
import { sha256File } from '../../electron/engine/models/sha256.js';
import { modelMirror, photo, repoRoot } from '../support/paths.js';

const rewritten = loadCatalog().models.filter((m) => m.derivedFrom);

/** A crop of a real photo as the network's input tensor. */
async function crop(name: string, left: number, top: number, width: number, height: number): Promise<ort.Tensor> {
  const { data, info } = await sharp(photo(name)).extract({ left, top, width, height }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new ort.Tensor('float32', readPlanarRgb(rasterFromBuffer(data, info.width, info.height, 3, 8), 0, 0, width, height), [1, 3, height, width]);
}

describe('models rewritten for speed (build/models/)', () => {
  it('there is one (Enhance Fast) and its original is in the mirror with the recorded sha256', async () => {
    expect(rewritten.map((m) => m.id)).toEqual(['realesr-general-x4v3']);
    for (const m of rewritten) expect(await sha256File(join(modelMirror, m.derivedFrom!.file)), m.id).toBe(m.derivedFrom!.sha256);
  });

  it.each(rewritten)('$id gives the same output as the original on real photos', async (m) => {
    const contract = tensorContract(m);
    const [input, output] = [contract.inputs[0]!.name, contract.outputs[0]!.name];
    const options = sessionOptions('cpu');
    const original = await ort.InferenceSession.create(join(modelMirror, m.derivedFrom!.file), options);
    const shipped = await ort.InferenceSession.create(join(repoRoot, 'models', m.file), options);
    try {
      for (const tile of [await crop('coffee.png', 200, 150, 96, 64), await crop('chelsea.png', 100, 60, 80, 80), await crop('rocket.jpg', 0, 0, 64, 96)]) {
        const a = (await original.run({ [input]: tile }))[output]!.data as Float32Array;
        const b = (await shipped.run({ [input]: tile }))[output]!.data as Float32Array;
        expect(b.length).toBe(a.length);
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
        // Float rounding only: a 16-bit output level is 1.5e-5.
        expect(worst, m.id).toBeLessThan(1e-5);
      }
    } finally {
      await original.release();
      await shipped.release();
    }
  });
});
