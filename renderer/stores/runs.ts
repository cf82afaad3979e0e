import type { ToolId } from '../../electron/engine/tools/specs.js';
import { session } from './document.svelte.js';
import { job } from './job.svelte.js';
import { messages } from './messages.svelte.js';
import { style } from './style.svelte.js';
import { tools } from './tools.svelte.js';

/** Each tool's primary action with its panel's settings: the panel's button and Enter both run it. */
export const runs: Record<ToolId, () => Promise<void>> = {
  enhance: () => job.start({ tool: 'enhance', params: { ...tools.enhance } }),
  inpaint: async () => {
    if (!session.info?.hasSelection) return messages.say('Mark what to erase first: paint over it, or draw a rectangle or a lasso.');
    await job.start({ tool: 'inpaint', params: { model: tools.erase.model, feather: tools.erase.feather } });
  },
  extend: async () => {
    if (Object.values(tools.extend.sides).every((v) => !v)) return messages.say('Choose how much to add on each side, or an aspect ratio.');
    await job.start({ tool: 'extend', params: { ...tools.extend.sides, model: tools.erase.model } });
  },
  style: () => job.start({ tool: 'style', params: style.params() }),
  lowlight: () => job.start({ tool: 'lowlight', params: { ...tools.lowlight } }),
};
