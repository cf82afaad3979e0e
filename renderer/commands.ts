/** What the user can ask for from anywhere (keys, menus, toolbar): the keymap's actions and the document-level commands behind them. */
import type { DocumentInfo } from '../electron/contract.js';
import { STROKE_LIMITS } from '../electron/engine/document/stroke.js';
import type { ExportFormat } from '../electron/engine/images/formats.js';
import { isToolId } from '../electron/engine/tools/specs.js';
import { KEYMAP, type Action, type RailTool } from '../electron/keymap.js';
import { api } from './api.js';
import { on } from './event-bus.js';
import { app } from './stores/app.svelte.js';
import { attempt, session } from './stores/document.svelte.js';
import { job } from './stores/job.svelte.js';
import { messages } from './stores/messages.svelte.js';
import { style } from './stores/style.svelte.js';
import { tools } from './stores/tools.svelte.js';
import { runTool } from './tools/run.js';

/** Shows a document just opened, with every tool's per-photo settings started afresh. */
export async function show(next: DocumentInfo): Promise<void> {
  tools.resetForDocument();
  style.resetForDocument();
  await session.show(next);
  void app.loadRecent();
}

export const open = () =>
  attempt('Could not open the photo', async () => {
    const d = await api.call('openWithDialog', {});
    if (d) await show(d);
  });

export const openRecent = (path: string) =>
  attempt('Could not open the photo', async () => {
    await show(await api.call('openRecent', { path }));
  });

export const openDropped = (file: File) =>
  attempt('Could not open the photo', async () => {
    const opened = await api.openDroppedFile(file);
    if (opened) await show(opened);
  });

export const save = (saveAs: boolean) =>
  attempt('Could not save the project', async () => {
    const info = session.info;
    if (!info) return;
    const d = await api.call('saveProject', { docId: info.id, saveAs });
    if (d) {
      await session.update(d);
      messages.say(`Saved ${d.writesBackTo ?? d.projectPath}`);
    }
  });

export const exportDocument = (s: { format: ExportFormat; quality: number; bitDepth: 8 | 16 }) =>
  attempt('Could not export', async () => {
    app.dialog = null;
    const info = session.info;
    if (!info) return;
    const r = await api.call('exportWithDialog', { docId: info.id, settings: s });
    if (r) messages.say(`Exported ${r.path} (${r.width}×${r.height})${r.aiEdits ? ` · ${r.aiEdits} AI edit(s) recorded` : ''}`);
  });

export const restoreAutosave = (key: string) =>
  attempt('Could not restore the autosave', async () => {
    app.recovery = app.recovery.filter((r) => r.key !== key);
    await show(await api.call('restoreRecovery', { key }));
  });

export const discardAutosave = (key: string) =>
  attempt('Could not delete the autosave', async () => {
    app.recovery = app.recovery.filter((r) => r.key !== key);
    await api.call('discardRecovery', { key });
  });

/** A drag on the canvas: the mask brush while it paints on a layer with a mask, else Erase's marking. Settles when the document shows it. */
export async function paint(all: [number, number][]): Promise<void> {
  const sent: Promise<void>[] = [];
  // A very long drag goes as several strokes, each sharing its first point with the last one's end.
  for (let start = 0; start === 0 || start < all.length - 1; start += STROKE_LIMITS.points - 1) {
    const points = all.slice(start, start + STROKE_LIMITS.points);
    const brush = tools.maskBrush;
    if (brush.mode && session.active && session.activeLayer?.hasMask) {
      sent.push(
        session.change('paintMask', {
          layerId: session.active,
          stroke: { points, radius: brush.size / 2, hardness: brush.hardness, opacity: 1, value: brush.mode === 'hide' ? 0 : 255 },
        }),
      );
    } else {
      sent.push(session.paintSelection({ points, radius: tools.marking.size / 2, hardness: 1, opacity: 1, value: tools.marking.tool === 'brush' ? 255 : 0 }));
    }
  }
  await Promise.all(sent);
}

export interface ViewControls {
  zoomIn(): void;
  zoomOut(): void;
  fit(): void;
  actualSize(): void;
}

on('document-opened', (e) => show(e.doc));

/** What each command of the keymap does; menus send the same actions. `view` is the canvas, when one is shown. */
export function createActions(view: () => ViewControls | undefined): Record<Action, () => void> {
  const withDoc = (run: () => unknown) => () => void (session.info && run());
  const use = (tool: typeof tools.active) => withDoc(() => (tools.active = tool));
  return {
    open: () => void open(),
    save: () => void save(false),
    'save-as': () => void save(true),
    export: withDoc(() => (app.dialog = 'export')),
    batch: () => (app.dialog = 'batch'),
    models: () => {
      app.dialog = 'models';
      void app.refreshProviders();
    },
    settings: () => {
      app.dialog = 'settings';
      void app.refreshProviders();
    },
    undo: () => void session.step('undo', 'latest'),
    redo: () => void session.step('redo', 'latest'),
    'undo-layer': () => void session.step('undo', 'layer'),
    'redo-layer': () => void session.step('redo', 'layer'),
    'zoom-in': () => view()?.zoomIn(),
    'zoom-out': () => view()?.zoomOut(),
    'zoom-fit': () => view()?.fit(),
    'zoom-100': () => view()?.actualSize(),
    compare: withDoc(() => session.info!.layers.length > 1 && (tools.compare = { ...tools.compare, on: !tools.compare.on })),
    ...(Object.fromEntries(KEYMAP.filter((c) => c.tool).map((c) => [c.action, use(c.tool!.id)])) as Record<`tool-${RailTool}`, () => void>),
    apply: withDoc(() => !job.running && isToolId(tools.active) && runTool(tools.active)),
    'brush-smaller': () => tools.resizeBrush(1 / 1.25),
    'brush-larger': () => tools.resizeBrush(1.25),
    escape: () => {
      if (app.dialog) app.dialog = null;
      else if (messages.problem) messages.problem = null;
      else job.cancel();
    },
    help: () => (app.dialog = app.dialog === 'help' ? null : 'help'),
  };
}
