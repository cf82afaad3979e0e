import { mkdtempSync } from 'node:fs';
import { docId } from '../../electron/engine/ids.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BLEND_MODES, type BlendMode } from '../../electron/engine/document/blend.js';
import { paintStrokeAsync } from '../../electron/engine/document/brush.js';
import { composite } from '../../electron/engine/document/composite.js';
import { PhotoDocument } from '../../electron/engine/document/document.js';
import { HistoryStore } from '../../electron/engine/document/history-store.js';
import { changedTiles, PATCH_TILE } from '../../electron/engine/document/patches.js';
import { allocRaster, fullRect, type Raster } from '../../electron/engine/images/raster.js';
import { overlayPng, selectionOnLayer } from '../../electron/engine/document/selection.js';
import { SelectionPicture } from '../../electron/engine/document/selection-picture.js';
import { Marks } from '../../electron/engine/document/marks.js';
import sharp from 'sharp';
import { digest, testRaster, withBox } from '../support/rasters.js';

const stores: HistoryStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.dispose();
});

function store(budget = 2 ** 30): HistoryStore {
  const s = new HistoryStore(budget, join(mkdtempSync(join(tmpdir(), 'ganvas-hist-')), 'history'));
  stores.push(s);
  return s;
}

function docOf(base: Raster, s = store()): PhotoDocument {
  const meta = { fileName: 'test.png', format: 'png', exif: null, icc: null, xmp: null, orientation: 1, bitDepth: base.depth };
  return PhotoDocument.fromImage(docId(0), { path: '/nowhere/test.png', meta }, base, s);
}

async function twoLayerDoc() {
  const doc = docOf(testRaster(300, 200, 3, 8, 1));
  const b = await doc.addLayer({ name: 'B', raster: testRaster(300, 200, 4, 8, 2), bounds: fullRect(doc), origin: { kind: 'empty' } });
  return { doc, a: doc.layers[0]!, b };
}

describe('per-layer undo', () => {
  it('undoing on A after editing A then B reverts A only, and redo brings A back', async () => {
    const { doc, a, b } = await twoLayerDoc();
    const a0 = digest(a.raster);
    doc.commitPixels(a.id, 'pixels', withBox(a.raster, 10, 10, 40, 30, 0), 'paint A');
    const a1 = digest(a.raster);
    doc.commitPixels(b.id, 'pixels', withBox(b.raster, 200, 100, 50, 50, 255), 'paint B');
    const b1 = digest(b.raster);
    expect(a1).not.toBe(a0);

    await doc.histories.undo({ layerId: a.id });
    expect(digest(a.raster)).toBe(a0);
    expect(digest(b.raster)).toBe(b1);
    expect(b.history.canUndo).toBe(true);

    await doc.histories.redo({ layerId: a.id });
    expect(digest(a.raster)).toBe(a1);
    expect(digest(b.raster)).toBe(b1);
  });

  it('keeps only the changed tiles for a local edit', async () => {
    const { doc, a } = await twoLayerDoc();
    doc.commitPixels(a.id, 'pixels', withBox(a.raster, 5, 5, 10, 10, 0), 'small edit');
    // One tile of a 300×200 RGB layer, not the whole layer.
    expect(doc.store.memoryBytes).toBe(PATCH_TILE * PATCH_TILE * 3);
  });

  it('finds a one-pixel change in its tile, and joins changed neighbours in a row', () => {
    const r = testRaster(400, 300);
    const one = withBox(r, 130, 5, 1, 1, 0);
    expect(changedTiles(r, one)).toEqual([{ x: PATCH_TILE, y: 0, width: PATCH_TILE, height: PATCH_TILE }]);
    const row = withBox(r, 0, 200, 400, 2, 0);
    expect(changedTiles(r, row)).toEqual([{ x: 0, y: PATCH_TILE, width: 400, height: PATCH_TILE }]);
    // Only tiles meeting the area are looked at.
    expect(changedTiles(r, one, { x: 0, y: PATCH_TILE, width: 400, height: 100 })).toEqual([]);
  });

  it('settings steps (opacity, blend, name) undo per layer, and a new edit clears redo', async () => {
    const { doc, a, b } = await twoLayerDoc();
    doc.setLayerProps(b.id, { opacity: 0.5 }, 'opacity');
    doc.setLayerProps(b.id, { blend: 'multiply' }, 'blend');
    doc.setLayerProps(a.id, { name: 'Base' }, 'rename');
    await doc.histories.undo({ layerId: b.id });
    expect(b.props).toMatchObject({ opacity: 0.5, blend: 'normal' });
    expect(a.props.name).toBe('Base');
    doc.setLayerProps(b.id, { visible: false }, 'hide');
    expect(b.history.canRedo).toBe(false);
    await b.history.jump(0);
    expect(b.props).toMatchObject({ opacity: 1, blend: 'normal', visible: true });
  });

  it('a locked layer refuses pixel edits but can be hidden', async () => {
    const { doc, a } = await twoLayerDoc();
    doc.setLayerProps(a.id, { locked: true }, 'lock');
    expect(() => doc.commitPixels(a.id, 'pixels', withBox(a.raster, 0, 0, 5, 5, 0), 'x')).toThrow(/locked/);
    expect(() => doc.setLayerProps(a.id, { opacity: 0.2 }, 'x')).toThrow(/locked/);
    doc.setLayerProps(a.id, { visible: false }, 'hide');
    expect(a.props.visible).toBe(false);
  });
});

describe('document history', () => {
  it('add, reorder, delete each undo and redo, and a deleted layer comes back with its own history', async () => {
    const { doc, a, b } = await twoLayerDoc();
    doc.commitPixels(b.id, 'pixels', withBox(b.raster, 0, 0, 20, 20, 7), 'paint B');
    const c = await doc.addLayer({ name: 'C', raster: testRaster(300, 200, 3, 8, 3), bounds: fullRect(doc), origin: { kind: 'empty' } });
    await doc.moveLayer(c.id, 0);
    expect(doc.layers.map((l) => l.id)).toEqual([c.id, a.id, b.id]);
    await doc.deleteLayer(b.id);
    expect(doc.layers.map((l) => l.id)).toEqual([c.id, a.id]);

    await doc.histories.undo('document');
    expect(doc.layers.map((l) => l.id)).toEqual([c.id, a.id, b.id]);
    const painted = digest(b.raster);
    await doc.histories.undo({ layerId: b.id });
    expect(digest(b.raster)).not.toBe(painted);
    await doc.histories.undo('document');
    expect(doc.layers.map((l) => l.id)).toEqual([a.id, b.id, c.id]);
    await doc.histories.undo('document');
    expect(doc.layers.map((l) => l.id)).toEqual([a.id, b.id]);
    // Steps: add B (setup), add C, move C, delete B.
    await doc.history.jump(4);
    expect(doc.layers.map((l) => l.id)).toEqual([c.id, a.id]);
  });

  it('canvas growth scales every layer and undoes as one step', async () => {
    const { doc, a } = await twoLayerDoc();
    await doc.changeStructure('grow', () => doc.scaleCanvas(4));
    expect([doc.width, doc.height, a.bounds.width, a.bounds.height]).toEqual([1200, 800, 1200, 800]);
    await doc.histories.undo('document');
    expect([doc.width, doc.height, a.bounds.width]).toEqual([300, 200, 300]);
  });

  it('merge down and flatten compose the layers and undo back to the originals', async () => {
    const { doc, a, b } = await twoLayerDoc();
    doc.setLayerProps(b.id, { opacity: 0.5, blend: 'screen' }, 'setup');
    const expected = digest(await doc.render());
    const merged = await doc.mergeDown(b.id);
    expect(doc.layers).toEqual([merged]);
    expect(digest(await doc.render())).toBe(expected);
    await doc.histories.undo('document');
    expect(doc.layers).toEqual([a, b]);
    const flat = await doc.flatten();
    expect(doc.layers).toEqual([flat]);
    expect(digest(flat.raster)).toBe(expected);
  });

  it('marks the document dirty on edits and on undo', async () => {
    const { doc, a } = await twoLayerDoc();
    doc.saveState.savedTo('/nowhere/test.ganvas');
    expect(doc.saveState.dirty).toBe(false);
    doc.setLayerProps(a.id, { name: 'x' }, 'rename');
    expect(doc.saveState.dirty).toBe(true);
    doc.saveState.savedTo('/nowhere/test.ganvas');
    await doc.histories.undo({ layerId: a.id });
    expect(doc.saveState.dirty).toBe(true);
  });
});

/** The W3C compositing formulas, written out independently of the engine's code. */
function reference(mode: BlendMode, cb: number, cs: number): number {
  switch (mode) {
    case 'normal':
      return cs;
    case 'multiply':
      return cb * cs;
    case 'screen':
      return 1 - (1 - cb) * (1 - cs);
    case 'overlay':
      return cb <= 0.5 ? 2 * cb * cs : 1 - 2 * (1 - cb) * (1 - cs);
    case 'darken':
      return Math.min(cb, cs);
    case 'lighten':
      return Math.max(cb, cs);
    case 'soft-light': {
      if (cs <= 0.5) return cb - (1 - 2 * cs) * cb * (1 - cb);
      const d = cb <= 0.25 ? ((16 * cb - 12) * cb + 4) * cb : Math.sqrt(cb);
      return cb + (2 * cs - 1) * (d - cb);
    }
  }
}

describe('undo of the latest step (Ctrl+Z) with per-layer histories kept', () => {
  it('undoes steps in the order they were made, across layers and the structure, and redoes them forward', async () => {
    const { doc, a, b } = await twoLayerDoc();
    const [a0, b0] = [digest(a.raster), digest(b.raster)];
    doc.commitPixels(a.id, 'pixels', withBox(a.raster, 10, 10, 40, 30, 0), 'paint A');
    doc.commitPixels(b.id, 'pixels', withBox(b.raster, 50, 50, 20, 20, 255), 'paint B');
    const c = await doc.addLayer({ name: 'C', raster: testRaster(300, 200, 4, 8, 3), bounds: fullRect(doc), origin: { kind: 'empty' } });
    const [a1, b1] = [digest(a.raster), digest(b.raster)];
    expect(doc.timeline.undoLabel).toBe('Add “C”');

    expect(await doc.histories.undoLatest()).toBe(true);
    expect(doc.layers.map((l) => l.id)).toEqual([a.id, b.id]);
    expect(await doc.histories.undoLatest()).toBe(true);
    expect([digest(a.raster), digest(b.raster)]).toEqual([a1, b0]);
    expect(doc.timeline.undoLabel).toBe('paint A');
    expect(await doc.histories.undoLatest()).toBe(true);
    expect(digest(a.raster)).toBe(a0);
    expect(await doc.histories.undoLatest()).toBe(true); // adding B
    expect(doc.layers).toHaveLength(1);
    expect(await doc.histories.undoLatest()).toBe(false);

    for (let i = 0; i < 4; i++) expect(await doc.histories.redoLatest()).toBe(true);
    expect(doc.layers.map((l) => l.id)).toEqual([a.id, b.id, c.id]);
    expect([digest(a.raster), digest(b.raster)]).toEqual([a1, b1]);
    expect(await doc.histories.redoLatest()).toBe(false);
  });

  it('a per-layer undo on A keeps B’s later edit; Ctrl+Z then takes back that per-layer undo, and a new edit clears redo', async () => {
    const { doc, a, b } = await twoLayerDoc();
    doc.commitPixels(a.id, 'pixels', withBox(a.raster, 10, 10, 40, 30, 0), 'paint A');
    const a1 = digest(a.raster);
    doc.commitPixels(b.id, 'pixels', withBox(b.raster, 50, 50, 20, 20, 255), 'paint B');
    const b1 = digest(b.raster);

    await doc.histories.undo({ layerId: a.id });
    expect(digest(a.raster)).not.toBe(a1);
    expect(digest(b.raster)).toBe(b1);
    expect(doc.timeline.undoLabel).toBe('Undo on “test.png”');

    // The jump is the latest action: Ctrl+Z brings A's edit back and leaves B alone.
    await doc.histories.undoLatest();
    expect([digest(a.raster), digest(b.raster)]).toEqual([a1, b1]);
    await doc.histories.undoLatest();
    expect(digest(b.raster)).not.toBe(b1);
    expect(digest(a.raster)).toBe(a1);
    await doc.histories.redoLatest();
    expect(digest(b.raster)).toBe(b1);

    // A new edit: nothing to redo on the timeline.
    await doc.histories.undoLatest();
    doc.setLayerProps(a.id, { opacity: 0.5 }, 'Opacity 50 %');
    expect(doc.timeline.canRedo).toBe(false);
    expect(doc.timeline.undoLabel).toBe('Opacity 50 %');
  });

  it('an edit after a per-layer undo drops the steps it replaced, so Ctrl+Z never reaches a history position that is gone', async () => {
    const { doc, a } = await twoLayerDoc();
    const a0 = digest(a.raster);
    doc.commitPixels(a.id, 'pixels', withBox(a.raster, 10, 10, 40, 30, 0), 'first');
    doc.commitPixels(a.id, 'pixels', withBox(a.raster, 60, 60, 40, 30, 0), 'second');
    await doc.histories.jump({ layerId: a.id }, 0);
    doc.commitPixels(a.id, 'pixels', withBox(a.raster, 100, 20, 10, 10, 255), 'other');
    expect(await doc.histories.undoLatest()).toBe(true);
    expect(digest(a.raster)).toBe(a0);
    // Adding B is all that is left before.
    expect(doc.timeline.undoLabel).toBe('Add “B”');
  });

  it('a tool result placed over the layer that also grows the canvas is one Ctrl+Z', async () => {
    const { doc, a } = await twoLayerDoc();
    const before = digest(a.raster);
    const bigger = testRaster(600, 400, 3, 8, 9);
    await doc.placeResult(
      a.id,
      { toolId: 'enhance', modelId: 'm', provider: 'cpu', params: {} },
      { raster: bigger, layerName: 'Enhance ×2 (Fast)' },
      'replace',
    );
    expect([doc.width, doc.height]).toEqual([600, 400]);
    expect(doc.timeline.undoLabel).toBe('Enhance ×2 (Fast)');
    await doc.histories.undoLatest();
    expect([doc.width, doc.height, digest(a.raster)]).toEqual([300, 200, before]);
  });
});

describe('blend math', () => {
  const levels = [0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.8, 1];
  const strip = (values: number[]) => {
    const r = allocRaster(values.length, 1, 1, 16);
    values.forEach((v, i) => (r.data[i] = Math.round(v * 65535)));
    return r;
  };
  const cbs = levels.flatMap((cb) => levels.map(() => cb));
  const css = levels.flatMap(() => levels);

  for (const mode of BLEND_MODES) {
    it(`${mode} at 60 % opacity over an opaque backdrop matches the W3C formula`, async () => {
      const area = { x: 0, y: 0, width: cbs.length, height: 1 };
      const out = await composite(
        [
          { raster: strip(cbs), mask: null, bounds: area, opacity: 1, blend: 'normal' },
          { raster: strip(css), mask: null, bounds: area, opacity: 0.6, blend: mode },
        ],
        area,
      );
      expect(out.channels).toBe(1);
      cbs.forEach((cb, i) => {
        const cs = css[i]!;
        const want = 0.6 * reference(mode, cb, cs) + 0.4 * cb;
        expect(out.data[i]! / 65535, `${mode} cb=${cb} cs=${cs}`).toBeCloseTo(want, 4);
      });
    });
  }

  it('a layer over a transparent area keeps its alpha, and a fully covering layer comes back bit for bit', async () => {
    const area = { x: 0, y: 0, width: 4, height: 4 };
    const top = testRaster(4, 4, 3, 16, 9);
    expect(
      await composite(
        [
          { raster: testRaster(4, 4, 3, 16, 1), mask: null, bounds: area, opacity: 1, blend: 'normal' },
          { raster: top, mask: null, bounds: area, opacity: 1, blend: 'normal' },
        ],
        area,
      ),
    ).toBe(top);
    const half = await composite(
      [{ raster: testRaster(2, 4, 3, 8), mask: null, bounds: { x: 0, y: 0, width: 2, height: 4 }, opacity: 1, blend: 'normal' }],
      area,
    );
    expect(half.channels).toBe(4);
    expect(half.data[3]).toBe(255);
    expect(half.data[(0 * 4 + 3) * 4 + 3]).toBe(0);
  });
});

describe('marks', () => {
  it('count as marked from 128 up, wherever the one marked pixel is (also in the last bytes of an odd length)', () => {
    const marks = new Marks();
    const r = allocRaster(7, 3, 1, 8);
    r.data.fill(127);
    marks.pixels = r;
    expect(marks.marked).toBe(false);
    for (const at of [0, 10, 19, 20]) {
      const one = allocRaster(7, 3, 1, 8);
      one.data.fill(127);
      one.data[at] = 128;
      marks.pixels = one;
      expect(marks.marked, `pixel ${at}`).toBe(true);
    }
    marks.pixels = null;
    expect(marks.marked).toBe(false);
  });
});

describe('the selection an Erase takes', () => {
  it('is its own copy: the brush, which paints into the selection in place, does not change a queued Erase’s mask', async () => {
    const doc = docOf(testRaster(300, 200, 3, 8, 1));
    const stroke = (x: number) => ({ points: [[x, 100]] as [number, number][], radius: 20, hardness: 1, opacity: 1, value: 255 });
    // As the session paints: into the selection, then installed again so what is marked is counted.
    const sel = allocRaster(300, 200, 1, 8);
    await paintStrokeAsync(sel, stroke(60), { inPlace: true });
    doc.marks.pixels = sel;
    const taken = selectionOnLayer(doc, doc.layers[0]!);
    await paintStrokeAsync(sel, stroke(240), { inPlace: true });
    expect([taken.data[100 * 300 + 60], taken.data[100 * 300 + 240]]).toEqual([255, 0]);
    expect([sel.data[100 * 300 + 60], sel.data[100 * 300 + 240]]).toEqual([255, 255]);
  });
});

describe('the selection as the page shows it', () => {
  it('is the mask as alpha in the overlay colour, at its own size and made smaller, its rows where they are', async () => {
    const sel = allocRaster(600, 400, 1, 8);
    // A 20-px band from x 300 down the whole height: any row read with the wrong stride shears it.
    for (let y = 0; y < 400; y++) sel.data.fill(255, y * 600 + 300, y * 600 + 320);
    for (const [side, band] of [
      [1280, [300, 319]],
      [300, [150, 159]],
    ] as const) {
      const picture = new SelectionPicture().of(sel, side);
      const p = await overlayPng(picture.alpha, picture.width, picture.height, '#ff3b5c');
      expect(p.type).toBe('image/png');
      const { data, info } = await sharp(p.bytes).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([p.width, p.height, 4]);
      for (const y of [0, Math.floor(info.height / 2), info.height - 1]) {
        const inside: number[] = [];
        for (let x = 0; x < info.width; x++) if (data[(y * info.width + x) * 4 + 3]! > 128) inside.push(x);
        expect([inside[0], inside.at(-1)], `row ${y} at ${side}`).toEqual(band);
      }
      const at = (Math.floor(info.height / 2) * info.width + band[0] + 2) * 4;
      expect([...data.subarray(at, at + 3)]).toEqual([0xff, 0x3b, 0x5c]);
      expect(data[at + 3]).toBeGreaterThan(250);
    }
  });
});

describe('the selection picture kept between strokes', () => {
  it('after strokes, a rectangle and strokes again is the picture made afresh: each block the mean of its pixels', async () => {
    const kept = new SelectionPicture();
    let sel = allocRaster(1003, 701, 1, 8);
    const side = 200; // blocks of 6×6, the last row and column short
    expect(kept.of(sel, side)).toMatchObject({ factor: 6, width: 168, height: 117 });
    const stroke = (points: [number, number][], radius: number, value: number) => ({ points, radius, hardness: 0.5, opacity: 1, value });
    for (const s of [
      stroke(
        [
          [10, 10],
          [990, 690],
        ],
        37,
        255,
      ),
      stroke(
        [
          [1002, 0],
          [500, 350],
        ],
        9,
        255,
      ),
      stroke(
        [
          [0, 700],
          [800, 100],
        ],
        21,
        0,
      ),
    ]) {
      const { raster, area } = await paintStrokeAsync(sel, s);
      kept.changed(sel, raster, area);
      sel = raster;
    }
    // Anything but a stroke: the kept picture is of another raster, so it is made anew.
    const boxed = withBox(sel, 400, 300, 203, 101, 255);
    kept.of(boxed, side);
    const { raster, area } = await paintStrokeAsync(
      boxed,
      stroke(
        [
          [0, 0],
          [1002, 700],
        ],
        15,
        0,
      ),
    );
    kept.changed(boxed, raster, area);
    const picture = kept.of(raster, side);
    const fresh = new SelectionPicture().of(raster, side);
    expect(Buffer.compare(picture.alpha, fresh.alpha)).toBe(0);
    // The part a stroke changed, as the page gets it: the blocks covering it, at their place in the picture.
    const part = kept.region(raster, side, { x: 400, y: 300, width: 203, height: 101 });
    expect(part).toMatchObject({ x: 66, y: 50, width: 35, height: 17, picture: { width: 168, height: 117 } });
    for (let row = 0; row < part.height; row++)
      expect(
        Buffer.compare(part.alpha.subarray(row * 35, row * 35 + 35), fresh.alpha.subarray((50 + row) * 168 + 66, (50 + row) * 168 + 101)),
        `row ${row}`,
      ).toBe(0);
    for (const [bx, by] of [
      [0, 0],
      [84, 58],
      [167, 116],
      [100, 20],
    ] as const) {
      let sum = 0;
      let n = 0;
      for (let y = by * 6; y < Math.min(701, by * 6 + 6); y++)
        for (let x = bx * 6; x < Math.min(1003, bx * 6 + 6); x++) {
          sum += raster.data[y * 1003 + x]!;
          n++;
        }
      expect(picture.alpha[by * 168 + bx], `block ${bx},${by}`).toBe(Math.round(sum / n));
    }
  });
});

describe('the picture of a selection made blank', () => {
  it('starts as nothing marked and follows the strokes made before and after it is first asked for', async () => {
    const kept = new SelectionPicture();
    const sel = kept.blank(allocRaster(1003, 701, 1, 8));
    const paint = async (from: [number, number], to: [number, number], value: number) => {
      const { area } = await paintStrokeAsync(sel, { points: [from, to], radius: 17, hardness: 0.5, opacity: 1, value }, { inPlace: true });
      kept.changed(sel, sel, area);
    };
    await paint([5, 5], [900, 650], 255);
    await paint([1000, 10], [300, 600], 255);
    expect(Buffer.compare(kept.of(sel, 200).alpha, new SelectionPicture().of(sel, 200).alpha)).toBe(0);
    await paint([0, 350], [1002, 350], 0);
    expect(Buffer.compare(kept.of(sel, 200).alpha, new SelectionPicture().of(sel, 200).alpha)).toBe(0);
  });
});

describe('masks', () => {
  it('a mask shows the layer where 255, the backdrop where 0, and mixes in between', async () => {
    const area = { x: 0, y: 0, width: 3, height: 1 };
    const base = allocRaster(3, 1, 3, 8);
    const top = allocRaster(3, 1, 3, 8);
    top.data.fill(200);
    const mask = allocRaster(3, 1, 1, 8);
    mask.data.set([0, 255, 128]);
    const out = await composite(
      [
        { raster: base, mask: null, bounds: area, opacity: 1, blend: 'normal' },
        { raster: top, mask, bounds: area, opacity: 1, blend: 'normal' },
      ],
      area,
    );
    expect([...out.data]).toEqual([0, 0, 0, 200, 200, 200, 100, 100, 100]);
  });

  it('a brush stroke changes the mask only inside its area, hard core fully, rim partly', async () => {
    const mask = allocRaster(200, 100, 1, 8);
    mask.data.fill(255);
    const { raster, area } = await paintStrokeAsync(mask, {
      points: [
        [50, 50],
        [150, 50],
      ],
      radius: 10,
      hardness: 0.5,
      value: 0,
      opacity: 1,
    });
    expect(area).toEqual({ x: 40, y: 40, width: 121, height: 21 });
    expect(raster.data[50 * 200 + 100]).toBe(0);
    const rim = raster.data[58 * 200 + 100]!;
    expect(rim).toBeGreaterThan(0);
    expect(rim).toBeLessThan(255);
    expect(changedTiles(mask, raster).length).toBeGreaterThan(0);
    for (let y = 0; y < 100; y++)
      for (let x = 0; x < 200; x++) {
        if (x < area!.x || x >= area!.x + area!.width || y < area!.y || y >= area!.y + area!.height) expect(raster.data[y * 200 + x]).toBe(255);
      }
    expect(mask.data.every((v) => v === 255)).toBe(true);
  });
});

describe('history memory', () => {
  it('spills to disk beyond the budget and reads back pixel-exact', async () => {
    const s = store(3 * 100 * 100 * 3);
    const rasters = [1, 2, 3, 4, 5, 6].map((seed) => testRaster(100, 100, 3, seed % 2 ? 8 : 16, seed));
    const ids = rasters.map((raster) => s.put({ kind: 'raster', raster }));
    await s.settled();
    expect(s.memoryBytes).toBeLessThanOrEqual(s.budget);
    expect(s.diskBytes).toBeGreaterThan(0);
    for (const [i, id] of ids.entries()) {
      const back = await s.get(id);
      expect(back.kind === 'raster' && digest(back.raster)).toBe(digest(rasters[i]!));
    }
  });

  it('a blob larger than the whole budget still reads back complete, again and again', async () => {
    const s = store(1000);
    const raster = testRaster(100, 100, 3, 16, 4);
    let id = s.put({ kind: 'raster', raster });
    for (let i = 0; i < 3; i++) {
      await s.settled();
      expect(s.memoryBytes).toBe(0);
      const back = await s.take(id);
      expect(back.kind === 'raster' && digest(back.raster)).toBe(digest(raster));
      id = s.put(back);
    }
  });

  it('undo and redo from disk restore the exact pixels every time', async () => {
    const doc = docOf(testRaster(300, 200), store(1000));
    const layer = doc.layers[0]!;
    const before = digest(layer.raster);
    doc.commitPixels(layer.id, 'pixels', withBox(layer.raster, 0, 0, 300, 200, 9), 'fill');
    const after = digest(layer.raster);
    for (let i = 0; i < 3; i++) {
      await doc.store.settled();
      await doc.histories.undo({ layerId: layer.id });
      expect(digest(layer.raster)).toBe(before);
      await doc.store.settled();
      await doc.histories.redo({ layerId: layer.id });
      expect(digest(layer.raster)).toBe(after);
    }
  });

  it('50 whole-layer edits stay within the budget and all undo back to the original, exactly', async () => {
    const layerBytes = 400 * 300 * 3;
    const doc = docOf(testRaster(400, 300), store(6 * layerBytes));
    const layer = doc.layers[0]!;
    const states = [digest(layer.raster)];
    for (let i = 0; i < 50; i++) {
      const next = withBox(layer.raster, 0, 0, 400, 300, 0);
      for (let p = 0; p < next.data.length; p++) next.data[p] = (layer.raster.data[p]! + 37 + i) & 255;
      doc.commitPixels(layer.id, 'pixels', next, `edit ${i}`);
      states.push(digest(layer.raster));
      // Within the budget at once, before any write to disk has finished: the room was made after the previous edit.
      expect(doc.store.memoryBytes).toBeLessThanOrEqual(doc.store.budget);
      await doc.store.settled();
    }
    expect(doc.store.diskBytes).toBeGreaterThan(40 * layerBytes);
    for (let i = 49; i >= 0; i--) {
      await doc.histories.undo({ layerId: layer.id });
      expect(digest(layer.raster), `after undoing edit ${i}`).toBe(states[i]);
    }
    await doc.store.settled();
    expect(doc.store.memoryBytes).toBeLessThanOrEqual(doc.store.budget);
  });
});
