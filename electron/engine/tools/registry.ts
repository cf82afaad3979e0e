import { GanvasError } from '../errors.js';
import { enhanceTool } from './enhance/run.js';
import { extendTool } from './extend/run.js';
import { eraseTool } from './erase/run.js';
import { lowlightTool } from './lowlight/run.js';
import { isToolId, type SpecOf, type ToolId } from './specs.js';
import { styleTool } from './style/run.js';
import type { Tool } from './tool.js';

/** Each spec's work; the type makes a spec without one (or a run without a spec) a compile error. */
const TOOLS: { [Id in ToolId]: Tool<SpecOf<Id>> } = {
  enhance: enhanceTool,
  erase: eraseTool,
  extend: extendTool,
  style: styleTool,
  lowlight: lowlightTool,
};

export function getTool(id: string): Tool {
  if (!isToolId(id)) throw new GanvasError('INVALID_INPUT', `Unknown tool "${id}".`);
  return TOOLS[id] as unknown as Tool;
}

export type { ToolId };
