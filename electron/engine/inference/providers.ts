import './no-telemetry.js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

export type ProviderId = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';
const PROVIDER_IDS: readonly ProviderId[] = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

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

/** Static checks: which providers this build of ONNX Runtime could use on this machine. */
export function checkProvider(id: ProviderId, platform: NodeJS.Platform = process.platform): ProviderCheck {
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
    case 'webgpu':
      return bundled('webgpu')
        ? { id, available: true, reason: 'bundled; experimental, used only when chosen explicitly (GANVAS_PROVIDER=webgpu)' }
        : { id, available: false, reason: 'this ONNX Runtime build has no WebGPU provider' };
  }
}

/**
 * The order providers are tried in. A preference (flag or GANVAS_PROVIDER) goes first; CPU is
 * always last so a model always runs.
 */
export function providerOrder(preferred: ProviderId | 'auto' = 'auto', platform: NodeJS.Platform = process.platform): ProviderId[] {
  const auto: ProviderId[] = [];
  if (platform === 'linux' || platform === 'win32') auto.push('cuda');
  if (platform === 'win32') auto.push('dml');
  if (platform === 'darwin') auto.push('coreml');
  const order = preferred === 'auto' || preferred === 'cpu' ? auto : [preferred, ...auto.filter((p) => p !== preferred)];
  return [...order, 'cpu'];
}

export function parseProvider(value: string | undefined): ProviderId | 'auto' {
  if (!value || value === 'auto') return 'auto';
  if ((PROVIDER_IDS as readonly string[]).includes(value)) return value as ProviderId;
  throw new Error(`Unknown execution provider "${value}"; use one of auto, ${PROVIDER_IDS.join(', ')}.`);
}
