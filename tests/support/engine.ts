import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type EngineOptions } from '../../electron/engine/engine.js';
import { testModelsDir } from './paths.js';

/** An engine on the test models and the CPU, with its own data folder (settings, autosaves, history spill). */
export function testEngine(options: EngineOptions = {}): Engine {
  return new Engine({ modelsDir: testModelsDir, provider: 'cpu', dataDir: mkdtempSync(join(tmpdir(), 'ganvas-data-')), ...options });
}
