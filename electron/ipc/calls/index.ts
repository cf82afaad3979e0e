import { batchCalls } from './batch.js';
import { documentCalls } from './documents.js';
import { fileCalls } from './files.js';
import { layerCalls } from './layers.js';
import { modelCalls } from './models.js';
import { toolCalls } from './tools.js';

/** Every call the renderer can make, each declared once (schema and handler together), by domain. */
export const callTable = { ...documentCalls, ...layerCalls, ...toolCalls, ...modelCalls, ...fileCalls, ...batchCalls };
export type CallTable = typeof callTable;
