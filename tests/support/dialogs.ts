import type { Dialogs } from '../../electron/ipc/handlers.js';

/** The OS dialogs as a test scripts them: every one the test does not give is cancelled by the "user". */
export function scriptedDialogs(given: Partial<Dialogs> = {}): Dialogs {
  const cancelled = async () => null;
  return {
    openFile: cancelled,
    openImage: cancelled,
    saveImage: cancelled,
    saveProject: cancelled,
    openFolder: cancelled,
    openModel: cancelled,
    saveRecipe: cancelled,
    openRecipe: cancelled,
    confirmOutputInsideInput: async () => false,
    showFolder: async () => {},
    ...given,
  };
}
