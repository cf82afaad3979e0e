import './no-telemetry.js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describeAdapter, gpuAdapter, type AdapterProbe, type GpuAdapter } from './gpu-adapter.js';
import { PROVIDER_CHOICES, PROVIDER_NAMES, type ProviderChoice, type ProviderId } from './provider-ids.js';

export type { ProviderChoice, ProviderId } from './provider-ids.js';

export interface ProviderCheck {
  id: ProviderId;
  available: boolean;
  /** Why it is or is not used, in words a user can act on. */
  reason: string;
}

const CUDA_INSTALL_COMMAND = 'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js';

function ortBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

function bundled(name: string): boolean {
  return ort.listSupportedBackends().some((b) => b.name === name);
}

/** What decides which providers can run here: the system, and the GPU WebGPU would use. */
export interface ProviderContext {
  platform: NodeJS.Platform;
  gpu: AdapterProbe;
}

/**
 * The context of this process (the adapter is looked for once). With the CPU chosen, the GPU is
 * not looked for: starting Dawn would only cost start-up time.
 */
export async function providerContext(preferred?: ProviderChoice): Promise<ProviderContext> {
  const gpu: AdapterProbe = preferred === 'cpu' ? { adapter: null, reason: 'not looked for: the CPU was chosen' } : await gpuAdapter();
  return { platform: process.platform, gpu };
}

/**
 * Which providers this build of ONNX Runtime could use on this machine, and why. `chosen`: the
 * user asked for this one by name, which is the only way a software GPU is used (for tests: it
 * proves a GPU path correct, slower than the CPU).
 */
export function checkProvider(id: ProviderId, ctx: ProviderContext, chosen = false): ProviderCheck {
  const { platform } = ctx;
  switch (id) {
    case 'cpu':
      return { id, available: true, reason: 'always available' };
    case 'cuda': {
      if (platform !== 'linux' && platform !== 'win32') return { id, available: false, reason: 'CUDA is only offered on Linux and Windows' };
      const lib = platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
      if (!existsSync(join(ortBinaryDir(), lib))) {
        return { id, available: false, reason: `CUDA provider libraries are not installed (${lib} missing); to add them run: ${CUDA_INSTALL_COMMAND}` };
      }
      return { id, available: true, reason: `${lib} present (needs an NVIDIA driver, CUDA 12 and cuDNN 9)` };
    }
    case 'dml':
      return platform === 'win32' && bundled('dml')
        ? { id, available: true, reason: 'DirectML is bundled with ONNX Runtime on Windows' }
        : { id, available: false, reason: 'DirectML is only available on Windows' };
    case 'coreml':
      return platform === 'darwin' && bundled('coreml')
        ? { id, available: true, reason: 'CoreML is bundled with ONNX Runtime on macOS' }
        : { id, available: false, reason: 'CoreML is only available on macOS' };
    case 'webgpu': {
      if (!bundled('webgpu')) return { id, available: false, reason: 'this ONNX Runtime build has no WebGPU provider' };
      const { adapter } = ctx.gpu;
      if (!adapter) return { id, available: false, reason: ctx.gpu.reason! };
      if (adapter.software && !chosen)
        return { id, available: false, reason: `${describeAdapter(adapter)} is a software adapter, slower than the CPU; used only when chosen by name` };
      return { id, available: true, reason: describeAdapter(adapter) };
    }
  }
}

/**
 * The order providers are tried in. A preference (flag, setting or GANVAS_PROVIDER) goes first;
 * Auto tries the vendor's own (CUDA, DirectML, CoreML), then WebGPU; CPU is always last so a
 * model always runs.
 */
export function providerOrder(preferred: ProviderChoice, platform: NodeJS.Platform): ProviderId[] {
  if (preferred === 'cpu') return ['cpu'];
  const auto: ProviderId[] = [];
  if (platform === 'linux' || platform === 'win32') auto.push('cuda');
  if (platform === 'win32') auto.push('dml');
  if (platform === 'darwin') auto.push('coreml');
  auto.push('webgpu');
  const order = preferred === 'auto' ? auto : [preferred, ...auto.filter((p) => p !== preferred)];
  return [...order, 'cpu'];
}

/** Each provider in the order tried, with whether it can run here. */
export function providerChecks(preferred: ProviderChoice, ctx: ProviderContext): ProviderCheck[] {
  return providerOrder(preferred, ctx.platform).map((id) => checkProvider(id, ctx, id === preferred));
}

/** What a result ran on, as the status bar, the batch report and a farm worker name it: "WebGPU on <adapter> (8.0 GiB)", "CPU". */
export function deviceName(id: ProviderId, adapter: GpuAdapter | null): string {
  if (id !== 'webgpu' || !adapter) return PROVIDER_NAMES[id];
  return `WebGPU on ${adapter.name}${adapter.memoryBytes ? ` (${(adapter.memoryBytes / 2 ** 30).toFixed(1)} GiB)` : ''}`;
}

export function parseProvider(value: string | undefined): ProviderChoice {
  if (!value) return 'auto';
  if ((PROVIDER_CHOICES as readonly string[]).includes(value)) return value as ProviderChoice;
  throw new Error(`Unknown execution provider "${value}"; use one of ${PROVIDER_CHOICES.join(', ')}.`);
}
