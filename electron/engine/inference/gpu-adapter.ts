import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../errors.js';
import { workerUrl } from '../worker-url.js';

/** The GPU that WebGPU (Dawn: Vulkan, Direct3D 12 or Metal) would run on, as the adapter describes itself. */
export interface GpuAdapter {
  /** The adapter's own description (driver and device), for the status bar, doctor and reports. */
  name: string;
  /** A CPU emulating a GPU (SwiftShader, lavapipe/llvmpipe, WARP): correct but slower than the CPU provider, so Auto never picks it. */
  software: boolean;
  /** Largest buffer and largest storage binding (bytes): one tensor of a tile must fit in them. */
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** Dedicated memory (bytes) where the system says (WebGPU itself does not), else null. */
  memoryBytes: number | null;
}

export type AdapterProbe = { adapter: GpuAdapter; reason?: undefined } | { adapter: null; reason: string };

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|basic render|\bwarp\b/i;

/** AMD's and Intel's discrete drivers publish their memory in sysfs on Linux; elsewhere it stays unknown. */
function linuxVideoMemory(): number | null {
  try {
    for (const card of readdirSync('/sys/class/drm')) {
      if (!/^card\d+$/.test(card)) continue;
      try {
        const bytes = Number(readFileSync(join('/sys/class/drm', card, 'device', 'mem_info_vram_total'), 'utf8').trim());
        if (bytes > 0) return bytes;
      } catch {
        // This card's driver does not publish its memory.
      }
    }
  } catch {
    // No DRM devices here.
  }
  return null;
}

/**
 * Asks Dawn (the `webgpu` package, the same engine ONNX Runtime's WebGPU provider is built on)
 * for its high-performance adapter, in this process. Never throws: a missing driver or library is
 * a reason.
 */
export async function probeHere(): Promise<AdapterProbe> {
  try {
    const { create } = await import('webgpu');
    const found = await create([]).requestAdapter({ powerPreference: 'high-performance' });
    if (!found) return { adapter: null, reason: 'no WebGPU adapter was found (no Vulkan, Direct3D 12 or Metal device with the features WebGPU needs)' };
    const info = found.info;
    const name = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unnamed adapter';
    return {
      adapter: {
        name,
        software: info.isFallbackAdapter || SOFTWARE_NAMES.test(`${name} ${info.architecture} ${info.device}`),
        maxBufferSize: found.limits.maxBufferSize,
        maxStorageBufferBindingSize: found.limits.maxStorageBufferBindingSize,
        memoryBytes: process.platform === 'linux' ? linuxVideoMemory() : null,
      },
    };
  } catch (err) {
    return { adapter: null, reason: `WebGPU could not be started: ${errorMessage(err)}` };
  }
}

/** What Dawn and the Vulkan loader said on stderr, without stack lines: why a device was passed over. */
function complaints(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('at ') && !l.startsWith('- '));
  return [...new Set(lines)].slice(0, 3).join('; ');
}

/**
 * The probe in a child process: Dawn's and the Vulkan loader's complaints about devices they pass
 * over go to its stderr, not the user's terminal, and become part of the reason; a driver that
 * crashes takes only the child with it.
 */
function probeInChild(): Promise<AdapterProbe> {
  const script = fileURLToPath(workerUrl(import.meta.url, 'gpu-probe.js', 'inference'));
  return new Promise((resolve) => {
    execFile(process.execPath, [script], { timeout: PROBE_TIMEOUT_MS, env: process.env }, (err, stdout, stderr) => {
      const said = complaints(stderr);
      try {
        const found = JSON.parse(stdout) as AdapterProbe;
        return resolve(found.adapter || !said ? found : { adapter: null, reason: `${found.reason} (${said})` });
      } catch {
        resolve({ adapter: null, reason: `WebGPU could not be started: ${said || (err ? errorMessage(err) : 'the probe said nothing')}` });
      }
    });
  });
}

/** A GPU driver that hangs while being asked is given up on after this long. */
const PROBE_TIMEOUT_MS = 20_000;

let probed: Promise<AdapterProbe> | null = null;

/**
 * The adapter, looked for once per process: in a child where this is Node (the CLI, a farm
 * worker, tests); in this process in Electron, whose binary cannot run as Node (see the fuses in
 * electron-builder.yml).
 */
export function gpuAdapter(): Promise<AdapterProbe> {
  return (probed ??= process.versions.electron ? probeHere() : probeInChild());
}

/** What one network run may use on the adapter: half its memory where known (the desktop and other apps share it), else its largest buffer. */
export function adapterBudgetBytes(a: GpuAdapter): number {
  return a.memoryBytes ? a.memoryBytes / 2 : a.maxBufferSize;
}

/** "SwiftShader driver 5.0.0 (software), 1.0 GiB per buffer" — how the adapter is named to the user. */
export function describeAdapter(a: GpuAdapter): string {
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  const memory = a.memoryBytes ? `${gib(a.memoryBytes)} memory` : `memory not reported, ${gib(a.maxBufferSize)} per buffer`;
  return `${a.name}${a.software ? ' (software)' : ''}, ${memory}`;
}
