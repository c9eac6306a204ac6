// The review queue: Open / Decided / Auto-linked tabs, one page of pairs at a time, decisions
// with buttons or keys (a accept, r reject, s split, u undo, j/k next/previous).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api';
import { Empty, Loading, Section } from '../../components/ui';
import { formatInt } from '../../lib/format';
import { useErrors } from '../../state/errors';
import { useApiQuery } from '../../state/useApiQuery';
import { PairCard } from './PairCard';
import {
  ACTION_DONE,
  FILTERS,
  PAGE_SIZE,
  allowedActions,
  itemKey,
  type Action,
  type ReviewFilter,
  type ReviewItem,
} from './model';

interface Message {
  text: string;
  /** The pair and whether the message offers to undo the action. */
  undo: { left: number; right: number } | null;
}

export function ReviewQueue({
  reloadKey,
  hasRun,
  running,
  isPending,
  onDecided,
}: {
  /** Changes when the queue must be read again from scratch (workspace, a finished run). */
  reloadKey: string;
  hasRun: boolean;
  running: boolean;
  isPending: (item: ReviewItem) => boolean;
  onDecided: (item: ReviewItem) => void;
}) {
  const { report } = useErrors();
  const [filter, setFilter] = useState<ReviewFilter>('open');
  const [offset, setOffset] = useState(0);
  const [sel, setSel] = useState(0);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  // A message about a decision is stale once the queue is read afresh (e.g. after a run).
  const [messageScope, setMessageScope] = useState(reloadKey);
  if (messageScope !== reloadKey) {
    setMessageScope(reloadKey);
    setMessage(null);
  }
  const cards = useRef(new Map<string, HTMLElement>());
  const scrollOnSelect = useRef(false);

  const page = useApiQuery('index.review', { filter, limit: PAGE_SIZE, offset }, { reloadKey });
  const open = useApiQuery('index.review', { filter: 'open', limit: 1 }, { reloadKey });
  const decided = useApiQuery('index.review', { filter: 'decided', limit: 1 }, { reloadKey });
  const linked = useApiQuery('index.review', { filter: 'linked', limit: 1 }, { reloadKey });
  const totals: Record<ReviewFilter, number | undefined> = {
    open: open.data?.total,
    decided: decided.data?.total,
    linked: linked.data?.total,
  };

  const items = useMemo(() => page.data?.items ?? [], [page.data]);
  const total = page.data?.total ?? 0;
  const current = items[Math.min(sel, items.length - 1)];

  // A decision can empty the last page: step back to the page that now holds the end.
  if (page.data && page.data.items.length === 0 && offset > 0 && page.data.total > 0) {
    setOffset(Math.floor((page.data.total - 1) / PAGE_SIZE) * PAGE_SIZE);
  }

  useEffect(() => {
    if (!scrollOnSelect.current || !current) return;
    scrollOnSelect.current = false;
    cards.current.get(itemKey(current))?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  const choose = (f: ReviewFilter) => {
    setFilter(f);
    setOffset(0);
    setSel(0);
  };

  const goPage = useCallback((o: number, select: 'first' | 'last' = 'first') => {
    setOffset(o);
    setSel(select === 'first' ? 0 : PAGE_SIZE - 1);
  }, []);

  const reloaders = [page.reload, open.reload, decided.reload, linked.reload] as const;
  const [r1, r2, r3, r4] = reloaders;
  const reloadAll = useCallback(() => {
    r1();
    r2();
    r3();
    r4();
  }, [r1, r2, r3, r4]);

  const act = useCallback(
    async (item: ReviewItem, a: Action) => {
      const key = itemKey(item);
      if (busy || running || !allowedActions(item).includes(a)) return;
      setBusy(key);
      const note = notes[key]?.trim();
      try {
        const updated = await api['index.decide']({
          left: item.left.premiseId,
          right: item.right.premiseId,
          decision: a === 'undo' ? null : a,
          ...(note && a !== 'undo' ? { note } : {}),
        });
        onDecided(updated);
        const pair = `${item.left.org} ${item.left.sourceKey} / ${item.right.org} ${item.right.sourceKey}`;
        setMessage({
          text:
            a === 'undo'
              ? `${ACTION_DONE[a]} ${pair}: the matcher decides again at the next run.`
              : `${ACTION_DONE[a]} ${pair}: applies at the next run.`,
          undo: a === 'undo' ? null : { left: item.left.premiseId, right: item.right.premiseId },
        });
        setNotes((n) => {
          const rest = { ...n };
          delete rest[key];
          return rest;
        });
        reloadAll();
      } catch (e) {
        report(e);
      } finally {
        setBusy(null);
      }
    },
    [busy, running, notes, onDecided, reloadAll, report],
  );

  const undoLast = async () => {
    if (!message?.undo || busy) return;
    const { left, right } = message.undo;
    setBusy('message');
    try {
      const updated = await api['index.decide']({ left, right, decision: null });
      onDecided(updated);
      setMessage({ text: 'Undone: the pair is back as it was.', undo: null });
      reloadAll();
    } catch (e) {
      report(e);
    } finally {
      setBusy(null);
    }
  };

  // Keyboard: only when no text field has the focus and no modifier is held.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      const s = { items, sel, offset, total, current, act, goPage };
      const k = e.key.toLowerCase();
      if (k === 'j' || k === 'k') {
        e.preventDefault();
        scrollOnSelect.current = true;
        const at = Math.min(s.sel, s.items.length - 1);
        if (k === 'j') {
          if (at < s.items.length - 1) setSel(at + 1);
          else if (s.offset + PAGE_SIZE < s.total) s.goPage(s.offset + PAGE_SIZE, 'first');
        } else if (at > 0) setSel(at - 1);
        else if (s.offset > 0) s.goPage(Math.max(0, s.offset - PAGE_SIZE), 'last');
        return;
      }
      const action = ({ a: 'accept', r: 'reject', s: 'split', u: 'undo' } as const)[
        k as 'a' | 'r' | 's' | 'u'
      ];
      if (action && s.current) {
        e.preventDefault();
        void s.act(s.current, action);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, sel, offset, total, current, act, goPage]);

  const info = FILTERS.find((f) => f.id === filter)!;
  const last = Math.min(offset + items.length, total);

  return (
    <Section
      title="Review queue"
      testId="review-queue"
      hint={
        <>
          {info.hint} · keys: <kbd>a</kbd> accept, <kbd>r</kbd> reject, <kbd>s</kbd> split,{' '}
          <kbd>u</kbd> undo, <kbd>j</kbd>/<kbd>k</kbd> next/previous
        </>
      }
    >
      <div className="tabs" role="tablist" aria-label="Review queue filter">
        {FILTERS.map((f) => (
          <button
            key={f.id}
            type="button"
            role="tab"
            aria-selected={f.id === filter}
            className={f.id === filter ? 'tab active' : 'tab'}
            onClick={() => choose(f.id)}
            data-testid={`review-tab-${f.id}`}
          >
            {f.label}
            <span className="tab-count" data-testid={`review-count-${f.id}`}>
              {totals[f.id] === undefined ? '…' : formatInt(totals[f.id])}
            </span>
          </button>
        ))}
      </div>

      {message ? (
        <div className="review-message" role="status" data-testid="review-message">
          <span>{message.text}</span>
          {message.undo ? (
            <button
              type="button"
              className="link"
              onClick={() => void undoLast()}
              disabled={busy !== null || running}
              data-testid="review-message-undo"
            >
              Undo
            </button>
          ) : null}
          <button
            type="button"
            className="icon"
            aria-label="Dismiss"
            onClick={() => setMessage(null)}
          >
            ×
          </button>
        </div>
      ) : null}

      {page.data === undefined ? (
        page.loading ? (
          <Loading what="pairs" />
        ) : null
      ) : items.length === 0 ? (
        <Empty>
          <span data-testid="review-empty">{emptyText(filter, hasRun)}</span>
        </Empty>
      ) : (
        <div className="pairs" role="tabpanel" aria-label={info.label}>
          {items.map((item, i) => {
            const key = itemKey(item);
            return (
              <PairCard
                key={key}
                ref={(el) => {
                  if (el) cards.current.set(key, el);
                  else cards.current.delete(key);
                }}
                item={item}
                selected={item === current}
                pending={isPending(item)}
                busy={busy !== null}
                disabled={running}
                note={notes[key] ?? ''}
                onNote={(v) => setNotes((n) => ({ ...n, [key]: v }))}
                onAction={(a) => void act(item, a)}
                onSelect={() => setSel(i)}
              />
            );
          })}
        </div>
      )}

      {total > 0 ? (
        <div className="pager" data-testid="review-pager">
          <button
            type="button"
            onClick={() => goPage(Math.max(0, offset - PAGE_SIZE))}
            disabled={offset === 0}
            data-testid="review-prev"
          >
            ← Previous
          </button>
          <span className="muted" data-testid="review-range">
            {formatInt(offset + 1)}–{formatInt(last)} of {formatInt(total)}
          </span>
          <button
            type="button"
            onClick={() => goPage(offset + PAGE_SIZE)}
            disabled={offset + PAGE_SIZE >= total}
            data-testid="review-next"
          >
            Next →
          </button>
        </div>
      ) : null}
    </Section>
  );
}

function emptyText(filter: ReviewFilter, hasRun: boolean): string {
  if (!hasRun && filter !== 'decided')
    return 'No pairs waiting for review — run the indexer to find candidate pairs.';
  switch (filter) {
    case 'open':
      return 'No pairs waiting for review: every ambiguous pair is decided. Decisions apply at the next run.';
    case 'decided':
      return 'No decisions yet. Accept or reject pairs in Open, split wrong links in Auto-linked.';
    case 'linked':
      return 'No auto-linked pairs in the last run.';
  }
}
