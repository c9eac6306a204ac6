// One matcher pair: both premises side by side as their organizations wrote them, the score bar,
// the reasons (feature, compared values, signed weight) and the reviewer's actions.
import { forwardRef } from 'react';
import { AUTO_LINK_THRESHOLD, REVIEW_THRESHOLD } from '../../../../core/indexer/match';
import {
  ACTION_KEYS,
  ACTION_LABELS,
  ACTION_TITLES,
  DECISION_LABELS,
  STATUS_LABELS,
  allowedActions,
  diffTokens,
  featureLabel,
  formatScore,
  formatUnixTime,
  formatWeight,
  weightTone,
  type Action,
  type ReviewItem,
  type ReviewSide,
} from './model';

export const PairCard = forwardRef<
  HTMLElement,
  {
    item: ReviewItem;
    selected: boolean;
    pending: boolean;
    busy: boolean;
    disabled: boolean;
    note: string;
    onNote: (note: string) => void;
    onAction: (a: Action) => void;
    onSelect: () => void;
  }
>(function PairCard(
  { item, selected, pending, busy, disabled, note, onNote, onAction, onSelect },
  ref,
) {
  const { left, right } = item;
  const same = left.platformId !== null && left.platformId === right.platformId;
  const decision = item.decision ? DECISION_LABELS[item.decision] : null;
  const actions = allowedActions(item);
  const title = `${left.org} ${left.sourceKey} / ${right.org} ${right.sourceKey}`;
  return (
    <article
      ref={ref}
      className={selected ? 'pair selected' : 'pair'}
      aria-label={`Pair ${title}`}
      aria-current={selected || undefined}
      data-testid="review-pair"
      data-left={left.premiseId}
      data-right={right.premiseId}
      data-decision={item.decision ?? ''}
      onClick={onSelect}
    >
      <header className="pair-header">
        <ScoreBar score={item.score} />
        <span className={`badge status-${item.status}`} title="What the matcher decided">
          {STATUS_LABELS[item.status]}
        </span>
        <span
          className={same ? 'badge tone-ok' : 'badge'}
          data-testid="pair-same-id"
          data-same={same ? 'yes' : 'no'}
          title="Current platform PremiseIDs of the two premises"
        >
          {same ? 'same PremiseID' : 'different PremiseIDs'}
        </span>
        {decision ? (
          <span className={`badge tone-${decision.tone}`} data-testid="pair-decision">
            {decision.text}
          </span>
        ) : null}
        {decision ? (
          pending ? (
            <span className="badge tone-warn" data-testid="pair-pending">
              applies at the next run
            </span>
          ) : (
            <span className="muted small" data-testid="pair-applied">
              applied
            </span>
          )
        ) : null}
        {item.decidedAt !== null ? (
          <span className="muted small">
            {item.decidedBy ?? ''} · {formatUnixTime(item.decidedAt)}
          </span>
        ) : null}
      </header>
      <div className="pair-body">
        <Side side={left} other={right} label="Left premise" testId="pair-left" />
        <Side side={right} other={left} label="Right premise" testId="pair-right" />
        <Reasons item={item} />
      </div>
      <footer className="pair-footer">
        {item.note && item.decision ? (
          <span className="pair-note" data-testid="pair-note">
            Note: {item.note}
          </span>
        ) : actions.includes('undo') ? null : (
          <input
            type="text"
            className="pair-note-input"
            placeholder="Note (optional)"
            aria-label="Note for this decision"
            value={note}
            maxLength={2000}
            disabled={disabled}
            onChange={(e) => onNote(e.target.value)}
            onFocus={onSelect}
            data-testid="pair-note-input"
          />
        )}
        <div className="pair-actions">
          {actions.map((a) => (
            <button
              key={a}
              type="button"
              className={a === 'accept' ? 'primary' : a === 'undo' ? undefined : 'danger'}
              disabled={disabled || busy}
              title={ACTION_TITLES[a]}
              aria-keyshortcuts={ACTION_KEYS[a]}
              onClick={(e) => {
                e.stopPropagation();
                onAction(a);
              }}
              data-testid={`pair-${a}`}
            >
              {ACTION_LABELS[a]} <kbd>{ACTION_KEYS[a]}</kbd>
            </button>
          ))}
        </div>
      </footer>
    </article>
  );
});

function ScoreBar({ score }: { score: number }) {
  const zone = score >= AUTO_LINK_THRESHOLD ? 'auto' : score >= REVIEW_THRESHOLD ? 'review' : 'low';
  return (
    <span
      className="score"
      title={`Score ${formatScore(score)}: auto link at ${AUTO_LINK_THRESHOLD}, review at ${REVIEW_THRESHOLD}`}
    >
      <span
        className={`score-bar zone-${zone}`}
        role="meter"
        aria-label="Match score"
        aria-valuemin={0}
        aria-valuemax={1}
        aria-valuenow={score}
      >
        <span
          className="score-fill"
          style={{ width: `${Math.max(0, Math.min(1, score)) * 100}%` }}
        />
        <span className="score-tick" style={{ left: `${REVIEW_THRESHOLD * 100}%` }} />
        <span className="score-tick" style={{ left: `${AUTO_LINK_THRESHOLD * 100}%` }} />
      </span>
      <span className="score-value mono" data-testid="pair-score">
        {formatScore(score)}
      </span>
    </span>
  );
}

function Side({
  side,
  other,
  label,
  testId,
}: {
  side: ReviewSide;
  other: ReviewSide;
  label: string;
  testId: string;
}) {
  return (
    <section className="pair-side" aria-label={label} data-testid={testId}>
      <div className="pair-side-head">
        <span className="badge org">{side.org}</span>
        <span className="mono" title="Source key: the premise ID the organization uses">
          {side.sourceKey}
        </span>
        <span className="muted small">{side.kind}</span>
      </div>
      <div className="pair-raw" title="The address as written">
        {side.raw || <span className="muted">no address</span>}
      </div>
      <div className="pair-normalized mono" title="Normalised (USPS Publication 28)">
        {diffTokens(side.normalized, other.normalized).map((t, i) =>
          t.differs ? <mark key={i}>{t.text}</mark> : <span key={i}>{t.text}</span>,
        )}
      </div>
      <div className="pair-platform small">
        <span className="muted">PremiseID </span>
        <span className="mono" data-testid="pair-platform-id">
          {side.platformId ?? '—'}
        </span>
      </div>
    </section>
  );
}

function Reasons({ item }: { item: ReviewItem }) {
  if (item.reasons.length === 0)
    return (
      <div className="pair-reasons muted small">
        No matcher reasons: the last run did not score this pair.
      </div>
    );
  return (
    <table className="pair-reasons" aria-label="Reasons" data-testid="pair-reasons">
      <tbody>
        {item.reasons.map((r, i) => {
          const tone = weightTone(r.weight);
          return (
            <tr key={i} className={`reason ${tone}`} data-tone={tone}>
              <td className="reason-feature">{featureLabel(r.feature)}</td>
              <td className="reason-value mono">{r.value}</td>
              <td className="reason-weight mono">
                <span className="reason-sign" aria-hidden="true">
                  {tone === 'pos' ? '▲' : tone === 'neg' ? '▼' : '•'}
                </span>
                {formatWeight(r.weight)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
