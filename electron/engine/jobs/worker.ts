/**
 * The inference thread. Per-pixel JavaScript (tiling, blending, tensor packing) and ORT sessions
 * live here, so the thread that owns windows or reads stdin never stalls.
 */
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { toErrorInfo } from '../errors.js';
import { sharpInput } from '../images/raster.js';
import { loadCatalog, tensorContract } from '../models/catalog.js';
import { ModelStore } from '../models/store.js';
import { checkProvider, providerOrder } from '../inference/providers.js';
import { SessionPool } from '../inference/sessions.js';
import { ModelSpeeds } from '../inference/speed.js';
import { maskedInference, sessionInference, vectorInference } from '../inference/tensors.js';
import { getTool } from '../tools/registry.js';
import { Steps } from '../tools/steps.js';
import type { ModelHandle, ResultPart, ToolProgress } from '../tools/tool.js';
import type { FromWorker, ToWorker, WorkerConfig } from './protocol.js';

const port = parentPort!;
const config = workerData as WorkerConfig;
const openStore = () =>
  new ModelStore(loadCatalog(config.catalogPath, config.modelsDir), config.modelsDir, {
    readOnlyDirs: config.readOnlyModelDirs,
    bundledDir: config.bundledModelsDir,
    verifiedCache: config.verifiedModelsCache,
  });
let store = openStore();
const pool = new SessionPool(config.provider);
const speeds = new ModelSpeeds(config.modelSpeedCache);
const running = new Map<string, AbortController>();

function post(msg: FromWorker): void {
  port.postMessage(msg);
}

/** Sends a finished part of a result as a small JPEG, off the job's path: a part that cannot be encoded is only not shown. */
function postPart(jobId: string, { image, ...rect }: ResultPart): Promise<void> {
  return sharp(...sharpInput(image))
    .jpeg({ quality: 85 })
    .toBuffer()
    .then((jpeg) => post({ type: 'part', jobId, part: { ...rect, dataUrl: `data:image/jpeg;base64,${jpeg.toString('base64')}` } }))
    .catch(() => {});
}

async function run(msg: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const abort = new AbortController();
  running.set(msg.jobId, abort);
  const started = performance.now();
  let inferenceMs = 0;
  const parts: Promise<void>[] = [];
  try {
    const tool = getTool(msg.toolId);
    const params = tool.spec.params.parse(msg.params);
    const model = async (id: string): Promise<ModelHandle> => {
      const entry = store.model(id);
      const loaded = await pool.get(id, await store.resolve(id));
      const contract = tensorContract(entry);
      const onRunMs = (ms: number) => (inferenceMs += ms);
      const inferMasked = contract.mask ? maskedInference(loaded, contract, onRunMs) : null;
      const vectorOut = contract.outputs.some((t) => t.role === 'style');
      const infer = sessionInference(loaded, contract, onRunMs);
      return {
        id,
        contract,
        provider: loaded.provider,
        infer,
        inferMasked,
        inferVector: vectorOut ? vectorInference(loaded, contract, onRunMs) : null,
        secondsPerPixel: () => speeds.get(id, loaded.provider),
        recordSpeed: (spp) => speeds.record(id, loaded.provider, spp),
      };
    };
    const progress = (p: ToolProgress) => post({ type: 'progress', jobId: msg.jobId, progress: p });
    const result = await tool.run({ raster: msg.input, mask: msg.mask, reference: msg.reference }, params, {
      model,
      dataFile: (id) => store.resolve(id),
      progress,
      showPart: msg.showParts
        ? (part) => {
            parts.push(postPart(msg.jobId, part));
          }
        : null,
      signal: abort.signal,
      steps: (names) => new Steps(names, progress, abort.signal),
      memoryBudgetBytes: msg.memoryBudgetBytes,
    });
    // Every part is on its way before the whole: nothing arrives for a job that has ended.
    await Promise.all(parts);
    post({
      type: 'done',
      jobId: msg.jobId,
      result: { ...result, stats: { totalMs: performance.now() - started, inferenceMs } },
    });
  } catch (err) {
    post({ type: 'failed', jobId: msg.jobId, error: toErrorInfo(err) });
  } finally {
    running.delete(msg.jobId);
  }
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'run':
      void run(msg);
      break;
    case 'cancel':
      running.get(msg.jobId)?.abort();
      break;
    case 'reload-models':
      // A removed or replaced file must not be served from an old session.
      store = openStore();
      void pool.releaseAll();
      break;
    case 'providers':
      void pool.loaded().then((sessions) => {
        const order = providerOrder(config.provider);
        post({
          type: 'providers',
          report: {
            order,
            checks: order.map((id) => checkProvider(id)),
            sessions: sessions.map((s) => ({ modelId: s.modelId, provider: s.provider, attempts: s.attempts })),
          },
        });
      });
      break;
  }
});
