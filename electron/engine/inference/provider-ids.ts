/** The execution providers Ganvas offers, in Auto's order of preference before the CPU; no ONNX Runtime import, so the renderer can list them. */
export const PROVIDER_IDS = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
/** What the user chooses: one provider by name, or Auto (the first that works here). */
export const PROVIDER_CHOICES = ['auto', ...PROVIDER_IDS] as const;
export type ProviderChoice = (typeof PROVIDER_CHOICES)[number];

export const PROVIDER_NAMES: Record<ProviderChoice, string> = { auto: 'Auto', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML', webgpu: 'WebGPU', cpu: 'CPU' };
