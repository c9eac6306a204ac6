/**
 * Usage of one platform premise: per usage point (and non-utility sensor) series, daily or
 * monthly totals in the native unit, plus kWh (common energy) and therms (gas). Reads the
 * stored block totals (missing slots excluded) and decodes only quality runs. Customer usage
 * is withheld per usage point as the role and consent decide (docs/premise-explorer.md).
 * Billing-period readings (period_usage) are listed as stored, beside the series.
 */
import type { Database } from 'better-sqlite3';
import { decodeQuality, QUALITY } from '../metering/intervalCodec';
import { ENERGY_RULES, energyFactor, thermFactor } from '../metering/energy';
import { dayToIso, isoToDay } from '../time/zone';
import { QUALITY_NAMES } from '../metering/quality';
import type { Role } from '../privacy/roles';
import { PremisePrivacy, type Owner } from './privacy';
import { list, resolvePremise, round6, SERIES_SQL, type SeriesRow } from './resolve';
import type { PremiseRef, PremiseUsage, UsagePeriod, UsageSeries } from './schema';

export interface UsageOptions {
  role: Role;
  granularity: 'day' | 'month';
  from?: string;
  to?: string;
  now?: Date;
}

/** A series the usage views chart: metered delta energy or volume at a fixed interval. */
export interface UsageSource {
  series: SeriesRow;
  source: 'usage_point' | 'sensor';
  key: string;
  org: string;
}

export interface PremiseSources {
  platformId: string | null;
  premiseIds: number[];
  sources: UsageSource[];
  /** Every usage point and sensor whose usage the role may see (charted or not). */
  visible: { source: 'usage_point' | 'sensor'; id: number; key: string; org: string }[];
  withheld: PremiseUsage['withheld'];
}

/** The chartable series of a premise the role may see, and the usage points it may not. */
export function usageSources(
  db: Database,
  ref: PremiseRef,
  privacy: PremisePrivacy,
): PremiseSources {
  privacy.assertMayView();
  const r = resolvePremise(db, ref);
  const ups = db
    .prepare(
      `SELECT up.id, up.source_key, o.code AS org FROM usage_point up JOIN organization o ON o.id = up.org_id
       WHERE up.premise_id IN (SELECT value FROM json_each(?)) ORDER BY o.code, up.commodity, up.source_key`,
    )
    .all(list(r.premiseIds)) as { id: number; source_key: string; org: string }[];
  const owners = new Map<number, Owner[]>();
  for (const a of db
    .prepare(
      `SELECT sa.usage_point_id, ac.customer_id FROM service_agreement sa JOIN account ac ON ac.id = sa.account_id
       WHERE sa.usage_point_id IN (SELECT value FROM json_each(?)) AND ac.customer_id IS NOT NULL`,
    )
    .all(list(ups.map((u) => u.id))) as { usage_point_id: number; customer_id: number }[]) {
    const l = owners.get(a.usage_point_id) ?? [];
    l.push({ customerId: a.customer_id, usagePointId: a.usage_point_id });
    owners.set(a.usage_point_id, l);
  }
  const chartable = (s: SeriesRow) =>
    s.interval_seconds !== null &&
    s.accumulation === 'delta' &&
    (s.measure === 'energy' || s.measure === 'volume');
  const seriesOfUp = db.prepare(`${SERIES_SQL} WHERE s.usage_point_id = ? ORDER BY rt.id, s.id`);
  const sources: UsageSource[] = [];
  const visible: PremiseSources['visible'] = [];
  const withheld: PremiseUsage['withheld'] = [];
  for (const u of ups) {
    const reason = privacy.hiddenReason(owners.get(u.id) ?? [], 'customer_usage');
    if (reason !== null) {
      withheld.push({ usagePoint: u.source_key, org: u.org, reason });
      continue;
    }
    visible.push({ source: 'usage_point', id: u.id, key: u.source_key, org: u.org });
    for (const s of seriesOfUp.all(u.id) as SeriesRow[])
      if (chartable(s))
        sources.push({ series: s, source: 'usage_point', key: u.source_key, org: u.org });
  }
  // Sensors at the premise records or at an address sharing an AddressID with them.
  const sensors = db
    .prepare(
      `SELECT s.id, s.source_key, o.code AS org FROM sensor s JOIN organization o ON o.id = s.org_id
       WHERE s.premise_id IN (SELECT value FROM json_each(?))
          OR s.address_id IN (SELECT source_id FROM platform_link WHERE kind = 'AddressID' AND source_table = 'address'
               AND platform_id IN (SELECT l.platform_id FROM premise_address pa JOIN platform_link l
                 ON l.kind = 'AddressID' AND l.source_table = 'address' AND l.source_id = pa.address_id
                 WHERE pa.premise_id IN (SELECT value FROM json_each(?))))
       ORDER BY o.code, s.source_key`,
    )
    .all(list(r.premiseIds), list(r.premiseIds)) as {
    id: number;
    source_key: string;
    org: string;
  }[];
  if (sensors.length > 0) {
    const all: Owner[] = [...owners.values()].flat();
    const reason = privacy.hiddenReason(all, 'customer_usage');
    const seriesOfSensor = db.prepare(`${SERIES_SQL} WHERE s.sensor_id = ? ORDER BY rt.id, s.id`);
    for (const s of sensors) {
      if (reason !== null) {
        withheld.push({ usagePoint: `sensor ${s.source_key}`, org: s.org, reason });
        continue;
      }
      visible.push({ source: 'sensor', id: s.id, key: s.source_key, org: s.org });
      for (const x of seriesOfSensor.all(s.id) as SeriesRow[])
        if (chartable(x))
          sources.push({ series: x, source: 'sensor', key: s.source_key, org: s.org });
    }
  }
  return { platformId: r.platformId, premiseIds: r.premiseIds, sources, visible, withheld };
}

interface PeriodRow {
  reading_type: string;
  commodity: string;
  unit: string;
  flow_direction: string;
  start_utc: number;
  end_utc: number;
  first_date: string;
  last_date: string;
  value: string;
  quality: number;
  import_batch_id: number | null;
}

/**
 * The billing-period readings (period_usage) of the visible usage points and sensors that
 * overlap [from, to], by source, key, reading type and start. Values stay exact decimal text;
 * kWh and therms are conveniences through the same factors as the series.
 */
export function premisePeriods(
  db: Database,
  visible: PremiseSources['visible'],
  from?: string,
  to?: string,
): UsagePeriod[] {
  const sql = `SELECT rt.name AS reading_type, rt.commodity, rt.unit, rt.flow_direction, p.start_utc, p.end_utc,
      p.first_date, p.last_date, p.value, p.quality, p.import_batch_id
    FROM period_usage p JOIN reading_type rt ON rt.id = p.reading_type_id
    WHERE p.%s = ? AND p.last_date >= ? AND p.first_date <= ? ORDER BY rt.id, p.start_utc`;
  const ofUp = db.prepare(sql.replace('%s', 'usage_point_id'));
  const ofSensor = db.prepare(sql.replace('%s', 'sensor_id'));
  const out: UsagePeriod[] = [];
  for (const v of visible) {
    const rows = (v.source === 'usage_point' ? ofUp : ofSensor).all(
      v.id,
      from ?? '0000-01-01',
      to ?? '9999-12-31',
    ) as PeriodRow[];
    for (const p of rows) {
      const f = energyFactor(p.unit, p.commodity);
      const t = thermFactor(p.unit, p.commodity);
      const n = Number(p.value);
      out.push({
        source: v.source,
        key: v.key,
        org: v.org,
        commodity: p.commodity,
        readingType: p.reading_type,
        unit: p.unit,
        flowDirection: p.flow_direction,
        from: p.first_date,
        to: p.last_date,
        days: isoToDay(p.last_date) - isoToDay(p.first_date) + 1,
        startUtc: new Date(p.start_utc * 1000).toISOString(),
        endUtc: new Date(p.end_utc * 1000).toISOString(),
        value: p.value,
        kwh: f ? round6(n * f.kwhPerUnit) : null,
        therms: t === null ? null : round6(n * t),
        quality: QUALITY_NAMES[p.quality] ?? String(p.quality),
        batchId: p.import_batch_id,
      });
    }
  }
  return out;
}

interface DayRow {
  day: number;
  count: number;
  total: number;
  quality: Buffer | null;
}

export function premiseUsage(db: Database, ref: PremiseRef, opts: UsageOptions): PremiseUsage {
  const privacy = new PremisePrivacy(db, opts.role, opts.now ?? new Date());
  const src = usageSources(db, ref, privacy);
  const fromDay = opts.from ? isoToDay(opts.from) : -1e8;
  const toDay = opts.to ? isoToDay(opts.to) : 1e8;
  const blocks = db.prepare(
    'SELECT day, count, total, quality FROM interval_block WHERE series_id = ? AND day BETWEEN ? AND ? ORDER BY day',
  );
  let first: string | null = null;
  let last: string | null = null;
  const series: UsageSeries[] = src.sources.map(({ series: s, source, key, org }) => {
    const f = energyFactor(s.unit, s.commodity);
    const t = thermFactor(s.unit, s.commodity);
    const points = new Map<
      string,
      { value: number; readings: number; days: number; missing: number; estimated: number }
    >();
    for (const b of blocks.iterate(s.id, fromDay, toDay) as IterableIterator<DayRow>) {
      const iso = dayToIso(b.day);
      const period = opts.granularity === 'day' ? iso : iso.slice(0, 7);
      let missing = 0;
      let estimated = 0;
      if (b.quality) {
        for (const q of decodeQuality(b.count, b.quality)) {
          if (q === QUALITY.missing) missing++;
          else if (q === QUALITY.estimated) estimated++;
        }
      }
      const p = points.get(period) ?? { value: 0, readings: 0, days: 0, missing: 0, estimated: 0 };
      p.value += b.total;
      p.readings += b.count;
      p.days += 1;
      p.missing += missing;
      p.estimated += estimated;
      points.set(period, p);
      if (first === null || iso < first) first = iso;
      if (last === null || iso > last) last = iso;
    }
    return {
      seriesId: s.id,
      source,
      key,
      org,
      commodity: s.commodity,
      readingType: s.reading_type,
      unit: s.unit,
      intervalSeconds: s.interval_seconds,
      flowDirection: s.flow_direction,
      kwhPerUnit: f?.kwhPerUnit ?? null,
      rule: f?.rule ?? null,
      points: [...points].map(([period, p]) => ({
        period,
        value: round6(p.value),
        kwh: f ? round6(p.value * f.kwhPerUnit) : null,
        therms: t === null ? null : round6(p.value * t),
        readings: p.readings,
        days: p.days,
        missing: p.missing,
        estimated: p.estimated,
      })),
    };
  });
  return {
    platformId: src.platformId,
    granularity: opts.granularity,
    from: first,
    to: last,
    series,
    periods: premisePeriods(db, src.visible, opts.from, opts.to),
    withheld: src.withheld,
    rules: [...ENERGY_RULES],
  };
}
