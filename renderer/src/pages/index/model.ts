// Pure shaping for the Index page: run progress, the last run's figures, review items (keys,
// allowed actions, whether a decision is still waiting for a run), reasons and address diffs.
// No React here.
import type { Output, Progress } from '../../api';
import { formatNumber } from '../../lib/format';

export type IndexResult = Output<'index.run'>;
export type KindCounts = IndexResult['kinds'][number];
export type LastRun = NonNullable<Output<'index.lastRun'>['run']>;
export type ReviewPage = Output<'index.review'>;
export type ReviewItem = ReviewPage['items'][number];
export type ReviewSide = ReviewItem['left'];
export type Reason = ReviewItem['reasons'][number];
export type Decision = NonNullable<ReviewItem['decision']>;
export type ReviewFilter = 'open' | 'decided' | 'linked';

export const FILTERS: { id: ReviewFilter; label: string; hint: string }[] = [
  { id: 'open', label: 'Open', hint: 'pairs the matcher could not decide, best score first' },
  { id: 'decided', label: 'Decided', hint: 'every reviewer decision, latest first' },
  { id: 'linked', label: 'Auto-linked', hint: 'pairs the matcher linked, weakest first' },
];

export const PAGE_SIZE = 20;

/** One pair, the same whichever order its premises come in. */
export function pairKey(left: number, right: number): string {
  return left < right ? `${left}/${right}` : `${right}/${left}`;
}

export function itemKey(item: ReviewItem): string {
  return pairKey(item.left.premiseId, item.right.premiseId);
}

export type Action = Decision | 'undo';

/**
 * What a reviewer may do with a pair: undo a decision; accept or reject a review pair; split an
 * auto-linked pair ("these are different premises").
 */
export function allowedActions(item: ReviewItem): Action[] {
  if (item.decision) return ['undo'];
  if (item.status === 'auto_link') return ['split'];
  return ['accept', 'reject'];
}

export const ACTION_LABELS: Record<Action, string> = {
  accept: 'Accept',
  reject: 'Reject',
  split: 'Split',
  undo: 'Undo',
};

export const ACTION_KEYS: Record<Action, string> = {
  accept: 'a',
  reject: 'r',
  split: 's',
  undo: 'u',
};

export const ACTION_TITLES: Record<Action, string> = {
  accept: 'Same premise: link them (a)',
  reject: 'Different premises: never link them (r)',
  split: 'Different premises: undo the automatic link (s)',
  undo: 'Clear the decision: the matcher decides again at the next run (u)',
};

export const DECISION_LABELS: Record<Decision, { text: string; tone: 'ok' | 'bad' | 'warn' }> = {
  accept: { text: 'Accepted', tone: 'ok' },
  reject: { text: 'Rejected', tone: 'bad' },
  split: { text: 'Split', tone: 'warn' },
};

export const STATUS_LABELS: Record<ReviewItem['status'], string> = {
  auto_link: 'auto link',
  review: 'review',
  non_match: 'not matched',
};

/** Past tense for the message after an action. */
export const ACTION_DONE: Record<Action, string> = {
  accept: 'Accepted',
  reject: 'Rejected',
  split: 'Split',
  undo: 'Cleared the decision on',
};

/**
 * Decisions change links only at the next index run. A decision made in this page since the last
 * run it saw finish is waiting for sure (`localRun` is the page's run count at that decision);
 * otherwise the stored times decide: calls that write are serialised, so a decision made at or
 * after the last run's finish is waiting. (Times are whole seconds: a decision made in the very
 * second of a run that started and finished within that second counts as waiting.)
 */
export function appliesAtNextRun(
  item: ReviewItem,
  lastRun: LastRun | null,
  local: { decidedAtRun: number | undefined; runsSeen: number },
): boolean {
  if (!item.decision) return false;
  if (local.decidedAtRun !== undefined) return local.decidedAtRun === local.runsSeen;
  if (!lastRun) return true;
  return item.decidedAt === null || item.decidedAt >= lastRun.finishedAt;
}

/** Human names of the matcher's features (core/indexer/match.ts, buildings.ts). */
const FEATURES: Record<string, string> = {
  house_number: 'House number',
  street_name: 'Street name',
  street_alias: 'Street alias',
  suffix: 'Suffix',
  directional: 'Directional',
  unit: 'Unit',
  zip: 'ZIP',
  city: 'Town',
  distance: 'Distance',
  building: 'Building',
};

export function featureLabel(feature: string): string {
  return FEATURES[feature] ?? feature.replace(/_/g, ' ');
}

export type Tone = 'pos' | 'neg' | 'zero';

export function weightTone(weight: number): Tone {
  return weight > 0 ? 'pos' : weight < 0 ? 'neg' : 'zero';
}

/** +0.350 / −0.150 / 0 (three decimals like the score; a veto, weight ≤ −1, reads "veto"). */
export function formatWeight(weight: number): string {
  if (weight <= -1) return 'veto';
  if (weight === 0) return '0';
  return `${weight > 0 ? '+' : '−'}${Math.abs(weight).toFixed(3)}`;
}

export function formatScore(score: number): string {
  return score.toFixed(3);
}

export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${formatNumber(fraction * 100, digits)}%`;
}

/** Unix seconds → "2026-11-26 14:02" (local time). */
export function formatUnixTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A normalised address split into tokens, each marked when the other side lacks it. */
export function diffTokens(text: string, other: string): { text: string; differs: boolean }[] {
  if (!text) return [];
  const theirs = new Set(tokens(other));
  return text
    .split(/(\s+|,)/)
    .filter((t) => t !== '')
    .map((t) => ({ text: t, differs: /\S/.test(t) && t !== ',' && !theirs.has(t) }));
}

function tokens(s: string): string[] {
  return s.split(/[\s,]+/).filter(Boolean);
}

/** Progress of a run as shown: the phase, a fraction when the frame has a total. */
export interface RunProgress {
  phase: string;
  fraction: number | null;
  detail: string | null;
  startedAt: number;
}

export function startRunProgress(now: number): RunProgress {
  return { phase: 'Starting', fraction: null, detail: null, startedAt: now };
}

export function advanceRun(p: RunProgress, frame: Progress): RunProgress {
  const hasTotal = frame.total !== undefined && frame.total > 0;
  return {
    ...p,
    phase: frame.phase,
    fraction: hasTotal ? Math.min(1, frame.done / (frame.total as number)) : null,
    detail: hasTotal
      ? `${frame.done} of ${frame.total}${frame.unit ? ` ${frame.unit}` : ''}`
      : (frame.message ?? null),
  };
}
