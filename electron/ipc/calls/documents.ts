/** Opening, closing and reading documents; their histories. */
import { basename } from 'node:path';
import { z } from 'zod';
import { GanvasError } from '../../engine/errors.js';
import { defineCall } from '../context.js';
import { doc, scope, undoScope } from '../schemas.js';

export const documentCalls = {
  /** Shows the system Open dialog (photos and projects); null when the user cancels. */
  openWithDialog: defineCall(z.object({}), async (_, { dialogs, open }) => {
    const path = await dialogs.openFile();
    return path ? open(path) : null;
  }),
  /** Recently opened photos and projects, most recent first (the start screen lists them). */
  recentFiles: defineCall(z.object({}), async (_, { recent }) => recent.list().map((path) => ({ path, name: basename(path) }))),
  /** Opens one of the recent files: only a path the recent list holds, never one the page makes up. */
  openRecent: defineCall(z.object({ path: z.string().min(1).max(4096) }), async ({ path }, { recent, open }) => {
    if (!recent.list().includes(path)) throw new GanvasError('NOT_FOUND', `${basename(path)} is not in the recent files list.`);
    return open(path);
  }),
  closeDocument: defineCall(z.object(doc), async ({ docId }, { engine }) => {
    await engine.close(docId);
    return null;
  }),
  documentInfo: defineCall(z.object(doc), async ({ docId }, { engine }) => engine.document(docId).info()),
  undo: defineCall(z.object({ ...doc, scope: undoScope }), async ({ docId, scope }, { engine }) => engine.document(docId).undo(scope)),
  redo: defineCall(z.object({ ...doc, scope: undoScope }), async ({ docId, scope }, { engine }) => engine.document(docId).redo(scope)),
  history: defineCall(z.object({ ...doc, scope }), async ({ docId, scope }, { engine }) => engine.document(docId).historyOf(scope)),
  jumpHistory: defineCall(z.object({ ...doc, scope, position: z.number().int().min(0) }), async ({ docId, scope, position }, { engine }) =>
    engine.document(docId).jumpHistory(scope, position),
  ),
};
