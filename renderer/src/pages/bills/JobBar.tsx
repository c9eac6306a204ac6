// A running job: its phase, a progress bar (indeterminate without a total), elapsed time and
// Cancel.
import { useEffect, useState } from 'react';
import type { Progress } from '../../api';
import { ProgressBar } from '../../components/ui';
import { formatInt, formatNumber } from '../../lib/format';

export interface Job {
  startedAt: number;
  progress: Progress | null;
}

export function JobBar({
  job,
  label,
  onCancel,
  testId,
}: {
  job: Job;
  label: string;
  onCancel: () => void;
  testId: string;
}) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  const p = job.progress;
  const fraction = p && p.total ? p.done / p.total : null;
  return (
    <div className="job" data-testid={testId}>
      <div className="job-line">
        <span className="job-phase">{p?.phase ?? 'starting'}</span>
        {p && p.total ? (
          <span className="muted">
            {formatInt(p.done)} / {formatInt(p.total)} {p.unit ?? ''}
          </span>
        ) : null}
        <span className="muted">{formatNumber((now - job.startedAt) / 1000, 0)} s</span>
        <button type="button" onClick={onCancel} data-testid={`${testId}-cancel`}>
          Cancel
        </button>
      </div>
      <ProgressBar value={fraction} label={label} />
    </div>
  );
}
