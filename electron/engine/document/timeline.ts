/**
 * The order in which the document's histories moved, so Ctrl+Z can undo the most recent step
 * wherever it was (a layer's pixels, a new AI layer, a reorder), while each layer keeps its own
 * history to step back on its own.
 *
 * Every entry is what one user action did to the histories, as moves from one position to
 * another. An edit is a move from p to p + 1 of its history; stepping one layer back from its
 * History panel is a move too (say 5 to 3), so a Ctrl+Z right after it brings those steps back,
 * like undoing any other action. Undoing an entry moves each history back to where it was;
 * redoing moves it forward again.
 */
import type { LayerId } from '../ids.js';

/** A history: the document's structure, or one layer's. */
export type HistoryScope = { layerId: LayerId } | 'document';

export interface HistoryMove {
  scope: HistoryScope;
  /** Edits in effect before and after the move. */
  before: number;
  after: number;
}

export interface TimelineEntry {
  label: string;
  moves: HistoryMove[];
}

const sameScope = (a: HistoryScope, b: HistoryScope) => (a === 'document' || b === 'document' ? a === b : a.layerId === b.layerId);

/** Moves one history to a position; false when that history is gone (its layer no longer in the document). */
export type MoveHistory = (scope: HistoryScope, position: number) => Promise<boolean>;

export class Timeline {
  private done: TimelineEntry[] = [];
  private undone: TimelineEntry[] = [];
  private open: TimelineEntry | null = null;

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  /** What Ctrl+Z and Ctrl+Shift+Z would undo and redo, for menus and tooltips. */
  get undoLabel(): string | null {
    return this.done.at(-1)?.label ?? null;
  }

  get redoLabel(): string | null {
    return this.undone.at(-1)?.label ?? null;
  }

  /**
   * A new edit in `scope`, made with `before` edits in effect: that history dropped the steps it
   * could redo, so entries that reach above `before` in it are dropped too.
   */
  recorded(label: string, scope: HistoryScope, before: number): void {
    const reachesAbove = (e: TimelineEntry) => e.moves.some((m) => sameScope(m.scope, scope) && Math.max(m.before, m.after) > before);
    this.done = this.done.filter((e) => !reachesAbove(e));
    this.add(label, { scope, before, after: before + 1 });
  }

  /** One history stepped back or forward on its own (its History panel): an action of its own. */
  jumped(label: string, scope: HistoryScope, before: number, after: number): void {
    if (before !== after) this.add(label, { scope, before, after });
  }

  /** Everything `action` records counts as one entry (e.g. a result that also grew the canvas). */
  async asOne<T>(label: string, action: () => Promise<T>): Promise<T> {
    if (this.open) return action();
    const entry: TimelineEntry = { label, moves: [] };
    this.open = entry;
    try {
      return await action();
    } finally {
      this.open = null;
      if (entry.moves.length > 0) this.push(entry);
    }
  }

  /** Undoes the latest entry; an entry whose layer is gone is dropped and the one before it undone. */
  async undo(move: MoveHistory): Promise<boolean> {
    for (let entry = this.done.pop(); entry; entry = this.done.pop()) {
      if (await this.apply([...entry.moves].reverse(), (m) => m.before, move)) {
        this.undone.push(entry);
        return true;
      }
    }
    return false;
  }

  async redo(move: MoveHistory): Promise<boolean> {
    for (let entry = this.undone.pop(); entry; entry = this.undone.pop()) {
      if (await this.apply(entry.moves, (m) => m.after, move)) {
        this.done.push(entry);
        return true;
      }
    }
    return false;
  }

  /** Both lists, for saving with the histories; `restore` puts them back. */
  snapshot(): { done: TimelineEntry[]; undone: TimelineEntry[] } {
    return { done: [...this.done], undone: [...this.undone] };
  }

  restore(s: { done: TimelineEntry[]; undone: TimelineEntry[] }): void {
    this.done = [...s.done];
    this.undone = [...s.undone];
  }

  private async apply(moves: HistoryMove[], to: (m: HistoryMove) => number, move: MoveHistory): Promise<boolean> {
    let any = false;
    for (const m of moves) any = (await move(m.scope, to(m))) || any;
    return any;
  }

  private add(label: string, m: HistoryMove): void {
    if (this.open) this.open.moves.push(m);
    else this.push({ label, moves: [m] });
  }

  private push(entry: TimelineEntry): void {
    this.done.push(entry);
    this.undone = [];
  }
}
