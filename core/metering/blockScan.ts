// Bulk reads of interval blocks for scans over many series (datasets, docs/interval-storage.md
// "Bulk scans"). readBlocks() returns one row — and one blob copy into a JS Buffer, the main
// cost of a scan (about 2 µs a block) — per series × day; a year of hourly data for 10 000
// usage points is 3.65M rows. SeriesScanner fetches all blocks of one series in a day range
// as ONE row: SQLite concatenates the blocks' values and quality blobs (group_concat keeps
// every byte; CAST back to BLOB) and their small integer columns as one text list, which is
// parsed into typed arrays here. Blocks then decode into caller-owned arrays (no allocation
// per block or reading).
import type { Database, Statement } from 'better-sqlite3';
import { decodeQualityInto, decodeValuesInto } from './intervalCodec';

/** The blocks of one series, in day order, as parallel arrays. */
export interface SeriesBlocks {
  seriesId: number;
  n: number;
  day: Float64Array;
  start: Float64Array;
  seconds: Float64Array;
  count: Float64Array;
  scale: Float64Array;
  base: Float64Array;
  width: Float64Array;
  /** Byte offset of block i's values in `vals`, and of its quality runs in `quality`. */
  valsAt: Float64Array;
  qualityAt: Float64Array;
  qualityLen: Float64Array;
  vals: Uint8Array;
  quality: Uint8Array;
}

// Four integers per block keep SQLite's text conversion (the scan's main cost) small:
// day·2^17 + seconds, start, base, and count + 2^16·(scale + 2^4·(width + 2^4·quality bytes)).
// No ORDER BY inside the aggregates (it makes SQLite sort): the primary key scan yields days in
// order, and read() checks that they ascend (else it reads again with ORDER BY). Both
// aggregates of one row see the rows in the same order, so headers and blobs line up.
const FIELDS = 4;
const DAY_MUL = 131072;
const sql = (order: string, where: string) => `SELECT count(*) AS n,
  group_concat((day * ${DAY_MUL} + seconds) || ',' || start || ',' || base || ',' ||
    (count + 65536 * (scale + 16 * (width + 16 * ifnull(length(quality), 0)))), ','${order}) AS head,
  CAST(group_concat(vals, ''${order}) AS BLOB) AS vals,
  CAST(group_concat(quality, ''${order}) AS BLOB) AS quality
  FROM interval_block WHERE series_id = ? AND ${where}`;
const RANGE = 'day BETWEEN ? AND ?';
const LIST = 'day IN (SELECT value FROM json_each(?))';

const EMPTY = new Uint8Array(0);

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * Parse a comma-separated list of numbers into `out`. Plain decimals of up to 15 digits are
 * digits / 10^fraction digits — both exact, so the one division rounds exactly as Number() does
 * (SQLite prints a REAL with the digits that round-trip); anything else goes through Number().
 */
function parseNumbers(s: string, out: Float64Array): number {
  let k = 0;
  let i = 0;
  const len = s.length;
  while (i < len) {
    const from = i;
    let neg = false;
    let v = 0;
    let digits = 0;
    let frac = -1;
    let plain = true;
    if (s.charCodeAt(i) === 45) {
      neg = true;
      i++;
    }
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c === 44) break;
      if (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        digits++;
        if (frac >= 0) frac++;
      } else if (c === 46 && frac < 0) frac = 0;
      else plain = false;
    }
    let x: number;
    if (plain && digits > 0 && digits <= 15) {
      x = frac > 0 ? v / (POW10[frac] as number) : v;
      if (neg) x = -x;
    } else x = Number(s.slice(from, i));
    out[k++] = x;
    i++;
  }
  return k;
}

function ascending(a: SeriesBlocks): boolean {
  for (let i = 1; i < a.n; i++) if ((a.day[i] as number) <= (a.day[i - 1] as number)) return false;
  return true;
}

export class SeriesScanner {
  private readonly stmt: Statement;
  private readonly ordered: Statement;
  private readonly listStmt: Statement;
  private readonly listOrdered: Statement;
  private head = new Float64Array(0);
  private arrays: SeriesBlocks | null = null;
  /** Decoded values and quality of the last decode() call. */
  values = new Float64Array(32);
  qualities = new Uint8Array(32);

  constructor(db: Database) {
    this.stmt = db.prepare(sql('', RANGE));
    this.ordered = db.prepare(sql(' ORDER BY day', RANGE));
    this.listStmt = db.prepare(sql('', LIST));
    this.listOrdered = db.prepare(sql(' ORDER BY day', LIST));
  }

  /** All blocks of a series between two local days (inclusive). The result is reused. */
  read(seriesId: number, fromDay = -1e9, toDay = 1e9): SeriesBlocks {
    const a = this.load(this.stmt, seriesId, [fromDay, toDay]);
    return ascending(a) ? a : this.load(this.ordered, seriesId, [fromDay, toDay]);
  }

  /** The blocks of a series on the given local days (those that exist), in day order. */
  readDays(seriesId: number, days: readonly number[]): SeriesBlocks {
    const list = JSON.stringify(days);
    const a = this.load(this.listStmt, seriesId, [list]);
    return ascending(a) ? a : this.load(this.listOrdered, seriesId, [list]);
  }

  private load(stmt: Statement, seriesId: number, args: unknown[]): SeriesBlocks {
    const row = stmt.get(seriesId, ...args) as {
      n: number;
      head: string | null;
      vals: Uint8Array | null;
      quality: Uint8Array | null;
    };
    const n = row.n;
    let a = this.arrays;
    if (!a || a.day.length < n) {
      const size = Math.max(n, 512);
      const f = () => new Float64Array(size);
      a = {
        seriesId,
        n: 0,
        day: f(),
        start: f(),
        seconds: f(),
        count: f(),
        scale: f(),
        base: f(),
        width: f(),
        valsAt: f(),
        qualityAt: f(),
        qualityLen: f(),
        vals: EMPTY,
        quality: EMPTY,
      };
      this.arrays = a;
    }
    a.seriesId = seriesId;
    a.n = n;
    a.vals = row.vals ?? EMPTY;
    a.quality = row.quality ?? EMPTY;
    if (n === 0) return a;
    if (this.head.length < n * FIELDS) this.head = new Float64Array(n * FIELDS * 2);
    const h = this.head;
    const got = parseNumbers(row.head ?? '', h);
    if (got !== n * FIELDS)
      throw new Error(`interval blocks of series ${seriesId}: bad header list (${got} fields)`);
    let vAt = 0;
    let qAt = 0;
    for (let i = 0, j = 0; i < n; i++, j += FIELDS) {
      const f0 = h[j] as number;
      const day = Math.floor(f0 / DAY_MUL);
      a.day[i] = day;
      a.seconds[i] = f0 - day * DAY_MUL;
      a.start[i] = h[j + 1] as number;
      a.base[i] = h[j + 2] as number;
      const f3 = h[j + 3] as number;
      const count = f3 % 65536;
      const rest = (f3 - count) / 65536;
      const scale = rest % 16;
      const rest2 = (rest - scale) / 16;
      const width = rest2 % 16;
      const ql = (rest2 - width) / 16;
      a.count[i] = count;
      a.scale[i] = scale;
      a.width[i] = width;
      a.valsAt[i] = vAt;
      vAt += count * width;
      a.qualityAt[i] = qAt;
      a.qualityLen[i] = ql;
      qAt += ql;
    }
    if (vAt !== a.vals.length || qAt !== a.quality.length)
      throw new Error(`interval blocks of series ${seriesId}: blob lengths do not match`);
    return a;
  }

  /** Decode block i of `b` into `this.values` / `this.qualities`; returns its slot count. */
  decode(b: SeriesBlocks, i: number): number {
    const count = b.count[i] as number;
    if (this.values.length < count) {
      this.values = new Float64Array(count);
      this.qualities = new Uint8Array(count);
    }
    const width = b.width[i] as number;
    const at = b.valsAt[i] as number;
    decodeValuesInto(
      count,
      b.scale[i] as number,
      b.base[i] as number,
      width,
      b.vals,
      this.values,
      at,
    );
    const ql = b.qualityLen[i] as number;
    decodeQualityInto(count, b.quality, this.qualities, b.qualityAt[i] as number, ql);
    return count;
  }
}

/** The peaks of one series' blocks (those that have one), in day order, as parallel arrays. */
export interface SeriesPeaks {
  seriesId: number;
  n: number;
  day: Float64Array;
  seconds: Float64Array;
  /** UTC epoch seconds of the peak slot: start + peak_slot × seconds. */
  at: Float64Array;
  quality: Float64Array;
  /** The block's peak value (interval_block.peak, in the series' unit). */
  peak: Float64Array;
}

// Three lists (one aggregate each: concatenating per row with || costs more): the packed
// integer (day·2^17 + seconds)·2^8 + peak_quality, the peak's time, and the peak (SQLite
// prints a REAL with the digits that round-trip exactly).
const peakSql = (order: string) => `SELECT count(*) AS n,
  group_concat((day * ${DAY_MUL} + seconds) * 256 + peak_quality, ','${order}) AS head,
  group_concat(start + peak_slot * seconds, ','${order}) AS at,
  group_concat(peak, ','${order}) AS peak
  FROM interval_block WHERE series_id = ? AND day BETWEEN ? AND ? AND peak IS NOT NULL`;

/**
 * Bulk reads of block peaks (migration 7: peak, peak_slot, peak_quality): daily and monthly
 * peaks of many series without reading or decoding the values. One row per series.
 */
export class PeakScanner {
  private readonly stmt: Statement;
  private readonly ordered: Statement;
  private head = new Float64Array(0);
  private arrays: SeriesPeaks | null = null;

  constructor(db: Database) {
    this.stmt = db.prepare(peakSql(''));
    this.ordered = db.prepare(peakSql(' ORDER BY day'));
  }

  /** The peaks of a series' blocks between two local days (inclusive). The result is reused. */
  read(seriesId: number, fromDay = -1e9, toDay = 1e9): SeriesPeaks {
    const a = this.load(this.stmt, seriesId, fromDay, toDay);
    for (let i = 1; i < a.n; i++)
      if ((a.day[i] as number) <= (a.day[i - 1] as number))
        return this.load(this.ordered, seriesId, fromDay, toDay);
    return a;
  }

  private load(stmt: Statement, seriesId: number, fromDay: number, toDay: number): SeriesPeaks {
    const row = stmt.get(seriesId, fromDay, toDay) as {
      n: number;
      head: string | null;
      at: string | null;
      peak: string | null;
    };
    const n = row.n;
    let a = this.arrays;
    if (!a || a.day.length < n) {
      const size = Math.max(n, 512);
      const f = () => new Float64Array(size);
      a = { seriesId, n: 0, day: f(), seconds: f(), at: f(), quality: f(), peak: f() };
      this.arrays = a;
      this.head = f();
    }
    a.seriesId = seriesId;
    a.n = n;
    if (n === 0) return a;
    const h = this.head;
    const got = [
      parseNumbers(row.head ?? '', h),
      parseNumbers(row.at ?? '', a.at),
      parseNumbers(row.peak ?? '', a.peak),
    ];
    if (got.some((k) => k !== n))
      throw new Error(`interval block peaks of series ${seriesId}: bad lists (${got.join(', ')})`);
    for (let i = 0; i < n; i++) {
      const f0 = h[i] as number;
      const ds = Math.floor(f0 / 256);
      const day = Math.floor(ds / DAY_MUL);
      a.day[i] = day;
      a.seconds[i] = ds - day * DAY_MUL;
      a.quality[i] = f0 - ds * 256;
    }
    return a;
  }
}
