// Errors shown in the app's banner. Any component reports with useErrors().report(e);
// ApiCallErrors keep their code, anything else is reported as 'internal'.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiCallError } from '../api';

export interface ShownError {
  id: number;
  code: string;
  message: string;
}

interface ErrorsValue {
  errors: ShownError[];
  report: (e: unknown) => void;
  dismiss: (id: number) => void;
  clear: () => void;
}

const ErrorsContext = createContext<ErrorsValue | null>(null);

/** Cancellations are the user's own doing: never shown as errors. */
export function isCancelled(e: unknown): boolean {
  return (
    (e instanceof ApiCallError && e.code === 'cancelled') ||
    (e instanceof DOMException && e.name === 'AbortError')
  );
}

let nextId = 1;
const MAX_SHOWN = 5;

export function ErrorsProvider({ children }: { children: ReactNode }) {
  const [errors, setErrors] = useState<ShownError[]>([]);

  const report = useCallback((e: unknown) => {
    if (isCancelled(e)) return;
    const code = e instanceof ApiCallError ? e.code : 'internal';
    const message = e instanceof Error ? e.message : String(e);
    setErrors((list) => {
      // The same error again (e.g. a retried call) replaces the old one.
      const rest = list.filter((x) => !(x.code === code && x.message === message));
      return [...rest, { id: nextId++, code, message }].slice(-MAX_SHOWN);
    });
    if (!(e instanceof ApiCallError)) console.error(e);
  }, []);

  const dismiss = useCallback((id: number) => {
    setErrors((list) => list.filter((x) => x.id !== id));
  }, []);

  const clear = useCallback(() => setErrors([]), []);

  const value = useMemo(
    () => ({ errors, report, dismiss, clear }),
    [errors, report, dismiss, clear],
  );
  return <ErrorsContext.Provider value={value}>{children}</ErrorsContext.Provider>;
}

export function useErrors(): ErrorsValue {
  const v = useContext(ErrorsContext);
  if (!v) throw new Error('useErrors must be used inside <ErrorsProvider>');
  return v;
}
