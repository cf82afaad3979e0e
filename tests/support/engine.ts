import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type EngineOptions } from '../../electron/engine/engine.js';
import { loadCatalog } from '../../electron/engine/models/catalog.js';
import { ModelStore } from '../../electron/engine/models/store.js';
import { bundledModelsDir } from '../../electron/engine/paths.js';
import { testModelsDir } from './paths.js';

/** An engine on the test models and the CPU, with its own data folder (settings, autosaves, history spill). */
export function testEngine(options: EngineOptions = {}): Engine {
  return new Engine({ modelsDir: testModelsDir, provider: 'cpu', dataDir: mkdtempSync(join(tmpdir(), 'ganvas-data-')), ...options });
}

/** The models the tests use, found as the engine finds them: installed from the mirror, or bundled. */
export function testModelStore(): ModelStore {
  return new ModelStore(loadCatalog(), testModelsDir, { bundledDir: bundledModelsDir() });
}
