import { writeFileAtomic } from '../engine/atomic-file.js';
import { isAbsolute, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { calls, type CallName, type CallReply, type CallResults } from '../contract.js';
import { readRecipe } from '../engine/batch/recipe.js';
import type { DocumentInfo, Engine } from '../engine/engine.js';
import { GanvasError, toErrorInfo } from '../engine/errors.js';
import { extensionFor, type ExportFormat } from '../engine/images/save.js';
import { PROJECT_EXTENSION } from '../engine/project/project.js';

/** The operating system's dialogs: Electron's in the app, scripted ones in tests. */
export interface Dialogs {
  /** A photo or a project to open. */
  openFile(): Promise<string | null>;
  /** An image to add as a layer. */
  openImage(): Promise<string | null>;
  saveImage(suggestedName: string, format: ExportFormat): Promise<string | null>;
  saveProject(suggestedName: string): Promise<string | null>;
  openFolder(purpose: FolderPurpose | 'models'): Promise<string | null>;
  /** An ONNX file to add as the user's own model. */
  openModel(): Promise<string | null>;
  /** Asks before a batch writes its results inside the folder of photos it reads; true to go ahead. */
  confirmOutputInsideInput(input: string, output: string): Promise<boolean>;
  saveRecipe(suggestedName: string): Promise<string | null>;
  openRecipe(): Promise<string | null>;
}

type Handlers = { [K in CallName]: (input: unknown) => Promise<CallResults[K]> };
type FolderPurpose = 'input' | 'output';

/**
 * Serves one call by its name, as main's IPC registration does: only the contract's own names
 * (never `constructor`, `__proto__` or anything else an object inherits).
 */
export function dispatch(handlers: Handlers, name: string, input: unknown): Promise<unknown> {
  if (!Object.hasOwn(calls, name)) return Promise.reject(new GanvasError('INVALID_INPUT', `There is no call named "${name.slice(0, 64)}".`));
  return handlers[name as CallName](input);
}

/** One validation problem in words: which field, and what it should have been. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.map(String).join('.') : 'the request';
  if (issue.code === 'invalid_type')
    return issue.message.endsWith('received undefined')
      ? `${where} is missing`
      : `${where} must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
  return `${where}: ${issue.message.replace(/^Invalid input: /, '')}`;
}

/** A call's outcome as it crosses IPC (main, and the test bridge in its place). */
export async function reply(work: Promise<unknown>): Promise<CallReply> {
  try {
    return { ok: await work };
  } catch (err) {
    return { error: toErrorInfo(err) };
  }
}

/** Whether `child` is `parent` or lies inside it. */
function within(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

const stem = (fileName: string) => fileName.replace(/\.[^.]+$/, '');
const pngDataUrl = (png: Uint8Array) => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;

/**
 * Every contract call, validated against its schema and served by the engine, and `openUserPath`
 * for paths that come from the user rather than the page (a dropped file's path resolved in
 * preload, Open Recent, the OS's open-file). Electron's main process and the end-to-end test
 * bridge both use exactly these functions.
 */
export function createHandlers(
  engine: Engine,
  dialogs: Dialogs,
  onOpened: (path: string) => void = () => {},
): { calls: Handlers; openUserPath: (path: string) => Promise<DocumentInfo> } {
  const parse = <K extends CallName>(name: K, input: unknown) => {
    const r = calls[name].safeParse(input);
    if (!r.success) throw new GanvasError('INVALID_INPUT', `Invalid ${name} request: ${r.error.issues.slice(0, 3).map(describeIssue).join('; ')}.`);
    return r.data as ReturnType<(typeof calls)[K]['parse']>;
  };
  // Folders the user picked in a dialog, for what they were picked: a batch reads only from a
  // folder picked as input and writes only to one picked as output.
  const granted = new Map<string, Set<FolderPurpose>>();
  const grant = (path: string, purpose: FolderPurpose) => granted.set(resolve(path), (granted.get(resolve(path)) ?? new Set()).add(purpose));
  const isGranted = (path: string, purpose: FolderPurpose) => granted.get(resolve(path))?.has(purpose) === true;
  const open = async (path: string) => {
    const doc = await engine.open(path);
    onOpened(doc.projectPath ?? doc.path);
    return doc;
  };
  const served: Handlers = {
    openWithDialog: async (input) => {
      parse('openWithDialog', input);
      const path = await dialogs.openFile();
      return path ? open(path) : null;
    },
    closeDocument: async (input) => {
      await engine.close(parse('closeDocument', input).docId);
      return null;
    },
    documentInfo: async (input) => engine.info(parse('documentInfo', input).docId),
    layerPreview: async (input) => {
      const { docId, layerId, maxSide } = parse('layerPreview', input);
      const p = await engine.layerPreview(docId, layerId, maxSide);
      return { width: p.width, height: p.height, dataUrl: pngDataUrl(p.png) };
    },
    addLayer: async (input) => {
      const { docId, what } = parse('addLayer', input);
      return engine.addLayer(docId, what);
    },
    addLayerFromFileWithDialog: async (input) => {
      const { docId } = parse('addLayerFromFileWithDialog', input);
      const path = await dialogs.openImage();
      return path ? engine.addLayer(docId, { kind: 'file', path }) : null;
    },
    deleteLayer: async (input) => {
      const { docId, layerId } = parse('deleteLayer', input);
      return engine.deleteLayer(docId, layerId);
    },
    moveLayer: async (input) => {
      const { docId, layerId, index } = parse('moveLayer', input);
      return engine.moveLayer(docId, layerId, index);
    },
    setLayerProps: async (input) => {
      const { docId, layerId, props } = parse('setLayerProps', input);
      return engine.setLayerProps(docId, layerId, props);
    },
    addMask: async (input) => {
      const { docId, layerId, fill } = parse('addMask', input);
      return engine.addMask(docId, layerId, fill);
    },
    removeMask: async (input) => {
      const { docId, layerId } = parse('removeMask', input);
      return engine.removeMask(docId, layerId);
    },
    paintMask: async (input) => {
      const { docId, layerId, stroke } = parse('paintMask', input);
      return engine.paintMask(docId, layerId, stroke);
    },
    mergeDown: async (input) => {
      const { docId, layerId } = parse('mergeDown', input);
      return engine.mergeDown(docId, layerId);
    },
    flatten: async (input) => engine.flatten(parse('flatten', input).docId),
    undo: async (input) => {
      const { docId, scope } = parse('undo', input);
      return engine.undo(docId, scope);
    },
    redo: async (input) => {
      const { docId, scope } = parse('redo', input);
      return engine.redo(docId, scope);
    },
    history: async (input) => {
      const { docId, scope } = parse('history', input);
      return engine.historyOf(docId, scope);
    },
    jumpHistory: async (input) => {
      const { docId, scope, position } = parse('jumpHistory', input);
      return engine.jumpHistory(docId, scope, position);
    },
    runTool: async (input) => {
      const { docId, layerId, tool, params } = parse('runTool', input);
      return { jobId: engine.runTool(docId, layerId, tool, params) };
    },
    previewTool: async (input) => {
      const { docId, layerId, maxSide, tool, params } = parse('previewTool', input);
      const p = await engine.previewTool(docId, layerId, tool, params, maxSide);
      return { width: p.width, height: p.height, dataUrl: pngDataUrl(p.png), warnings: p.warnings };
    },
    styleFromPaintingWithDialog: async (input) => {
      const { docId, layerId, params } = parse('styleFromPaintingWithDialog', input);
      const path = await dialogs.openImage();
      if (!path) return null;
      return { jobId: engine.runTool(docId, layerId, 'style', params, { reference: await engine.openReference(path) }) };
    },
    stylePresets: async (input) => {
      parse('stylePresets', input);
      return engine.stylePresets();
    },
    saveStylePreset: async (input) => {
      const { name, vector } = parse('saveStylePreset', input);
      return engine.saveStylePreset(name, vector);
    },
    paintSelection: async (input) => {
      const { docId, stroke } = parse('paintSelection', input);
      return engine.paintSelection(docId, stroke);
    },
    selectShape: async (input) => {
      const { docId, shape, value } = parse('selectShape', input);
      return engine.selectShape(docId, shape, value);
    },
    invertSelection: async (input) => engine.invertSelection(parse('invertSelection', input).docId),
    clearSelection: async (input) => engine.clearSelection(parse('clearSelection', input).docId),
    selectionPreview: async (input) => {
      const { docId, maxSide } = parse('selectionPreview', input);
      const p = await engine.selectionPreview(docId, maxSide);
      return p && { width: p.width, height: p.height, dataUrl: pngDataUrl(p.png) };
    },
    models: async (input) => engine.models.list(parse('models', input).task),
    downloadModel: async (input) => {
      engine.models.download(parse('downloadModel', input).id);
      return null;
    },
    cancelModelDownload: async (input) => {
      engine.models.cancelDownload(parse('cancelModelDownload', input).id);
      return null;
    },
    installModelsWithDialog: async (input) => {
      const { ids } = parse('installModelsWithDialog', input);
      const folder = await dialogs.openFolder('models');
      return folder ? engine.models.installFromFolder(folder, ids) : null;
    },
    removeModel: async (input) => {
      await engine.models.remove(parse('removeModel', input).id);
      return null;
    },
    verifyModel: async (input) => engine.models.verify(parse('verifyModel', input).id),
    addCustomModelWithDialog: async (input) => {
      const { task, name } = parse('addCustomModelWithDialog', input);
      const file = await dialogs.openModel();
      return file ? engine.models.addCustom(task, file, name) : null;
    },
    cancelJob: async (input) => {
      engine.cancel(parse('cancelJob', input).jobId);
      return null;
    },
    saveProject: async (input) => {
      const { docId, saveAs } = parse('saveProject', input);
      const doc = engine.info(docId);
      if (doc.projectPath && !saveAs) return engine.saveProject(docId);
      const path = await dialogs.saveProject(`${stem(doc.title)}.${PROJECT_EXTENSION}`);
      if (!path) return null;
      const saved = await engine.saveProject(docId, path);
      onOpened(path);
      return saved;
    },
    exportWithDialog: async (input) => {
      const { docId, settings } = parse('exportWithDialog', input);
      const doc = engine.info(docId);
      const path = await dialogs.saveImage(`${stem(doc.fileName)}-ganvas.${extensionFor(settings.format)}`, settings.format);
      return path ? engine.export(docId, path, settings) : null;
    },
    recoverable: async (input) => {
      parse('recoverable', input);
      return engine.recoverable();
    },
    restoreRecovery: async (input) => engine.restore(parse('restoreRecovery', input).key),
    discardRecovery: async (input) => {
      await engine.discardRecovery(parse('discardRecovery', input).key);
      return null;
    },
    getSettings: async (input) => {
      parse('getSettings', input);
      return engine.getSettings();
    },
    updateSettings: async (input) => engine.updateSettings(parse('updateSettings', input)),
    doctor: async (input) => {
      parse('doctor', input);
      return engine.doctor();
    },
    chooseFolder: async (input) => {
      const { purpose } = parse('chooseFolder', input);
      const path = await dialogs.openFolder(purpose);
      if (path) grant(path, purpose);
      return path;
    },
    startBatch: async (input) => {
      const o = parse('startBatch', input);
      if (!isGranted(o.input, 'input')) throw new GanvasError('INVALID_INPUT', `Choose the photos' folder ${o.input} with the folder dialog first.`);
      if (!isGranted(o.output, 'output')) throw new GanvasError('INVALID_INPUT', `Choose the output folder ${o.output} with the folder dialog first.`);
      // The page cannot allow this by itself: the user says so to main's own dialog.
      const allowInsideInput = within(resolve(o.output), resolve(o.input)) && (await dialogs.confirmOutputInsideInput(o.input, o.output));
      return { batchId: engine.startBatch({ ...o, allowInsideInput }).batchId };
    },
    controlBatch: async (input) => {
      const { batchId, action } = parse('controlBatch', input);
      engine.controlBatch(batchId, action);
      return null;
    },
    recipeFromDocument: async (input) => engine.recipeFromDocument(parse('recipeFromDocument', input).docId),
    saveRecipeWithDialog: async (input) => {
      const { recipe } = parse('saveRecipeWithDialog', input);
      const path = await dialogs.saveRecipe(`${recipe.name}.json`);
      if (!path) return null;
      await writeFileAtomic(path, JSON.stringify(recipe, null, 2));
      return path;
    },
    loadRecipeWithDialog: async (input) => {
      parse('loadRecipeWithDialog', input);
      const path = await dialogs.openRecipe();
      return path ? readRecipe(path) : null;
    },
  };
  return { calls: served, openUserPath: open };
}
