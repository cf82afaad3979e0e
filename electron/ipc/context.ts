import type { RecentFiles } from '../engine/recent.js';
import { resolve } from 'node:path';
import type { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { DocumentInfo } from '../engine/info.js';
import type { ExportFormat } from '../engine/images/formats.js';

export type FolderPurpose = 'input' | 'output';

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
  /** Shows a folder in the system's file manager. */
  showFolder(path: string): Promise<void>;
}

/**
 * Folders the user picked in a dialog, for what they were picked: a batch reads only from a
 * folder picked as input and writes only to one picked as output.
 */
export class FolderGrants {
  private readonly granted = new Map<string, Set<FolderPurpose>>();

  grant(path: string, purpose: FolderPurpose): void {
    this.granted.set(resolve(path), (this.granted.get(resolve(path)) ?? new Set()).add(purpose));
  }

  has(path: string, purpose: FolderPurpose): boolean {
    return this.granted.get(resolve(path))?.has(purpose) === true;
  }
}

/** What a call's handler works with. */
export interface CallContext {
  engine: Engine;
  dialogs: Dialogs;
  grants: FolderGrants;
  /** Opens a path that came from the user (a dialog, a dropped file, Open Recent), and remembers it as recent. */
  open(path: string): Promise<DocumentInfo>;
  /** Tells the app a file was opened or saved (the recent files list). */
  opened(path: string): void;
  recent: RecentFiles;
}

/** One IPC call: the schema its input must meet (checked in main, never trusted) and its handler. */
export interface CallDefinition<S extends z.ZodType, R> {
  input: S;
  handle(input: z.output<S>, ctx: CallContext): Promise<R>;
}

/** Declares a call; its result type is the handler's. */
export function defineCall<S extends z.ZodType, R>(input: S, handle: (input: z.output<S>, ctx: CallContext) => Promise<R>): CallDefinition<S, R> {
  return { input, handle };
}
