import type { PhotoDocument } from './document.js';
import type { HistoryScope } from './timeline.js';

/**
 * Every history of a document — its own (canvas and layer stack) and each layer's — stepped one
 * at a time, or in the order the timeline recorded them (Ctrl+Z undoes the latest wherever it was).
 */
export class Histories {
  constructor(private readonly doc: PhotoDocument) {}

  private historyOf(scope: HistoryScope) {
    return scope === 'document' ? this.doc.history : this.doc.layer(scope.layerId).history;
  }

  private scopeName(scope: HistoryScope): string {
    return scope === 'document' ? 'the document' : `“${this.doc.layer(scope.layerId).props.name}”`;
  }

  /** Steps back one edit of one history (a layer's, or the document's structure), leaving the others as they are. */
  undo(scope: HistoryScope): Promise<boolean> {
    return this.moveOne(scope, -1, `Undo on ${this.scopeName(scope)}`);
  }

  redo(scope: HistoryScope): Promise<boolean> {
    return this.moveOne(scope, 1, `Redo on ${this.scopeName(scope)}`);
  }

  /** Undoes or redoes one history until `position` of its edits are in effect. */
  async jump(scope: HistoryScope, position: number): Promise<void> {
    const h = this.historyOf(scope);
    const before = h.position;
    await h.jump(position);
    this.doc.timeline.jumped(`History of ${this.scopeName(scope)}`, scope, before, h.position);
    this.doc.saveState.changed();
  }

  /** Undoes the most recent step wherever it was (Ctrl+Z). */
  async undoLatest(): Promise<boolean> {
    const done = await this.doc.timeline.undo((scope, position) => this.moveTo(scope, position));
    if (done) this.doc.saveState.changed();
    return done;
  }

  async redoLatest(): Promise<boolean> {
    const done = await this.doc.timeline.redo((scope, position) => this.moveTo(scope, position));
    if (done) this.doc.saveState.changed();
    return done;
  }

  private async moveOne(scope: HistoryScope, by: -1 | 1, label: string): Promise<boolean> {
    const h = this.historyOf(scope);
    const before = h.position;
    const done = by < 0 ? await h.undo() : await h.redo();
    if (!done) return false;
    this.doc.timeline.jumped(label, scope, before, h.position);
    this.doc.saveState.changed();
    return true;
  }

  /** Moves one history for the timeline; false when that history is gone (its layer is not in the stack). */
  private async moveTo(scope: HistoryScope, position: number): Promise<boolean> {
    const h = scope === 'document' ? this.doc.history : this.doc.layers.find((l) => l.id === scope.layerId)?.history;
    if (!h || position > h.entries().length) return false;
    await h.jump(position);
    return true;
  }
}
