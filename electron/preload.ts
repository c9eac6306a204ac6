// Preload (sandboxed, context-isolated): exposes exactly the API's methods to the renderer,
// as one generic call plus progress and cancel. No Node or Electron object crosses the bridge.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isMethodName, methodNames, type Progress } from '../core/api/definition';
import { CHANNEL } from './ipc';

const bridge = {
  methods: [...methodNames],
  call(callId: string, method: string, input: unknown): Promise<unknown> {
    if (!isMethodName(method))
      return Promise.resolve({
        ok: false,
        error: { code: 'usage', message: `unknown method: ${method}` },
      });
    return ipcRenderer.invoke(CHANNEL.call, callId, method, input);
  },
  onProgress(listener: (callId: string, progress: Progress) => void): () => void {
    const handler = (_e: IpcRendererEvent, callId: string, progress: Progress) =>
      listener(callId, progress);
    ipcRenderer.on(CHANNEL.progress, handler);
    return () => ipcRenderer.removeListener(CHANNEL.progress, handler);
  },
  cancel(callId: string): void {
    ipcRenderer.send(CHANNEL.cancel, callId);
  },
};

contextBridge.exposeInMainWorld('edwBridge', bridge);
