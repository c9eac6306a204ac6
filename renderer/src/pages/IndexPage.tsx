// Premise index: run the statewide indexer (progress, Cancel, the last run's figures) and work
// the review queue — ambiguous pairs side by side with scores and reasons; accept / reject /
// split. Decisions are stored at once and change platform IDs at the next run.
import { useCallback, useRef, useState } from 'react';
import { api } from '../api';
import { PageHeader } from '../components/ui';
import { isCancelled, useErrors } from '../state/errors';
import { useApiQuery } from '../state/useApiQuery';
import { useWorkspace } from '../state/workspace';
import {
  advanceRun,
  appliesAtNextRun,
  itemKey,
  startRunProgress,
  type ReviewItem,
  type RunProgress,
} from './index/model';
import { ReviewQueue } from './index/ReviewQueue';
import { RunPanel } from './index/RunPanel';
import './index/index.css';

export default function IndexPage() {
  const { status } = useWorkspace();
  const { report } = useErrors();
  const [job, setJob] = useState<RunProgress | null>(null);
  const [note, setNote] = useState<string | null>(null);
  /** Index runs finished in this page (reloads the queue; dates local decisions). */
  const [runsSeen, setRunsSeen] = useState(0);
  /** Pairs decided in this page → runsSeen at that moment. */
  const [decidedAtRun, setDecidedAtRun] = useState<ReadonlyMap<string, number>>(new Map());
  const controller = useRef<AbortController | null>(null);

  const path = status?.path ?? '';
  const last = useApiQuery('index.lastRun', {}, { reloadKey: path });
  const lastRun = last.data?.run ?? null;
  const reloadLast = last.reload;

  const run = async () => {
    if (job) return;
    const ctrl = new AbortController();
    controller.current = ctrl;
    setNote(null);
    setJob(startRunProgress(Date.now()));
    try {
      await api['index.run'](
        {},
        {
          signal: ctrl.signal,
          onProgress: (p) => setJob((j) => (j ? advanceRun(j, p) : j)),
        },
      );
      setRunsSeen((n) => n + 1);
      reloadLast();
    } catch (e) {
      if (isCancelled(e)) setNote('Cancelled: the run is one transaction, nothing changed.');
      else report(e);
    } finally {
      controller.current = null;
      setJob(null);
    }
  };

  const onDecided = useCallback(
    (item: ReviewItem) => {
      setDecidedAtRun((m) => {
        const next = new Map(m);
        if (item.decision) next.set(itemKey(item), runsSeen);
        else next.delete(itemKey(item));
        return next;
      });
    },
    [runsSeen],
  );

  const isPending = useCallback(
    (item: ReviewItem) =>
      appliesAtNextRun(item, lastRun, {
        decidedAtRun: decidedAtRun.get(itemKey(item)),
        runsSeen,
      }),
    [lastRun, decidedAtRun, runsSeen],
  );

  return (
    <div className="page">
      <PageHeader
        title="Premise index"
        subtitle="One platform ID per premise across utilities and fuels: matching, platform IDs and the review queue."
      />
      <RunPanel
        lastRun={lastRun}
        loading={last.data === undefined}
        job={job}
        note={note}
        onRun={() => void run()}
        onCancel={() => controller.current?.abort()}
      />
      <ReviewQueue
        reloadKey={`${path}:${runsSeen}`}
        hasRun={lastRun !== null || runsSeen > 0}
        running={job !== null}
        isPending={isPending}
        onDecided={onDecided}
      />
    </div>
  );
}
