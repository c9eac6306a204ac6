// Helpers shared by the metering datasets (core-02-tou, core-03-demand, core-04-multi-utility,
// core-05-multi-fuel, t-04-community): parameter lookups that name the valid values on a bad
// one, platform IDs of source rows, local-time formatting, the organization's own quality
// labels, and the service agreements (customer, rate class) of a usage point by day.
// docs/datasets.md describes each rule.
import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { QUALITY_NAMES } from '../metering/quality';
import { dayToIso, isoToDay, localDay, localToEpoch, offsetSeconds } from '../time/zone';
import { EdwError } from '../workspace/errors';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_MONTH = /^\d{4}-\d{2}$/;
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/;

function validDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  return dayToIso(isoToDay(s)) === s;
}

/** A calendar date parameter, `YYYY-MM-DD`. */
export const DateParam = z.string().refine(validDate, 'expected a date YYYY-MM-DD');

/** A month parameter, `YYYY-MM`. */
export const MonthParam = z
  .string()
  .refine((s) => ISO_MONTH.test(s) && validDate(`${s}-01`), 'expected a month YYYY-MM');

/** A local date or date-time parameter, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`. */
export const LocalTimeParam = z.string().refine((s) => {
  const m = LOCAL_TIME.exec(s);
  if (!m || !validDate(`${m[1]}-${m[2]}-${m[3]}`)) return false;
  return m[4] === undefined || (Number(m[4]) < 24 && Number(m[5]) < 60);
}, 'expected a local date YYYY-MM-DD or date-time YYYY-MM-DDTHH:MM');

/** Day number of a `YYYY-MM-DD` parameter (already validated). */
export const dayOf = (iso: string): number => isoToDay(iso);

/** First and last day numbers of a `YYYY-MM` month. */
export function monthDays(month: string): { first: number; last: number } {
  const first = isoToDay(`${month}-01`);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { first, last: isoToDay(next) - 1 };
}

const dayIsoCache = new Map<number, string>();

/** `YYYY-MM-DD` of a day number (dayToIso, cached: it runs once per block). */
export function isoOfDay(day: number): string {
  let s = dayIsoCache.get(day);
  if (s === undefined) {
    s = dayToIso(day);
    if (dayIsoCache.size > 200_000) dayIsoCache.clear();
    dayIsoCache.set(day, s);
  }
  return s;
}

const monthCache = new Map<number, string>();

/** `YYYY-MM` of a day number (cached: it runs once per block). */
export function monthOfDay(day: number): string {
  let m = monthCache.get(day);
  if (m === undefined) {
    m = isoOfDay(day).slice(0, 7);
    if (monthCache.size > 200_000) monthCache.clear();
    monthCache.set(day, m);
  }
  return m;
}

/**
 * The instant a local date / date-time parameter names in `zone`: a date is the start of that
 * local day (`end` false) or the start of the day after it (`end` true: the day is included).
 */
export function localInstant(value: string, zone: string, end: boolean): number {
  const m = LOCAL_TIME.exec(value);
  if (!m) throw new EdwError('usage', `bad local time "${value}"`);
  const day = isoToDay(`${m[1]}-${m[2]}-${m[3]}`);
  if (m[4] === undefined) return localDay(end ? day + 1 : day, zone).start;
  return localToEpoch(zone, Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
}

const isoCache = new Map<string, Map<number, string>>();

/**
 * Local time of an instant with its UTC offset: `2018-06-12T08:00-04:00`. Memoised per zone
 * and instant (datasets print the same day starts and peak hours for many usage points, and
 * the offset comes from Intl, which costs microseconds).
 */
export function localIso(epoch: number, zone: string): string {
  let byEpoch = isoCache.get(zone);
  if (!byEpoch) isoCache.set(zone, (byEpoch = new Map()));
  let s = byEpoch.get(epoch);
  if (s === undefined) {
    s = formatLocalIso(epoch, zone);
    if (byEpoch.size > 200_000) byEpoch.clear();
    byEpoch.set(epoch, s);
  }
  return s;
}

function formatLocalIso(epoch: number, zone: string): string {
  const off = offsetSeconds(epoch, zone);
  const wall = new Date((epoch + off) * 1000).toISOString().slice(0, 16);
  const a = Math.abs(off);
  const hh = String(Math.floor(a / 3600)).padStart(2, '0');
  const mm = String(Math.floor((a % 3600) / 60)).padStart(2, '0');
  return `${wall}${off < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** A usage error for a parameter, with the reason the API and CLI report. */
export function badParam(param: string, message: string): EdwError {
  return new EdwError('usage', message, { reason: 'bad_param', param });
}

function orgCodes(db: Database): string {
  const codes = db.prepare('SELECT code FROM organization ORDER BY code').pluck().all() as string[];
  return codes.join(', ') || '(none)';
}

export interface OrgRow {
  id: number;
  code: string;
  name: string;
  kind: string;
  jurisdiction: string | null;
  zone: string;
}

/** The organization with this code (case-insensitive), or a usage error listing the codes. */
export function orgByCode(db: Database, code: string, param: string): OrgRow {
  const row = db
    .prepare(
      `SELECT id, code, name, kind, jurisdiction_code AS jurisdiction, time_zone AS zone
       FROM organization WHERE code = ? COLLATE NOCASE`,
    )
    .get(code.trim()) as OrgRow | undefined;
  if (row) return row;
  throw badParam(
    param,
    `unknown organization "${code}" for parameter ${param}; organizations: ${orgCodes(db)}`,
  );
}

/**
 * Usage point rows named by a parameter: a platform UsagePointID, or `ORG:key` (the
 * organization's own usage point id). A usage error when nothing matches.
 */
export function resolveUsagePoints(db: Database, ref: string, param: string): number[] {
  const colon = ref.indexOf(':');
  if (colon > 0) {
    const org = orgByCode(db, ref.slice(0, colon), param);
    const id = db
      .prepare('SELECT id FROM usage_point WHERE org_id = ? AND source_key = ?')
      .pluck()
      .get(org.id, ref.slice(colon + 1)) as number | undefined;
    if (id !== undefined) return [id];
    throw badParam(param, `${org.code} has no usage point "${ref.slice(colon + 1)}" (${param})`);
  }
  const ids = db
    .prepare(
      `SELECT source_id FROM platform_link WHERE kind = 'UsagePointID' AND platform_id = ?
       AND source_table = 'usage_point' ORDER BY source_id`,
    )
    .pluck()
    .all(ref.trim()) as number[];
  if (ids.length > 0) return ids;
  throw badParam(
    param,
    `no usage point with platform UsagePointID "${ref}" (${param}: a UsagePointID, or ORG:key for an organization's own usage point id)`,
  );
}

/**
 * Premise rows named by a parameter: a platform PremiseID (every premise record linked to it),
 * or `ORG:key`. A usage error when nothing matches.
 */
export function resolvePremises(db: Database, ref: string, param: string): number[] {
  const colon = ref.indexOf(':');
  if (colon > 0) {
    const org = orgByCode(db, ref.slice(0, colon), param);
    const id = db
      .prepare('SELECT id FROM premise WHERE org_id = ? AND source_key = ?')
      .pluck()
      .get(org.id, ref.slice(colon + 1)) as number | undefined;
    if (id !== undefined) return [id];
    throw badParam(param, `${org.code} has no premise "${ref.slice(colon + 1)}" (${param})`);
  }
  const ids = db
    .prepare(
      `SELECT source_id FROM platform_link WHERE kind = 'PremiseID' AND platform_id = ?
       AND source_table = 'premise' ORDER BY source_id`,
    )
    .pluck()
    .all(ref.trim()) as number[];
  if (ids.length > 0) return ids;
  throw badParam(
    param,
    `no premise with platform PremiseID "${ref}" (${param}: a PremiseID, or ORG:key for an organization's own premise key); run the indexer to assign PremiseIDs`,
  );
}

/** Platform IDs of source rows, cached per (kind, table, id). */
export class PlatformIds {
  private readonly stmt: Statement;
  private readonly cache = new Map<string, string | null>();

  constructor(db: Database) {
    this.stmt = db
      .prepare(
        'SELECT platform_id FROM platform_link WHERE kind = ? AND source_table = ? AND source_id = ?',
      )
      .pluck();
  }

  get(kind: string, table: string, id: number | null): string | null {
    if (id === null) return null;
    const key = `${kind}|${table}|${id}`;
    let v = this.cache.get(key);
    if (v === undefined) {
      v = (this.stmt.get(kind, table, id) as string | undefined) ?? null;
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(key, v);
    }
    return v;
  }
}

/**
 * How a dataset prints reading quality with the organization's own codes: `code` prefers
 * all-digit codes (MDM quality numbers such as Unitil's "9"), `label` prefers the longest
 * code with a letter ("Passed Val"); `normalized` prints edw's name (valid, estimated …).
 */
export const QualityStyle = z.enum(['code', 'label', 'normalized']);
export type QualityStyle = z.infer<typeof QualityStyle>;

/** Per organization: normalised quality code → the source code to print. */
export class QualityLabels {
  private readonly byOrg = new Map<number, Map<number, string>>();
  private readonly stmt: Statement;

  constructor(
    db: Database,
    private readonly style: QualityStyle,
  ) {
    this.stmt = db.prepare('SELECT source_code, quality FROM quality_map WHERE org_id = ?');
  }

  label(orgId: number, quality: number): string {
    const name = QUALITY_NAMES[quality] ?? String(quality);
    if (this.style === 'normalized') return name;
    let m = this.byOrg.get(orgId);
    if (!m) {
      m = new Map();
      const rows = this.stmt.all(orgId) as { source_code: string; quality: number }[];
      const byQ = new Map<number, string[]>();
      for (const r of rows) byQ.set(r.quality, [...(byQ.get(r.quality) ?? []), r.source_code]);
      for (const [q, codes] of byQ) m.set(q, pickCode(codes, this.style));
      this.byOrg.set(orgId, m);
    }
    return m.get(quality) ?? name;
  }
}

function pickCode(codes: string[], style: 'code' | 'label'): string {
  const digits = codes.filter((c) => /^\d+$/.test(c)).sort((a, b) => Number(a) - Number(b));
  const worded = codes
    .filter((c) => /[A-Za-z]/.test(c))
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const rest = [...codes].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  const pick = style === 'code' ? (digits[0] ?? rest[0]) : (worded[0] ?? rest[0]);
  return pick as string;
}

/** Units as MDM extracts print them (the seed tables' UOM column): the unit code upper-cased. */
export const uomLabel = (unit: string): string => unit.toUpperCase();

export interface Agreement {
  accountId: number;
  customerId: number | null;
  customerClass: string | null;
  rateClassId: number | null;
  rateClass: string | null;
  tariffId: number | null;
  firstDay: number;
  /** Last day included; Infinity when open. */
  lastDay: number;
}

/** The service agreements of usage points (customer, rate class) by local day. */
export class Agreements {
  private readonly stmt: Statement;
  private readonly cache = new Map<number, Agreement[]>();

  constructor(db: Database) {
    this.stmt = db.prepare(
      `SELECT sa.account_id AS accountId, a.customer_id AS customerId, c.customer_class AS customerClass,
              sa.rate_class_id AS rateClassId, rc.code AS rateClass, sa.tariff_id AS tariffId,
              sa.start_date AS start, sa.end_date AS "end"
       FROM service_agreement sa JOIN account a ON a.id = sa.account_id
       LEFT JOIN customer c ON c.id = a.customer_id
       LEFT JOIN rate_class rc ON rc.id = sa.rate_class_id
       WHERE sa.usage_point_id = ? ORDER BY sa.start_date, sa.id`,
    );
  }

  of(usagePointId: number): Agreement[] {
    let list = this.cache.get(usagePointId);
    if (!list) {
      const rows = this.stmt.all(usagePointId) as (Omit<Agreement, 'firstDay' | 'lastDay'> & {
        start: string;
        end: string | null;
      })[];
      list = rows.map(({ start, end, ...r }) => ({
        ...r,
        firstDay: safeDay(start, -Infinity),
        lastDay: end === null ? Infinity : safeDay(end, Infinity),
      }));
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(usagePointId, list);
    }
    return list;
  }

  /** The agreement in force on a local day (the latest starting one if several overlap). */
  at(usagePointId: number, day: number): Agreement | null {
    let found: Agreement | null = null;
    for (const a of this.of(usagePointId)) if (a.firstDay <= day && day <= a.lastDay) found = a;
    return found;
  }

  /** Agreements overlapping days [from, to]. */
  during(usagePointId: number, from: number, to: number): Agreement[] {
    return this.of(usagePointId).filter((a) => a.firstDay <= to && a.lastDay >= from);
  }
}

function safeDay(iso: string, fallback: number): number {
  return validDate(iso) ? isoToDay(iso) : fallback;
}

/** Subjects (for consent) of agreements: one per distinct customer, at the usage point. */
export function subjectsOf(
  usagePointId: number,
  agreements: readonly Agreement[],
): { customerId: number | null; usagePointId: number }[] {
  if (agreements.length === 0) return [{ customerId: null, usagePointId }];
  const seen = new Set<number | null>();
  const out: { customerId: number | null; usagePointId: number }[] = [];
  for (const a of agreements) {
    if (seen.has(a.customerId)) continue;
    seen.add(a.customerId);
    out.push({ customerId: a.customerId, usagePointId });
  }
  return out;
}

/** The time zone of a usage point: its own, else its organization's. */
export function usagePointZone(db: Database, usagePointId: number): string {
  const z = db
    .prepare(
      `SELECT coalesce(u.time_zone, o.time_zone) FROM usage_point u JOIN organization o ON o.id = u.org_id WHERE u.id = ?`,
    )
    .pluck()
    .get(usagePointId) as string | undefined;
  return z ?? 'America/New_York';
}

/** Round to `digits` decimals (named rule for derived values: Math.round of the scaled value). */
export function round(x: number, digits: number): number {
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}
