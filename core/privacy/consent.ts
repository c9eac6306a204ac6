// Consent checks (DESIGN.md "Privacy"; docs/privacy.md "Consent"): does a customer's valid,
// unrevoked authorisation cover a data class at the time of an export?
import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import type { DataClass } from './roles';

/**
 * Whose data a row carries: a customer and, where the data is about one service, its usage
 * point. `customerId` null means the source has no customer for it (nobody can consent).
 */
export interface Subject {
  customerId: number | null;
  usagePointId: number | null;
}

/** What one valid consent grants: data classes, optionally only for some usage points. */
export interface Grant {
  classes: ReadonlySet<string>;
  /** null: every usage point of the customer. */
  usagePoints: ReadonlySet<number> | null;
}

const Scope = z.object({
  dataClasses: z.array(z.string()),
  usagePointIds: z.array(z.number().int()).optional(),
});

/** The scope JSON of a consent row, or null when it is malformed (then it grants nothing). */
export function parseScope(json: string): Grant | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  const s = Scope.safeParse(raw);
  if (!s.success) return null;
  return {
    classes: new Set(s.data.dataClasses),
    usagePoints: s.data.usagePointIds ? new Set(s.data.usagePointIds) : null,
  };
}

/** The UTC calendar date of an instant, 'YYYY-MM-DD'. */
export function utcDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Bound on the per-customer cache (a run over millions of customers must not grow without end). */
const CACHE_LIMIT = 50_000;

/**
 * Consents valid at one instant: `valid_from ≤ date ≤ valid_to` (inclusive, `valid_to` NULL =
 * open-ended, dates compared as the UTC calendar date of the instant) and not revoked at or
 * before the instant. The grantee organization is not compared with the user (a session has
 * a role, not an organization; see docs/privacy.md).
 */
export class ConsentChecker {
  readonly asOfDate: string;
  readonly asOfEpoch: number;
  private readonly stmt: Statement<[number, string, string, number], { scope: string }>;
  private readonly cache = new Map<number, Grant[]>();
  /** Consent rows whose scope JSON could not be read (they grant nothing). */
  malformed = 0;

  constructor(db: Database, now: Date) {
    this.asOfDate = utcDate(now);
    this.asOfEpoch = Math.floor(now.getTime() / 1000);
    this.stmt = db.prepare(
      `SELECT scope FROM consent
       WHERE customer_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)
         AND (revoked_at IS NULL OR revoked_at > ?)`,
    );
  }

  /** The grants of one customer's valid consents. */
  grants(customerId: number): Grant[] {
    const hit = this.cache.get(customerId);
    if (hit) return hit;
    const grants: Grant[] = [];
    for (const r of this.stmt.all(customerId, this.asOfDate, this.asOfDate, this.asOfEpoch)) {
      const g = parseScope(r.scope);
      if (g) grants.push(g);
      else this.malformed++;
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(customerId, grants);
    return grants;
  }

  /**
   * One subject is covered when one of its customer's valid consents names the data class and,
   * if that consent lists usage points, the subject's usage point is among them (a subject
   * without a usage point is then not covered).
   */
  coversSubject(s: Subject, dataClass: DataClass): boolean {
    if (s.customerId === null) return false;
    return this.grants(s.customerId).some(
      (g) =>
        g.classes.has(dataClass) &&
        (g.usagePoints === null || (s.usagePointId !== null && g.usagePoints.has(s.usagePointId))),
    );
  }

  /** A row is covered when it has at least one subject and every subject is covered. */
  covers(subjects: readonly Subject[], dataClass: DataClass): boolean {
    return subjects.length > 0 && subjects.every((s) => this.coversSubject(s, dataClass));
  }
}

// ───────────── explained decisions (Green Button exports, greenbutton.consent) ─────────────

/** Why a customer's consents do not cover an export, most specific first. */
export type ConsentGap =
  | 'no_consent'
  | 'grantee'
  | 'malformed'
  | 'not_yet_valid'
  | 'expired'
  | 'revoked'
  | 'scope_class'
  | 'scope_usage_point';

export type ConsentDecision =
  | { covered: true; consentId: number; granteeOrgId: number; validTo: string | null }
  | { covered: false; gap: ConsentGap; consentId: number | null; reason: string };

interface ConsentRow {
  id: number;
  grantee_org_id: number;
  grantee: string;
  scope: string;
  valid_from: string;
  valid_to: string | null;
  revoked_at: number | null;
}

/** Rank of a gap: the refusal names the consent that came closest to covering the export. */
const GAP_RANK: Record<ConsentGap, number> = {
  no_consent: 0,
  grantee: 1,
  malformed: 2,
  not_yet_valid: 3,
  expired: 4,
  revoked: 5,
  scope_class: 6,
  scope_usage_point: 7,
};

/**
 * Does one of the customer's consents cover `dataClass` (and, when given, the usage point and
 * the grantee organization) at instant `at`? Same rules as ConsentChecker: valid from
 * `valid_from` through `valid_to` inclusive (UTC calendar date of `at`), not revoked at or before
 * `at`, scope JSON `{dataClasses, usagePointIds?}`. When none does, the decision names what is
 * missing — no consent, expired on D, revoked at T, scope lacks X — taken from the consent that
 * came closest.
 */
export function consentCovers(
  db: Database,
  customerId: number,
  dataClass: DataClass,
  at: Date,
  opts: { usagePointId?: number | null; usagePointLabel?: string; granteeOrgId?: number } = {},
): ConsentDecision {
  const rows = db
    .prepare(
      `SELECT c.id, c.grantee_org_id, o.code AS grantee, c.scope, c.valid_from, c.valid_to, c.revoked_at
       FROM consent c JOIN organization o ON o.id = c.grantee_org_id
       WHERE c.customer_id = ? ORDER BY c.id`,
    )
    .all(customerId) as ConsentRow[];
  const date = utcDate(at);
  const epoch = Math.floor(at.getTime() / 1000);
  const upLabel = opts.usagePointLabel ?? String(opts.usagePointId ?? '');
  let best: { gap: ConsentGap; consentId: number | null; reason: string } = {
    gap: 'no_consent',
    consentId: null,
    reason: 'no consent on record',
  };
  const consider = (gap: ConsentGap, id: number, reason: string) => {
    if (GAP_RANK[gap] > GAP_RANK[best.gap]) best = { gap, consentId: id, reason };
  };
  for (const r of rows) {
    if (opts.granteeOrgId !== undefined && r.grantee_org_id !== opts.granteeOrgId) {
      consider(
        'grantee',
        r.id,
        `consent #${r.id} was given to ${r.grantee}, not to the grantee of this export`,
      );
      continue;
    }
    const scope = parseScope(r.scope);
    if (!scope) {
      consider('malformed', r.id, `consent #${r.id} has an unreadable scope (it grants nothing)`);
      continue;
    }
    if (r.valid_from > date) {
      consider('not_yet_valid', r.id, `consent #${r.id} is valid only from ${r.valid_from}`);
      continue;
    }
    if (r.valid_to !== null && r.valid_to < date) {
      consider('expired', r.id, `consent #${r.id} expired on ${r.valid_to}`);
      continue;
    }
    if (r.revoked_at !== null && r.revoked_at <= epoch) {
      consider(
        'revoked',
        r.id,
        `consent #${r.id} was revoked at ${new Date(r.revoked_at * 1000).toISOString()}`,
      );
      continue;
    }
    if (!scope.classes.has(dataClass)) {
      consider(
        'scope_class',
        r.id,
        `consent #${r.id} scope lacks data class ${dataClass} (it covers ${[...scope.classes].join(', ') || 'none'})`,
      );
      continue;
    }
    if (
      scope.usagePoints !== null &&
      (opts.usagePointId === undefined ||
        opts.usagePointId === null ||
        !scope.usagePoints.has(opts.usagePointId))
    ) {
      consider('scope_usage_point', r.id, `consent #${r.id} scope lacks usage point ${upLabel}`);
      continue;
    }
    return { covered: true, consentId: r.id, granteeOrgId: r.grantee_org_id, validTo: r.valid_to };
  }
  return { covered: false, ...best };
}
