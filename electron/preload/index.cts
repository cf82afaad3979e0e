// Sandboxed preload: CommonJS, and only 'electron' may be required. It exposes the contract's
// generic call (main serves only contract channels and validates every input) and events.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';

const IPC_CALL_PREFIX = 'ganvas:call:';
const IPC_EVENT_CHANNEL = 'ganvas:event';
const IPC_DROP_CHANNEL = 'ganvas:drop';

type Reply = { ok: unknown } | { error: { code: string; message: string; details?: string } };

/** Main answers every call with its result or its failure (code, message, details); a failure is thrown here. */
function unwrap(r: Reply): unknown {
  if ('error' in r) throw Object.assign(new Error(r.error.message), { code: r.error.code, details: r.error.details });
  return r.ok;
}

contextBridge.exposeInMainWorld('ganvas', {
  call: async (name: string, input: unknown) => unwrap((await ipcRenderer.invoke(IPC_CALL_PREFIX + name, input)) as Reply),
  onEvent: (listener: (e: unknown) => void) => {
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.off(IPC_EVENT_CHANNEL, wrapped);
  },
  // The path comes from the real File here, in preload: the page never names a path itself.
  openDroppedFile: (file: File) => {
    const path = webUtils.getPathForFile(file);
    return path ? ipcRenderer.invoke(IPC_DROP_CHANNEL, path).then((r: Reply) => unwrap(r)) : Promise.resolve(null);
  },
});
