// Program participation for datasets (docs/datasets.md "Program participation"): which usage
// points an enrolment covers and on which local days it was in force.
import type { Database } from 'better-sqlite3';
import { isoToDay } from '../time/zone';
import { badParam, orgByCode } from './meter';

export interface ProgramRow {
  id: number;
  orgId: number;
  org: string;
  code: string;
  name: string;
  kind: string;
  commodity: string | null;
}

const PROGRAM_SQL = `SELECT p.id, p.org_id AS orgId, o.code AS org, p.code, p.name, p.kind, p.commodity
  FROM program p JOIN organization o ON o.id = p.org_id`;

/**
 * Programs named by a parameter (`CODE` or `ORG:CODE`, case-insensitive), or every program of
 * `kinds` when the parameter is absent. A usage error lists the programs of those kinds.
 */
export function resolvePrograms(
  db: Database,
  ref: string | undefined,
  kinds: readonly string[],
  param: string,
): ProgramRow[] {
  const all = db.prepare(`${PROGRAM_SQL} ORDER BY o.code, p.code`).all() as ProgramRow[];
  const ofKind = all.filter((p) => kinds.includes(p.kind));
  if (ref === undefined) return ofKind;
  const colon = ref.indexOf(':');
  const want = (colon > 0 ? ref.slice(colon + 1) : ref).trim().toLowerCase();
  const orgId = colon > 0 ? orgByCode(db, ref.slice(0, colon), param).id : null;
  const found = all.filter(
    (p) => p.code.toLowerCase() === want && (orgId === null || p.orgId === orgId),
  );
  if (found.length > 0) return found;
  const names = ofKind.map((p) => `${p.org}:${p.code}`).join(', ') || '(none)';
  throw badParam(param, `unknown program "${ref}" for parameter ${param}; programs: ${names}`);
}

/** Local days [first, last] (last Infinity when open) an enrolment was in force. */
export interface Participation {
  enrolmentId: number;
  accountId: number | null;
  premiseId: number | null;
  first: number;
  last: number;
}

/**
 * Participation intervals of a program's enrolments. With change rows (the nightly delta feed)
 * an interval starts at a change to `enrolled` and ends the day before the next change to any
 * other status; without them it is `effective_date` to the day before `end_date` for every
 * status but `pending`.
 */
export function participations(db: Database, programId: number): Participation[] {
  const enrolments = db
    .prepare(
      `SELECT id, account_id AS accountId, premise_id AS premiseId, status,
              effective_date AS effective, end_date AS endDate
       FROM program_enrolment WHERE program_id = ? ORDER BY id`,
    )
    .all(programId) as {
    id: number;
    accountId: number | null;
    premiseId: number | null;
    status: string;
    effective: string;
    endDate: string | null;
  }[];
  const changes = db.prepare(
    `SELECT effective_date AS day, status FROM program_enrolment_change
     WHERE enrolment_id = ? ORDER BY effective_date, id`,
  );
  const out: Participation[] = [];
  for (const e of enrolments) {
    const base = { enrolmentId: e.id, accountId: e.accountId, premiseId: e.premiseId };
    const rows = changes.all(e.id) as { day: string; status: string }[];
    if (rows.length === 0) {
      if (e.status === 'pending') continue;
      out.push({
        ...base,
        first: isoToDay(e.effective),
        last: e.endDate === null ? Infinity : isoToDay(e.endDate) - 1,
      });
      continue;
    }
    let start: number | null = null;
    for (const r of rows) {
      const day = isoToDay(r.day);
      if (r.status === 'enrolled') start ??= day;
      else if (start !== null) {
        if (day > start) out.push({ ...base, first: start, last: day - 1 });
        start = null;
      }
    }
    if (start !== null) out.push({ ...base, first: start, last: Infinity });
  }
  return out;
}

/**
 * Usage points an enrolment covers: the usage points of its account's service agreements (at
 * its premise when it names one too), else the usage points at its premise; only of the
 * program's commodity when it has one.
 */
export function enrolledUsagePoints(
  db: Database,
  p: Participation,
  commodity: string | null,
): number[] {
  const c = commodity ?? null;
  if (p.accountId !== null) {
    const ups = db
      .prepare(
        `SELECT DISTINCT u.id, u.premise_id AS premiseId FROM service_agreement sa
         JOIN usage_point u ON u.id = sa.usage_point_id
         WHERE sa.account_id = ? AND (? IS NULL OR u.commodity = ?) ORDER BY u.id`,
      )
      .all(p.accountId, c, c) as { id: number; premiseId: number | null }[];
    const atPremise = ups.filter((u) => p.premiseId !== null && u.premiseId === p.premiseId);
    return (atPremise.length > 0 ? atPremise : ups).map((u) => u.id);
  }
  if (p.premiseId === null) return [];
  return db
    .prepare(
      `SELECT id FROM usage_point WHERE premise_id = ? AND (? IS NULL OR commodity = ?) ORDER BY id`,
    )
    .pluck()
    .all(p.premiseId, c, c) as number[];
}
