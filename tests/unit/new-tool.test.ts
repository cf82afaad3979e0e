/**
 * A tool is its spec: a tool defined here, and nowhere else, appears in the rail, its panel, the
 * Batch dialog's step editor, the CLI's help and parsing, and the recipe schema. The components
 * are rendered on the server (the same Svelte source as the app's); the CLI and the recipe are the
 * real code paths.
 */
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { recipeSchemaFor } from '../../electron/engine/batch/recipe.js';
import { recipeStepKinds } from '../../electron/engine/batch/recipe-steps.js';
import { batchCommandFor } from '../../electron/engine/cli/commands/batch.js';
import { help } from '../../electron/engine/cli/main.js';
import { toolCommand } from '../../electron/engine/cli/tool-command.js';
import { defineToolSpec, type ToolSpec } from '../../electron/engine/tools/spec.js';
import { TOOL_SPECS } from '../../electron/engine/tools/specs.js';
import { keymapFor } from '../../electron/keymap.js';
import ToolRail from '../../renderer/panels/ToolRail.svelte';
import StepControls from '../../renderer/tools/StepControls.svelte';
import ToolPanel from '../../renderer/tools/ToolPanel.svelte';

const denoiseSpec = defineToolSpec({
  id: 'denoise',
  label: 'Denoise',
  doneVerb: 'Denoised',
  summary: 'Takes the sensor noise out of a photo',
  params: z.object({
    strength: z.number().min(0).max(1).default(0.5),
    method: z.enum(['fast', 'nlm']).default('fast'),
    keepGrain: z.boolean().default(false),
    model: z.string().min(1).default('sci_easy'),
  }),
  usesMask: false,
  batchable: true,
  preview: null,
  models: (p) => [p.model],
  modelTasks: ['lowlight'],
  ui: {
    key: 'N',
    icon: 'M4 4H20V20H4Z',
    controls: [
      { kind: 'slider', param: 'strength', label: 'Strength', help: 'how much noise to take out', min: 0, max: 1, step: 0.05, unit: '%' },
      {
        kind: 'choice',
        param: 'method',
        label: 'Method',
        help: 'quick or non-local means',
        options: [
          { value: 'fast', label: 'Quick' },
          { value: 'nlm', label: 'Thorough', note: 'Non-local means: slower, finer.' },
        ],
      },
      { kind: 'checkbox', param: 'keepGrain', label: 'Keep film grain', help: 'leave the grain a film photo has', on: ['panel', 'cli'] },
      { kind: 'model', param: 'model', label: 'Model', help: 'the network', task: 'lowlight', on: ['panel'] },
    ],
    action: (p) => `Denoise ${Math.round(p.strength * 100)} %`,
  },
  cli: {
    writes: 'writes <name>-denoised.png unless -o is given.',
    suffix: () => '-denoised',
    describe: () => 'Denoising',
    shorthand: ['strength', 'method'],
  },
});
const denoise = denoiseSpec as unknown as ToolSpec;
const specs = [...TOOL_SPECS, denoise] as unknown as typeof TOOL_SPECS;

describe('a tool defined only by its spec', () => {
  it('has a rail button with its key, after the app’s tools and before Hand and Zoom', () => {
    const { body } = render(ToolRail, { props: { commands: keymapFor(specs) } });
    const labels = [...body.matchAll(/aria-label="([^"]+)"/g)].map((m) => m[1]).slice(1);
    expect(labels).toEqual(['Enhance', 'Erase', 'Extend', 'Style', 'Low light', 'Denoise', 'Hand', 'Zoom']);
    expect(body).toContain('title="Denoise (N)"');
    expect(body).toContain('d="M4 4H20V20H4Z"');
  });

  it('has a panel with each of its controls bound to its settings, and its run button', () => {
    const params = denoise.params.parse({ method: 'nlm' }) as Record<string, unknown>;
    const { body } = render(ToolPanel, { props: { spec: denoise, params, onchange: () => {}, onrun: () => {} } });
    expect(body).toMatch(/<section class="panel" aria-label="Denoise"/);
    expect(body).toMatch(/<input type="range" min="0" max="1" step="0.05" value="0.5" aria-label="Denoise strength"/);
    expect(body).toContain('50 %');
    expect(body).toMatch(/role="radiogroup" aria-label="Method"/);
    expect(body).toMatch(/type="radio" name="Denoise method" checked=""[^>]*\/> Thorough/);
    expect(body).toMatch(/type="radio" name="Denoise method" disabled=""\/> Quick/);
    expect(body).toContain('Non-local means: slower, finer.');
    expect(body).toMatch(/type="checkbox"[^>]*aria-label="Denoise keep film grain"/);
    expect(body).toMatch(/<select aria-label="Denoise model"/);
    expect(body).toMatch(/<button class="primary"[^>]*>Denoise 50 %<\/button>/);
  });

  it('is a step of the Batch dialog, with the controls a recipe has', () => {
    expect(recipeStepKinds(specs).map((k) => k.label)).toEqual(['Enhance', 'Style', 'Low light', 'Denoise', 'Resize']);
    const params = denoise.params.parse({}) as Record<string, unknown>;
    const { body } = render(StepControls, { props: { spec: denoise, params, onchange: () => {} } });
    expect(body).toMatch(/<input type="number" min="0" max="1" step="0.05" value="0.5" aria-label="Batch denoise strength"/);
    expect(body).toMatch(/<select aria-label="Batch denoise method"/);
    // Only the panel has these: a recipe keeps its grain and model choice out.
    expect(body).not.toContain('keep film grain');
    expect(body).not.toContain('denoise model');
  });

  it('is a CLI command, in the help, whose flags are read and checked from its controls', () => {
    const command = toolCommand(denoise);
    const batch = batchCommandFor(specs);
    const text = help([command, batch]);
    expect(text).toContain('ganvas denoise <photo>\n      Takes the sensor noise out of a photo; writes <name>-denoised.png unless -o is given.');
    expect(text).toMatch(/--strength 0-1 +how much noise to take out \(default: 0\.5\)/);
    expect(text).toMatch(/--method fast\|nlm +quick or non-local means \(default: fast\)/);
    expect(text).toMatch(/--keep-grain +leave the grain a film photo has/);
    expect(text).not.toMatch(/--model /);
    expect(text).toMatch(/--denoise 0-1\[:fast\|nlm\] +step: Denoise/);

    const request = command.read(['/photos/a.jpg', '--strength', '0.25', '--method', 'nlm', '--keep-grain']);
    expect(request.output).toBe('/photos/a-denoised.png');
    expect(request.params({ width: 10, height: 10 })).toEqual({ strength: 0.25, method: 'nlm', keepGrain: true });
    expect(() => command.read(['/photos/a.jpg', '--strength', '2'])).toThrow('--strength must be between 0 and 1, not "2".');
    expect(() => command.read(['/photos/a.jpg', '--method', 'slow'])).toThrow('--method must be fast or nlm, not "slow".');

    const recipe = batch.recipe(['--enhance', '2', '--denoise', '0.3:nlm', '--resize', '800']);
    expect(recipe.steps).toEqual([
      { tool: 'enhance', params: { scale: 2, quality: 'fast' } },
      { tool: 'denoise', params: { strength: 0.3, method: 'nlm', keepGrain: false, model: 'sci_easy' } },
      { tool: 'resize', params: { longSide: 800 } },
    ]);
    expect(() => batch.recipe(['--denoise', '0.3:slow'])).toThrow('--denoise must be fast or nlm, not "slow".');
  });

  it('is in the recipe schema, checked against its own settings', () => {
    const schema = recipeSchemaFor(specs);
    expect(schema.safeParse({ steps: [{ tool: 'denoise', params: { method: 'nlm' } }] }).success).toBe(true);
    expect(schema.safeParse({ steps: [{ tool: 'denoise', params: { method: 'slow' } }] }).success).toBe(false);
    expect(recipeSchemaFor(TOOL_SPECS).safeParse({ steps: [{ tool: 'denoise', params: {} }] }).success).toBe(false);
  });
});
