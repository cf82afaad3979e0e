import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callTable as calls } from '../../electron/ipc/calls/index.js';
import { RECIPE_STEP_KINDS, recipeStep } from '../../electron/engine/batch/recipe-steps.js';
import { COMMANDS, help } from '../../electron/engine/cli/main.js';
import { getTool } from '../../electron/engine/tools/registry.js';
import type { ToolSpec } from '../../electron/engine/tools/spec.js';
import { currentToolId, TOOL_SPECS } from '../../electron/engine/tools/specs.js';
import { allocRaster } from '../../electron/engine/images/raster.js';
import { atWorkingSize } from '../../electron/engine/tools/working-size.js';
import { modelShortName } from '../../electron/engine/info.js';
import { styleName } from '../../electron/engine/tools/style/spec.js';

const root = resolve(import.meta.dirname, '../..');

/** Every module a file imports, followed through relative imports; bare names (packages, node:) are returned as they are. */
function importGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) importGraph(join(dirname(file), spec.replace(/\.js$/, '.ts')), seen);
    else seen.add(spec);
  }
  return seen;
}

describe('tools describe themselves', () => {
  it('every spec, and the renderer-facing lists built from them, import nothing but zod (no Node, no sharp)', () => {
    for (const file of ['electron/engine/tools/specs.ts', 'electron/engine/batch/recipe-steps.ts']) {
      const bare = [...importGraph(join(root, file))].filter((m) => !m.startsWith('/'));
      expect(bare, file).toEqual(['zod']);
    }
  });

  it('each spec has its work registered under the same id, and every setting has a default', () => {
    for (const spec of TOOL_SPECS) {
      expect(getTool(spec.id).spec).toBe(spec);
      expect(() => spec.params.parse({}), spec.id).not.toThrow();
      expect((spec as ToolSpec).models(spec.params.parse({})).length, spec.id).toBeGreaterThan(0);
    }
    expect(() => getTool('sharpen')).toThrow(/Unknown tool "sharpen"/);
  });

  it('the IPC runTool call takes exactly the specs’ tools, each checked against its own settings', () => {
    const layer = { docId: 'doc-1', layerId: 'layer-1' };
    for (const spec of TOOL_SPECS) expect(calls.runTool.input.safeParse({ ...layer, tool: spec.id, params: {} }).success, spec.id).toBe(true);
    expect(calls.runTool.input.safeParse({ ...layer, tool: 'sharpen', params: {} }).success).toBe(false);
    expect(calls.runTool.input.safeParse({ ...layer, tool: 'enhance', params: { scale: 3 } }).success).toBe(false);
    const previewable = TOOL_SPECS.filter((s) => s.preview).map((s) => s.id);
    expect(previewable).toEqual(['style', 'lowlight']);
    for (const spec of TOOL_SPECS)
      expect(calls.previewTool.input.safeParse({ ...layer, maxSide: 256, tool: spec.id, params: {} }).success, spec.id).toBe(previewable.includes(spec.id));
  });

  it('recipe steps are the batchable tools (each with its own defaults) and resize', () => {
    expect(RECIPE_STEP_KINDS.map((k) => k.label)).toEqual(['Enhance', 'Style', 'Low light', 'Resize']);
    expect(RECIPE_STEP_KINDS[0]!.initial).toEqual({ tool: 'enhance', params: { scale: 4, quality: 'fast' } });
    expect(recipeStep.safeParse({ tool: 'erase', params: {} }).success).toBe(false);
  });

  it('the CLI has one command per tool, named by its id and described by its summary', () => {
    const text = help();
    // Erase was `inpaint` before: scripts calling it so and projects saved then still work.
    expect(text).toContain('(also `ganvas inpaint`, its name before)');
    expect(currentToolId('inpaint')).toBe('erase');
    expect(currentToolId('enhance')).toBe('enhance');
    for (const spec of TOOL_SPECS) {
      expect(COMMANDS.some((c) => c.name === spec.id)).toBe(true);
      expect(text).toContain(spec.summary);
    }
  });
});

describe('running at a working size', () => {
  it('works on a copy no longer than the working size and brings results back to the photo’s size', async () => {
    const photo = allocRaster(1200, 800, 3, 8);
    photo.data.fill(200);
    const work = await atWorkingSize(photo, 300);
    expect([work.small.width, work.small.height, work.small.depth]).toEqual([300, 200, 16]);
    expect(work.full.data[0]).toBe(200 * 257);
    const back = await work.toFullSize(work.small);
    expect([back.width, back.height]).toEqual([1200, 800]);
  });

  it('uses the photo itself when it is small enough, and keeps a minimum side for thin photos', async () => {
    const small = allocRaster(200, 100, 3, 16);
    const work = await atWorkingSize(small, 512);
    expect(work.resized).toBe(false);
    expect(work.small).toBe(work.full);
    expect(await work.toFullSize(work.small)).toBe(work.small);
    const thin = await atWorkingSize(allocRaster(4000, 100, 3, 8), 512, { minSide: 64 });
    expect([thin.small.width, thin.small.height]).toEqual([512, 64]);
  });
});

describe('names for people', () => {
  it('a model is named by what it is, not by the tool it belongs to', () => {
    expect(modelShortName('Enhance — Fast (Real-ESRGAN general x4 v3)')).toBe('Real-ESRGAN general x4 v3');
    expect(modelShortName('Erase — Ganvas inpaint v0')).toBe('Ganvas inpaint v0');
    expect(modelShortName('Mathura (engraving)')).toBe('Mathura (engraving)');
    expect(modelShortName('my-model')).toBe('my-model');
  });

  it('a painter preset reads as the painting, a new vector key as its words', () => {
    expect(styleName('vangogh_starry_night')).toBe('Van Gogh — Starry Night');
    expect(styleName('klimt_kiss')).toBe('Klimt kiss');
  });
});
