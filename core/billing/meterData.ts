// Meter data for a bill: interval blocks decoded straight to integer micro-units (no float
// sums), and register reads on the period's dates. Every oddity becomes a flag the bill shows:
// estimated or missing intervals, days without data, estimated reads, a meter rollover.
import type { Database, Statement } from 'better-sqlite3';
import { decodeQuality } from '../metering/intervalCodec';
import { QUALITY } from '../metering/quality';
import { isoDay } from './tariff';
import { parseDec } from '../import/decimal';

export interface Flag {
  code:
    | 'estimated'
    | 'missing'
    | 'no_data_days'
    | 'precision'
    | 'estimated_read'
    | 'rollover'
    | 'reads_vs_intervals'
    | 'proration_fallback'
    | 'unit';
  message: string;
}

/** One local day of interval data: values in integer micro-units of the billing unit. */
export interface DayData {
  day: number;
  start: number;
  seconds: number;
  values: Float64Array;
  quality: Uint8Array | null;
}

export interface IntervalData {
  seriesId: number;
  seconds: number;
  unit: string;
  /** days[d − fromDay], null where the day has no block. */
  days: (DayData | null)[];
  /** Slots flagged estimated/edited, missing or failed. */
  estimated: number;
  missing: number;
  precisionLoss: boolean;
}

export interface ReadsData {
  previous: { date: string; reading: string; estimated: boolean };
  present: { date: string; reading: string; estimated: boolean };
  multiplier: string;
  /** present − previous (× multiplier), micro-units. */
  usageMicro: number;
  unit: string;
  rollover: boolean;
}

const POW10 = Array.from({ length: 19 }, (_, i) => 10 ** i);

/** Scale shift from `unit` to `target` when they differ by a power of ten (Wh → kWh: 3). */
export function unitShift(db: Database, unit: string, target: string): number | null {
  if (unit === target) return 0;
  const rows = db
    .prepare('SELECT code, canonical, factor FROM unit WHERE code IN (?, ?)')
    .all(unit, target) as { code: string; canonical: string; factor: number }[];
  const a = rows.find((r) => r.code === unit);
  const b = rows.find((r) => r.code === target);
  if (!a || !b || a.canonical !== b.canonical) return null;
  const ratio = b.factor / a.factor; // unit → target: value / ratio
  const k = Math.round(Math.log10(ratio));
  return Math.abs(ratio - 10 ** k) < 1e-9 * ratio ? k : null;
}

/** day, start, seconds, count, scale, base, width, vals, quality */
type RawBlock = [number, number, number, number, number, number, number, Buffer, Buffer | null];

const stmtCache = new WeakMap<Database, Statement>();

/**
 * Interval days [fromDay, toDay) of a series in micro-units of the target unit, where `shift`
 * is the power of ten between the series unit and the target (Wh → kWh: 3).
 */
export function readIntervalDays(
  db: Database,
  seriesId: number,
  fromDay: number,
  toDay: number,
  shift: number,
): Omit<IntervalData, 'seriesId' | 'seconds' | 'unit'> {
  let stmt = stmtCache.get(db);
  if (!stmt) {
    stmt = db
      .prepare(
        `SELECT day, start, seconds, count, scale, base, width, vals, quality
       FROM interval_block WHERE series_id = ? AND day >= ? AND day < ? ORDER BY day`,
      )
      .raw(true);
    stmtCache.set(db, stmt);
  }
  const acc: DecodeAcc = { estimated: 0, missing: 0, precisionLoss: false };
  const days: (DayData | null)[] = new Array<DayData | null>(toDay - fromDay).fill(null);
  for (const row of stmt.all(seriesId, fromDay, toDay) as RawBlock[]) {
    const d = decodeRow(row, 0, shift, acc);
    days[d.day - fromDay] = d;
  }
  const { estimated, missing, precisionLoss } = acc;
  return { days, estimated, missing, precisionLoss };
}

interface DecodeAcc {
  estimated: number;
  missing: number;
  precisionLoss: boolean;
}

/** Decode one raw block row (columns from offset `o`) to integer micro-units. */
function decodeRow(row: unknown[], o: number, shift: number, acc: DecodeAcc): DayData {
  const day = row[o] as number;
  const start = row[o + 1] as number;
  const seconds = row[o + 2] as number;
  const n = row[o + 3] as number;
  const scale = row[o + 4] as number;
  const b = row[o + 5] as number;
  const w = row[o + 6] as number;
  const vals = row[o + 7] as Buffer;
  const qual = row[o + 8] as Buffer | null;
  const values = new Float64Array(n);
  // value = (base + offset) / 10^scale units of the series = × 10^(6 + shift − scale) micro.
  const e = 6 + shift - scale;
  if (w === 8) {
    const f = 10 ** (6 + shift);
    for (let i = 0; i < n; i++) {
      const v = vals.readDoubleBE(i * 8) * f;
      const m = Math.round(v);
      if (Math.abs(v - m) > 1e-6) acc.precisionLoss = true;
      values[i] = m;
    }
  } else if (e >= 0) {
    const f = POW10[e] as number;
    if (w === 0) values.fill(b * f);
    else if (w === 1) for (let i = 0; i < n; i++) values[i] = (b + (vals[i] as number)) * f;
    else if (w === 2)
      for (let i = 0, j = 0; i < n; i++, j += 2)
        values[i] = (b + (((vals[j] as number) << 8) | (vals[j + 1] as number))) * f;
    else if (w === 3)
      for (let i = 0, j = 0; i < n; i++, j += 3)
        values[i] =
          (b +
            (((vals[j] as number) << 16) |
              ((vals[j + 1] as number) << 8) |
              (vals[j + 2] as number))) *
          f;
    else for (let i = 0; i < n; i++) values[i] = (b + vals.readUIntBE(i * w, w)) * f;
  } else {
    const f = POW10[-e] as number;
    for (let i = 0; i < n; i++) {
      const raw = b + (w > 0 ? vals.readUIntBE(i * w, w) : 0);
      const m = Math.round(raw / f);
      if (m * f !== raw) acc.precisionLoss = true;
      values[i] = m;
    }
  }
  let quality: Uint8Array | null = null;
  if (qual) {
    quality = decodeQuality(n, qual);
    for (let i = 0; i < n; i++) {
      const q = quality[i] as number;
      if (q === QUALITY.missing || q === QUALITY.failed) {
        acc.missing++;
        values[i] = 0;
      } else if (q !== QUALITY.valid) acc.estimated++;
    }
  }
  return { day, start, seconds, values, quality };
}

/**
 * Interval days [fromDay, toDay) of many series at once, in one statement (a population run:
 * rate-design comparisons, benchmarks). Same decoding as readIntervalDays.
 */
export function readPopulationDays(
  db: Database,
  seriesIds: readonly number[],
  fromDay: number,
  toDay: number,
  shift: number,
): Map<number, (DayData | null)[]> {
  const out = new Map<number, (DayData | null)[]>();
  for (const id of seriesIds) out.set(id, new Array<DayData | null>(toDay - fromDay).fill(null));
  const acc: DecodeAcc = { estimated: 0, missing: 0, precisionLoss: false };
  const stmt = db
    .prepare(
      `SELECT series_id, day, start, seconds, count, scale, base, width, vals, quality
       FROM interval_block WHERE series_id IN (SELECT value FROM json_each(?)) AND day >= ? AND day < ?`,
    )
    .raw(true);
  for (const row of stmt.iterate(JSON.stringify(seriesIds), fromDay, toDay) as IterableIterator<
    unknown[]
  >) {
    const days = out.get(row[0] as number);
    if (!days) continue;
    const d = decodeRow(row, 1, shift, acc);
    days[d.day - fromDay] = d;
  }
  return out;
}

export interface SeriesChoice {
  seriesId: number;
  seconds: number;
  unit: string;
  blocks: number;
}

/** Energy interval series of a usage point with their coverage of [fromDay, toDay). */
export function energySeries(
  db: Database,
  usagePointId: number,
  fromDay: number,
  toDay: number,
): SeriesChoice[] {
  return db
    .prepare(
      `SELECT s.id AS seriesId, rt.interval_seconds AS seconds, rt.unit AS unit,
              (SELECT count(*) FROM interval_block b WHERE b.series_id = s.id AND b.day >= ? AND b.day < ?) AS blocks
       FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id
       WHERE s.usage_point_id = ? AND rt.interval_seconds IS NOT NULL AND rt.accumulation = 'delta'
         AND rt.flow_direction IN ('forward', 'total') AND rt.measure IN ('energy', 'volume')
       ORDER BY blocks DESC, rt.interval_seconds ASC`,
    )
    .all(fromDay, toDay, usagePointId) as SeriesChoice[];
}

/** Register reads of a usage point on the two dates, if both exist. */
export function readsOn(
  db: Database,
  usagePointId: number,
  fromIso: string,
  toIso: string,
  targetUnit: string,
): { data: ReadsData | null; flags: Flag[]; problem: string | null } {
  const rows = db
    .prepare(
      `SELECT rr.read_date, rr.reading, rr.multiplier, rr.estimated, rr.quality, rt.unit, m.dials, rr.reading_type_id
       FROM register_read rr JOIN reading_type rt ON rt.id = rr.reading_type_id
       LEFT JOIN meter m ON m.id = rr.meter_id
       WHERE rr.usage_point_id = ? AND rr.read_date IN (?, ?) AND rt.accumulation = 'summation'
       ORDER BY rr.reading_type_id, rr.read_date`,
    )
    .all(usagePointId, fromIso, toIso) as {
    read_date: string;
    reading: string;
    multiplier: string;
    estimated: number;
    quality: number;
    unit: string;
    dials: number | null;
    reading_type_id: number;
  }[];
  const prev = rows.find((r) => r.read_date === fromIso);
  const pres = rows.find(
    (r) => r.read_date === toIso && r.reading_type_id === prev?.reading_type_id,
  );
  if (!prev || !pres) return { data: null, flags: [], problem: null };
  const flags: Flag[] = [];
  const a = parseDec(prev.reading);
  const b = parseDec(pres.reading);
  const mult = parseDec(pres.multiplier);
  if (!a || !b || !mult)
    return { data: null, flags, problem: `register reads on ${fromIso}/${toIso} are not numbers` };
  const shift = unitShift(db, pres.unit, targetUnit);
  if (shift === null)
    return {
      data: null,
      flags,
      problem: `register reads are in ${pres.unit}, the tariff prices ${targetUnit}`,
    };
  const scale = Math.max(a.scale, b.scale);
  let diff = b.digits * 10n ** BigInt(scale - b.scale) - a.digits * 10n ** BigInt(scale - a.scale);
  let rollover = false;
  if (diff < 0n) {
    if (pres.dials === null)
      return {
        data: null,
        flags,
        problem: `the present read ${pres.reading} (${toIso}) is below the previous read ${prev.reading} (${fromIso}) and the meter's dials are unknown`,
      };
    diff += 10n ** BigInt(pres.dials + scale);
    rollover = true;
    flags.push({
      code: 'rollover',
      message: `the meter rolled over (${pres.dials} dials) between ${fromIso} and ${toIso}`,
    });
  }
  // micro-units = diff × multiplier × 10^(6 + shift − scale − mult.scale)
  const e = 6 + shift - scale - mult.scale;
  let micro = diff * mult.digits;
  if (e >= 0) micro *= 10n ** BigInt(e);
  else {
    const f = 10n ** BigInt(-e);
    if (micro % f !== 0n)
      flags.push({ code: 'precision', message: 'read difference below a micro-unit ignored' });
    micro /= f;
  }
  for (const r of [prev, pres])
    if (r.estimated === 1 || r.quality === QUALITY.estimated)
      flags.push({ code: 'estimated_read', message: `the read of ${r.read_date} is estimated` });
  return {
    data: {
      previous: { date: fromIso, reading: prev.reading, estimated: prev.estimated === 1 },
      present: { date: toIso, reading: pres.reading, estimated: pres.estimated === 1 },
      multiplier: pres.multiplier,
      usageMicro: Number(micro),
      unit: targetUnit,
      rollover,
    },
    flags,
    problem: null,
  };
}

export function missingDaysText(days: number[]): string {
  const shown = days.slice(0, 5).map(isoDay).join(', ');
  return days.length > 5 ? `${shown} … (${days.length} days)` : shown;
}
