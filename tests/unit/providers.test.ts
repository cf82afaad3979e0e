/**
 * Auto's choice, with the adapters a user may have (a hardware GPU, a software one, none) given
 * to it, since CI has only the software one: Auto takes WebGPU on hardware and never on software.
 */
import { describe, expect, it } from 'vitest';
import type { GpuAdapter } from '../../electron/engine/inference/gpu-adapter.js';
import { deviceName, providerChecks, type ProviderContext } from '../../electron/engine/inference/providers.js';

const adapter = (name: string, software: boolean, memoryBytes: number | null = null): GpuAdapter => ({
  name,
  software,
  maxBufferSize: 2 ** 31,
  maxStorageBufferBindingSize: 2 ** 31,
  memoryBytes,
});
const on = (platform: NodeJS.Platform, a: GpuAdapter | null): ProviderContext => ({
  platform,
  gpu: a ? { adapter: a } : { adapter: null, reason: 'no WebGPU adapter was found' },
});
const firstAvailable = (ctx: ProviderContext, preferred: Parameters<typeof providerChecks>[0] = 'auto') =>
  providerChecks(preferred, ctx).find((c) => c.available)!.id;

describe('Auto', () => {
  it('takes WebGPU on a hardware adapter, after the vendor’s own provider and before the CPU', () => {
    const checks = providerChecks('auto', on('linux', adapter('AMD Radeon RX 7600 (RADV NAVI33)', false, 8 * 2 ** 30)));
    expect(checks.map((c) => c.id)).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(checks[1]).toMatchObject({ id: 'webgpu', available: true, reason: 'AMD Radeon RX 7600 (RADV NAVI33), 8.0 GiB memory' });
  });

  it('never takes a software adapter, which can still be chosen by name', () => {
    const ctx = on('linux', adapter('SwiftShader driver 5.0.0', true));
    expect(firstAvailable(ctx)).toBe('cpu');
    expect(firstAvailable(ctx, 'webgpu')).toBe('webgpu');
  });

  it('runs on the CPU when there is no adapter, and the CPU alone when it is chosen', () => {
    expect(firstAvailable(on('linux', null))).toBe('cpu');
    expect(providerChecks('cpu', on('linux', adapter('AMD Radeon', false))).map((c) => c.id)).toEqual(['cpu']);
  });

  it('names what ran, with the GPU’s memory where the system reports it', () => {
    expect(deviceName('webgpu', adapter('AMD Radeon RX 7600', false, 8 * 2 ** 30))).toBe('WebGPU on AMD Radeon RX 7600 (8.0 GiB)');
    expect(deviceName('webgpu', adapter('Apple M2', false))).toBe('WebGPU on Apple M2');
    expect(deviceName('cpu', null)).toBe('CPU');
  });
});
