import { createServer, type Server } from 'node:http';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog, findModel } from '../../electron/engine/models/catalog.js';
import { installFromDir, installFromUrl } from '../../electron/engine/models/install.js';
import { ModelStore } from '../../electron/engine/models/store.js';
import { modelMirror } from '../support/paths.js';

const catalog = loadCatalog();
const model = findModel(catalog, 'iat_lol');
const bytes = readFileSync(join(modelMirror, model.file));
const fresh = () => new ModelStore(catalog, mkdtempSync(join(tmpdir(), 'ganvas-models-')));

describe('install from a mirror folder', () => {
  it('copies, verifies and renames into place', async () => {
    const store = fresh();
    const path = await installFromDir(store, model, modelMirror);
    expect(path).toBe(store.targetPath(model));
    expect((await store.status(model, true)).state).toBe('installed');
    await expect(store.resolve(model.id)).resolves.toBe(path);
  });

  it('refuses a file whose sha256 does not match and leaves nothing behind', async () => {
    const mirror = mkdtempSync(join(tmpdir(), 'ganvas-mirror-'));
    const bad = Buffer.from(bytes);
    bad[bad.length - 10] = bad[bad.length - 10]! ^ 0xff;
    writeFileSync(join(mirror, 'iat_lol.onnx'), bad);
    const store = fresh();
    await expect(installFromDir(store, model, mirror)).rejects.toThrow(/Refused to install "iat_lol": its sha256 is [0-9a-f]{64}, expected 7526a356/);
    expect(existsSync(store.targetPath(model))).toBe(false);
  });

  it('says how to install a missing model, and reports a damaged one', async () => {
    const store = fresh();
    await expect(store.resolve('realesrgan-x4plus')).rejects.toThrow(
      /is not installed\. It comes from xinntao\/Real-ESRGAN .*install it with `ganvas models install realesrgan-x4plus --from <folder>`/,
    );
    await expect(store.resolve('migan-pipeline-v2')).rejects.toThrow(/is not installed\. Download it with `ganvas models install migan-pipeline-v2`/);
    mkdirSync(store.dir, { recursive: true });
    const target = store.targetPath(model);
    copyFileSync(join(modelMirror, model.file), target);
    const damaged = readFileSync(target);
    damaged[100] = damaged[100]! ^ 0xff;
    writeFileSync(target, damaged);
    await expect(store.resolve(model.id)).rejects.toThrow(/failed verification \(sha256 .*\)\. Reinstall it/);
  });
});

describe('install from a URL', () => {
  let server: Server;
  let base = '';
  const requests: { range: string | undefined }[] = [];
  let cutNext = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push({ range: req.headers.range });
      const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
      const from = m ? Number(m[1]) : 0;
      const body = bytes.subarray(from);
      res.writeHead(m ? 206 : 200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
      if (cutNext) {
        cutNext = false;
        // Send part of the file, then drop the connection as a flaky network would.
        res.write(body.subarray(0, Math.floor(body.length / 3)), () => setTimeout(() => res.destroy(), 50));
        return;
      }
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('resumes an interrupted download where it stopped and verifies the whole file', async () => {
    const store = fresh();
    requests.length = 0;
    cutNext = true;
    await expect(installFromUrl(store, model, `${base}/iat_lol.onnx`)).rejects.toThrow(/interrupted after \d+ bytes.*Run the same install again to resume/);
    const partial = statSync(`${store.targetPath(model)}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(bytes.length);
    const progress: number[] = [];
    await installFromUrl(store, model, `${base}/iat_lol.onnx`, { onProgress: (p) => progress.push(p.bytesDone) });
    expect(requests.map((r) => r.range)).toEqual([undefined, `bytes=${partial}-`]);
    expect(progress[0]).toBeGreaterThan(partial);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(readFileSync(store.targetPath(model)).equals(bytes)).toBe(true);
    expect(existsSync(`${store.targetPath(model)}.part`)).toBe(false);
  });

  it('needs a hash the user trusts for a model without a published one', async () => {
    await expect(installFromUrl(fresh(), findModel(catalog, 'lama'), `${base}/x`)).rejects.toThrow(
      /no published sha256; pass the hash you trust with --sha256/,
    );
  });
});
