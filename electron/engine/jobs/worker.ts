/**
 * The inference thread. Per-pixel JavaScript (tiling, blending, tensor packing) and ORT sessions
 * live here, so the thread that owns windows or reads stdin never stalls.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../errors.js';
import { collectGarbage } from './collect-garbage.js';
import { loadCatalog, tensorContract } from '../models/catalog.js';
import { ModelStore } from '../models/store.js';
import { adapterBudgetBytes, gpuAdapter } from '../inference/gpu-adapter.js';
import { PROVIDER_IDS, PROVIDER_NAMES } from '../inference/provider-ids.js';
import { checkProvider, deviceName, providerChecks, providerContext } from '../inference/providers.js';
import { SessionPool } from '../inference/sessions.js';
import { KnownFallbacks } from '../inference/known-fallbacks.js';
import { ModelSpeeds } from '../inference/speed.js';
import { maskedInference, sessionInference, vectorInference } from '../inference/tensors.js';
import { getTool } from '../tools/registry.js';
import { Steps } from '../tools/steps.js';
import type { ModelHandle, ToolProgress } from '../tools/tool.js';
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
const known = new KnownFallbacks(config.providerFallbackCache);
let pool = new SessionPool(config.provider, known);
const speeds = new ModelSpeeds(config.modelSpeedCache);
const running = new Map<string, AbortController>();

/** How long the thread waits with no job before it gives its memory back: longer than the gap between a batch's files. */
const IDLE_UNLOAD_MS = 2000;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

/** Once no job has run for a while, the models' working memory and the last job's garbage go back to the system. */
function unloadWhenIdle(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (running.size === 0) void pool.unloadAll().then(collectGarbage);
  }, IDLE_UNLOAD_MS);
}

function post(msg: FromWorker): void {
  port.postMessage(msg);
}

async function run(msg: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const abort = new AbortController();
  clearTimeout(idleTimer);
  running.set(msg.jobId, abort);
  const started = performance.now();
  let inferenceMs = 0;
  // Models that leave their GPU during this job, or do not run on the one chosen: the result says so.
  const fellBack: string[] = [];
  try {
    const tool = getTool(msg.toolId);
    const params = tool.spec.params.parse(msg.params);
    const model = async (id: string): Promise<ModelHandle> => {
      const entry = store.model(id);
      const loaded = await pool.get(id, await store.resolve(id));
      const before = loaded.fallback;
      const chosen = config.provider;
      // A provider chosen by name that cannot run here is said, not silently replaced by the CPU.
      if (chosen !== 'auto' && loaded.provider !== chosen && !loaded.fallback) {
        const why = loaded.attempts.find((a) => a.id === chosen)?.reason ?? 'not available';
        const notice = `${PROVIDER_NAMES[chosen]} was chosen but cannot run ${id} here (${why}); it ran on the ${PROVIDER_NAMES[loaded.provider]}`;
        if (!fellBack.includes(notice)) fellBack.push(notice);
      }
      const contract = tensorContract(entry);
      const onRunMs = (ms: number) => {
        inferenceMs += ms;
        const notice = `${id}: ${loaded.fallback}`;
        if (loaded.fallback !== before && !fellBack.includes(notice)) fellBack.push(notice);
      };
      const inferMasked = contract.mask ? maskedInference(loaded, contract, onRunMs) : null;
      const vectorOut = contract.outputs.some((t) => t.role === 'style');
      const infer = sessionInference(loaded, contract, onRunMs);
      return {
        id,
        contract,
        get provider() {
          return loaded.provider;
        },
        infer,
        inferMasked,
        inferVector: vectorOut ? vectorInference(loaded, contract, onRunMs) : null,
        secondsPerPixel: () => speeds.get(id, loaded.provider),
        deviceBudgetBytes: () => (loaded.provider === 'webgpu' && loaded.adapter ? adapterBudgetBytes(loaded.adapter) : null),
        recordSpeed: (spp) => speeds.record(id, loaded.provider, spp),
      };
    };
    const progress = (p: ToolProgress) => post({ type: 'progress', jobId: msg.jobId, progress: p });
    const result = await tool.run({ raster: msg.input, mask: msg.mask, reference: msg.reference }, params, {
      model,
      dataFile: (id) => store.resolve(id),
      progress,
      // Posted at once (rasters are shared memory): this thread goes on to the next tile, the receiving one is free to encode it.
      showPart: msg.showParts ? (part) => post({ type: 'part', jobId: msg.jobId, part }) : null,
      signal: abort.signal,
      steps: (names) => new Steps(names, progress, abort.signal),
      memoryBudgetBytes: msg.memoryBudgetBytes,
    });
    if (fellBack.length) await known.saving;
    post({
      type: 'done',
      jobId: msg.jobId,
      result: {
        ...result,
        warnings: [...(result.warnings ?? []), ...fellBack],
        stats: { totalMs: performance.now() - started, inferenceMs },
        device: deviceName(result.provider, result.provider === 'webgpu' ? (await gpuAdapter()).adapter : null),
      },
    });
  } catch (err) {
    post({ type: 'failed', jobId: msg.jobId, error: toErrorInfo(err) });
  } finally {
    running.delete(msg.jobId);
    if (running.size === 0) {
      releaseRetired();
      unloadWhenIdle();
    }
  }
}

/** Pools replaced while a job was using them: released once no job runs, not under a running network. */
const retired: SessionPool[] = [];

function retire(old: SessionPool): void {
  retired.push(old);
  if (running.size === 0) releaseRetired();
}

function releaseRetired(): void {
  for (const old of retired.splice(0)) void old.releaseAll();
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'run':
      void run(msg);
      break;
    case 'cancel':
      running.get(msg.jobId)?.abort();
      break;
    case 'use-provider':
      config.provider = msg.provider;
      retire(pool);
      pool = new SessionPool(msg.provider, known);
      break;
    case 'reload-models':
      // A removed or replaced file must not be served from an old session.
      store = openStore();
      retire(pool);
      pool = new SessionPool(config.provider, known);
      break;
    case 'providers':
      void Promise.all([pool.loaded(), providerContext()]).then(([sessions, ctx]) => {
        const checks = providerChecks(config.provider, ctx);
        post({
          type: 'providers',
          report: {
            preferred: config.provider,
            order: checks.map((c) => c.id),
            checks,
            byName: PROVIDER_IDS.map((id) => checkProvider(id, ctx, true)),
            adapter: ctx.gpu.adapter,
            sessions: sessions.map((s) => ({ modelId: s.modelId, provider: s.provider, attempts: s.attempts, fallback: s.fallback })),
            knownFallbacks: known.all(),
          },
        });
      });
      break;
  }
});
