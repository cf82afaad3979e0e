import { basename, dirname, resolve } from 'node:path';
import type { DocId, LayerId } from './ids.js';
import { removeLeftoverTemps } from './atomic-file.js';
import { recipeFromDocument, type Recipe } from './batch/recipe.js';
import { paintStrokeAsync, type Stroke } from './document/brush.js';
import type { HistoryScope, PhotoDocument } from './document/document.js';
import { currentSelection, editableSelection, emptySelection, overlayPng, readMaskImage, selectionPng } from './document/selection.js';
import { SelectionPicture } from './document/selection-picture.js';
import { GanvasError } from './errors.js';
import { fillPolygon, fillRect } from './images/masks.js';
import { openImage, type OpenOptions } from './images/open.js';
import { layerImage, type Region, type ScreenImage } from './images/preview.js';
import type { Raster } from './images/raster.js';
import { formatFromPath, isLayeredFormat, supports16Bit, type LayeredFormat } from './images/formats.js';
import { checkFormatFits, saveImage, type ExportOptions } from './images/save.js';
import { layeredFromDocument } from './layered/document.js';
import { saveLayered } from './layered/save.js';
import { xmpToWrite } from './images/xmp.js';
import {
  documentInfo,
  documentTitle,
  historyInfo,
  type DocumentInfo,
  type HistoryInfo,
  type NewLayer,
  type SelectionPatch,
  type SelectionShape,
} from './info.js';
import { appVersion, samePath } from './paths.js';
import { saveProject } from './project/project.js';
import type { RecoveryStore } from './project/recovery.js';
import type { SettingsFile } from './settings.js';

/** JPEG and WebP quality when Save writes back into a handed-over file (Lightroom hands over TIFF or PSD, which are lossless). */
const WRITE_BACK_QUALITY = 95;

/** The edits a document makes by itself, which the session runs in turn with nothing of its own to add. */
export type DocumentEdit = 'deleteLayer' | 'moveLayer' | 'setLayerProps' | 'addMask' | 'removeMask' | 'paintMask' | 'mergeDown' | 'flatten';

/** A tile's region (as the canvas asks for it) cut to the raster's own pixels. */
function regionWithin(region: { x: number; y: number; width: number; height: number }, raster: Raster): Region {
  const left = Math.min(Math.max(0, region.x), raster.width - 1);
  const top = Math.min(Math.max(0, region.y), raster.height - 1);
  return { left, top, width: Math.min(region.width, raster.width - left), height: Math.min(region.height, raster.height - top) };
}

/** What a document's session uses from the engine around it. */
export interface SessionServices {
  settings: SettingsFile;
  recovery: RecoveryStore;
  open: OpenOptions;
  /** A model's name for people, from its catalog id. */
  modelName(id: string): string;
  /** Whether an autosave may carry the undo history now (only while it is small). */
  autosaveWithHistory(): boolean;
  /** The document's revision changed (an edit, an undo, a save). */
  changed(session: DocumentSession): void;
  autosaveFailed(session: DocumentSession, err: unknown): void;
}

/**
 * One open document: its edits, undo, selection, saves and autosave, run one at a time in the
 * order they were asked for; every edit answers with the document's new state.
 */
export class DocumentSession {
  private queue: Promise<unknown> = Promise.resolve();
  private autosavedRevision: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly selectionPicture = new SelectionPicture();

  constructor(
    readonly doc: PhotoDocument,
    /** What could not be restored when the document was opened. */
    readonly lost: string[],
    private readonly services: SessionServices,
  ) {
    this.autosavedRevision = doc.saveState.revision;
  }

  get id(): DocId {
    return this.doc.id;
  }

  get title(): string {
    return documentTitle(this.doc);
  }

  info(): DocumentInfo {
    return documentInfo(this.doc, this.lost);
  }

  /** Runs `work` after everything queued before it; reports the change when it is one. */
  async edit<T>(work: (doc: PhotoDocument) => T | Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const before = this.doc.saveState.revision;
      const result = await work(this.doc);
      if (this.doc.saveState.revision !== before) this.services.changed(this);
      return result;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** An edit, answered with the document's new state. */
  private async change(work: (doc: PhotoDocument) => unknown): Promise<DocumentInfo> {
    await this.edit(work);
    return this.info();
  }

  /** One of the document's own edits by name, in its turn, answered with the document's new state. */
  apply<Name extends DocumentEdit>(name: Name, ...args: Parameters<PhotoDocument[Name]>): Promise<DocumentInfo> {
    return this.change((doc) => (doc[name] as (...a: typeof args) => unknown)(...args));
  }

  // ── Layers ────────────────────────────────────────────────────────────────────────────────

  async addLayer(what: NewLayer): Promise<DocumentInfo> {
    if (what.kind === 'file') {
      // Decoding can take a while; do it before taking the document's turn.
      const { raster, meta } = await openImage(resolve(what.path), this.services.open);
      return this.change((doc) => doc.addImageLayer(raster, meta.fileName));
    }
    return this.change((doc) => (what.kind === 'empty' ? doc.addEmptyLayer() : doc.duplicateLayer(what.layerId)));
  }

  /** An 8-bit PNG of a layer (its mask applied as transparency), no longer than `maxSide` on its long edge. */
  layerPreview(layerId: LayerId, maxSide: number): Promise<ScreenImage> {
    const l = this.doc.layer(layerId);
    return layerImage(l.raster, l.mask, maxSide, { exact: false });
  }

  /**
   * A region of a layer (its mask as transparency) no longer than `maxSide`: a tile of the canvas's
   * pyramid. Where it fits, the layer's own pixels exactly (what 100 % shows); else a screen copy.
   */
  layerTile(layerId: LayerId, region: { x: number; y: number; width: number; height: number }, maxSide: number): Promise<ScreenImage> {
    const l = this.doc.layer(layerId);
    const inside = regionWithin(region, l.raster);
    return layerImage(l.raster, l.mask, maxSide, { exact: Math.max(inside.width, inside.height) <= maxSide, region: inside });
  }

  // ── History ───────────────────────────────────────────────────────────────────────────────

  /** Undoes the latest step wherever it was ('latest', Ctrl+Z), or one step of one history. */
  undo(scope: HistoryScope | 'latest'): Promise<DocumentInfo> {
    return this.change((doc) => (scope === 'latest' ? doc.histories.undoLatest() : doc.histories.undo(scope)));
  }

  redo(scope: HistoryScope | 'latest'): Promise<DocumentInfo> {
    return this.change((doc) => (scope === 'latest' ? doc.histories.redoLatest() : doc.histories.redo(scope)));
  }

  /** Undoes or redoes until `position` edits of that history are in effect. */
  jumpHistory(scope: HistoryScope, position: number): Promise<DocumentInfo> {
    return this.change((doc) => doc.histories.jump(scope, position));
  }

  historyOf(scope: HistoryScope): HistoryInfo {
    return historyInfo(this.doc, scope, this.services.modelName);
  }

  // ── Selection (what Erase removes) ────────────────────────────────────────────────────────

  /**
   * Paints on the selection (value 255 marks, 0 unmarks); points in canvas pixels. Given how the
   * page shows the selection (`shown`: its picture's longest side and colour), also the part of
   * that picture the stroke changed, so the page need not fetch the whole picture again.
   */
  async paintSelection(stroke: Stroke, shown?: { maxSide: number; colour: string }): Promise<{ doc: DocumentInfo; patch: SelectionPatch | null }> {
    // Into the selection itself: nothing else holds it (an Erase takes a copy).
    const part = await this.edit(async (doc) => {
      const sel = currentSelection(doc) ?? this.selectionPicture.blank(emptySelection(doc));
      const { area } = await paintStrokeAsync(sel, stroke, { inPlace: true });
      doc.marks.pixels = sel;
      this.selectionPicture.changed(sel, sel, area);
      return shown && area ? { ...this.selectionPicture.region(sel, shown.maxSide, area), area } : null;
    });
    const patch = part && {
      x: part.x,
      y: part.y,
      picture: part.picture,
      area: part.area,
      ...(await overlayPng(part.alpha, part.width, part.height, shown!.colour)),
    };
    return { doc: this.info(), patch };
  }

  /** Marks (255) or unmarks (0) a rectangle or a lasso polygon, in canvas pixels. */
  selectShape(shape: SelectionShape, value: number): Promise<DocumentInfo> {
    return this.changeSelection((sel) => (shape.kind === 'rect' ? fillRect(sel, shape.rect, value) : fillPolygon(sel, shape.points, value)));
  }

  invertSelection(): Promise<DocumentInfo> {
    return this.changeSelection((sel) => {
      for (let i = 0; i < sel.data.length; i++) sel.data[i] = 255 - sel.data[i]!;
    });
  }

  clearSelection(): Promise<DocumentInfo> {
    return this.change((doc) => void (doc.marks.pixels = null));
  }

  /** Uses a mask image (white = remove) as the selection; it must be the canvas's size. */
  async selectionFromFile(path: string): Promise<DocumentInfo> {
    const mask = await readMaskImage(resolve(path), this.doc);
    return this.changeSelection((sel) => sel.data.set(mask));
  }

  /** The selection as a PNG in `colour` (#rrggbb) whose alpha is the mask, no longer than `maxSide`; null when there is none. */
  async selectionPreview(maxSide: number, colour: string): Promise<ScreenImage | null> {
    const sel = currentSelection(this.doc);
    if (!sel) return null;
    const { alpha, width, height } = this.selectionPicture.of(sel, maxSide);
    return overlayPng(alpha, width, height, colour);
  }

  /** A region of the selection in the overlay's colour: a tile of the canvas's pyramid, exact where it fits `maxSide`. */
  async selectionTile(region: { x: number; y: number; width: number; height: number }, maxSide: number, colour: string): Promise<ScreenImage | null> {
    const sel = currentSelection(this.doc);
    return sel && selectionPng(sel, maxSide, colour, regionWithin(region, sel));
  }

  /** The selection to change (a fresh copy at canvas size), installed when `edit` is done. */
  private changeSelection(edit: (sel: Raster) => void | Promise<void>): Promise<DocumentInfo> {
    return this.change(async (doc) => {
      const next = editableSelection(doc);
      await edit(next);
      doc.marks.pixels = next;
    });
  }

  // ── Files ─────────────────────────────────────────────────────────────────────────────────

  /** The document's AI edits as a batch recipe. */
  recipe(): Recipe {
    return recipeFromDocument(this.doc);
  }

  /** Saves the document as a project (atomically) at `path`, or where it was last saved. */
  async saveProject(path?: string, opts: { includeHistory?: boolean } = {}): Promise<DocumentInfo> {
    const chosen = path ?? this.doc.saveState.projectPath;
    if (!chosen) throw new GanvasError('INVALID_INPUT', 'This document has not been saved as a project yet; choose a file name.');
    const target = resolve(chosen);
    if (samePath(target, this.doc.source.path))
      throw new GanvasError('INVALID_INPUT', `Refusing to overwrite the original ${basename(target)} with a project; choose another file name.`);
    await this.edit(async (doc) => {
      await saveProject(doc, target, { includeHistory: opts.includeHistory ?? this.services.settings.get().saveHistoryInProjects });
      doc.saveState.savedTo(target);
    });
    if (!this.doc.saveState.dirty) await this.services.recovery.discard(this.doc);
    return this.info();
  }

  /** Flattens and writes the document; AI provenance follows the setting unless `recordAiProvenance` says otherwise. */
  async export(
    path: string,
    opts: ExportOptions & { recordAiProvenance?: boolean },
  ): Promise<{ path: string; width: number; height: number; aiEdits: number }> {
    const target = resolve(path);
    if (samePath(target, this.doc.source.path))
      throw new GanvasError('INVALID_INPUT', `Refusing to overwrite the original ${basename(target)}; choose another file name.`);
    return this.write(target, opts);
  }

  /**
   * Save for an image another program handed over (Lightroom's Edit in): the result goes back
   * into that same file, flattened (layered formats keep their layers), in its format and depth
   * (8 bits where the format holds no more), with its ICC profile and EXIF, atomically — the file
   * stays whole if anything fails.
   */
  async writeBack(): Promise<DocumentInfo> {
    const target = this.doc.saveState.writesBackTo;
    const format = target && formatFromPath(target);
    if (!target || !format) throw new GanvasError('INVALID_INPUT', 'This document was not handed over to be edited in place; save it as a project.');
    const bitDepth = this.doc.source.meta.bitDepth === 16 && supports16Bit(format) ? 16 : 8;
    const revision = this.doc.saveState.revision;
    await this.write(target, { format, bitDepth, quality: WRITE_BACK_QUALITY });
    await this.edit((d) => d.saveState.revision === revision && d.saveState.wroteBack());
    if (!this.doc.saveState.dirty) await this.services.recovery.discard(this.doc);
    return this.info();
  }

  /** Writes the document to `target`: every layer in a layered format (PSD, OpenRaster), else flattened. */
  private async write(
    target: string,
    opts: ExportOptions & { recordAiProvenance?: boolean },
  ): Promise<{ path: string; width: number; height: number; aiEdits: number }> {
    const format = opts.format;
    const { pixels, aiEdits } = await this.edit(async (d) => ({
      pixels: isLayeredFormat(format) ? await layeredFromDocument(d, opts.bitDepth) : await d.render(),
      aiEdits: d.visibleAiEdits(),
    }));
    const record = (opts.recordAiProvenance ?? this.services.settings.get().recordAiProvenance) && aiEdits.length > 0;
    const { exif, icc, xmp } = this.doc.source.meta;
    const meta = { exif, icc, xmp: xmpToWrite(xmp, record ? aiEdits : [], `Ganvas ${appVersion}`) };
    if ('layers' in pixels) {
      checkFormatFits(opts, pixels.width, pixels.height, target);
      await saveLayered(pixels, target, { format: format as LayeredFormat, bitDepth: opts.bitDepth }, meta);
    } else await saveImage(pixels, target, opts, meta);
    await removeLeftoverTemps(dirname(target));
    return { path: target, width: pixels.width, height: pixels.height, aiEdits: aiEdits.length };
  }

  /** Writes the document to the recovery folder if it changed since the last autosave; a failure is reported, not thrown. */
  async autosave(): Promise<void> {
    if (this.doc.saveState.revision === this.autosavedRevision || !this.doc.saveState.dirty) return;
    try {
      await this.edit(async (doc) => {
        const revision = doc.saveState.revision;
        await this.services.recovery.save(doc, this.title, this.services.autosaveWithHistory());
        this.autosavedRevision = revision;
      });
    } catch (err) {
      this.services.autosaveFailed(this, err);
    }
  }

  /** Autosaves every `minutes` from now on (replacing an earlier timer). */
  autosaveEvery(minutes: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.autosave(), minutes * 60_000);
    this.timer.unref();
  }

  /** Stops the autosave timer and waits for the edits already asked for. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.queue;
  }
}
