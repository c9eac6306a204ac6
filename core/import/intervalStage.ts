// Staging of interval readings in memory per series × local day, written to interval blocks
// (core/metering/intervals.ts) with bounded memory; shared by the intervals, submeter and Green
// Button importers.
//
// - Slots live in pooled typed arrays (value float64, quality u8 with 255 = not provided,
//   source line u32, source column u16): about 15 bytes a reading and no object per reading.
// - A series whose readings arrive in day order (files sorted by usage point, or by time) is
//   "ordered": when the pool is full (intervalTuning.stageSlots readings, 2 M by default) its
//   finished days are written as blocks and its current day is kept in the pool, so each block
//   is written once.
// - A series whose readings jump back to an earlier day is "unordered": its staged readings are
//   spilled, sparse, to a temporary table keyed (series, day, slot, line), and at the end that
//   table is read in key order and each of its days is written once. Memory stays bounded for
//   any order and any file size; the temporary table lives in SQLite's temp file.
// - Writing merges with the stored block: a stored slot with the same value and quality is a
//   duplicate (no-op); a different value or quality is a conflict: the reading is rejected and
//   the stored value kept (never silently overwritten); slots nobody provided stay 'missing'
//   with value 0; new slots fill in.
// - Two readings of one slot within the file: the first is kept; an identical later one is a
//   duplicate, a different one is rejected as a conflict (found when staged, or when the spill
//   is read back, or against the block written earlier in the same import).
// - At the end, gaps per series: slots between the first and last reading imported that are
//   missing after the import.
import type { Database, Statement } from 'better-sqlite3';
import { BlockWriter } from '../metering/intervals';
import { decodeBlock, decodeQuality } from '../metering/intervalCodec';
import { QUALITY, QUALITY_NAMES } from '../metering/quality';
import { offsetSeconds } from '../time/zone';
import type { ZoneDays } from './intervalTime';
import type { Finding, ImportContext } from './types';

/** Memory bound of the stage, in readings (tests lower it to exercise merging). */
export const intervalTuning = { stageSlots: 2_000_000 };

const NONE = 255;
const MISSING = QUALITY.missing;
/** Most slots of one block: 25 hours of 1-minute data (the interval_reading view's limit). */
export const MAX_DAY_SLOTS = 1500;
const EXAMPLES = 5;
const GAP_FINDINGS = 50;

export interface SeriesState {
  id: number;
  /** For messages: "usage point 1001" or "sensor EK123". */
  label: string;
  unit: string;
  /** Zone of the series' local days (the usage point's or the organization's). */
  zone: ZoneDays;
  /** Interval length; 86400 means one slot per local day (its length on DST days). */
  seconds: number;
  existed: boolean;
  flushed: boolean;
  days: Map<number, DayStage>;
  last: DayStage | null;
  minEpoch: number;
  maxEpoch: number;
  /** Slots this import filled with a non-missing reading. */
  filled: number;
  /** Index of the series in this stage (spill keys). */
  idx: number;
  /** Latest local day staged so far. */
  maxDay: number;
  /** Readings so far came in day order (finished days can be written at once). */
  ordered: boolean;
  /** The series' readings go through the spill table (it turned unordered). */
  spilled: boolean;
}

interface DayStage {
  day: number;
  start: number;
  len: number;
  count: number;
  off: number;
  /** Slots provided so far. */
  filled: number;
}

interface StoredRow {
  start: number;
  seconds: number;
  count: number;
  scale: number;
  base: number;
  width: number;
  vals: Buffer;
  quality: Buffer | null;
  import_batch_id: number | null;
}

export const PUT_OK = 0;
export const PUT_DUPLICATE = 1;
export const PUT_CONFLICT = 2;
export const PUT_MISALIGNED = 3;
/** The reading's local day is outside 1790–2149. */
export const PUT_OUT_OF_RANGE = 4;

/** Spill keys: series index × 2^28 + (day + DAY_BIAS) × 2^11 + slot. */
const DAY_BIAS = 65536;
const DAY_SPAN = 131072;
const SLOT_BITS = 2048;
const SERIES_MUL = DAY_SPAN * SLOT_BITS;

function isoDate(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** Local ISO time with offset of an instant in local day `day` (Intl only on DST days). */
export function formatLocal(zone: ZoneDays, epoch: number, day: number): string {
  const offset =
    zone.len(day) === 86400 ? day * 86400 - zone.start(day) : offsetSeconds(epoch, zone.zone);
  const t = new Date((epoch + offset) * 1000).toISOString().slice(0, 19);
  const a = Math.abs(offset);
  const hh = String(Math.floor(a / 3600)).padStart(2, '0');
  const mm = String(Math.floor((a % 3600) / 60)).padStart(2, '0');
  return `${t}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

export class IntervalStage {
  private capacity = 0;
  private values = new Float64Array(0);
  private quality = new Uint8Array(0);
  private lines = new Uint32Array(0);
  private cols = new Uint16Array(0);
  private used = 0;
  private readonly dirty = new Set<SeriesState>();
  private readonly series = new Map<number, SeriesState>();
  private readonly list: SeriesState[] = [];
  private readonly writer: BlockWriter;
  private readonly s: Record<'get' | 'any' | 'findSeries' | 'insertSeries' | 'gapRows', Statement>;
  private spillInsert: Statement | null = null;
  /** Readings written to the spill table (not yet read back). */
  spilledReadings = 0;
  private readonly scratch = new Map<number, [Float64Array, Uint8Array]>();

  // Counters for the result.
  staged = 0;
  duplicatesInFile = 0;
  duplicatesStored = 0;
  conflicts = 0;
  /** Readings rejected at flush time (conflicts with stored blocks). */
  lateRejects = 0;
  blocksInserted = 0;
  blocksUpdated = 0;
  readingsWritten = 0;
  seriesCreated = 0;
  readonly conflictExamples: string[] = [];

  /** Column names for rejects, by the column index put() receives. */
  columns: readonly string[] = [];
  /** After put() returned PUT_CONFLICT: the staged value and quality it met. */
  otherValue = 0;
  otherQuality = 0;
  /** After put(): the local day and slot of the reading. */
  day = 0;
  slot = 0;

  constructor(
    private readonly db: Database,
    private readonly ctx: ImportContext,
    private readonly onLateReject: (line: number) => void = () => {},
  ) {
    this.writer = new BlockWriter(db, 'replace');
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      get: p(
        `SELECT start, seconds, count, scale, base, width, vals, quality, import_batch_id
         FROM interval_block WHERE series_id = ? AND day = ?`,
      ),
      any: p('SELECT 1 FROM interval_block WHERE series_id = ? LIMIT 1'),
      findSeries: p(
        'SELECT id FROM series WHERE usage_point_id IS ? AND sensor_id IS ? AND reading_type_id = ?',
      ),
      insertSeries: p(
        'INSERT INTO series (usage_point_id, sensor_id, reading_type_id) VALUES (?, ?, ?)',
      ),
      gapRows: p(
        'SELECT day, start, seconds, count, quality FROM interval_block WHERE series_id = ? AND day BETWEEN ? AND ? ORDER BY day',
      ).raw(),
    };
  }

  /** The series of a usage point or sensor × reading type (created when missing). */
  seriesFor(
    owner: { usagePointId?: number; sensorId?: number },
    readingTypeId: number,
    meta: { label: string; unit: string; zone: ZoneDays; seconds: number },
  ): SeriesState {
    const ownerKey =
      owner.usagePointId !== undefined
        ? owner.usagePointId * 2
        : (owner.sensorId as number) * 2 + 1;
    const key = ownerKey * 1048576 + readingTypeId;
    let st = this.series.get(key);
    if (st) return st;
    const up = owner.usagePointId ?? null;
    const sensor = owner.sensorId ?? null;
    const found = this.s.findSeries.get(up, sensor, readingTypeId) as { id: number } | undefined;
    let id: number;
    let existed = false;
    if (found) {
      id = found.id;
      existed = this.s.any.get(id) !== undefined;
    } else {
      id = Number(this.s.insertSeries.run(up, sensor, readingTypeId).lastInsertRowid);
      this.seriesCreated++;
    }
    st = {
      id,
      ...meta,
      existed,
      flushed: false,
      days: new Map(),
      last: null,
      minEpoch: Infinity,
      maxEpoch: -Infinity,
      filled: 0,
      idx: this.list.length,
      maxDay: -Infinity,
      ordered: true,
      spilled: false,
    };
    this.series.set(key, st);
    this.list.push(st);
    return st;
  }

  private ensurePool(): void {
    if (this.capacity > 0) return;
    this.capacity = Math.max(intervalTuning.stageSlots, MAX_DAY_SLOTS);
    this.values = new Float64Array(this.capacity);
    this.quality = new Uint8Array(this.capacity);
    this.lines = new Uint32Array(this.capacity);
    this.cols = new Uint16Array(this.capacity);
  }

  private alloc(s: SeriesState, day: number): DayStage {
    this.ensurePool();
    const start = s.zone.start(day);
    const len = s.zone.len(day);
    const count = s.seconds === 86400 ? 1 : Math.ceil(len / s.seconds);
    if (this.used + count > this.capacity) this.relieve();
    const d: DayStage = { day, start, len, count, off: this.used, filled: 0 };
    this.quality.fill(NONE, d.off, d.off + count);
    this.used += count;
    s.days.set(day, d);
    this.dirty.add(s);
    return d;
  }

  /**
   * Stage one reading at `epoch` (UTC) for series s. `guessDay` is a local day number near
   * the reading (exact for local timestamps). Returns PUT_*; this.day / this.slot locate it.
   */
  put(
    s: SeriesState,
    epoch: number,
    guessDay: number,
    value: number,
    quality: number,
    line: number,
    col: number,
  ): number {
    let d = s.last;
    let start: number;
    if (d !== null && epoch >= d.start && epoch < d.start + d.len) start = d.start;
    else {
      d = null;
      const day = s.zone.dayOf(epoch, guessDay);
      start = s.zone.start(day);
      this.day = day;
    }
    let slot = 0;
    if (s.seconds === 86400) {
      if (epoch !== start) return PUT_MISALIGNED;
    } else {
      slot = (epoch - start) / s.seconds;
      if (slot !== Math.floor(slot)) return PUT_MISALIGNED;
    }
    if (d === null) {
      if (this.day < -DAY_BIAS || this.day >= DAY_SPAN - DAY_BIAS) return PUT_OUT_OF_RANGE;
      if (this.day < s.maxDay) s.ordered = false;
      else s.maxDay = this.day;
      d = s.days.get(this.day) ?? this.alloc(s, this.day);
      s.last = d;
    }
    this.day = d.day;
    this.slot = slot;
    const i = d.off + slot;
    const q = this.quality[i] as number;
    if (q !== NONE) {
      const v = this.values[i] as number;
      if (v === value && q === quality) {
        this.duplicatesInFile++;
        return PUT_DUPLICATE;
      }
      this.otherValue = v;
      this.otherQuality = q;
      this.conflicts++;
      return PUT_CONFLICT;
    }
    this.values[i] = value;
    this.quality[i] = quality;
    this.lines[i] = line;
    this.cols[i] = col;
    d.filled++;
    if (epoch < s.minEpoch) s.minEpoch = epoch;
    if (epoch > s.maxEpoch) s.maxEpoch = epoch;
    this.staged++;
    return PUT_OK;
  }

  /** Staged readings (flush when the caller wants, e.g. at the end). */
  get size(): number {
    return this.used;
  }

  private buffers(count: number): [Float64Array, Uint8Array] {
    let b = this.scratch.get(count);
    if (!b) {
      b = [new Float64Array(count), new Uint8Array(count)];
      this.scratch.set(count, b);
    }
    return b;
  }

  /**
   * The pool is full: write the finished days of ordered series, keep each ordered series'
   * current day (up to half the pool), spill the days of unordered series.
   */
  private relieve(): void {
    const budget = this.capacity / 2;
    let kept = 0;
    const keep: DayStage[] = [];
    const keepSeries: SeriesState[] = [];
    for (const s of [...this.dirty].sort((a, b) => a.id - b.id)) {
      if (!s.ordered) s.spilled = true;
      const days = [...s.days.values()].sort((a, b) => a.day - b.day);
      s.days.clear();
      const current = s.last;
      s.last = null;
      for (const d of days) {
        if (s.spilled) this.spill(s, d);
        else if (d === current && d.filled < d.count && kept + d.count <= budget) {
          keep.push(d);
          s.days.set(d.day, d);
          s.last = d;
          kept += d.count;
        } else this.writeDay(s, d);
      }
      if (s.days.size > 0) keepSeries.push(s);
    }
    // Move the kept days to the front of the pool.
    keep.sort((a, b) => a.off - b.off);
    let off = 0;
    for (const d of keep) {
      if (d.off !== off) {
        this.values.copyWithin(off, d.off, d.off + d.count);
        this.quality.copyWithin(off, d.off, d.off + d.count);
        this.lines.copyWithin(off, d.off, d.off + d.count);
        this.cols.copyWithin(off, d.off, d.off + d.count);
        d.off = off;
      }
      off += d.count;
    }
    this.used = off;
    this.dirty.clear();
    for (const s of keepSeries) this.dirty.add(s);
  }

  private spill(s: SeriesState, d: DayStage): void {
    if (!this.spillInsert) {
      this.db.exec(
        `CREATE TEMP TABLE IF NOT EXISTS edw_interval_spill (
           k INTEGER NOT NULL, line INTEGER NOT NULL, v REAL NOT NULL, q INTEGER NOT NULL, c INTEGER NOT NULL,
           PRIMARY KEY (k, line)) WITHOUT ROWID`,
      );
      this.db.exec('DELETE FROM edw_interval_spill');
      this.spillInsert = this.db.prepare(
        'INSERT INTO edw_interval_spill (k, line, v, q, c) VALUES (?, ?, ?, ?, ?)',
      );
    }
    const base = s.idx * SERIES_MUL + (d.day + DAY_BIAS) * SLOT_BITS;
    const ins = this.spillInsert;
    for (let k = 0; k < d.count; k++) {
      const i = d.off + k;
      const q = this.quality[i] as number;
      if (q === NONE) continue;
      ins.run(base + k, this.lines[i], this.values[i], q, this.cols[i]);
      this.spilledReadings++;
    }
  }

  /**
   * Write every staged day to its block (merging with stored blocks), read the spill back and
   * write its days, and empty the stage. Call once, after the last put(). A series that never
   * spilled is written directly whatever its order: what is stored of it came earlier in the
   * file, so merging keeps the first reading of each slot.
   */
  flush(): void {
    for (const s of [...this.dirty].sort((a, b) => a.id - b.id)) {
      const days = [...s.days.values()].sort((a, b) => a.day - b.day);
      for (const d of days) {
        if (s.spilled) this.spill(s, d);
        else this.writeDay(s, d);
      }
      s.days.clear();
      s.last = null;
    }
    this.dirty.clear();
    this.used = 0;
    if (this.spillInsert) this.readSpill();
  }

  /** Read the spill in (series, day, slot, line) order and write each day once. */
  private readSpill(): void {
    this.ensurePool();
    // Read in pages (no statement may stay open while blocks are written).
    const page = this.db
      .prepare(
        'SELECT k, line, v, q, c FROM edw_interval_spill WHERE (k, line) > (?, ?) ORDER BY k, line LIMIT 16384',
      )
      .raw();
    let group = -1;
    let s: SeriesState | null = null;
    let d: DayStage | null = null;
    const finish = () => {
      if (s && d) this.writeDay(s, d);
    };
    let afterK = -1;
    let afterLine = -1;
    for (;;) {
      const rows = page.all(afterK, afterLine) as [number, number, number, number, number][];
      if (rows.length === 0) break;
      const lastRow = rows[rows.length - 1] as [number, number, number, number, number];
      afterK = lastRow[0];
      afterLine = lastRow[1];
      for (const [k, line, v, q, c] of rows) {
        const g = Math.floor(k / SLOT_BITS);
        const slot = k - g * SLOT_BITS;
        if (g !== group) {
          finish();
          group = g;
          s = this.list[Math.floor(k / SERIES_MUL)] as SeriesState;
          const day = g - s.idx * DAY_SPAN - DAY_BIAS;
          const start = s.zone.start(day);
          const len = s.zone.len(day);
          const count = s.seconds === 86400 ? 1 : Math.ceil(len / s.seconds);
          d = { day, start, len, count, off: 0, filled: 0 };
          this.quality.fill(NONE, 0, count);
        }
        const sv = this.values[slot] as number;
        const sq = this.quality[slot] as number;
        if (sq === NONE) {
          this.values[slot] = v;
          this.quality[slot] = q;
          this.lines[slot] = line;
          this.cols[slot] = c;
          (d as DayStage).filled++;
        } else if (sv === v && sq === q) this.duplicatesInFile++;
        else {
          this.conflicts++;
          const ss = s as SeriesState;
          const dd = d as DayStage;
          const reason = `${ss.label} at ${formatLocal(ss.zone, dd.start + slot * ss.seconds, dd.day)}: ${v} ${ss.unit}${q ? ` (${QUALITY_NAMES[q]})` : ''} conflicts with ${sv} ${ss.unit}${sq ? ` (${QUALITY_NAMES[sq]})` : ''} given earlier in the file (line ${this.lines[slot]}) for the same slot; the first is kept`;
          this.lateReject(line, c, v, reason);
        }
      }
    }
    finish();
    this.db.exec('DROP TABLE temp.edw_interval_spill');
    this.spillInsert = null;
    this.spilledReadings = 0;
  }

  private writeDay(s: SeriesState, d: DayStage): void {
    const blockSeconds = s.seconds === 86400 ? d.len : s.seconds;
    const stored =
      s.existed || s.flushed ? (this.s.get.get(s.id, d.day) as StoredRow | undefined) : undefined;
    // From now on a block of this series may be stored: later writes look it up first.
    s.flushed = true;
    const V = this.values;
    const Q = this.quality;
    if (!stored) {
      const [values, quality] = this.buffers(d.count);
      let provided = 0;
      for (let k = 0; k < d.count; k++) {
        const q = Q[d.off + k] as number;
        if (q === NONE) {
          values[k] = 0;
          quality[k] = MISSING;
        } else {
          values[k] = V[d.off + k] as number;
          quality[k] = q;
          provided++;
          if (q !== MISSING) s.filled++;
        }
      }
      this.writer.put({
        seriesId: s.id,
        day: d.day,
        start: d.start,
        seconds: blockSeconds,
        values,
        quality,
        importBatchId: this.ctx.batchId,
      });
      this.blocksInserted++;
      this.readingsWritten += provided;
      return;
    }
    if (stored.start !== d.start || stored.seconds !== blockSeconds) {
      for (let k = 0; k < d.count; k++) {
        if (Q[d.off + k] === NONE) continue;
        this.reject(
          s,
          d,
          k,
          `the stored block of ${s.label} for ${isoDate(d.day)} has another slot grid (start ${stored.start}, ${stored.seconds} s): the reading cannot be merged`,
        );
      }
      return;
    }
    const old = decodeBlock(
      stored.count,
      stored.scale,
      stored.base,
      stored.width,
      stored.vals,
      stored.quality,
    );
    const n = Math.max(d.count, stored.count);
    const values = new Float64Array(n);
    const quality = new Uint8Array(n).fill(MISSING);
    values.set(old.values);
    quality.set(old.quality);
    let changed = false;
    let provided = 0;
    for (let k = 0; k < d.count; k++) {
      const q = Q[d.off + k] as number;
      if (q === NONE) continue;
      const v = V[d.off + k] as number;
      const sv = values[k] as number;
      const sq = quality[k] as number;
      if (sv === v && sq === q) {
        if (stored.import_batch_id === this.ctx.batchId) this.duplicatesInFile++;
        else this.duplicatesStored++;
      } else if (sq === MISSING && sv === 0) {
        values[k] = v;
        quality[k] = q;
        changed = true;
        provided++;
        if (q !== MISSING) s.filled++;
      } else {
        this.conflicts++;
        const from =
          stored.import_batch_id === this.ctx.batchId
            ? 'from earlier in this file'
            : stored.import_batch_id === null
              ? ''
              : `from import batch ${stored.import_batch_id}`;
        this.reject(
          s,
          d,
          k,
          `${s.label} at ${formatLocal(s.zone, d.start + k * s.seconds, d.day)}: ${v} ${s.unit}${q ? ` (${QUALITY_NAMES[q]})` : ''} conflicts with the stored ${sv} ${s.unit} (${QUALITY_NAMES[sq] ?? sq})${from ? ` ${from}` : ''}; the stored value is kept`,
        );
      }
    }
    if (!changed) return;
    this.writer.put({
      seriesId: s.id,
      day: d.day,
      start: d.start,
      seconds: blockSeconds,
      values,
      quality,
      importBatchId: this.ctx.batchId,
    });
    this.blocksUpdated++;
    this.readingsWritten += provided;
  }

  private reject(_s: SeriesState, d: DayStage, k: number, reason: string): void {
    const i = d.off + k;
    this.lateReject(
      this.lines[i] as number,
      this.cols[i] as number,
      this.values[i] as number,
      reason,
    );
  }

  private lateReject(line: number, col: number, value: number, reason: string): void {
    if (this.conflictExamples.length < EXAMPLES)
      this.conflictExamples.push(`line ${line}: ${reason}`);
    this.ctx.reject({ line, column: this.columns[col] ?? null, value: String(value), reason });
    this.lateRejects++;
    this.onLateReject(line);
  }

  /** Findings: conflicts, duplicates, gaps per series. Call after the last flush. */
  findings(): Finding[] {
    const out: Finding[] = [];
    if (this.conflicts > 0)
      out.push({
        kind: 'conflict',
        count: this.conflicts,
        message: `${this.conflicts} reading${this.conflicts === 1 ? '' : 's'} conflicted with a reading already stored or earlier in the file and ${this.conflicts === 1 ? 'was' : 'were'} rejected (stored values are never overwritten); first: ${this.conflictExamples.join(' | ')}`,
      });
    if (this.duplicatesInFile > 0)
      out.push({
        kind: 'duplicate',
        count: this.duplicatesInFile,
        message: `${this.duplicatesInFile} reading${this.duplicatesInFile === 1 ? '' : 's'} repeated an identical reading of the same slot earlier in the file (kept once)`,
      });
    if (this.duplicatesStored > 0)
      out.push({
        kind: 'duplicate',
        count: this.duplicatesStored,
        message: `${this.duplicatesStored} reading${this.duplicatesStored === 1 ? ' was' : 's were'} already stored with the same value and quality (nothing to change)`,
      });
    out.push(...this.gaps());
    return out;
  }

  private gaps(): Finding[] {
    const found: Finding[] = [];
    let seriesWithGaps = 0;
    let totalMissing = 0;
    for (const s of this.series.values()) {
      if (!(s.minEpoch <= s.maxEpoch)) continue;
      const z = s.zone;
      const d0 = z.dayOf(s.minEpoch, Math.floor(s.minEpoch / 86400));
      const d1 = z.dayOf(s.maxEpoch, Math.floor(s.maxEpoch / 86400));
      let expected = 0;
      for (let day = d0; day <= d1; day++)
        expected += this.slotsInSpan(s, day, z.start(day), z.len(day));
      if (!s.existed && expected === s.filled) continue;
      const rows = this.s.gapRows.all(s.id, d0, d1) as [
        number,
        number,
        number,
        number,
        Buffer | null,
      ][];
      let r = 0;
      let missing = 0;
      let firstGap = NaN;
      let firstDay = 0;
      let firstRun = 0;
      let inFirst = false;
      for (let day = d0; day <= d1; day++) {
        const start = z.start(day);
        const len = z.len(day);
        const row = rows[r]?.[0] === day ? rows[r++] : undefined;
        const count = s.seconds === 86400 ? 1 : Math.ceil(len / s.seconds);
        const q = row ? decodeQuality(row[3], row[4]) : null;
        for (let k = 0; k < count; k++) {
          const t = start + k * s.seconds;
          if (t < s.minEpoch || t > s.maxEpoch) continue;
          const isMissing = !row || k >= row[3] || (q as Uint8Array)[k] === MISSING;
          if (isMissing) {
            missing++;
            if (firstGap !== firstGap) {
              firstGap = t;
              firstDay = day;
              inFirst = true;
            }
            if (inFirst) firstRun++;
          } else inFirst = false;
        }
      }
      if (missing === 0) continue;
      seriesWithGaps++;
      totalMissing += missing;
      if (found.length < GAP_FINDINGS)
        found.push({
          kind: 'gap',
          subject: s.label,
          count: missing,
          message: `${s.label}: ${missing} missing ${s.seconds === 86400 ? 'daily' : `${s.seconds}-second`} slot${missing === 1 ? '' : 's'} between the first and last reading imported; first gap at ${formatLocal(z, firstGap, firstDay)} (${firstRun} slot${firstRun === 1 ? '' : 's'})`,
        });
    }
    if (seriesWithGaps > found.length)
      found.push({
        kind: 'gap',
        count: totalMissing,
        message: `${seriesWithGaps} series have gaps (${totalMissing} missing slots in all); the first ${found.length} are listed`,
      });
    return found;
  }

  private slotsInSpan(s: SeriesState, day: number, start: number, len: number): number {
    if (s.seconds === 86400) return start >= s.minEpoch && start <= s.maxEpoch ? 1 : 0;
    const count = Math.ceil(len / s.seconds);
    const lo = Math.max(0, Math.ceil((s.minEpoch - start) / s.seconds));
    const hi = Math.min(count - 1, Math.floor((s.maxEpoch - start) / s.seconds));
    return hi >= lo ? hi - lo + 1 : 0;
  }
}
