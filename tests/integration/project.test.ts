import { spawn, spawnSync } from 'node:child_process';
import type { DocId } from '../../electron/engine/ids.js';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerReader } from '../../electron/engine/project/container.js';
import { testEngine } from '../support/engine.js';
import { cli, photo, repoRoot } from '../support/paths.js';
import { digest } from '../support/rasters.js';

const tmp = mkdtempSync(join(tmpdir(), 'ganvas-project-'));
const dataDir = join(tmp, 'data');
const engine = testEngine({ dataDir });
afterAll(() => engine.dispose());
const child = join(repoRoot, 'dist', 'tests', 'support', 'project-child.js');

/** Everything a project must bring back: stack, settings, placement, pixels, masks, histories. */
function snapshot(docId: DocId) {
  const doc = engine.document(docId).doc;
  return {
    canvas: [doc.width, doc.height],
    layers: doc.layers.map((l) => ({
      id: l.id,
      props: l.props,
      bounds: l.bounds,
      origin: l.origin,
      pixels: digest(l.raster),
      mask: digest(l.mask),
      history: engine.document(docId).historyOf({ layerId: l.id }),
    })),
    documentHistory: engine.document(docId).historyOf('document'),
  };
}

function layerNamed(id: DocId, name: string) {
  const l = engine
    .document(id)
    .info()
    .layers.find((x) => x.name === name);
  if (!l) throw new Error(`no layer ${name}`);
  return l;
}

let photo16: string;
let docId: DocId;

beforeAll(async () => {
  photo16 = join(tmp, 'coffee-16bit.png');
  await sharp(photo('coffee.png')).resize(320).toColourspace('rgb16').png().toFile(photo16);
  const doc = await engine.open(photo16);
  docId = doc.id;
  expect(doc.bitDepth).toBe(16);
  await engine.document(docId).addLayer({ kind: 'file', path: photo('chelsea.png') });
  const cat = engine.document(docId).info().layers[1]!.id;
  await engine.document(docId).apply('setLayerProps', cat, { blend: 'overlay', opacity: 0.7 });
  await engine.document(docId).apply('addMask', cat, 'reveal');
  await engine.document(docId).apply('paintMask', cat, {
    points: [
      [40, 40],
      [200, 120],
      [260, 60],
    ],
    radius: 25,
    hardness: 0.6,
    value: 0,
    opacity: 1,
  });
  await engine.document(docId).addLayer({ kind: 'duplicate', layerId: engine.document(docId).info().layers[0]!.id });
  const copy = layerNamed(docId, 'coffee-16bit.png copy').id;
  await engine.document(docId).apply('setLayerProps', copy, { blend: 'soft-light', name: 'Coffee soft light' });
  const empty = await engine.document(docId).addLayer({ kind: 'empty' });
  await engine.document(docId).apply('deleteLayer', empty.layers.at(-1)!.id);
  await engine.document(docId).undo({ layerId: cat }); // one step waiting to be redone
});

describe('projects', () => {
  it('round-trips pixel-exact: 16-bit layers, masks, blend settings, both kinds of history', async () => {
    const before = snapshot(docId);
    const rendered = digest(await engine.document(docId).doc.render());
    const file = join(tmp, 'round-trip.ganvas');
    const saved = await engine.document(docId).saveProject(file);
    expect(saved).toMatchObject({ dirty: false, title: 'round-trip.ganvas' });

    const reopened = await engine.open(file);
    expect(reopened.lost).toEqual([]);
    expect(reopened.bitDepth).toBe(16);
    expect(snapshot(reopened.id)).toEqual(before);
    expect(digest(await engine.document(reopened.id).doc.render())).toBe(rendered);

    // The histories work after reopening exactly as before saving.
    const cat = layerNamed(docId, 'chelsea.png').id;
    for (const id of [docId, reopened.id]) {
      await engine.document(id).redo({ layerId: cat });
      await engine.document(id).undo({ layerId: cat });
      await engine.document(id).undo({ layerId: cat });
      await engine.document(id).undo('document');
    }
    expect(snapshot(reopened.id)).toEqual(snapshot(docId));
    // So does the order of all the steps (Ctrl+Z), kept in the project.
    expect(engine.document(reopened.id).info().undoLabel).toBe(engine.document(docId).info().undoLabel);
    expect(engine.document(docId).info().undoLabel).not.toBeNull();
    for (const id of [docId, reopened.id]) for (let i = 0; i < 3; i++) await engine.document(id).undo('latest');
    expect(snapshot(reopened.id)).toEqual(snapshot(docId));
    await engine.close(reopened.id);
  });

  it('can leave history out, keeping every pixel', async () => {
    const file = join(tmp, 'no-history.ganvas');
    await engine.document(docId).saveProject(file, { includeHistory: false });
    const reopened = await engine.open(file);
    const a = snapshot(docId);
    const b = snapshot(reopened.id);
    expect(b.layers.map((l) => [l.pixels, l.mask, l.props])).toEqual(a.layers.map((l) => [l.pixels, l.mask, l.props]));
    expect(b.layers.every((l) => l.history.entries.length === 1)).toBe(true);
    expect(b.documentHistory.entries).toHaveLength(1);
    await engine.close(reopened.id);
  });

  describe('bad project files get a clear error and change nothing', () => {
    let good: string;
    beforeAll(async () => {
      good = join(tmp, 'good.ganvas');
      await engine.document(docId).saveProject(good);
    });
    const variant = (name: string, damage: (bytes: Buffer) => Buffer) => {
      const file = join(tmp, name);
      writeFileSync(file, damage(readFileSync(good)));
      return { file, bytes: readFileSync(file) };
    };

    it('truncated', async () => {
      const { file, bytes } = variant('truncated.ganvas', (b) => b.subarray(0, Math.floor(b.length / 2)));
      await expect(engine.open(file)).rejects.toThrow(/truncated\.ganvas cannot be opened: the file is truncated/);
      expect(readFileSync(file).equals(bytes)).toBe(true);
    });

    it('not a project at all', async () => {
      const { file } = variant('noise.ganvas', (b) => Buffer.from(b.map((_, i) => (i * 7919) & 255)));
      await expect(engine.open(file)).rejects.toThrow(/noise\.ganvas/);
    });

    it('from a newer Ganvas', async () => {
      const { file } = variant('newer.ganvas', (b) => {
        const c = Buffer.from(b);
        c.writeUInt32LE(99, 8);
        return c;
      });
      await expect(engine.open(file)).rejects.toMatchObject({
        code: 'PROJECT_TOO_NEW',
        message: expect.stringMatching(/newer\.ganvas was saved by a newer Ganvas/),
      });
    });

    it('one damaged layer: opens the rest and says what was lost', async () => {
      const reader = await ContainerReader.open(good);
      const cat = layerNamed(docId, 'chelsea.png');
      const entry = reader.entry(`layers/${cat.id}/pixels`)!;
      await reader.close();
      const { file } = variant('damaged.ganvas', (b) => {
        const c = Buffer.from(b);
        const at = entry.offset + Math.floor(entry.length / 2);
        c[at] = c[at]! ^ 0xff;
        return c;
      });
      const opened = await engine.open(file);
      expect(opened.lost).toEqual([`Layer “chelsea.png” pixels: damaged (checksum mismatch); the layer is now empty`]);
      const expected = snapshot(docId).layers;
      const got = snapshot(opened.id).layers;
      const damaged = expected.findIndex((l) => l.id === cat.id);
      expect(got.map((l) => l.pixels)).toEqual(expected.map((l, i) => (i === damaged ? got[i]!.pixels : l.pixels)));
      expect(engine.document(opened.id).doc.layers[damaged]!.raster.data.every((v) => v === 0)).toBe(true);
      await engine.close(opened.id);
    });
  });

  it('a process killed (SIGKILL) in the middle of saving leaves the previous project intact and loadable', async () => {
    const dir = mkdtempSync(join(tmp, 'kill-'));
    const file = join(dir, 'work.ganvas');
    copyFileSync(join(tmp, 'round-trip.ganvas'), file);
    const proc = spawn(process.execPath, [child, 'save-loop', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let saves = 0;
    proc.stdout.on('data', (d: Buffer) => (saves += d.toString().split('saving').length - 1));
    // Kill while a temporary file is being written: the save is half done.
    const killedMidSave = await new Promise<boolean>((resolve) => {
      const poll = setInterval(() => {
        if (saves >= 3 && readdirSync(dir).some((n) => n.endsWith('.tmp'))) {
          clearInterval(poll);
          proc.kill('SIGKILL');
          resolve(true);
        }
      }, 2);
      proc.on('exit', () => resolve(false));
    });
    expect(killedMidSave).toBe(true);
    await new Promise((r) => proc.once('exit', r));
    const reopened = await engine.open(file);
    expect(reopened.lost).toEqual([]);
    // The original stack plus one duplicate per completed save.
    expect(reopened.layers.length).toBeGreaterThanOrEqual(snapshot(docId).layers.length);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    // The next save clears what the killed one left behind, and nothing else.
    writeFileSync(join(dir, '.work.ganvas.notes.tmp'), 'not ours');
    await engine.document(reopened.id).saveProject(file);
    expect(readdirSync(dir).sort()).toEqual(['.work.ganvas.notes.tmp', 'work.ganvas']);
    await engine.close(reopened.id);
  });

  it('autosave, then a crash, then restore brings the work back exactly', async () => {
    const crashData = join(tmp, 'crash-data');
    const proc = spawn(process.execPath, [child, 'autosave', photo('rocket.jpg'), crashData], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      proc.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
      proc.on('exit', (code) => reject(new Error(`child exited ${code} before autosaving`)));
    });
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));
    const expected = JSON.parse(line) as { layers: unknown[]; render: string };

    const next = testEngine({ dataDir: crashData });
    try {
      const offers = await next.recoverable();
      expect(offers).toHaveLength(1);
      expect(offers[0]!.title).toBe('rocket.jpg');
      const restored = await next.restore(offers[0]!.key);
      expect(restored.dirty).toBe(true);
      const doc = next.document(restored.id).doc;
      expect(doc.layers.map((l) => [l.props, digest(l.raster), digest(l.mask)])).toEqual(expected.layers);
      expect(digest(await doc.render())).toBe(expected.render);
      expect(restored.layers[1]!.canUndo).toBe(true);
      // The old autosave is replaced by this session's own; nothing is offered twice.
      expect(await next.recoverable()).toEqual([]);
    } finally {
      await next.dispose();
    }
  });
});

describe('export of a layered document', () => {
  let aiDoc: DocId;
  beforeAll(async () => {
    const small = join(tmp, 'chelsea-small.png');
    await sharp(photo('chelsea.png')).resize(96).toFile(small);
    aiDoc = (await engine.open(small)).id;
    const end = await engine.tools.waitFor(engine.tools.run(aiDoc, engine.document(aiDoc).info().layers[0]!.id, 'enhance', { scale: 4, quality: 'fast' }));
    expect(end.type).toBe('job-done');
    const ai = engine.document(aiDoc).info().layers[1]!.id;
    await engine.document(aiDoc).apply('setLayerProps', ai, { blend: 'screen', opacity: 0.8 });
    await engine.document(aiDoc).apply('paintMask', ai, {
      points: [
        [100, 100],
        [300, 200],
      ],
      radius: 40,
      hardness: 0.5,
      value: 0,
      opacity: 1,
    });
  });

  it('applies blend modes and masks, and records the AI edits in XMP', async () => {
    const out = join(tmp, 'layered.png');
    const r = await engine.document(aiDoc).export(out, { format: 'png', quality: 90, bitDepth: 8 });
    expect(r.aiEdits).toBe(1);
    const rendered = await engine.document(aiDoc).doc.render();
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([rendered.width, rendered.height, rendered.channels]);
    expect(digest({ ...rendered, data: new Uint8Array(data) })).toBe(digest(rendered));
    const xmp = (await sharp(out).metadata()).xmp?.toString() ?? '';
    expect(xmp).toContain('Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"');
    expect(xmp).toContain('<ganvas:model>realesr-general-x4v3</ganvas:model>');
  });

  it('writes no AI record when the setting is off or no AI layer shows', async () => {
    for (const format of ['jpeg', 'tiff', 'webp'] as const) {
      const out = join(tmp, `off.${format}`);
      await engine.document(aiDoc).export(out, { format, quality: 90, bitDepth: 8, recordAiProvenance: false });
      expect((await sharp(out).metadata()).xmp).toBeUndefined();
      const on = join(tmp, `on.${format}`);
      await engine.document(aiDoc).export(on, { format, quality: 90, bitDepth: 8 });
      expect((await sharp(on).metadata()).xmp?.toString()).toContain('compositeWithTrainedAlgorithmicMedia');
    }
    await engine.document(aiDoc).apply('setLayerProps', engine.document(aiDoc).info().layers[1]!.id, { visible: false });
    const hidden = join(tmp, 'hidden.png');
    expect((await engine.document(aiDoc).export(hidden, { format: 'png', quality: 90, bitDepth: 8 })).aiEdits).toBe(0);
    expect((await sharp(hidden).metadata()).xmp).toBeUndefined();
    await engine.document(aiDoc).undo({ layerId: engine.document(aiDoc).info().layers[1]!.id });
  });

  it('the CLI describes a project and exports it', async () => {
    const file = join(tmp, 'cli.ganvas');
    await engine.document(aiDoc).saveProject(file);
    const info = spawnSync(process.execPath, [cli, 'project', 'info', file], { encoding: 'utf8' });
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/cli\.ganvas: 384×\d+, 2 layer\(s\)/);
    expect(info.stdout).toMatch(/Enhance ×4 \(Fast\) — 384×\d+ 8-bit, screen 80 %, visible, mask; ai \(realesr-general-x4v3\)/);
    const out = join(tmp, 'cli-export.jpg');
    const exp = spawnSync(process.execPath, [cli, 'export', file, '-o', out], { encoding: 'utf8' });
    expect(exp.status, exp.stderr).toBe(0);
    expect(exp.stderr).toMatch(/1 AI edit\(s\) recorded in XMP/);
    expect((await sharp(out).metadata()).xmp?.toString()).toContain('realesr-general-x4v3');
    const bad = spawnSync(process.execPath, [cli, 'project', 'info', join(tmp, 'truncated.ganvas')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/truncated\.ganvas cannot be opened/);
  });
});

describe('AI results with the "replace" setting, and autosave after each AI result', () => {
  it('replaces the active layer’s pixels as one undoable step, grows the canvas, and autosaves', async () => {
    const own = testEngine({ autosave: true });
    try {
      await own.updateSettings({ aiResult: 'replace' });
      const small = join(tmp, 'coffee-small.png');
      await sharp(photo('coffee.png')).resize(80).toFile(small);
      const doc = await own.open(small);
      const layer = own.document(doc.id).doc.layers[0]!;
      const original = digest(layer.raster);
      const end = await own.tools.waitFor(own.tools.run(doc.id, layer.id, 'enhance', { scale: 4, quality: 'fast' }));
      expect(end).toMatchObject({ type: 'job-done', layerId: layer.id });
      const after = own.document(doc.id).info();
      expect(after.layers).toHaveLength(1);
      expect([after.width, after.height, after.layers[0]!.width]).toEqual([320, doc.height * 4, 320]);
      expect(
        own
          .document(doc.id)
          .historyOf({ layerId: layer.id })
          .entries.map((e) => e.label),
      ).toEqual(['Opened coffee-small.png', 'Enhance ×4 (Fast)']);
      expect(own.document(doc.id).doc.visibleAiEdits()).toMatchObject([{ toolId: 'enhance', modelId: 'realesr-general-x4v3' }]);

      // The AI result was autosaved: a recovery project holding the enhanced pixels.
      await expect.poll(() => readdirSync(own.recovery.dir).filter((n) => n.endsWith('.json')).length).toBe(1);
      const recovered = await own.open(
        join(
          own.recovery.dir,
          readdirSync(own.recovery.dir).find((n) => n.endsWith('.ganvas'))!,
        ),
      );
      expect(digest(own.document(recovered.id).doc.layers[0]!.raster)).toBe(digest(layer.raster));

      await own.document(doc.id).undo({ layerId: layer.id });
      expect(digest(layer.raster)).toBe(original);
      expect(own.document(doc.id).doc.visibleAiEdits()).toEqual([]);
      // Closing the document removes its autosave.
      await own.close(doc.id);
      expect(readdirSync(own.recovery.dir).filter((n) => n.endsWith('.json'))).toEqual([]);
    } finally {
      await own.dispose();
    }
  });
});
