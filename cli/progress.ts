// Progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise
// (so logs of CI runs and scripts stay readable).
import type { MethodName, Output, Progress } from '../core/api/definition';
import type { Workbench } from '../core/api/server';

export function stderrProgress(enabled: boolean): (p: Progress) => void {
  if (!enabled) return () => {};
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let lastPhase = '';
  return (p) => {
    const now = Date.now();
    const phaseChanged = p.phase !== lastPhase;
    if (!phaseChanged && now - last < (tty ? 100 : 3000)) return;
    last = now;
    const pct = p.total ? ` ${Math.floor((100 * p.done) / p.total)}%` : '';
    const count = p.total
      ? ` (${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')}${p.unit ? ' ' + p.unit : ''})`
      : '';
    const line = `${p.phase}${pct}${count}${p.message ? ' — ' + p.message : ''}`;
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    else process.stderr.write(line + '\n');
    if (tty && phaseChanged && lastPhase !== '') process.stderr.write('');
    lastPhase = p.phase;
  };
}

export function endProgress(enabled: boolean): void {
  if (enabled && process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}

/**
 * Calls a long method (a job) with its progress on stderr; Ctrl+C aborts it, and the method then
 * leaves the workspace as it was. The progress line is cleared however the call ends.
 */
export async function callJob<M extends MethodName>(
  wb: Workbench,
  method: M,
  /** Checked by the method's schema, so raw flags may go in (a bad one is a usage error). */
  input: unknown,
  showProgress: boolean,
): Promise<Output<M>> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return (await wb.call(method, input, {
      progress: stderrProgress(showProgress),
      signal: controller.signal,
    })) as Output<M>;
  } finally {
    process.removeListener('SIGINT', onSigint);
    endProgress(showProgress);
  }
}
