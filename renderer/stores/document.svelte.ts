import type { CallInput, DocumentCallName, DocumentInfo, EncodedImage, HistoryInfo, Rect, SelectionPatch } from '../../electron/contract.js';
import { api, errorInfo } from '../api.js';
import { on } from '../event-bus.js';
import { messages } from './messages.svelte.js';
import { tools } from './tools.svelte.js';

/** Screen copies of layers; full-resolution pixels stay in the engine. */
/** The screen copy of a layer: as fine as the screen (closer views come in tiles), at most 4096 px long. */
const PREVIEW_MAX_SIDE =
  typeof screen === 'undefined' ? 4096 : Math.min(4096, Math.ceil(Math.max(screen.width, screen.height) * (globalThis.devicePixelRatio ?? 1)));

/** An image the engine sent as bytes, as a file the page can use. */
export const blobOf = (encoded: EncodedImage): Blob => new Blob([encoded.bytes as Uint8Array<ArrayBuffer>], { type: encoded.type });

/** A canvas with the bitmap's pixels, to draw into; the bitmap's own go. */
function canvasOf(bitmap: ImageBitmap): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  [canvas.width, canvas.height] = [bitmap.width, bitmap.height];
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas;
}

/** Gives a picture's pixels back now rather than whenever the page collects garbage. */
function release(image: ImageBitmap | HTMLCanvasElement): void {
  if (image instanceof HTMLCanvasElement) [image.width, image.height] = [0, 0];
  else image.close();
}

/** Decodes an image the engine sent as bytes, off the page's main thread. */
export function imageOf(encoded: EncodedImage): Promise<ImageBitmap> {
  return createImageBitmap(blobOf(encoded));
}

/**
 * Runs `work`, reporting a failure in the error dialog as `title` ("Could not open the photo").
 * Every call the user starts goes through here, so none fails silently.
 */
export async function attempt(title: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    messages.fail(title, errorInfo(err));
  }
}

/** Numbers what is started, so that only the last one started acts on what it gets back. */
class Turns {
  private last = 0;
  /** A new turn; the function says whether it is still the last one taken. */
  take(): () => boolean {
    const turn = ++this.last;
    return () => turn === this.last;
  }
}

/** The open document as the renderer shows it: its info, screen copies of its layers, the active layer and its history. */
class DocumentStore {
  info = $state<DocumentInfo | null>(null);
  /** Layer previews, each with the layer version it shows. */
  images = $state<Record<string, { version: number; image: ImageBitmap }>>({});
  active = $state<string | null>(null);
  /** Which history the History panel shows: the active layer's or the document's structure. */
  historyScope = $state<'layer' | 'document'>('layer');
  history = $state<HistoryInfo | null>(null);
  /** A layer's opacity while its slider is dragged: the canvas shows it at once, the engine gets it on release. */
  dragged = $state<{ layerId: string; opacity: number } | null>(null);
  /**
   * What Erase removes, in the overlay's colour: the picture as it came, or a canvas once strokes
   * have been drawn into it; `version` counts the pictures of it shown, for the canvas's tiles of
   * it, and `changed` is where (in the document's pixels) a stroke changed it from the one before.
   */
  selection = $state<{ image: ImageBitmap | HTMLCanvasElement; version: number; changed?: Rect } | null>(null);
  private selectionVersion = 0;
  /** The selection's whole pictures asked for: one that comes after a later one was asked for is not shown. */
  private readonly selectionAsked = new Turns();
  /** A whole picture of the selection is on its way. */
  private selectionLoading = false;
  private selectionColour = tools.marking.overlayColour;
  /** Settles once the last stroke sent has been shown: each stroke's reply waits for the one before. */
  private patching: Promise<void> = Promise.resolve();

  readonly activeLayer = $derived(this.info?.layers.find((l) => l.id === this.active) ?? null);

  /** Documents this page closed: what was still being fetched for them fails, and nobody needs to hear of it. */
  private readonly closed = new Set<string>();

  /** Shows a document that was just opened (closing the one shown before). */
  async show(next: DocumentInfo): Promise<void> {
    if (this.info && this.info.id !== next.id) {
      this.closed.add(this.info.id);
      await api.call('closeDocument', { docId: this.info.id });
    }
    this.active = null;
    this.images = {};
    await this.update(next);
    // Another document opened while this one's pictures loaded (a hand-over during an open): the later one is shown.
    if (this.info?.id !== next.id) return;
    messages.say(`${next.title} · ${next.width}×${next.height}${next.bitDepth === 16 ? ' · 16-bit' : ''}`);
    if (next.lost.length) messages.warn(`Opened with losses: ${next.lost.join('; ')}`);
  }

  /** Takes the engine's new state of the document and fetches what changed (the selection's picture as `showSelection` does). */
  async update(next: DocumentInfo, showSelection = () => this.loadSelection()): Promise<void> {
    try {
      await this.fetchShown(next, showSelection);
    } catch (err) {
      // Another document was opened in its place meanwhile (a hand-over while this one's layers loaded).
      if (!this.closed.has(next.id)) throw err;
    }
  }

  private async fetchShown(next: DocumentInfo, showSelection: () => Promise<void>): Promise<void> {
    this.info = next;
    if (!this.active || !next.layers.some((l) => l.id === this.active)) this.active = next.layers.at(-1)?.id ?? null;
    const stale = next.layers.filter((l) => this.images[l.id]?.version !== l.version);
    const fresh = await Promise.all(
      stale.map(async (l) => {
        const p = await api.call('layerPreview', { docId: next.id, layerId: l.id, maxSide: PREVIEW_MAX_SIDE });
        return [l.id, { version: l.version, image: await imageOf(p) }] as const;
      }),
    );
    if (this.info?.id !== next.id) {
      for (const [, { image }] of fresh) image.close();
      return;
    }
    const before = this.images;
    const kept = Object.fromEntries(Object.entries(before).filter(([id]) => next.layers.some((l) => l.id === id)));
    this.images = { ...kept, ...Object.fromEntries(fresh) };
    // Screen copies no longer shown give their pixels back at once (the canvas redraws from the new ones before the next frame).
    const shown = new Set(Object.values(this.images).map((i) => i.image));
    for (const { image } of Object.values(before)) if (!shown.has(image)) image.close();
    await Promise.all([this.refreshHistory(), showSelection()]);
  }

  /** A document call; the document's new state it returns is shown. */
  change<K extends DocumentCallName>(name: K, input: Omit<CallInput<K>, 'docId'>, failure = 'That did not work'): Promise<void> {
    return attempt(failure, async () => {
      if (!this.info) return;
      await this.update(await api.call(name, { ...input, docId: this.info.id } as CallInput<K>));
    });
  }

  select(layerId: string): void {
    this.active = layerId;
    void this.refreshHistory();
  }

  setHistoryScope(scope: 'layer' | 'document'): void {
    this.historyScope = scope;
    void this.refreshHistory();
  }

  async refreshHistory(): Promise<void> {
    if (!this.info) return void (this.history = null);
    const scope = this.historyScope === 'document' ? 'document' : this.active ? { layerId: this.active } : null;
    this.history = scope ? await api.call('history', { docId: this.info.id, scope }) : null;
  }

  private readonly stepsTaken = new Turns();

  /** Undo or redo the latest step wherever it was (Ctrl+Z), or on the active layer only. */
  step(which: 'undo' | 'redo', where: 'latest' | 'layer'): Promise<void> {
    // Steps taken quickly one after another finish out of order (the one whose layer's picture is
    // larger comes last): the status line says what the last one taken did.
    const latest = this.stepsTaken.take();
    const tell = (what: string) => {
      if (latest()) messages.say(what);
    };
    if (where === 'layer') {
      const layer = this.activeLayer;
      if (!layer) return Promise.resolve();
      if (!(which === 'undo' ? layer.canUndo : layer.canRedo)) return Promise.resolve(messages.say(`Nothing to ${which} on “${layer.name}”.`));
      return attempt(`Could not ${which}`, async () => {
        const docId = this.info!.id;
        const scope = { layerId: layer.id };
        // entries[0] is the layer as it began; entries[position] the edit in effect last.
        const { entries, position } = await api.call('history', { docId, scope });
        const label = entries[which === 'undo' ? position : position + 1]?.label;
        await this.update(await api.call(which, { docId, scope }));
        tell(`${which === 'undo' ? 'Undid' : 'Redid'} “${label}” on “${layer.name}”.`);
      });
    }
    if (!this.info || !(which === 'undo' ? this.info.undoLabel : this.info.redoLabel)) return Promise.resolve(messages.say(`Nothing to ${which}.`));
    const label = which === 'undo' ? this.info.undoLabel : this.info.redoLabel;
    return this.change(which, { scope: 'latest' }).then(() => tell(`${which === 'undo' ? 'Undid' : 'Redid'} “${label}”.`));
  }

  /** A region of a layer no longer than `side` (the canvas asks for what it shows closer than the screen copy allows). */
  async tile(layerId: string, rect: { x: number; y: number; width: number; height: number }, side: number): Promise<ImageBitmap> {
    return imageOf(await api.call('layerTile', { docId: this.info!.id, layerId, ...rect, maxSide: side }));
  }

  /** A region of the selection no longer than `side`, in the overlay's colour (the canvas asks for what it shows closer than the whole picture allows). */
  async selectionTile(rect: { x: number; y: number; width: number; height: number }, side: number): Promise<ImageBitmap> {
    const p = await api.call('selectionTile', { docId: this.info!.id, ...rect, maxSide: side, colour: this.selectionColour });
    if (!p) throw new Error('The selection is gone.');
    return imageOf(p);
  }

  /** Shows the selection (what Erase removes) in the overlay's colour, replacing the picture of it shown before. */
  async loadSelection(): Promise<void> {
    const latest = this.selectionAsked.take();
    this.selectionLoading = true;
    try {
      const colour = this.selectionColour;
      const p = this.info?.hasSelection ? await api.call('selectionPreview', { docId: this.info.id, maxSide: PREVIEW_MAX_SIDE, colour }) : null;
      const next = p ? await imageOf(p) : null;
      // A later one was asked for meanwhile (the marks cleared while this larger picture was encoded): this one is out of date.
      if (!latest()) return next?.close();
      const shown = this.selection;
      this.selection = next && { image: next, version: ++this.selectionVersion };
      // Its pixels go now rather than whenever the page collects garbage: the canvas redraws from the new one before the next frame.
      if (shown) release(shown.image);
    } finally {
      if (latest()) this.selectionLoading = false;
    }
  }

  /**
   * Marks or unmarks with a brush stroke. Where the selection is shown, only the part of its
   * picture the stroke changed comes back, with the document's new state, and is drawn into it:
   * one call, and a few kilobytes instead of the whole picture.
   */
  paintSelection(stroke: CallInput<'paintSelection'>['stroke']): Promise<void> {
    // Each stroke's reply is shown in the order the strokes were made, not the order the replies
    // come in (a long stroke's part takes longer to encode): a part drawn after a later stroke's
    // would put back, where the two cross, what that later stroke changed.
    const earlier = this.patching;
    let shownInTurn!: () => void;
    this.patching = new Promise((r) => (shownInTurn = r));
    return attempt('That did not work', async () => {
      try {
        if (!this.info) return;
        const colour = this.selectionColour;
        const shown = this.selection ? { shown: { maxSide: PREVIEW_MAX_SIDE, colour } } : {};
        const reply = api.call('paintSelection', { docId: this.info.id, stroke, ...shown });
        reply.catch(() => {}); // awaited below, once the strokes before it are shown
        await earlier;
        const { doc, patch } = await reply;
        await this.update(doc, patch && doc.hasSelection ? () => this.drawIntoSelection(patch, colour) : undefined);
      } finally {
        shownInTurn();
      }
    });
  }

  /** Draws a stroke's part of the picture into the one shown; where that is not the picture (nor the colour) it was made for, or a whole one is on its way, the whole picture is fetched. */
  private async drawIntoSelection(patch: SelectionPatch, colour: string): Promise<void> {
    const piece = await imageOf(patch);
    const shown = this.selection;
    // A whole picture on its way may or may not hold this stroke, and the one shown is older: a new one holds both.
    if (
      !shown ||
      this.selectionLoading ||
      colour !== this.selectionColour ||
      shown.image.width !== patch.picture.width ||
      shown.image.height !== patch.picture.height
    ) {
      piece.close();
      return this.loadSelection();
    }
    const canvas = shown.image instanceof HTMLCanvasElement ? shown.image : canvasOf(shown.image);
    const g = canvas.getContext('2d')!;
    g.clearRect(patch.x, patch.y, patch.width, patch.height);
    g.drawImage(piece, patch.x, patch.y);
    piece.close();
    this.selection = { image: canvas, version: ++this.selectionVersion, changed: patch.area };
  }

  /** The overlay's colour: the selection is fetched again in it. */
  setSelectionColour(colour: string): Promise<void> {
    if (colour === this.selectionColour) return Promise.resolve();
    this.selectionColour = colour;
    return this.loadSelection();
  }

  async addLayer(what: 'empty' | 'file' | 'duplicate'): Promise<void> {
    await attempt('Could not add the layer', async () => {
      if (!this.info) return;
      const before = new Set(this.info.layers.map((l) => l.id));
      const next =
        what === 'file'
          ? await api.call('addLayerFromFileWithDialog', { docId: this.info.id })
          : await api.call('addLayer', { docId: this.info.id, what: what === 'empty' ? { kind: 'empty' } : { kind: 'duplicate', layerId: this.active! } });
      if (!next) return;
      this.active = next.layers.find((l) => !before.has(l.id))?.id ?? this.active;
      await this.update(next);
    });
  }
}

export const session = new DocumentStore();

on('document-changed', (e) => {
  if (session.info?.id === e.docId) session.info = { ...session.info, dirty: e.dirty, title: e.title };
});
