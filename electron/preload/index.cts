// Sandboxed preload: CommonJS, and only 'electron' may be required. It exposes the contract's
// generic call (main serves only contract channels and validates every input) and events.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';

const IPC_CALL_PREFIX = 'ganvas:call:';
const IPC_EVENT_CHANNEL = 'ganvas:event';
const IPC_DROP_CHANNEL = 'ganvas:drop';

contextBridge.exposeInMainWorld('ganvas', {
  call: (name: string, input: unknown) => ipcRenderer.invoke(IPC_CALL_PREFIX + name, input),
  onEvent: (listener: (e: unknown) => void) => {
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.off(IPC_EVENT_CHANNEL, wrapped);
  },
  // The path comes from the real File here, in preload: the page never names a path itself.
  openDroppedFile: (file: File) => {
    const path = webUtils.getPathForFile(file);
    return path ? ipcRenderer.invoke(IPC_DROP_CHANNEL, path) : Promise.resolve(null);
  },
});
