import { GanvasError } from '../errors.js';
import { enhanceTool } from './enhance.js';
import { extendTool } from './extend.js';
import { inpaintTool } from './inpaint.js';
import { lowlightTool } from './lowlight.js';
import { styleTool } from './style.js';
import type { Tool } from './tool.js';

const tools = [enhanceTool, inpaintTool, extendTool, styleTool, lowlightTool] as const;

export type ToolId = (typeof tools)[number]['id'];

export function getTool(id: string): Tool<unknown> {
  const tool = tools.find((t): boolean => t.id === id);
  if (!tool) throw new GanvasError('INVALID_INPUT', `Unknown tool "${id}".`);
  return tool as unknown as Tool<unknown>;
}
