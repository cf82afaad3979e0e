import type { CallInput } from '../../electron/contract.js';
import type { ToolSpec } from '../../electron/engine/tools/spec.js';
import { toolSpec, type ToolId } from '../../electron/engine/tools/specs.js';
import { session } from '../stores/document.svelte.js';
import { job } from '../stores/job.svelte.js';
import { messages } from '../stores/messages.svelte.js';
import { tools } from '../stores/tools.svelte.js';
import { TOOL_EXTRAS } from './extras.js';

/** Runs a tool with its panel's settings (its button and Enter), or says what it still needs. */
export async function runTool(id: ToolId): Promise<void> {
  const spec = toolSpec(id) as ToolSpec;
  const params = tools.params[id] as Record<string, unknown>;
  const why = spec.ui.needs?.(params, { hasSelection: session.info?.hasSelection ?? false });
  if (why) return messages.say(why);
  const send = TOOL_EXTRAS[id]?.send;
  await job.start({ tool: id, params: send ? send(params) : params } as Omit<CallInput<'runTool'>, 'docId' | 'layerId'>);
}
