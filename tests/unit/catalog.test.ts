import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { isTensorContract, loadCatalog, parseCatalog } from '../../electron/engine/models/catalog.js';
import { sha256File } from '../../electron/engine/models/sha256.js';
import { modelMirror, repoRoot, testModelsDir } from '../support/paths.js';

const catalog = loadCatalog();

describe('models/catalog.json', () => {
  it('describes every file in the model mirror with its exact size and sha256', async () => {
    const files = readdirSync(modelMirror, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(onnx|json)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const file of files) {
      const entry = catalog.models.find((m) => m.file === file);
      const original = catalog.models.find((m) => m.derivedFrom?.file === file)?.derivedFrom;
      expect(entry ?? original, `catalog entry for ${file}`).toBeDefined();
      if (entry) expect(entry.bytes).toBe(statSync(join(modelMirror, file)).size);
      expect((entry ?? original)!.sha256).toBe(await sha256File(join(modelMirror, file)));
    }
  });

  it("declares each network's real input and output names, types and ranks", async () => {
    for (const m of catalog.models.filter((x) => (x.availability === 'mirror' || x.availability === 'bundled') && isTensorContract(x.contract))) {
      if (!isTensorContract(m.contract)) continue;
      const file = m.availability === 'bundled' ? join(repoRoot, 'models', m.file) : join(testModelsDir, basename(m.file));
      const session = await ort.InferenceSession.create(file);
      expect(session.inputNames.slice().sort(), m.id).toEqual(m.contract.inputs.map((t) => t.name).sort());
      for (const t of m.contract.outputs) expect(session.outputNames, m.id).toContain(t.name);
      for (const [i, meta] of session.inputMetadata.entries()) {
        const spec = m.contract.inputs.find((t) => t.name === session.inputNames[i])!;
        if (meta.isTensor) {
          expect(meta.type, `${m.id}.${spec.name}`).toBe(spec.dtype);
          expect(meta.shape.length, `${m.id}.${spec.name}`).toBe(spec.shape.length);
        }
      }
      await session.release();
    }
  });

  it('rejects a malformed catalog with a message that names the file', () => {
    expect(() => parseCatalog({ version: 1, models: [{ id: 'x' }] }, 'bad.json')).toThrow(/bad\.json is not a valid model catalog/);
    const twice = { version: 1, models: [catalog.models[0], catalog.models[0]] };
    expect(() => parseCatalog(twice, 'dup.json')).toThrow(/twice/);
  });
});
