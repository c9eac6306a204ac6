// The API surface the Electron preload exposes on window through contextBridge.
// Every call carries a caller-chosen id so progress frames and cancellation can be routed.
import type { ApiError, Progress } from '../../../core/api/definition';

declare global {
  type EdwBridgeResult = { ok: true; result: unknown } | { ok: false; error: ApiError };

  interface EdwBridge {
    call(callId: string, method: string, input: unknown): Promise<EdwBridgeResult>;
    /** Subscribe to progress of every call; returns the unsubscribe function. */
    onProgress(listener: (callId: string, progress: Progress) => void): () => void;
    cancel(callId: string): void;
  }

  interface Window {
    edwBridge?: EdwBridge;
  }
}

export {};
