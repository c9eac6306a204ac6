/**
 * The review queue: matcher pairs a person must decide, side by side with their scores and
 * reasons. Decisions are kept in match_decision and override the matcher on every later index run
 * (core/indexer/cluster.ts); they never change links until the next run, so a run's result is
 * always one consistent state.
 */
import type { z } from 'zod';
import type { Workspace } from '../workspace/workspace';
import { EdwError } from '../workspace/errors';
import { access, type Role } from '../privacy/roles';
import {
  IndexResult,
  type DecideRequest,
  type LastRun,
  type MatchDecision,
  type ReviewItem,
  type ReviewQuery,
} from './schema';

type Query = z.output<typeof ReviewQuery>;
type Decide = z.output<typeof DecideRequest>;
type ReviewPage = { total: number; items: ReviewItem[] };

export const REDACTED = '[redacted]';

interface PairRow {
  l: number;
  r: number;
  score: number | null;
  reasons: string | null;
  status: 'auto_link' | 'review' | 'non_match' | null;
  decision: MatchDecision | null;
  decided_by: string | null;
  decided_at: number | null;
  note: string | null;
}

interface SideRow {
  premiseId: number;
  org: string;
  sourceKey: string;
  kind: string;
  raw: string | null;
  normalized: string | null;
  platformId: string | null;
}

const DECISION_COLS = `d.decision, d.decided_by, d.decided_at, d.note`;

const FILTERS: Record<Query['filter'], { from: string; order: string }> = {
  open: {
    from: `match_pair m LEFT JOIN match_decision d
             ON d.left_premise_id = m.left_premise_id AND d.right_premise_id = m.right_premise_id
           WHERE m.status = 'review' AND d.decision IS NULL`,
    order: 'm.score DESC, m.left_premise_id, m.right_premise_id',
  },
  linked: {
    from: `match_pair m LEFT JOIN match_decision d
             ON d.left_premise_id = m.left_premise_id AND d.right_premise_id = m.right_premise_id
           WHERE m.status = 'auto_link'`,
    order: 'm.score ASC, m.left_premise_id, m.right_premise_id',
  },
  decided: {
    from: `match_decision d LEFT JOIN match_pair m
             ON d.left_premise_id = m.left_premise_id AND d.right_premise_id = m.right_premise_id
           WHERE 1`,
    order: 'd.decided_at DESC, d.left_premise_id, d.right_premise_id',
  },
};

export function listReview(ws: Workspace, role: Role, q: Query): ReviewPage {
  const f = FILTERS[q.filter];
  const ids =
    q.filter === 'decided'
      ? 'd.left_premise_id AS l, d.right_premise_id AS r'
      : 'm.left_premise_id AS l, m.right_premise_id AS r';
  const total = (ws.db.prepare(`SELECT count(*) AS n FROM ${f.from}`).get() as { n: number }).n;
  const rows = ws.db
    .prepare(
      `SELECT ${ids}, m.score, m.reasons, m.status, ${DECISION_COLS}
       FROM ${f.from} ORDER BY ${f.order} LIMIT ? OFFSET ?`,
    )
    .all(q.limit, q.offset) as PairRow[];
  return { total, items: rows.map((r) => toItem(ws, role, r)) };
}

/**
 * The last finished run with its stored metrics, so the app can show them again and tell which
 * decisions are still waiting for a run (decided at or after finishedAt). Runs whose metrics do
 * not parse (written by another version) are skipped.
 */
export function lastRun(ws: Workspace): LastRun {
  const rows = ws.db
    .prepare(
      `SELECT started_at, finished_at, metrics FROM index_run
       WHERE finished_at IS NOT NULL AND metrics IS NOT NULL ORDER BY id DESC`,
    )
    .iterate() as IterableIterator<{ started_at: number; finished_at: number; metrics: string }>;
  for (const r of rows) {
    let metrics: unknown;
    try {
      metrics = JSON.parse(r.metrics);
    } catch {
      continue;
    }
    const parsed = IndexResult.safeParse(metrics);
    if (parsed.success) {
      return { run: { startedAt: r.started_at, finishedAt: r.finished_at, result: parsed.data } };
    }
  }
  return { run: null };
}

export function decide(ws: Workspace, role: Role, req: Decide): ReviewItem {
  const [l, r] = req.left < req.right ? [req.left, req.right] : [req.right, req.left];
  if (l === r) throw new EdwError('usage', 'a premise cannot be paired with itself');
  for (const id of [l, r]) {
    if (!ws.db.prepare('SELECT 1 FROM premise WHERE id = ?').get(id)) {
      throw new EdwError('not_found', `no premise with id ${id}`);
    }
  }
  const now = Math.floor(Date.now() / 1000);
  ws.db.transaction(() => {
    if (req.decision === null) {
      ws.db
        .prepare('DELETE FROM match_decision WHERE left_premise_id = ? AND right_premise_id = ?')
        .run(l, r);
    } else {
      ws.db
        .prepare(
          `INSERT INTO match_decision (left_premise_id, right_premise_id, decision, decided_by, decided_at, note)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (left_premise_id, right_premise_id) DO UPDATE SET
             decision = excluded.decision, decided_by = excluded.decided_by,
             decided_at = excluded.decided_at, note = excluded.note`,
        )
        .run(l, r, req.decision, role, now, req.note ?? null);
    }
    ws.audit(role, 'review', `premises ${l}/${r}`, {
      decision: req.decision,
      note: req.note ?? null,
    });
  })();
  return getItem(ws, role, l, r);
}

export function getItem(ws: Workspace, role: Role, l: number, r: number): ReviewItem {
  const row = ws.db
    .prepare(
      `SELECT ? AS l, ? AS r, m.score, m.reasons, m.status, ${DECISION_COLS}
       FROM (SELECT 1) LEFT JOIN match_pair m ON m.left_premise_id = ? AND m.right_premise_id = ?
       LEFT JOIN match_decision d ON d.left_premise_id = ? AND d.right_premise_id = ?`,
    )
    .get(l, r, l, r, l, r) as PairRow;
  return toItem(ws, role, row);
}

function toItem(ws: Workspace, role: Role, row: PairRow): ReviewItem {
  return {
    left: side(ws, role, row.l),
    right: side(ws, role, row.r),
    score: row.score ?? 0,
    // A decided pair the last run did not score (e.g. a manual accept) has no matcher status.
    status: row.status ?? 'non_match',
    reasons: row.reasons ? (JSON.parse(row.reasons) as ReviewItem['reasons']) : [],
    decision: row.decision,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    note: row.note,
  };
}

/**
 * One premise as its organization wrote it. Addresses are personal data when tied to a customer;
 * reviewing matches needs them, so every role that may see PII with consent sees them here (the
 * review is the indexing operation itself, not an export); the public role sees them redacted.
 */
function side(ws: Workspace, role: Role, premiseId: number): ReviewItem['left'] {
  const r = ws.db
    .prepare(
      `SELECT p.id AS premiseId, o.code AS org, p.source_key AS sourceKey, p.kind,
              a.raw, a.normalized,
              (SELECT platform_id FROM platform_link
               WHERE kind = 'PremiseID' AND source_table = 'premise' AND source_id = p.id) AS platformId
       FROM premise p JOIN organization o ON o.id = p.org_id
       LEFT JOIN premise_address pa ON pa.premise_id = p.id AND pa.role = 'service'
       LEFT JOIN address a ON a.id = pa.address_id
       WHERE p.id = ?
       ORDER BY pa.valid_to IS NULL DESC, pa.valid_from DESC, a.id DESC LIMIT 1`,
    )
    .get(premiseId) as SideRow | undefined;
  if (!r) throw new EdwError('not_found', `no premise with id ${premiseId}`);
  const hide = access(role, 'pii') === 'deny';
  return {
    ...r,
    raw: hide ? REDACTED : (r.raw ?? ''),
    normalized: hide ? REDACTED : (r.normalized ?? ''),
  };
}
