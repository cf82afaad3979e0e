import { calls, type CallName, type CallResults } from '../contract.js';
import type { Engine } from '../engine/engine.js';
import { GanvasError } from '../engine/errors.js';
import type { ExportFormat } from '../engine/images/save.js';

/** The operating system's dialogs: Electron's in the app, scripted ones in tests. */
export interface Dialogs {
  openImage(): Promise<string | null>;
  saveImage(suggestedName: string, format: ExportFormat): Promise<string | null>;
}

type Handlers = { [K in CallName]: (input: unknown) => Promise<CallResults[K]> };

/**
 * Every contract call, validated against its schema and served by the engine. Electron's main
 * process and the end-to-end test bridge both use exactly these functions.
 */
export function createHandlers(engine: Engine, dialogs: Dialogs, onOpened: (path: string) => void = () => {}): Handlers {
  const parse = <K extends CallName>(name: K, input: unknown) => {
    const r = calls[name].safeParse(input);
    if (!r.success) throw new GanvasError('INVALID_INPUT', `Invalid ${name} request: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    return r.data as ReturnType<(typeof calls)[K]['parse']>;
  };
  const open = async (path: string) => {
    const doc = await engine.open(path);
    onOpened(doc.path);
    return doc;
  };
  return {
    openWithDialog: async (input) => {
      parse('openWithDialog', input);
      const path = await dialogs.openImage();
      return path ? open(path) : null;
    },
    openDropped: async (input) => open(parse('openDropped', input).path),
    documentInfo: async (input) => engine.info(parse('documentInfo', input).docId),
    layerPreview: async (input) => {
      const { docId, layerId, maxSide } = parse('layerPreview', input);
      const p = await engine.layerPreview(docId, layerId, maxSide);
      return { width: p.width, height: p.height, dataUrl: `data:image/png;base64,${Buffer.from(p.png).toString('base64')}` };
    },
    setLayerVisible: async (input) => {
      const { docId, layerId, visible } = parse('setLayerVisible', input);
      return engine.setLayerVisible(docId, layerId, visible);
    },
    runTool: async (input) => {
      const { docId, layerId, tool, params } = parse('runTool', input);
      return { jobId: engine.runTool(docId, layerId, tool, params) };
    },
    cancelJob: async (input) => {
      engine.cancel(parse('cancelJob', input).jobId);
      return null;
    },
    exportWithDialog: async (input) => {
      const { docId, settings } = parse('exportWithDialog', input);
      const doc = engine.info(docId);
      const stem = doc.fileName.replace(/\.[^.]+$/, '');
      const ext = settings.format === 'jpeg' ? 'jpg' : settings.format === 'tiff' ? 'tif' : settings.format;
      const path = await dialogs.saveImage(`${stem}-ganvas.${ext}`, settings.format);
      return path ? engine.export(docId, path, settings) : null;
    },
    doctor: async (input) => {
      parse('doctor', input);
      return engine.doctor();
    },
  };
}
