import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { appRoot } from './paths.js';

/**
 * A worker script next to `from` (an import.meta.url). Workers are compiled JS; when the engine
 * itself runs from TypeScript (vitest), the built copy under dist/ is used.
 */
export function workerUrl(from: string, file: string, builtDir: string): URL {
  const beside = new URL(file, from);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = join(appRoot, 'dist', 'electron', 'engine', builtDir, file);
  if (!existsSync(built)) throw new Error(`The worker ${built} is missing: run \`npm run build\` first.`);
  return pathToFileURL(built);
}
