/** Whether a document has changed since it was saved, and where it was saved: counted in revisions. */
export class SaveState {
  /** Bumped by every change, undo and redo included; compared with what was saved. */
  private changes = 0;
  private savedAt = 0;
  private project: string | null = null;
  private handedOver: string | null = null;

  get revision(): number {
    return this.changes;
  }

  get dirty(): boolean {
    return this.changes !== this.savedAt;
  }

  /** Where the document was last saved as a project (or opened from), if anywhere. */
  get projectPath(): string | null {
    return this.project;
  }

  /**
   * The image another program handed over to be edited (Lightroom's Edit in, an open-file from
   * the system): Save writes the result back into it, until the document is saved as a project.
   */
  get writesBackTo(): string | null {
    return this.project ? null : this.handedOver;
  }

  /** The document was opened to be edited in place: Save writes back into `path`. */
  editsInPlace(path: string): void {
    this.handedOver = path;
  }

  /** The result was written back into the handed-over file: the document is clean. */
  wroteBack(): void {
    this.changed();
    this.savedAt = this.changes;
  }

  changed(): void {
    this.changes++;
  }

  /** The document was written to `path` as a project: that is its place now, and it is clean. */
  savedTo(path: string): void {
    this.project = path;
    // A revision of its own, so the change of title and dirty state is reported.
    this.changed();
    this.savedAt = this.changes;
  }

  /** The document was read from the project at `path`, as it was saved. */
  openedFrom(path: string): void {
    this.project = path;
  }

  /** An autosave restored as unsaved work that belongs to the project at `path` (if any). */
  restored(projectPath: string | null): void {
    this.project = projectPath;
    this.changed();
  }
}
