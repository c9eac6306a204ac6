// import.preview for the wizard. Unlike useApiQuery it shows errors inline (a file that does
// not exist or a kind without a column mapping is part of the step, not an app error) and
// keeps the last preview of the same scope while a new one loads, so the grid does not blink
// while the user edits the mapping.
import { useEffect, useState } from 'react';
import { api, ApiCallError, type Input } from '../../api';
import { isCancelled } from '../../state/errors';
import type { Preview } from './model';

export interface PreviewState {
  data: Preview | undefined;
  error: ApiCallError | null;
  loading: boolean;
}

interface Settled {
  key: string;
  scope: string;
  data?: Preview;
  error?: ApiCallError;
}

/**
 * `scope` names what stays comparable (kind, file, organization, base profile): data from an
 * older input of the same scope is shown while loading; data from another scope never is.
 */
export function usePreview(input: Input<'import.preview'> | null, scope: string): PreviewState {
  const [settled, setSettled] = useState<Settled | null>(null);
  const key = input ? `${scope}\u0000${JSON.stringify(input)}` : '';

  useEffect(() => {
    if (!key) return;
    const controller = new AbortController();
    const request = JSON.parse(key.slice(scope.length + 1)) as Input<'import.preview'>;
    api['import.preview'](request, { signal: controller.signal }).then(
      (data) => {
        if (!controller.signal.aborted) setSettled({ key, scope, data });
      },
      (e: unknown) => {
        if (controller.signal.aborted || isCancelled(e)) return;
        const error =
          e instanceof ApiCallError
            ? e
            : new ApiCallError({
                code: 'internal',
                message: e instanceof Error ? e.message : String(e),
              });
        setSettled((prev) => ({
          key,
          scope,
          data: prev?.scope === scope ? prev.data : undefined,
          error,
        }));
      },
    );
    return () => controller.abort();
  }, [key, scope]);

  if (!input) return { data: undefined, error: null, loading: false };
  const sameScope = settled?.scope === scope;
  return {
    data: sameScope ? settled?.data : undefined,
    error: settled?.key === key ? (settled.error ?? null) : null,
    loading: settled?.key !== key,
  };
}

/** The core refuses to preview kinds that are not tabular with this usage error. */
export function isNotTabular(e: ApiCallError | null): boolean {
  return e !== null && e.code === 'usage' && /not tabular|no column mapping/i.test(e.message);
}
