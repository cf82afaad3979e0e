/** A step knows how to apply itself and hands back the step that reverses it. */
export interface Step {
  label: string;
}

/**
 * An undo/redo stack of self-inverting steps: applying a step returns its inverse, which moves
 * to the other stack. Each layer has one; the document has one for its structure.
 */
export class History<S extends Step> {
  /** Steps that undo the edits made so far, oldest first. */
  private readonly done: S[] = [];
  /** Steps that redo undone edits, the next one last. */
  private readonly undone: S[] = [];

  constructor(
    private readonly apply: (step: S) => Promise<S>,
    private readonly discard: (step: S) => void = () => {},
  ) {}

  /** Records an edit already made; `inverse` is the step that reverts it. Clears redo. */
  record(inverse: S): void {
    this.done.push(inverse);
    for (const s of this.undone.splice(0)) this.discard(s);
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  /** Labels of the edits made (oldest first) and then of the edits that can be redone (next first). */
  entries(): { label: string; done: boolean }[] {
    return [...this.done.map((s) => ({ label: s.label, done: true })), ...[...this.undone].reverse().map((s) => ({ label: s.label, done: false }))];
  }

  /** How many edits are in effect: 0 is the state before the first edit. */
  get position(): number {
    return this.done.length;
  }

  async undo(): Promise<boolean> {
    const step = this.done.pop();
    if (!step) return false;
    this.undone.push(await this.apply(step));
    return true;
  }

  async redo(): Promise<boolean> {
    const step = this.undone.pop();
    if (!step) return false;
    this.done.push(await this.apply(step));
    return true;
  }

  /** Undoes or redoes until `position` edits are in effect. */
  async jump(position: number): Promise<void> {
    if (position < 0 || position > this.done.length + this.undone.length) throw new RangeError(`no history position ${position}`);
    while (this.done.length > position) await this.undo();
    while (this.done.length < position) await this.redo();
  }

  /** Both stacks, for saving; `restore` puts them back. */
  snapshot(): { done: S[]; undone: S[] } {
    return { done: [...this.done], undone: [...this.undone] };
  }

  restore(s: { done: S[]; undone: S[] }): void {
    this.clear();
    this.done.push(...s.done);
    this.undone.push(...s.undone);
  }

  clear(): void {
    for (const s of [...this.done.splice(0), ...this.undone.splice(0)]) this.discard(s);
  }
}
