/**
 * IPC fuzzing through the same handler table Electron's main process registers: random call names
 * and mutated valid inputs (wrong types, NaN, huge numbers and strings, `../` and absolute paths,
 * `__proto__` keys, deep nesting, unknown ids). CI runs a fixed seed; `npm run fuzz` runs many
 * more messages (FUZZ_MESSAGES, FUZZ_SEED).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName } from '../../electron/contract.js';
import { callTable } from '../../electron/ipc/calls/index.js';
import { GanvasError, toErrorInfo } from '../../electron/engine/errors.js';
import { createHandlers, dispatch } from '../../electron/ipc/handlers.js';
import { scriptedDialogs } from '../support/dialogs.js';
import { testEngine } from '../support/engine.js';
import { photo } from '../support/paths.js';

const MESSAGES = Number(process.env.FUZZ_MESSAGES ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const root = mkdtempSync(join(tmpdir(), 'ganvas-fuzz-'));
const granted = join(root, 'granted');
const input = join(granted, 'in');
const output = join(granted, 'out');
const data = join(root, 'data');
const outside = join(root, 'outside');
const canaries = ['canary.png', 'canary.json', 'canary.ganvas', 'x.json', 'x.ganvas'];
const MALFORMED_PATTERNS = ['*.{png', '**/{rejects', '[ab', 'a}b', '{a,{b}', '*(x', '\\'];

function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }).map(String)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isFile()) out[name] = `${createHash('sha256').update(readFileSync(p)).digest('hex')}@${st.mtimeMs}`;
  }
  return out;
}

describe(`IPC fuzz: ${MESSAGES} messages, seed ${SEED}`, () => {
  const engine = testEngine({ dataDir: data });
  const dialogs = scriptedDialogs({
    openFile: async () => join(input, 'a.png'),
    openImage: async () => join(input, 'b.png'),
    saveImage: async (name) => join(output, `fuzz-${name}`),
    saveProject: async (name) => join(output, name),
    openFolder: async (purpose) => (purpose === 'input' ? input : output),
    saveRecipe: async (name) => join(output, name),
  });
  const handlers = createHandlers(engine, dialogs).calls;
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  let outsideBefore: Record<string, string>;
  let docIds: string[] = [];
  let layerIds: string[] = [];

  beforeAll(async () => {
    mkdirSync(input, { recursive: true });
    mkdirSync(output, { recursive: true });
    mkdirSync(outside, { recursive: true });
    for (const [name, source] of [
      ['a.png', 'coffee.png'],
      ['b.png', 'chelsea.png'],
    ])
      await sharp(photo(source!)).resize(48, 32).png().toFile(join(input, name!));
    // Canaries outside every granted folder: a pure magenta photo and some files with tempting names.
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ff00ff' } })
      .png()
      .toFile(join(outside, 'canary.png'));
    for (const name of canaries.slice(1)) writeFileSync(join(outside, name), `canary ${name}`);
    outsideBefore = fingerprint(outside);
    process.on('unhandledRejection', onUnhandled);
    const doc = await handlers.openWithDialog({});
    docIds = [doc!.id];
    layerIds = doc!.layers.map((l) => l.id);
    await handlers.chooseFolder({ purpose: 'input' });
    await handlers.chooseFolder({ purpose: 'output' });
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await engine.dispose();
  });

  it('no crash, no unhandled rejection, no prototype pollution, nothing touched outside, every refusal in words', async () => {
    const random = generator(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const names = Object.keys(callTable) as CallName[];
    const nasty = (): unknown =>
      pick([
        () => NaN,
        () => Infinity,
        () => -1,
        () => 1e308,
        () => 2 ** 53 + 1,
        () => -0,
        () => '',
        () => 'x'.repeat(100_000),
        () => '../../outside/canary.png',
        () => join(outside, pick(canaries)),
        () => '/etc/shadow',
        () => '\0',
        () => null,
        () => undefined,
        () => true,
        () => [],
        () => ({}),
        () => JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown,
        () => {
          let deep: unknown = 1;
          for (let i = 0; i < 5000; i++) deep = [deep];
          return deep;
        },
        () => `doc-${Math.floor(random() * 100)}`,
        () => 'layer-404',
        () => pick(docIds),
        () => pick(layerIds),
        () => Array.from({ length: 30_000 }, () => [random() * 1e6, random() * 1e6]),
        // Glob patterns that do not close (a hand-written converter once looped forever on these).
        () => [pick(MALFORMED_PATTERNS)],
        () => pick(MALFORMED_PATTERNS),
      ])();
    /** A plausible input for each call, built from what the engine has open. */
    const valid = (name: CallName): Record<string, unknown> => {
      const docId = pick(docIds);
      const layerId = pick(layerIds);
      const stroke = {
        points: [
          [5, 5],
          [30, 20],
        ],
        radius: 4,
        hardness: 0.5,
        value: 255,
        opacity: 1,
      };
      const table: Partial<Record<CallName, Record<string, unknown>>> = {
        documentInfo: { docId },
        closeDocument: { docId },
        layerPreview: { docId, layerId, maxSide: 64 },
        layerTile: { docId, layerId, x: 0, y: 0, width: 512, height: 512, maxSide: 512 },
        addLayer: { docId, what: { kind: 'empty' } },
        deleteLayer: { docId, layerId },
        moveLayer: { docId, layerId, index: 0 },
        setLayerProps: { docId, layerId, props: { opacity: 0.5 } },
        addMask: { docId, layerId, fill: 'reveal' },
        removeMask: { docId, layerId },
        paintMask: { docId, layerId, stroke },
        undo: { docId, scope: 'document' },
        redo: { docId, scope: { layerId } },
        history: { docId, scope: 'document' },
        jumpHistory: { docId, scope: 'document', position: 0 },
        runTool: { docId, layerId, tool: 'lowlight', params: { model: 'sci_easy' } },
        previewTool: { docId, layerId, maxSide: 32, tool: 'lowlight', params: { model: 'sci_easy' } },
        paintSelection: { docId, stroke },
        selectShape: { docId, shape: { kind: 'rect', rect: { x: 1, y: 1, width: 10, height: 10 } }, value: 255 },
        selectionPreview: { docId, maxSide: 32, colour: '#ff3b5c' },
        selectionTile: { docId, x: 0, y: 0, width: 512, height: 512, maxSide: 512, colour: '#ff3b5c' },
        models: { task: 'inpaint' },
        cancelJob: { jobId: 'job-1' },
        saveProject: { docId, saveAs: true },
        exportWithDialog: { docId, settings: { format: 'png', quality: 90, bitDepth: 8 } },
        restoreRecovery: { key: '123-abcdefabcdef' },
        discardRecovery: { key: '123-abcdefabcdef' },
        updateSettings: { autosaveMinutes: 5 },
        chooseFolder: { purpose: 'output' },
        startBatch: {
          input,
          output,
          recipe: { steps: [{ tool: 'resize', params: { longSide: 16 } }] },
          recursive: false,
          include: [],
          exclude: [],
          extensions: [],
          skipExisting: true,
          concurrency: 1,
        },
        controlBatch: { batchId: 'batch-1', action: 'pause' },
        recipeFromDocument: { docId },
        saveRecipeWithDialog: { recipe: { steps: [] } },
        saveStylePreset: { name: 'fuzz', vector: Array.from({ length: 100 }, () => 0.1) },
      };
      return table[name] ?? {};
    };
    const mutate = (value: unknown, depth = 0): unknown => {
      if (value === null || typeof value !== 'object' || depth > 4) return random() < 0.3 ? nasty() : value;
      const copy: Record<string, unknown> = Array.isArray(value)
        ? ([...value] as unknown as Record<string, unknown>)
        : { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      if (keys.length && random() < 0.7) {
        const k = pick(keys);
        copy[k] = random() < 0.5 ? nasty() : mutate(copy[k], depth + 1);
      } else if (random() < 0.5)
        Object.defineProperty(copy, pick(['__proto__', 'constructor', 'prototype', 'extra', 'path']), { value: nasty(), enumerable: true });
      return copy;
    };

    const refusals = new Map<string, number>();
    const internal: string[] = [];
    const leaks: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const roll = random();
      const name = roll < 0.05 ? pick(['constructor', '__proto__', 'toString', 'openDropped', 'eval', '', 'hasOwnProperty']) : pick(names);
      const message = roll < 0.15 ? nasty() : mutate(Object.hasOwn(callTable, name) ? valid(name as CallName) : {});
      try {
        const result = await dispatch(handlers, name, message);
        // Keep what the fuzz opened in play; every document must come from a granted folder.
        const doc = result as { id?: string; path?: string; layers?: { id: string }[] } | null;
        if (doc?.id?.startsWith('doc-') && doc.layers) {
          if (relative(granted, doc.path ?? '').startsWith('..')) leaks.push(`${name} opened ${doc.path}`);
          docIds = [...new Set([...docIds, doc.id])];
          layerIds = [...new Set([...layerIds, ...doc.layers.map((l) => l.id)])];
        }
      } catch (err) {
        const info = toErrorInfo(err);
        if (!(err instanceof GanvasError) || !info.message.trim() || /undefined|\[object Object\]|Cannot read prop/.test(info.message))
          internal.push(`${name}: ${info.message.slice(0, 300)}`);
        refusals.set(info.code, (refusals.get(info.code) ?? 0) + 1);
      }
    }
    // Let jobs and batches the fuzz started end before the checks.
    await new Promise((r) => setTimeout(r, 500));

    expect(internal, internal.slice(0, 10).join('\n')).toEqual([]);
    expect(unhandled.map(String)).toEqual([]);
    expect(leaks).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(fingerprint(outside)).toEqual(outsideBefore);
    // Nothing written anywhere but the granted folders and the app's own data folder.
    const written = readdirSync(root, { recursive: true })
      .map(String)
      .filter((n) => !n.startsWith('granted') && !n.startsWith('data') && !n.startsWith('outside'));
    expect(written).toEqual([]);
    for (const name of readdirSync(granted, { recursive: true }).map(String)) expect(relative(granted, join(granted, name)).startsWith('..')).toBe(false);
    // The fuzz reached the handlers, not only the schema: several kinds of refusal.
    expect(refusals.get('INVALID_INPUT')).toBeGreaterThan(MESSAGES / 10);
    expect(refusals.size).toBeGreaterThanOrEqual(2);
  });

  it('autosave keys cannot reach outside the recovery folder', async () => {
    const recovery = join(data, 'recovery');
    mkdirSync(recovery, { recursive: true });
    const key = relative(recovery, join(outside, 'x'));
    expect(key).toBe('../../outside/x');
    for (const call of ['discardRecovery', 'restoreRecovery'] as const) {
      await expect(dispatch(handlers, call, { key })).rejects.toMatchObject({ code: expect.stringMatching(/NOT_FOUND|INVALID_INPUT/) });
    }
    // A record that names a key of its own (e.g. planted by another program) is not offered either.
    writeFileSync(
      join(recovery, '999999-aaaaaaaaaaaa.json'),
      JSON.stringify({ key, title: 't', projectPath: null, sourcePath: '/x', savedAt: '2026-01-01', pid: 999999 }),
    );
    expect(await handlers.recoverable({})).toEqual([]);
    expect(fingerprint(outside)).toEqual(outsideBefore);
  });
});
