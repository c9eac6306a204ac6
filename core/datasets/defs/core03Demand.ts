// core-03-demand (CORE-03): demand (kW) for demand studies — per usage point the daily or
// monthly peak, and per rate class the coincident and non-coincident peaks by day or month
// under the 15/15 rule. The per-usage-point rows carry the seed table's columns (PremID,
// UsagePointID, MeterID, Program name, Class, TimeStart, ReadID, Read Value, UOM, Qty).
//
// Method (docs/datasets.md "core-03-demand"):
// - a usage point's demand comes from its demand series (reading type measure 'demand', e.g.
//   'KW Daily': the peak of its values per day), else from its forward energy interval series of
//   ≤ 1 hour (the largest interval kWh × 3600 / seconds per day);
// - rate-class levels work on clock-hour demand (each hour's kWh = average kW) of the interval
//   series: the coincident peak (CP) is the largest hourly sum over the class's usage points,
//   the non-coincident peak (NCP) the sum of each usage point's own largest hour; usage points
//   join the class of the service agreement in force on each day;
// - every rate-class cell passes the 15/15 rule on both published quantities (per-customer NCP
//   and per-customer demand at the CP hour), else its values are nulled and it is counted.
import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { SeriesScanner, type SeriesBlocks } from '../../metering/blockScan';
import { QUALITY, QUALITY_NAMES } from '../../metering/quality';
import { FifteenFifteen, type CellVerdict } from '../../privacy/fifteen';
import { dayToIso, localDay } from '../../time/zone';
import { enrolledUsagePoints, participations, resolvePrograms } from '../enrolment';
import {
  Agreements,
  type Agreement,
  DateParam,
  PlatformIds,
  QualityLabels,
  QualityStyle,
  badParam,
  dayOf,
  localIso,
  monthDays,
  monthOfDay,
  orgByCode,
  resolvePremises,
  resolveUsagePoints,
  subjectsOf,
  uomLabel,
} from '../meter';
import { defineDataset, type ColumnDef, type DatasetRow, col } from '../types';

const COLUMNS: ColumnDef[] = [
  col(
    'level',
    'text',
    null,
    'system',
    'Row kind: daily or monthly (one usage point), rate_class_daily or rate_class_monthly (one rate class).',
  ),
  col(
    'premise_id',
    'text',
    null,
    'system',
    'PremID (A): platform PremiseID of the usage point’s premise.',
  ),
  col('usage_point_id', 'text', null, 'system', 'Usage Point ID (B): platform UsagePointID.'),
  col(
    'meter_id',
    'text',
    null,
    'system',
    'Meter ID (C): platform SensorID of the meter installed that day.',
  ),
  col(
    'program',
    'text',
    null,
    'customer_usage',
    'Program name (D): the demand program the usage point is enrolled in that day (e.g. KW Daily).',
  ),
  col(
    'class',
    'text',
    null,
    'system',
    'Class (E): rate class code of the service agreement in force (rate-class rows: the class).',
  ),
  col(
    'time_start',
    'text',
    null,
    'system',
    'TimeStart (F): local start of the day or month, with UTC offset.',
  ),
  col(
    'read_id',
    'text',
    null,
    'system',
    "ReadID (G): edw's key of the reading, S<series id>:<local date> of the peak's day (block storage keeps no source read ID).",
  ),
  col(
    'read_value',
    'number',
    'kW',
    'customer_usage',
    'Read Value (H): peak demand of the usage point in the day or month.',
  ),
  col('uom', 'text', null, 'system', 'UOM (I): KW.'),
  col(
    'quality',
    'text',
    null,
    'system',
    "Qty (J): the organization's quality code of the peak reading (quality parameter: code, label or normalized).",
  ),
  col('quality_normalized', 'text', null, 'system', 'edw normalised quality of the peak reading.'),
  col(
    'peak_time',
    'text',
    null,
    'system',
    'Local start of the interval (or clock hour for rate-class rows) at the peak.',
  ),
  col(
    'source',
    'text',
    null,
    'system',
    'demand: the usage point’s demand series; interval: derived from energy intervals; hourly: clock-hour demand (rate-class rows).',
  ),
  col(
    'usage_point',
    'text',
    null,
    'system',
    "ORG:key — the utility's own usage point id (rate-class rows: the organization).",
  ),
  col('period', 'text', null, 'system', 'Local date (YYYY-MM-DD) or month (YYYY-MM) of the row.'),
  col(
    'customers',
    'integer',
    null,
    'aggregate',
    'Rate-class rows: distinct customers in the cell.',
  ),
  col('usage_points', 'integer', null, 'aggregate', 'Rate-class rows: usage points in the cell.'),
  col(
    'coincident_peak_kw',
    'number',
    'kW',
    'aggregate',
    'Rate-class rows: largest clock-hour sum of the class’s demand.',
  ),
  col(
    'coincident_peak_time',
    'text',
    null,
    'aggregate',
    'Rate-class rows: local start of the coincident peak hour.',
  ),
  col(
    'non_coincident_peak_kw',
    'number',
    'kW',
    'aggregate',
    "Rate-class rows: sum of each usage point's own largest clock hour.",
  ),
  col(
    'suppressed',
    'boolean',
    null,
    'system',
    'Rate-class rows: the cell failed the 15/15 rule and its values are empty.',
  ),
  col(
    'suppression_reason',
    'text',
    null,
    'system',
    'too_few_customers, dominant_customer or zero_total.',
  ),
];

const Level = z.enum(['daily', 'monthly', 'rate_class_daily', 'rate_class_monthly']);

const Params = z
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

type P = z.output<typeof Params>;

interface UpRow {
  id: number;
  orgId: number;
  org: string;
  key: string;
  premiseId: number | null;
  zone: string;
}

interface SeriesRow {
  id: number;
  unit: string;
  seconds: number;
  measure: string;
}

/** Unit → factor to kW (power) or kWh (energy), from the unit table. */
function unitFactors(db: Database): Map<string, { quantity: string; factor: number }> {
  const rows = db.prepare('SELECT code, quantity, factor FROM unit').all() as {
    code: string;
    quantity: string;
    factor: number;
  }[];
  return new Map(rows.map((r) => [r.code, { quantity: r.quantity, factor: r.factor }]));
}

/** Filters shared by every level. */
class Scope {
  readonly fromDay: number;
  readonly toDay: number;
  private readonly rateClassIds: Set<number> | null;
  private readonly programDays: Map<
    number,
    { first: number; last: number; program: string }[]
  > | null;
  readonly usagePoints: number[];

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

/** Enrolments in demand programs, by usage point, for the Program name column. */
class DemandPrograms {
  private readonly spans = new Map<number, { first: number; last: number; program: string }[]>();

  constructor(db: Database) {
    for (const prog of resolvePrograms(db, undefined, ['demand'], 'program'))
      for (const part of participations(db, prog.id))
        for (const up of enrolledUsagePoints(db, part, prog.commodity))
          this.spans.set(up, [
            ...(this.spans.get(up) ?? []),
            { first: part.first, last: part.last, program: prog.code },
          ]);
  }

  on(up: number, day: number): string | null {
    for (const s of this.spans.get(up) ?? []) if (s.first <= day && day <= s.last) return s.program;
    return null;
  }
}

class Meters {
  private readonly stmt: Statement;
  private readonly cache = new Map<
    number,
    { meterId: number; from: string; to: string | null }[]
  >();

  constructor(db: Database) {
    this.stmt = db.prepare(
      `SELECT meter_id AS meterId, installed_on AS "from", removed_on AS "to" FROM meter_usage_point
       WHERE usage_point_id = ? ORDER BY installed_on`,
    );
  }

  on(up: number, day: number): number | null {
    let list = this.cache.get(up);
    if (!list) {
      list = this.stmt.all(up) as { meterId: number; from: string; to: string | null }[];
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(up, list);
    }
    const iso = isoOfDay(day);
    let found: number | null = null;
    for (const m of list) if (m.from <= iso && (m.to === null || iso < m.to)) found = m.meterId;
    return found;
  }
}

const statements = new WeakMap<Database, Map<string, Statement>>();

/** A prepared statement, cached per connection (these run once per usage point). */
function cached(db: Database, sql: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st;
}

function upRow(db: Database, id: number): UpRow {
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

/** The demand series of a usage point, else its finest-but-hourly forward energy series. */
function demandSource(db: Database, up: number): SeriesRow | null {
  const demand = cached(
    db,
    `${SERIES_SQL} AND rt.measure = 'demand' AND un.quantity = 'power' ORDER BY rt.interval_seconds, s.id LIMIT 1`,
  ).get(up) as SeriesRow | undefined;
  return demand ?? intervalSource(db, up);
}

/** The forward energy interval series of ≤ 1 hour (hourly preferred), or null. */
function intervalSource(db: Database, up: number): SeriesRow | null {
  return (
    (cached(
      db,
      `${SERIES_SQL} AND rt.measure = 'energy' AND rt.accumulation = 'delta' AND un.quantity = 'energy'
         AND rt.interval_seconds <= 3600 AND 3600 % rt.interval_seconds = 0
         ORDER BY rt.interval_seconds DESC, s.id LIMIT 1`,
    ).get(up) as SeriesRow | undefined) ?? null
  );
}

interface DayPeak {
  day: number;
  kw: number;
  at: number;
  quality: number;
  seriesId: number;
}

/**
 * The peak kW of block i of a scan (decoded into the scanner's arrays): demand values as they
 * are, energy as average kW of its interval; the first slot at the peak; missing and failed
 * slots skipped.
 */
function blockPeak(
  scanner: SeriesScanner,
  blocks: SeriesBlocks,
  i: number,
  s: SeriesRow,
  factor: number,
): DayPeak | null {
  const n = scanner.decode(blocks, i);
  const seconds = blocks.seconds[i] as number;
  const scale = s.measure === 'demand' ? factor : (factor * 3600) / seconds;
  const values = scanner.values;
  const quality = scanner.qualities;
  let bestK = -1;
  let bestKw = 0;
  if (blocks.qualityLen[i] === 0) {
    // Every slot valid.
    for (let k = 0; k < n; k++) {
      const kw = (values[k] as number) * scale;
      if (bestK < 0 || kw > bestKw) {
        bestK = k;
        bestKw = kw;
      }
    }
  } else {
    for (let k = 0; k < n; k++) {
      const q = quality[k] as number;
      if (q === QUALITY.missing || q === QUALITY.failed) continue;
      const kw = (values[k] as number) * scale;
      if (bestK < 0 || kw > bestKw) {
        bestK = k;
        bestKw = kw;
      }
    }
  }
  if (bestK < 0) return null;
  return {
    day: blocks.day[i] as number,
    kw: bestKw,
    at: (blocks.start[i] as number) + bestK * seconds,
    quality: quality[bestK] as number,
    seriesId: blocks.seriesId,
  };
}

/** Clean binary noise of derived kW: 9 decimals (named rule, far below metering precision). */
const kw9 = (x: number): number => Math.round(x * 1e9) / 1e9;

const dayIsoCache = new Map<number, string>();

/** dayToIso, cached (it runs once per block). */
function isoOfDay(day: number): string {
  let s = dayIsoCache.get(day);
  if (s === undefined) {
    s = dayToIso(day);
    if (dayIsoCache.size > 200_000) dayIsoCache.clear();
    dayIsoCache.set(day, s);
  }
  return s;
}

const dayStartCache = new Map<string, Map<number, string>>();

/** Local start of a day with its offset (cached per zone: one per row of the daily level). */
function dayStartIso(day: number, zone: string): string {
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

function* usagePointRows(db: Database, p: P, scope: Scope): Generator<DatasetRow> {
  const ids = new PlatformIds(db);
  const agreements = new Agreements(db);
  const quality = new QualityLabels(db, p.quality);
  const programs = new DemandPrograms(db);
  const meters = new Meters(db);
  const factors = unitFactors(db);
  const scanner = new SeriesScanner(db);
  const monthly = p.level === 'monthly';
  for (const upId of scope.usagePoints) {
    const s = demandSource(db, upId);
    if (!s) continue;
    const up = upRow(db, upId);
    const factor = factors.get(s.unit)?.factor ?? 1;
    const base = {
      premise_id: ids.get('PremiseID', 'premise', up.premiseId),
      usage_point_id: ids.get('UsagePointID', 'usage_point', upId),
      usage_point: `${up.org}:${up.key}`,
      uom: uomLabel('kW'),
      source: s.measure === 'demand' ? 'demand' : 'interval',
    };
    const emit = (
      peak: DayPeak,
      period: string,
      startDay: number,
      firstDay: number,
      lastDay: number,
    ): DatasetRow => {
      const a = agreements.at(upId, peak.day);
      return {
        values: {
          level: p.level,
          ...base,
          meter_id: ids.get('SensorID', 'meter', meters.on(upId, peak.day)),
          program: programs.on(upId, peak.day),
          class: a?.rateClass ?? null,
          time_start: dayStartIso(startDay, up.zone),
          read_id: `S${peak.seriesId}:${isoOfDay(peak.day)}`,
          read_value: kw9(peak.kw),
          quality: quality.label(up.orgId, peak.quality),
          quality_normalized: QUALITY_NAMES[peak.quality] ?? String(peak.quality),
          peak_time: localIso(peak.at, up.zone),
          period,
        },
        subjects: subjectsOf(upId, agreements.during(upId, firstDay, lastDay)),
      };
    };
    let month: string | null = null;
    let monthPeak: DayPeak | null = null;
    let monthFirst = 0;
    let monthLast = 0;
    // Blocks come in day order: a month's first and last days seen are its min and max.
    const blocks = scanner.read(s.id, scope.fromDay, scope.toDay);
    for (let i = 0; i < blocks.n; i++) {
      const day = blocks.day[i] as number;
      const a = agreements.at(upId, day);
      if (!scope.dayIn(upId, day, a?.rateClassId ?? null)) continue;
      const peak = blockPeak(scanner, blocks, i, s, factor);
      if (!peak) continue;
      if (!monthly) {
        yield emit(peak, isoOfDay(day), day, day, day);
        continue;
      }
      const m = monthOfDay(day);
      if (m !== month) {
        if (month !== null && monthPeak !== null)
          yield emit(monthPeak, month, monthDays(month).first, monthFirst, monthLast);
        month = m;
        monthPeak = null;
        monthFirst = day;
      }
      monthLast = day;
      if (monthPeak === null || peak.kw > monthPeak.kw) monthPeak = peak;
    }
    if (month !== null && monthPeak !== null)
      yield emit(monthPeak, month, monthDays(month).first, monthFirst, monthLast);
  }
}

interface Cell {
  org: string;
  orgId: number;
  rateClassId: number;
  rateClass: string;
  period: string;
  zone: string;
  startDay: number;
  /** UTC epoch of the cell's first local hour. */
  base: number;
  /** Summed kW per clock hour since base. */
  hours: Float64Array;
  /** usage point → its largest hourly kW and its customer key. */
  ncp: Map<number, { kw: number; customer: string }>;
  customers: Set<string>;
}

/**
 * Clock-hour kW of a decoded block into `buf` (kWh of each clock hour = its average kW), hour 0
 * being the clock hour of the block's start; returns that hour's epoch (and sets hoursN).
 */
function blockHours(
  start: number,
  seconds: number,
  count: number,
  values: Float64Array,
  quality: Uint8Array,
  factor: number,
  buf: Float64Array,
): number {
  const h0 = start - (((start % 3600) + 3600) % 3600);
  const n = Math.ceil((start + count * seconds - h0) / 3600);
  buf.fill(0, 0, n);
  for (let i = 0; i < count; i++) {
    const q = quality[i] as number;
    if (q === QUALITY.missing || q === QUALITY.failed) continue;
    const k = Math.floor((start + i * seconds - h0) / 3600);
    buf[k] = (buf[k] ?? 0) + (values[i] as number) * factor;
  }
  hoursN = n;
  return h0;
}
/** Hours filled by the last blockHours() call. */
let hoursN = 0;

const dayOfHourCache = new Map<string, Map<number, number>>();

/** The local day of an instant (cached per zone: many usage points share the peak hours). */
function dayOfInstant(epoch: number, zone: string): number {
  let m = dayOfHourCache.get(zone);
  if (!m) dayOfHourCache.set(zone, (m = new Map()));
  let d = m.get(epoch);
  if (d === undefined) {
    // The UTC day shifted by the zone offset at that instant.
    d = dayOf(localIso(epoch, zone).slice(0, 10));
    if (m.size > 200_000) m.clear();
    m.set(epoch, d);
  }
  return d;
}

interface Pass1 {
  agreements: Agreements;
  scope: Scope;
  scanner: SeriesScanner;
  rc: Map<number, { code: string; orgId: number; org: string }>;
  daily: boolean;
  cells: Map<string, Cell>;
  /** The same cells by rate class id and period (no key string per block). */
  byClass: Map<number, Map<string, Cell>>;
  buf: Float64Array;
}

/** Pass 1 of the rate-class levels for one usage point: its blocks into the cells' hourly sums. */
function accumulate(pass: Pass1, up: UpRow, factor: number, blocks: SeriesBlocks): void {
  const { agreements, scope, scanner, rc, daily, cells, buf } = pass;
  const upId = up.id;
  // The cell of the previous block, reused while the usage point stays in it.
  let lastCell = null as Cell | null;
  let lastCustomer = '';
  let own: { kw: number; customer: string } = { kw: -Infinity, customer: '' };
  let lastAgreement: Agreement | null = null;
  const list = agreements.of(upId);
  for (let i = 0; i < blocks.n; i++) {
    const day = blocks.day[i] as number;
    // Agreements.at() inline: the latest-starting agreement in force that day.
    let a: Agreement | null = null;
    for (const x of list) if (x.firstDay <= day && day <= x.lastDay) a = x;
    if (a?.rateClassId == null || !scope.dayIn(upId, day, a.rateClassId)) continue;
    const cls = rc.get(a.rateClassId);
    if (!cls) continue;
    const period = daily ? isoOfDay(day) : monthOfDay(day);
    const customer =
      a === lastAgreement
        ? lastCustomer
        : a.customerId === null
          ? `up:${upId}`
          : `c:${a.customerId}`;
    lastAgreement = a;
    let cell: Cell | null = lastCell;
    if (
      cell === null ||
      cell.rateClassId !== a.rateClassId ||
      cell.period !== period ||
      lastCustomer !== customer
    ) {
      let byPeriod = pass.byClass.get(a.rateClassId);
      if (!byPeriod) pass.byClass.set(a.rateClassId, (byPeriod = new Map()));
      cell = byPeriod.get(period) ?? null;
      if (!cell) {
        const key = `${cls.org}|${cls.code}|${a.rateClassId}|${period}`;
        const startDay = daily ? day : monthDays(period).first;
        const endDay = daily ? day : monthDays(period).last;
        const base = localDay(startDay, up.zone).start;
        const end = localDay(endDay + 1, up.zone).start;
        cell = {
          org: cls.org,
          orgId: cls.orgId,
          rateClassId: a.rateClassId,
          rateClass: cls.code,
          period,
          zone: up.zone,
          startDay,
          base,
          hours: new Float64Array(Math.ceil((end - base) / 3600) + 1),
          ncp: new Map(),
          customers: new Set(),
        };
        cells.set(key, cell);
        byPeriod.set(period, cell);
      }
      cell.customers.add(customer);
      const found = cell.ncp.get(upId);
      if (found) own = found;
      else cell.ncp.set(upId, (own = { kw: -Infinity, customer }));
      lastCell = cell;
      lastCustomer = customer;
    }
    const count = scanner.decode(blocks, i);
    const start = blocks.start[i] as number;
    const seconds = blocks.seconds[i] as number;
    const hours = cell.hours;
    let ownKw = own.kw;
    if (seconds === 3600 && start % 3600 === 0) {
      // Hourly slots on clock hours (the common case): slot k is clock hour k; the same sums
      // as blockHours() without the staging buffer.
      const values = scanner.values;
      const quality = scanner.qualities;
      const offset = Math.round((start - cell.base) / 3600);
      const from = Math.max(0, -offset);
      const to = Math.min(count, hours.length - offset);
      if (blocks.qualityLen[i] === 0) {
        // Every slot valid.
        for (let k = 0; k < count; k++) {
          const kw = 0 + (values[k] as number) * factor;
          if (k >= from && k < to) hours[offset + k] = (hours[offset + k] as number) + kw;
          if (kw > ownKw) ownKw = kw;
        }
      } else {
        for (let k = 0; k < count; k++) {
          const q = quality[k] as number;
          const kw =
            q === QUALITY.missing || q === QUALITY.failed ? 0 : 0 + (values[k] as number) * factor;
          if (k >= from && k < to) hours[offset + k] = (hours[offset + k] as number) + kw;
          if (kw > ownKw) ownKw = kw;
        }
      }
    } else {
      const h0 = blockHours(start, seconds, count, scanner.values, scanner.qualities, factor, buf);
      const n = hoursN;
      const offset = Math.round((h0 - cell.base) / 3600);
      for (let k = 0; k < n; k++) {
        const kw = buf[k] ?? 0;
        const idx = offset + k;
        if (idx >= 0 && idx < hours.length) hours[idx] = (hours[idx] as number) + kw;
        if (kw > ownKw) ownKw = kw;
      }
    }
    own.kw = ownKw;
  }
}

function* rateClassRows(db: Database, p: P, scope: Scope): Generator<DatasetRow> {
  const agreements = new Agreements(db);
  const factors = unitFactors(db);
  const scanner = new SeriesScanner(db);
  const daily = p.level === 'rate_class_daily';
  const cells = new Map<string, Cell>();
  const rc = new Map<number, { code: string; orgId: number; org: string }>(
    (
      db
        .prepare(
          'SELECT r.id, r.code, r.org_id AS orgId, o.code AS org FROM rate_class r JOIN organization o ON o.id = r.org_id',
        )
        .all() as { id: number; code: string; orgId: number; org: string }[]
    ).map((r) => [r.id, r]),
  );
  const sources: { up: UpRow; s: SeriesRow; factor: number }[] = [];
  // Hours of one block: 25 on a fall-back day, plus one when a block starts off the hour.
  const buf = new Float64Array(27);
  // Pass 1: hourly sums per cell and each usage point's own peak.
  const pass: Pass1 = { agreements, scope, scanner, rc, daily, cells, byClass: new Map(), buf };
  for (const upId of scope.usagePoints) {
    const s = intervalSource(db, upId);
    if (!s) continue;
    const up = upRow(db, upId);
    const factor = factors.get(s.unit)?.factor ?? 1;
    sources.push({ up, s, factor });
    accumulate(pass, up, factor, scanner.read(s.id, scope.fromDay, scope.toDay));
  }
  // Pass 2: each usage point's demand at its cell's coincident peak hour.
  const cp = new Map<string, { hour: number; kw: number }>();
  for (const [key, cell] of cells) {
    let best = 0;
    for (let k = 1; k < cell.hours.length; k++)
      if ((cell.hours[k] ?? 0) > (cell.hours[best] ?? 0)) best = k;
    cp.set(key, { hour: cell.base + best * 3600, kw: cell.hours[best] ?? 0 });
    cell.hours = new Float64Array(0);
  }
  const ncpRule = new FifteenFifteen();
  const cpRule = new FifteenFifteen();
  // Per usage point, its cells' keys, CP hours and its customer there (parallel arrays: no
  // object per (cell, usage point), which the daily level has millions of).
  const cpByUp = new Map<number, { keys: string[]; hours: number[]; customers: string[] }>();
  for (const [key, cell] of cells) {
    const peak = cp.get(key) as { hour: number; kw: number };
    for (const [up, own] of cell.ncp) {
      ncpRule.add(key, own.customer, own.kw);
      let list = cpByUp.get(up);
      if (!list) cpByUp.set(up, (list = { keys: [], hours: [], customers: [] }));
      list.keys.push(key);
      list.hours.push(peak.hour);
      list.customers.push(own.customer);
    }
  }
  for (const { up, s, factor } of sources) {
    const wanted = cpByUp.get(up.id);
    if (!wanted) continue;
    cpByUp.delete(up.id);
    const days = wanted.hours.map((h) => dayOfInstant(h, up.zone));
    // The blocks of those days (the block of the peak hour's local day), in one read: a range
    // when they are many (daily cells), else the list.
    const unique = [...new Set(days)];
    let first = Infinity;
    let last = -Infinity;
    for (const d of unique) {
      if (d < first) first = d;
      if (d > last) last = d;
    }
    const blocks =
      unique.length > 31 ? scanner.read(s.id, first, last) : scanner.readDays(s.id, unique);
    const at = new Map<number, number>();
    for (let i = 0; i < blocks.n; i++) at.set(blocks.day[i] as number, i);
    for (let j = 0; j < days.length; j++) {
      const hour = wanted.hours[j] as number;
      const i = at.get(days[j] as number);
      let kw = 0;
      if (i !== undefined) {
        const count = scanner.decode(blocks, i);
        const h0 = blockHours(
          blocks.start[i] as number,
          blocks.seconds[i] as number,
          count,
          scanner.values,
          scanner.qualities,
          factor,
          buf,
        );
        const k = Math.round((hour - h0) / 3600);
        if (k >= 0 && k < hoursN) kw = buf[k] ?? 0;
      }
      cpRule.add(wanted.keys[j] as string, wanted.customers[j] as string, kw);
    }
  }
  const keys = [...cells.keys()].sort((a, b) => {
    const x = cells.get(a) as Cell;
    const y = cells.get(b) as Cell;
    return x.org < y.org
      ? -1
      : x.org > y.org
        ? 1
        : x.rateClass < y.rateClass
          ? -1
          : x.rateClass > y.rateClass
            ? 1
            : x.period < y.period
              ? -1
              : x.period > y.period
                ? 1
                : 0;
  });
  for (const key of keys) {
    const cell = cells.get(key) as Cell;
    const peak = cp.get(key) as { hour: number; kw: number };
    const verdict = worse(ncpRule.verdict(key), cpRule.verdict(key));
    let ncp = 0;
    for (const own of cell.ncp.values()) ncp += own.kw;
    const released = verdict.released;
    yield {
      values: {
        level: p.level,
        class: cell.rateClass,
        usage_point: cell.org,
        time_start: localIso(localDay(cell.startDay, cell.zone).start, cell.zone),
        uom: uomLabel('kW'),
        source: 'hourly',
        period: cell.period,
        customers: released ? cell.customers.size : null,
        usage_points: released ? cell.ncp.size : null,
        coincident_peak_kw: released ? kw9(peak.kw) : null,
        coincident_peak_time: released ? localIso(peak.hour, cell.zone) : null,
        non_coincident_peak_kw: released ? kw9(ncp) : null,
        suppressed: !released,
        suppression_reason: verdict.reason,
      },
      subjects: [],
      suppressed: !released,
    };
  }
}

function worse(a: CellVerdict, b: CellVerdict): CellVerdict {
  return a.released ? b : a;
}

export const core03Demand = defineDataset({
  name: 'core-03-demand',
  version: 1,
  title: 'CORE-03 demand study',
  description:
    'Daily and monthly peak kW per usage point (the seed\'s "KW Daily" rows), and coincident and non-coincident peaks per rate class by day or month under the 15/15 rule.',
  privacyClass: 'customer_usage',
  params: Params,
  columns: COLUMNS,
  rows(ctx, params) {
    const scope = new Scope(ctx.db, params);
    return params.level === 'daily' || params.level === 'monthly'
      ? usagePointRows(ctx.db, params, scope)
      : rateClassRows(ctx.db, params, scope);
  },
});
