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

const FIELDS = 8;
const SQL = `SELECT count(*) AS n,
  group_concat(day || ',' || start || ',' || seconds || ',' || count || ',' || scale || ',' ||
    base || ',' || width || ',' || ifnull(length(quality), 0), ',' ORDER BY day) AS head,
  CAST(group_concat(vals, '' ORDER BY day) AS BLOB) AS vals,
  CAST(group_concat(quality, '' ORDER BY day) AS BLOB) AS quality
  FROM interval_block WHERE series_id = ? AND day BETWEEN ? AND ?`;

const EMPTY = new Uint8Array(0);

/** Parse a comma-separated list of integers into `out` (Number() for anything unusual). */
function parseInts(s: string, out: Float64Array): number {
  let k = 0;
  let i = 0;
  const len = s.length;
  while (i < len) {
    const from = i;
    let neg = false;
    let v = 0;
    let plain = true;
    if (s.charCodeAt(i) === 45) {
      neg = true;
      i++;
    }
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c === 44) break;
      if (c < 48 || c > 57) plain = false;
      else v = v * 10 + (c - 48);
    }
    const x = plain && i - from < 16 ? (neg ? -v : v) : Number(s.slice(from, i));
    out[k++] = x;
    i++;
  }
  return k;
}

export class SeriesScanner {
  private readonly stmt: Statement;
  private head = new Float64Array(0);
  private arrays: SeriesBlocks | null = null;
  /** Decoded values and quality of the last decode() call. */
  values = new Float64Array(32);
  qualities = new Uint8Array(32);

  constructor(db: Database) {
    this.stmt = db.prepare(SQL);
  }

  /** All blocks of a series between two local days (inclusive). The result is reused. */
  read(seriesId: number, fromDay = -1e9, toDay = 1e9): SeriesBlocks {
    const row = this.stmt.get(seriesId, fromDay, toDay) as {
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
    const got = parseInts(row.head ?? '', h);
    if (got !== n * FIELDS)
      throw new Error(`interval blocks of series ${seriesId}: bad header list (${got} fields)`);
    let vAt = 0;
    let qAt = 0;
    for (let i = 0, j = 0; i < n; i++, j += FIELDS) {
      a.day[i] = h[j] as number;
      a.start[i] = h[j + 1] as number;
      a.seconds[i] = h[j + 2] as number;
      const count = h[j + 3] as number;
      a.count[i] = count;
      a.scale[i] = h[j + 4] as number;
      a.base[i] = h[j + 5] as number;
      const width = h[j + 6] as number;
      a.width[i] = width;
      a.valsAt[i] = vAt;
      vAt += count * width;
      const ql = h[j + 7] as number;
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
