/** A model's session lets its memory go when the inference thread is idle, and opens again for the next run. */
import { expect, it } from 'vitest';
import { SessionPool } from '../../electron/engine/inference/sessions.js';
import { testModelStore } from '../support/engine.js';

it('an unloaded session runs again on the same provider with the same result, opening once for runs that start together', async () => {
  const pool = new SessionPool('cpu');
  const loaded = await pool.get('sci_easy', await testModelStore().resolve('sci_easy'));
  const { Tensor } = await import('onnxruntime-node');
  const values = Float32Array.from({ length: 3 * 16 * 16 }, (_, i) => (i % 17) / 17);
  const run = async () => (await loaded.run({ input: new Tensor('float32', values.slice(), [1, 3, 16, 16]) }, ['output'])).output!.data as Float32Array;
  const first = await run();
  await pool.unloadAll();
  const again = await Promise.all([run(), run()]);
  for (const out of again) expect(Array.from(out)).toEqual(Array.from(first));
  expect([loaded.provider, loaded.fallback]).toEqual(['cpu', null]);
  expect(await pool.loaded()).toEqual([loaded]);
  await pool.releaseAll();
});
