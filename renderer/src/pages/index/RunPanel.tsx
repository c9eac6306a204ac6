// The indexer run: the button, progress with Cancel, and the last run's figures (counts, match
// quality against ground truth, the 13 platform-ID kinds).
import { useEffect, useState } from 'react';
import { Empty, ProgressBar, Section, StatCard } from '../../components/ui';
import { formatInt, formatNumber } from '../../lib/format';
import {
  formatPercent,
  formatUnixTime,
  type IndexResult,
  type LastRun,
  type RunProgress,
} from './model';

export function RunPanel({
  lastRun,
  loading,
  job,
  note,
  onRun,
  onCancel,
}: {
  lastRun: LastRun | null;
  loading: boolean;
  job: RunProgress | null;
  note: string | null;
  onRun: () => void;
  onCancel: () => void;
}) {
  const running = job !== null;
  const r = lastRun?.result;
  return (
    <Section
      title="Indexer"
      testId="index-run-section"
      hint={
        r ? (
          <span data-testid="index-last-run">
            Run #{r.runId} · {formatUnixTime(lastRun.startedAt)} · {formatNumber(r.seconds, 1)} s
          </span>
        ) : undefined
      }
      actions={
        <>
          {running ? (
            <button type="button" onClick={onCancel} data-testid="index-cancel">
              Cancel
            </button>
          ) : null}
          <button
            type="button"
            className="primary"
            onClick={onRun}
            disabled={running}
            data-testid="index-run"
          >
            {running ? 'Indexing…' : 'Run indexer'}
          </button>
        </>
      }
    >
      <p className="hint">
        Matches premises across organizations and fuels, applies the reviewers’ decisions and gives
        every row of the 13 kinds a stable platform ID. One transaction: a cancelled run changes
        nothing.
      </p>
      {job ? <JobProgress job={job} /> : null}
      {note ? (
        <div className="notice" data-testid="index-note">
          {note}
        </div>
      ) : null}
      {r ? (
        <RunFigures r={r} />
      ) : loading ? null : (
        <Empty>
          <span data-testid="index-never-run">
            The indexer has not run on this workspace yet. Run it to match premises and fill the
            review queue.
          </span>
        </Empty>
      )}
    </Section>
  );
}

function JobProgress({ job }: { job: RunProgress }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  return (
    <div className="job" data-testid="index-progress">
      <div className="job-line">
        <span className="job-phase" data-testid="index-progress-phase">
          {job.phase}
        </span>
        {job.detail ? <span className="muted">{job.detail}</span> : null}
        <span className="muted">{formatNumber((now - job.startedAt) / 1000, 0)} s</span>
      </div>
      <ProgressBar value={job.fraction} label="Indexer progress" />
    </div>
  );
}

function RunFigures({ r }: { r: IndexResult }) {
  const e = r.evaluation;
  return (
    <div className="index-figures">
      <div className="stats index-stats" data-testid="index-metrics">
        <StatCard label="Premise records" value={formatInt(r.premises)} testId="index-premises" />
        <StatCard
          label="Pairs scored"
          value={formatInt(r.pairsScored)}
          detail="candidate pairs from blocking"
          testId="index-pairs-scored"
        />
        <StatCard label="Auto links" value={formatInt(r.autoLinks)} testId="index-auto-links" />
        <StatCard
          label="Unit → building"
          value={formatInt(r.buildingRelations)}
          detail="units related to their building"
          testId="index-building-relations"
        />
        <StatCard
          label="Review queue"
          value={formatInt(r.reviewQueue)}
          detail="pairs waiting for a reviewer"
          testId="index-review-queue"
        />
        <StatCard
          label="Decisions applied"
          value={formatInt(r.decisionsApplied)}
          detail={
            r.decisionConflicts > 0
              ? `${formatInt(r.decisionConflicts)} accepted pairs not joined (conflicts)`
              : 'no conflicts'
          }
          testId="index-decisions-applied"
        />
        {e ? (
          <>
            <StatCard
              label="Precision"
              value={formatPercent(e.precision)}
              detail={`${formatInt(e.correctPairs)} of ${formatInt(e.predictedPairs)} linked pairs right`}
              testId="index-precision"
            />
            <StatCard
              label="Recall"
              value={formatPercent(e.recall)}
              detail={`${formatInt(e.correctPairs)} of ${formatInt(e.truePairs)} true pairs found`}
              testId="index-recall"
            />
            <StatCard
              label="F1"
              value={formatPercent(e.f1)}
              detail={`ground truth for ${formatInt(e.records)} records`}
              testId="index-f1"
            />
          </>
        ) : null}
      </div>
      <KindsTable kinds={r.kinds} />
    </div>
  );
}

function KindsTable({ kinds }: { kinds: IndexResult['kinds'] }) {
  return (
    <table className="index-kinds" data-testid="index-kinds">
      <caption>Platform IDs by kind</caption>
      <thead>
        <tr>
          <th>Kind</th>
          <th className="num" title="Live platform IDs of this kind">
            IDs
          </th>
          <th className="num" title="Source rows carrying an ID of this kind">
            Links
          </th>
          <th className="num" title="IDs created by this run">
            New
          </th>
          <th className="num" title="IDs retired into another by this run">
            Merged
          </th>
          <th className="num" title="IDs split off by this run">
            Split
          </th>
        </tr>
      </thead>
      <tbody>
        {kinds.map((k) => (
          <tr key={k.kind} data-testid="index-kind" data-kind={k.kind}>
            <td className="mono">{k.kind}</td>
            <td className="num">{formatInt(k.ids)}</td>
            <td className="num">{formatInt(k.links)}</td>
            <td className="num">{formatInt(k.created)}</td>
            <td className={k.merged ? 'num strong' : 'num'}>{formatInt(k.merged)}</td>
            <td className={k.split ? 'num strong' : 'num'}>{formatInt(k.split)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
