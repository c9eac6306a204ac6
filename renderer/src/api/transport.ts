// The one transport factory: the renderer never knows which host it runs in.
// - Electron: the preload's window.edwBridge (IPC).
// - Browser mode (edw serve): POST /api/<method>, answered with NDJSON frames (core/api/wire).
import { ApiCallError, type CallOptions, type Transport } from '../../../core/api/client';
import type { MethodName, Progress } from '../../../core/api/definition';
import { API_PREFIX, TOKEN_HEADER, type Frame } from '../../../core/api/wire';

export function createTransport(): Transport {
  const bridge = typeof window !== 'undefined' ? window.edwBridge : undefined;
  return bridge ? bridgeTransport(bridge) : httpTransport();
}

function cancelledError(): ApiCallError {
  return new ApiCallError({ code: 'cancelled', message: 'cancelled' });
}

function newCallId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// ---------------------------------------------------------------------------------------------
// Electron

export function bridgeTransport(bridge: EdwBridge): Transport {
  // One IPC subscription for all calls, routed by call id.
  const listeners = new Map<string, (p: Progress) => void>();
  let unsubscribe: (() => void) | null = null;

  const watch = (callId: string, fn: (p: Progress) => void) => {
    listeners.set(callId, fn);
    unsubscribe ??= bridge.onProgress((id, p) => listeners.get(id)?.(p));
  };
  const unwatch = (callId: string) => {
    listeners.delete(callId);
    if (listeners.size === 0 && unsubscribe) {
      unsubscribe();
      unsubscribe = null;
    }
  };

  return {
    call(method: MethodName, input: unknown, opts: CallOptions): Promise<unknown> {
      const { onProgress, signal } = opts;
      if (signal?.aborted) return Promise.reject(cancelledError());
      const callId = newCallId();
      if (onProgress) watch(callId, onProgress);

      return new Promise<unknown>((resolve, reject) => {
        const onAbort = () => {
          bridge.cancel(callId);
          // Settle now: the host answers with a 'cancelled' error later, which is ignored.
          reject(cancelledError());
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const done = () => {
          signal?.removeEventListener('abort', onAbort);
          unwatch(callId);
        };
        bridge.call(callId, method, input).then(
          (r) => {
            done();
            if (r.ok) resolve(r.result);
            else reject(new ApiCallError(r.error));
          },
          (e: unknown) => {
            done();
            reject(
              new ApiCallError({
                code: 'internal',
                message: `IPC call ${method} failed: ${e instanceof Error ? e.message : String(e)}`,
              }),
            );
          },
        );
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Browser mode

function pageToken(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="edw-token"]');
  return meta?.content ?? '';
}

function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export function httpTransport(
  options: { baseUrl?: string; token?: () => string; fetch?: typeof fetch } = {},
): Transport {
  const base = options.baseUrl ?? '';
  const token = options.token ?? pageToken;
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));

  return {
    async call(method: MethodName, input: unknown, opts: CallOptions): Promise<unknown> {
      const { onProgress, signal } = opts;
      if (signal?.aborted) throw cancelledError();
      let response: Response;
      try {
        response = await doFetch(`${base}${API_PREFIX}${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token() },
          body: JSON.stringify(input ?? {}),
          signal,
          cache: 'no-store',
        });
      } catch (e) {
        if (isAbort(e) || signal?.aborted) throw cancelledError();
        throw new ApiCallError({
          code: 'network',
          message: `cannot reach the edw server (${e instanceof Error ? e.message : String(e)})`,
        });
      }
      try {
        return await readFrames(method, response, onProgress);
      } catch (e) {
        if (e instanceof ApiCallError) throw e;
        if (isAbort(e) || signal?.aborted) throw cancelledError();
        throw new ApiCallError({
          code: 'network',
          message: `the connection to the edw server broke during ${method} (${e instanceof Error ? e.message : String(e)})`,
        });
      }
    },
  };
}

function parseFrame(method: string, line: string, status: number): Frame {
  try {
    const f = JSON.parse(line) as Frame;
    if (f && typeof f === 'object' && typeof f.type === 'string') return f;
  } catch {
    // fall through
  }
  throw new ApiCallError({
    code: 'internal',
    message: `unexpected answer from the edw server for ${method} (HTTP ${status}): ${line.slice(0, 200)}`,
  });
}

/** Stream-parse NDJSON frames: progress frames until one result or error frame. */
async function readFrames(
  method: string,
  response: Response,
  onProgress: ((p: Progress) => void) | undefined,
): Promise<unknown> {
  if (!response.body) {
    throw new ApiCallError({
      code: 'internal',
      message: `empty answer from the edw server for ${method} (HTTP ${response.status})`,
    });
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';

  const handle = (line: string): { done: true; value: unknown } | null => {
    if (line.trim() === '') return null;
    const frame = parseFrame(method, line, response.status);
    switch (frame.type) {
      case 'progress':
        onProgress?.(frame.progress);
        return null;
      case 'result':
        return { done: true, value: frame.result };
      case 'error':
        throw new ApiCallError(frame.error);
      default:
        return null;
    }
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += decoder.decode(value, { stream: !done });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const r = handle(line);
        if (r) return r.value;
      }
      if (done) break;
    }
    const r = handle(buffer);
    if (r) return r.value;
  } finally {
    reader.cancel().catch(() => {});
  }
  throw new ApiCallError({
    code: 'internal',
    message: `the edw server closed ${method} without a result (HTTP ${response.status})`,
  });
}
