import { join } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    // Inference saturates both cores; files running side by side only slow each other down.
    fileParallelism: false,
    testTimeout: 120_000,
    // Settings, autosaves and history spill of the tests' engines: never the user's own.
    // ORT_DISABLE_TELEMETRY: tests that load ONNX Runtime themselves must not write its telemetry files either.
    env: { GANVAS_DATA_DIR: join(import.meta.dirname, '.cache', 'test-data'), ORT_DISABLE_TELEMETRY: '1' },
    hookTimeout: 120_000,
    expect: {
      // A test without an assertion proves nothing.
      requireAssertions: true,
      // Polls wait for what the app will do, not for how fast: a busy CI machine is far slower than a desk.
      poll: { timeout: 15_000 },
    },
  },
});
