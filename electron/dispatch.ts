// The IPC side of the API, free of Electron imports so it can be tested under Node:
// one generic call (method names from the definition only), progress per call id, cancel.
import { isMethodName, type ApiError, type Progress } from '../core/api/definition';
import { toApiError, type Workbench } from '../core/api/server';

export type CallReply = { ok: true; result: unknown } | { ok: false; error: ApiError };

export interface Dispatcher {
  call(
    callId: unknown,
    method: unknown,
    input: unknown,
    sendProgress: (callId: string, p: Progress) => void,
  ): Promise<CallReply>;
  cancel(callId: unknown): void;
  /** Calls under way, by id. */
  readonly running: ReadonlyMap<string, AbortController>;
}

export function createDispatcher(wb: Workbench): Dispatcher {
  const running = new Map<string, AbortController>();
  return {
    running,
    async call(callId, method, input, sendProgress) {
      if (typeof callId !== 'string' || callId === '' || running.has(callId)) {
        return { ok: false, error: { code: 'usage', message: 'each call needs a new call id' } };
      }
      if (!isMethodName(method)) {
        return {
          ok: false,
          error: { code: 'usage', message: `unknown method: ${String(method)}` },
        };
      }
      const controller = new AbortController();
      running.set(callId, controller);
      try {
        const result = await wb.call(method, input, {
          signal: controller.signal,
          progress: (p) => sendProgress(callId, p),
        });
        return { ok: true, result };
      } catch (err) {
        return { ok: false, error: toApiError(err) };
      } finally {
        running.delete(callId);
      }
    },
    cancel(callId) {
      if (typeof callId === 'string') running.get(callId)?.abort();
    },
  };
}
