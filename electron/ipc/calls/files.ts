/** Projects, exports, autosaves, settings and the doctor report. */
import { z } from 'zod';
import { extensionFor } from '../../engine/images/formats.js';
import { PROJECT_EXTENSION } from '../../engine/project/project.js';
import { settingsPatch } from '../../engine/settings.js';
import { defineCall } from '../context.js';
import { doc, exportSettings } from '../schemas.js';

const stem = (fileName: string) => fileName.replace(/\.[^.]+$/, '');
const recoveryKey = z.string().min(1).max(64);

export const fileCalls = {
  /** Saves the project where it was saved before (or a handed-over photo back into its file); with `saveAs` or the first time, asks where. Null when cancelled. */
  saveProject: defineCall(z.object({ ...doc, saveAs: z.boolean() }), async ({ docId, saveAs }, { engine, dialogs, opened }) => {
    const info = engine.document(docId).info();
    // A photo handed over to be edited in place (Lightroom's Edit in) is saved back into its file.
    if (info.writesBackTo && !saveAs) return engine.document(docId).writeBack();
    if (info.projectPath && !saveAs) return engine.document(docId).saveProject();
    const path = await dialogs.saveProject(`${stem(info.title)}.${PROJECT_EXTENSION}`);
    if (!path) return null;
    const saved = await engine.document(docId).saveProject(path);
    opened(path);
    return saved;
  }),
  /** Shows the system Save dialog, then exports the flattened document there; null when cancelled. */
  exportWithDialog: defineCall(z.object({ ...doc, settings: exportSettings }), async ({ docId, settings }, { engine, dialogs }) => {
    const info = engine.document(docId).info();
    const path = await dialogs.saveImage(`${stem(info.fileName)}-ganvas.${extensionFor(settings.format)}`, settings.format);
    return path ? engine.document(docId).export(path, settings) : null;
  }),
  /** Autosaves left by a session that crashed. */
  recoverable: defineCall(z.object({}), async (_, { engine }) => engine.recoverable()),
  restoreRecovery: defineCall(z.object({ key: recoveryKey }), async ({ key }, { engine }) => engine.restore(key)),
  discardRecovery: defineCall(z.object({ key: recoveryKey }), async ({ key }, { engine }) => {
    await engine.discardRecovery(key);
    return null;
  }),
  getSettings: defineCall(z.object({}), async (_, { engine }) => engine.getSettings()),
  updateSettings: defineCall(settingsPatch, async (patch, { engine }) => engine.updateSettings(patch)),
  doctor: defineCall(z.object({}), async (_, { engine }) => engine.doctor()),
};
