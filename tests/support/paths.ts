import { join, resolve } from 'node:path';
import { appRoot } from '../../electron/engine/paths.js';

/** Also right when this file runs compiled from dist/ (the benchmark). */
export const repoRoot = appRoot;
/** The offline model mirror (../shared/models beside the checkout) unless GANVAS_MODEL_MIRROR says otherwise. */
export const modelMirror = process.env.GANVAS_MODEL_MIRROR ?? resolve(repoRoot, '..', 'shared', 'models');
export const photosDir = process.env.GANVAS_PHOTOS ?? resolve(repoRoot, '..', 'shared', 'photos');
/** Models installed once per test run, through the app's own installer. */
export const testModelsDir = join(repoRoot, '.cache', 'test-models');
export const photo = (name: string): string => join(photosDir, name);
export const cli = join(repoRoot, 'dist', 'electron', 'engine', 'cli', 'main.js');
