import { mkdir } from 'node:fs/promises';
import { loadCatalog } from '../../electron/engine/models/catalog.js';
import { installFromDir } from '../../electron/engine/models/install.js';
import { ModelStore } from '../../electron/engine/models/store.js';
import { modelMirror, testModelsDir } from './paths.js';

/** Installs every mirror model the way a user would (copy, sha256, atomic rename), once per run. */
export default async function setup(): Promise<void> {
  await mkdir(testModelsDir, { recursive: true });
  const store = new ModelStore(loadCatalog(), testModelsDir);
  for (const model of store.catalog.models.filter((m) => m.availability === 'mirror')) {
    if ((await store.status(model, true)).state !== 'installed') await installFromDir(store, model, modelMirror);
  }
}
