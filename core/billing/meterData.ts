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

/** Blocks of one series as the grouped statement returns them (see readPopulation). */
type GroupedRow = [number, string, Buffer | null, Buffer | null];
/** Block columns of one series, one array each: day, start, seconds, count, scale, base,
 * width, length(quality) (null: all valid). */
type BlockColumns = [
  number[],
  number[],
  number[],
  number[],
  number[],
  number[],
  number[],
  (number | null)[],
];

/** The interval data of one series over [fromDay, toDay), decoded. */
export interface SeriesDays extends Omit<IntervalData, 'seconds' | 'unit'> {
  /** Sum of the decoded values (missing slots count 0), micro-units. */
  totalMicro: number;
}

// One row per series: the blocks' small columns as JSON arrays (one array per column:
// json_group_array of a plain column costs SQLite little, a json_array per block or text
// concatenation costs more, and JSON.parse reads flat number arrays fast), the value payloads
// and the quality payloads each concatenated by SQLite. Every aggregate of a group steps over
// the same rows in the same (arbitrary) order, so element i of every column and the i-th
// payloads belong to one block, and the decoder places each block by its own day: no ORDER BY
// is needed (one costs a temporary B-tree). group_concat reads a BLOB as TEXT without changing
// its bytes in a UTF-8 database and CAST(… AS BLOB) takes them back; other encodings use
// hex()/unhex().
function groupedSql(db: Database, where: string): string {
  const utf8 = db.pragma('encoding', { simple: true }) === 'UTF-8';
  const cat = (col: string): string =>
    utf8 ? `CAST(group_concat(${col}, '') AS BLOB)` : `unhex(group_concat(hex(${col}), ''))`;
  const cols = ['day', 'start', 'seconds', 'count', 'scale', 'base', 'width', 'length(quality)'];
  return `SELECT series_id, json_array(${cols.map((c) => `json_group_array(${c})`).join(', ')}),
      ${cat('vals')}, ${cat('quality')}
    FROM interval_block WHERE ${where} AND day >= ? AND day < ? GROUP BY series_id`;
}

const oneStmt = new WeakMap<Database, Statement>();
const manyStmt = new WeakMap<Database, Statement>();

function cached(cache: WeakMap<Database, Statement>, db: Database, where: string): Statement {
  let s = cache.get(db);
  if (!s) {
    s = db.prepare(groupedSql(db, where)).raw(true);
    cache.set(db, s);
  }
  return s;
}

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
  const stmt = cached(oneStmt, db, 'series_id = ?');
  const row = stmt.get(seriesId, fromDay, toDay) as GroupedRow | undefined;
  if (row) {
    const { days, estimated, missing, precisionLoss } = decodeSeries(row, fromDay, toDay, shift);
    return { days, estimated, missing, precisionLoss };
  }
  const days = new Array<DayData | null>(Math.max(0, toDay - fromDay)).fill(null);
  return { days, estimated: 0, missing: 0, precisionLoss: false };
}

/**
 * Interval days [fromDay, toDay) of many series (a population: rate-design comparisons,
 * benchmarks) in one statement, yielded one series at a time in no particular order; series
 * without a block in the range are not yielded. Same decoding as readIntervalDays.
 *
 * The fast path: better-sqlite3 costs a few µs per row returned (the row array and one Buffer
 * per BLOB), more than decoding a day, so SQLite groups the blocks one row per series (see
 * groupedSql) and each series' values decode into one Float64Array that its days view.
 */
export function* readPopulation(
  db: Database,
  seriesIds: readonly number[],
  fromDay: number,
  toDay: number,
  shift: number,
): Generator<SeriesDays> {
  if (seriesIds.length === 0) return;
  const stmt = cached(manyStmt, db, 'series_id IN (SELECT value FROM json_each(?))');
  // Ascending ids let SQLite group in index order without a sorter.
  const ids = JSON.stringify([...seriesIds].sort((a, b) => a - b));
  for (const row of stmt.iterate(ids, fromDay, toDay) as IterableIterator<GroupedRow>)
    yield decodeSeries(row, fromDay, toDay, shift);
}

/** Decode one grouped row (the blocks of one series) to integer micro-units. */
function decodeSeries(row: GroupedRow, fromDay: number, toDay: number, shift: number): SeriesDays {
  const [seriesId, columns, valsAll, qualAll] = row;
  const [day, start, seconds, count, scale, base, width, qlen] = JSON.parse(
    columns,
  ) as BlockColumns;
  const blocks = day.length;
  let slots = 0;
  let bytes = 0;
  for (let k = 0; k < blocks; k++) {
    const n = count[k] as number;
    slots += n;
    bytes += n * (width[k] as number);
  }
  if (bytes !== (valsAll?.length ?? 0))
    throw new Error(
      `interval blocks of series ${seriesId}: ${valsAll?.length ?? 0} value bytes where the blocks' counts and widths make ${bytes}`,
    );
  const days = new Array<DayData | null>(toDay - fromDay).fill(null);
  const all = new Float64Array(slots);
  const acc: DecodeAcc = { estimated: 0, missing: 0, precisionLoss: false };
  let total = 0;
  let slot = 0;
  let vo = 0;
  let qo = 0;
  for (let k = 0; k < blocks; k++) {
    const d = day[k] as number;
    const n = count[k] as number;
    const w = width[k] as number;
    const values = all.subarray(slot, slot + n);
    decodeValues(
      values,
      scale[k] as number,
      base[k] as number,
      w,
      valsAll as Buffer,
      vo,
      shift,
      acc,
    );
    let quality: Uint8Array | null = null;
    const ql = qlen[k] ?? 0;
    if (ql > 0 && qualAll) {
      quality = decodeQuality(n, qualAll.subarray(qo, qo + ql));
      countQuality(values, quality, acc);
    }
    for (let i = 0; i < n; i++) total += values[i] as number;
    days[d - fromDay] = {
      day: d,
      start: start[k] as number,
      seconds: seconds[k] as number,
      values,
      quality,
    };
    slot += n;
    vo += n * w;
    qo += ql;
  }
  const { estimated, missing, precisionLoss } = acc;
  return { seriesId, days, estimated, missing, precisionLoss, totalMicro: total };
}

interface DecodeAcc {
  estimated: number;
  missing: number;
  precisionLoss: boolean;
}

/**
 * Decode the packed values of one block (bytes from `o` of `src`) into `values`, in integer
 * micro-units: value = (base + offset) / 10^scale units of the series = × 10^(6 + shift − scale)
 * micro-units, exact integer arithmetic while the exponent is ≥ 0.
 */
function decodeValues(
  values: Float64Array,
  scale: number,
  b: number,
  w: number,
  src: Buffer,
  o: number,
  shift: number,
  acc: DecodeAcc,
): void {
  const n = values.length;
  const e = 6 + shift - scale;
  if (w === 8) {
    const f = 10 ** (6 + shift);
    for (let i = 0; i < n; i++) {
      const v = src.readDoubleBE(o + i * 8) * f;
      const m = Math.round(v);
      if (Math.abs(v - m) > 1e-6) acc.precisionLoss = true;
      values[i] = m;
    }
  } else if (e >= 0) {
    const f = POW10[e] as number;
    if (w === 0) values.fill(b * f);
    else if (w === 1) for (let i = 0; i < n; i++) values[i] = (b + (src[o + i] as number)) * f;
    else if (w === 2)
      for (let i = 0, j = o; i < n; i++, j += 2)
        values[i] = (b + (((src[j] as number) << 8) | (src[j + 1] as number))) * f;
    else if (w === 3)
      for (let i = 0, j = o; i < n; i++, j += 3)
        values[i] =
          (b +
            (((src[j] as number) << 16) | ((src[j + 1] as number) << 8) | (src[j + 2] as number))) *
          f;
    else for (let i = 0; i < n; i++) values[i] = (b + src.readUIntBE(o + i * w, w)) * f;
  } else {
    const f = POW10[-e] as number;
    for (let i = 0; i < n; i++) {
      const raw = b + (w > 0 ? src.readUIntBE(o + i * w, w) : 0);
      const m = Math.round(raw / f);
      if (m * f !== raw) acc.precisionLoss = true;
      values[i] = m;
    }
  }
}

/** Count estimated and missing slots; missing and failed slots count 0. */
function countQuality(values: Float64Array, quality: Uint8Array, acc: DecodeAcc): void {
  for (let i = 0; i < values.length; i++) {
    const q = quality[i] as number;
    if (q === QUALITY.missing || q === QUALITY.failed) {
      acc.missing++;
      values[i] = 0;
    } else if (q !== QUALITY.valid) acc.estimated++;
  }
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
