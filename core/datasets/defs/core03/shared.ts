// core-03-demand, shared by its levels: parameters, the scope filters, the usage point's source
// series and the cached formatting helpers.
import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { localDay } from '../../../time/zone';
import { enrolledUsagePoints, participations, resolvePrograms } from '../../enrolment';
import {
  DateParam,
  QualityStyle,
  badParam,
  dayOf,
  localIso,
  orgByCode,
  resolvePremises,
  resolveUsagePoints,
} from '../../meter';

const Level = z.enum(['daily', 'monthly', 'rate_class_daily', 'rate_class_monthly']);

export const Params = z
  .object({
    level: Level.default('daily').describe(
      'daily / monthly: peak per usage point; rate_class_daily / rate_class_monthly: coincident and non-coincident peaks per rate class (15/15 rule).',
    ),
    premise: z
      .string()
      .min(1)
      .optional()
      .describe('Only usage points at this PremiseID (or ORG:key of a premise).'),
    usage_point: z
      .string()
      .min(1)
      .optional()
      .describe('Only this usage point: UsagePointID or ORG:key.'),
    org: z.string().min(1).optional().describe('Only usage points of this organization (code).'),
    rate_class: z
      .string()
      .min(1)
      .optional()
      .describe('Only days served on this rate class: CODE or ORG:CODE.'),
    program: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Only usage points enrolled in this program (code or ORG:CODE), on their participation days.',
      ),
    from: DateParam.optional().describe('First local date included; default the first reading.'),
    to: DateParam.optional().describe('Last local date included; default the last reading.'),
    quality: QualityStyle.default('code').describe(
      'How quality is printed: code (e.g. 9), label or normalized.',
    ),
  })
  .strict();

export type P = z.output<typeof Params>;

export interface UpRow {
  id: number;
  orgId: number;
  org: string;
  key: string;
  premiseId: number | null;
  zone: string;
}

export interface SeriesRow {
  id: number;
  unit: string;
  seconds: number;
  measure: string;
}

/** Unit → factor to kW (power) or kWh (energy), from the unit table. */
export function unitFactors(db: Database): Map<string, { quantity: string; factor: number }> {
  const rows = db.prepare('SELECT code, quantity, factor FROM unit').all() as {
    code: string;
    quantity: string;
    factor: number;
  }[];
  return new Map(rows.map((r) => [r.code, { quantity: r.quantity, factor: r.factor }]));
}

/** Filters shared by every level. */
export class Scope {
  readonly fromDay: number;
  readonly toDay: number;
  private readonly rateClassIds: Set<number> | null;
  private readonly programDays: Map<
    number,
    { first: number; last: number; program: string }[]
  > | null;
  readonly usagePoints: number[];
  /** Whether a filter applies day by day (rate_class, program), beyond from / to. */
  readonly byDay: boolean;

  constructor(db: Database, p: P) {
    this.fromDay = p.from === undefined ? -1e9 : dayOf(p.from);
    this.toDay = p.to === undefined ? 1e9 : dayOf(p.to);
    if (this.fromDay > this.toDay) throw badParam('to', `to (${p.to}) is before from (${p.from})`);
    const conds: string[] = [`u.commodity = 'electricity'`];
    const args: (string | number)[] = [];
    if (p.org !== undefined) {
      conds.push('u.org_id = ?');
      args.push(orgByCode(db, p.org, 'org').id);
    }
    if (p.usage_point !== undefined) {
      conds.push(`u.id IN (${resolveUsagePoints(db, p.usage_point, 'usage_point').join(',')})`);
    }
    if (p.premise !== undefined) {
      conds.push(`u.premise_id IN (${resolvePremises(db, p.premise, 'premise').join(',')})`);
    }
    this.rateClassIds = null;
    if (p.rate_class !== undefined) {
      const colon = p.rate_class.indexOf(':');
      const orgId = colon > 0 ? orgByCode(db, p.rate_class.slice(0, colon), 'rate_class').id : null;
      const code = colon > 0 ? p.rate_class.slice(colon + 1) : p.rate_class;
      const ids = db
        .prepare(
          'SELECT id FROM rate_class WHERE code = ? COLLATE NOCASE AND (? IS NULL OR org_id = ?)',
        )
        .pluck()
        .all(code, orgId, orgId) as number[];
      if (ids.length === 0) {
        const all = (
          db
            .prepare(
              `SELECT o.code || ':' || r.code FROM rate_class r JOIN organization o ON o.id = r.org_id ORDER BY 1`,
            )
            .pluck()
            .all() as string[]
        ).join(', ');
        throw badParam('rate_class', `unknown rate class "${p.rate_class}"; rate classes: ${all}`);
      }
      this.rateClassIds = new Set(ids);
    }
    this.programDays = null;
    if (p.program !== undefined) {
      const days = new Map<number, { first: number; last: number; program: string }[]>();
      for (const prog of resolvePrograms(db, p.program, ['demand'], 'program'))
        for (const part of participations(db, prog.id))
          for (const up of enrolledUsagePoints(db, part, prog.commodity))
            days.set(up, [
              ...(days.get(up) ?? []),
              { first: part.first, last: part.last, program: prog.code },
            ]);
      this.programDays = days;
      conds.push(`u.id IN (${[...days.keys()].join(',') || 'NULL'})`);
    }
    this.byDay = this.rateClassIds !== null || this.programDays !== null;
    this.usagePoints = db
      .prepare(`SELECT u.id FROM usage_point u WHERE ${conds.join(' AND ')} ORDER BY u.id`)
      .pluck()
      .all(...args) as number[];
  }

  /** Whether a day of a usage point is in scope, given the agreement's rate class. */
  dayIn(up: number, day: number, rateClassId: number | null): boolean {
    if (day < this.fromDay || day > this.toDay) return false;
    if (this.rateClassIds && (rateClassId === null || !this.rateClassIds.has(rateClassId)))
      return false;
    if (this.programDays) {
      const spans = this.programDays.get(up) ?? [];
      if (!spans.some((s) => s.first <= day && day <= s.last)) return false;
    }
    return true;
  }
}

const statements = new WeakMap<Database, Map<string, Statement>>();

/** A prepared statement, cached per connection (these run once per usage point). */
export function cached(db: Database, sql: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st;
}

export function upRow(db: Database, id: number): UpRow {
  return cached(
    db,
    `SELECT u.id, u.org_id AS orgId, o.code AS org, u.source_key AS key, u.premise_id AS premiseId,
              coalesce(u.time_zone, o.time_zone) AS zone
       FROM usage_point u JOIN organization o ON o.id = u.org_id WHERE u.id = ?`,
  ).get(id) as UpRow;
}

const SERIES_SQL = `SELECT s.id, rt.unit, rt.interval_seconds AS seconds, rt.measure
  FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id JOIN unit un ON un.code = rt.unit
  WHERE s.usage_point_id = ? AND rt.interval_seconds IS NOT NULL AND rt.flow_direction IN ('forward', 'total')`;
const DEMAND = `rt.measure = 'demand' AND un.quantity = 'power'`;
const INTERVAL = `rt.measure = 'energy' AND rt.accumulation = 'delta' AND un.quantity = 'energy'
  AND rt.interval_seconds <= 3600 AND 3600 % rt.interval_seconds = 0`;

/**
 * The demand series of each usage point, else its finest-but-hourly forward energy series
 * (intervalSource), for many usage points in one query.
 */
export function demandSources(db: Database, ups: readonly number[]): Map<number, SeriesRow> {
  const rows = db
    .prepare(
      `SELECT s.usage_point_id AS up, s.id, rt.unit, rt.interval_seconds AS seconds, rt.measure
       FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id JOIN unit un ON un.code = rt.unit
       WHERE s.usage_point_id IN (SELECT value FROM json_each(?)) AND rt.interval_seconds IS NOT NULL
         AND rt.flow_direction IN ('forward', 'total') AND ((${DEMAND}) OR (${INTERVAL}))
       ORDER BY s.usage_point_id, rt.measure = 'demand' DESC,
         iif(rt.measure = 'demand', rt.interval_seconds, -rt.interval_seconds), s.id`,
    )
    .all(JSON.stringify(ups)) as (SeriesRow & { up: number })[];
  const out = new Map<number, SeriesRow>();
  for (const { up, ...r } of rows) if (!out.has(up)) out.set(up, r);
  return out;
}

/** The forward energy interval series of ≤ 1 hour (hourly preferred), or null. */
export function intervalSource(db: Database, up: number): SeriesRow | null {
  return (
    (cached(
      db,
      `${SERIES_SQL} AND ${INTERVAL} ORDER BY rt.interval_seconds DESC, s.id LIMIT 1`,
    ).get(up) as SeriesRow | undefined) ?? null
  );
}

/** Clean binary noise of derived kW: 9 decimals (named rule, far below metering precision). */
export const kw9 = (x: number): number => Math.round(x * 1e9) / 1e9;

const dayStartCache = new Map<string, Map<number, string>>();

/** Local start of a day with its offset (cached per zone: one per row of the daily level). */
export function dayStartIso(day: number, zone: string): string {
  let m = dayStartCache.get(zone);
  if (!m) dayStartCache.set(zone, (m = new Map()));
  let s = m.get(day);
  if (s === undefined) {
    s = localIso(localDay(day, zone).start, zone);
    if (m.size > 200_000) m.clear();
    m.set(day, s);
  }
  return s;
}
