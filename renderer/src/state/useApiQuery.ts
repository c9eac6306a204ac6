// Load data from one API method, keyed by its input: cancels the previous call when the input
// changes or the component unmounts, reports errors to the banner, keeps the last data while
// reloading (but never data asked with another input or reloadKey).
import { useCallback, useEffect, useState } from 'react';
import { api, type CallOptions, type Input, type MethodName, type Output } from '../api';
import { isCancelled, useErrors } from './errors';

export interface ApiQuery<M extends MethodName> {
  data: Output<M> | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

interface Settled<M extends MethodName> {
  /** What was asked (method, input, reloadKey): data from another scope is never shown. */
  scope: string;
  /** The scope plus the reload counter. */
  key: string;
  data?: Output<M>;
  error?: unknown;
}

export function useApiQuery<M extends MethodName>(
  method: M,
  input: Input<M>,
  options: { enabled?: boolean; reloadKey?: string | number | null } = {},
): ApiQuery<M> {
  const { enabled = true, reloadKey = null } = options;
  const { report } = useErrors();
  const [nonce, setNonce] = useState(0);
  const [settled, setSettled] = useState<Settled<M> | null>(null);
  const inputJson = JSON.stringify(input);
  const scope = `${method}\u0000${inputJson}\u0000${String(reloadKey)}`;
  const key = `${scope}\u0000${nonce}`;

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    const call = api[method] as (i: unknown, o?: CallOptions) => Promise<Output<M>>;
    call(JSON.parse(inputJson) as unknown, { signal: controller.signal }).then(
      (data) => {
        if (!controller.signal.aborted) setSettled({ scope, key, data });
      },
      (error: unknown) => {
        if (controller.signal.aborted || isCancelled(error)) return;
        setSettled((prev) => ({
          scope,
          key,
          data: prev?.scope === scope ? prev.data : undefined,
          error,
        }));
        report(error);
      },
    );
    return () => controller.abort();
  }, [enabled, method, inputJson, scope, key, report]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);

  return {
    data: settled?.scope === scope ? settled.data : undefined,
    error: settled?.key === key ? settled.error : undefined,
    loading: enabled && settled?.key !== key,
    reload,
  };
}
