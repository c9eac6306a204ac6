// Where Green Button readings land: usage points of the organization (matched by source key or
// created), workspace reading types (found or created, shared ReadingTypes of measures.ts) and
// interval blocks through the shared IntervalStage (intervalStage.ts) — the same staging the
// intervals importer uses: readings in any order are staged per series × local day, merged
// with stored blocks (an identical reading is a duplicate, a different one a conflict that is
// rejected, never an overwrite), and gaps are reported.
//
// Readings longer than a day (billing periods) go whole to period_usage through PeriodStore
// (../periodStore.ts), with the same duplicate/conflict policy; never spread over days.
//
// This is the thin adapter the Green Button parsers write through: they produce plain readings
// { usage point, reading type, start, seconds, value, quality } and know nothing of blocks.
import type { Statement } from 'better-sqlite3';
import { QUALITY_NAMES, type QualityCode } from '../../metering/quality';
import { offsetSeconds } from '../../time/zone';
import {
  IntervalStage,
  PUT_CONFLICT,
  PUT_MISALIGNED,
  formatLocal,
  type SeriesState,
} from '../intervalStage';
import { zoneDays } from '../intervalTime';
import { ReadingTypes } from '../measures';
import { PeriodStore } from '../periodStore';
import type { Finding, ImportContext } from '../types';

export type Commodity = 'electricity' | 'gas' | 'water' | 'steam' | 'propane' | 'oil';

export interface ReadingTypeSpec {
  commodity: Commodity;
  unit: string;
  flow: 'forward' | 'reverse' | 'net' | 'total';
  /** Interval length; 86400 for daily data. */
  seconds: number;
  accumulation: 'delta' | 'bulkQuantity' | 'summation' | 'indicating' | 'cumulative';
  measure: 'energy' | 'demand' | 'volume' | 'other';
}

export interface UsagePointRef {
  id: number;
  key: string;
  commodity: string;
  zone: string;
  created: boolean;
}

/** One reading ready to store: value in the reading type's unit, quality normalised. */
export interface Reading {
  usagePoint: UsagePointRef;
  readingTypeId: number;
  /** The reading type's interval length (86400: one slot per local day). */
  intervalSeconds: number;
  start: number;
  /** Length of this reading as the source gave it. */
  seconds: number;
  value: number;
  quality: QualityCode;
  line: number;
}

/** Usage over one period longer than a day (a billing period): stored whole in period_usage. */
export interface PeriodInput {
  usagePoint: UsagePointRef;
  readingTypeId: number;
  /** UTC epoch seconds; end exclusive. */
  start: number;
  end: number;
  /** Exact decimal text in the reading type's unit. */
  value: string;
  quality: QualityCode;
  line: number;
}

/** Local ISO time with offset, for messages. */
export function fmtTime(epoch: number, zone: string): string {
  const off = offsetSeconds(epoch, zone);
  const local = new Date((epoch + off) * 1000).toISOString().slice(0, 16);
  const a = Math.abs(off);
  return `${local}${off < 0 ? '-' : '+'}${String(Math.floor(a / 3600)).padStart(2, '0')}:${String((a % 3600) / 60).padStart(2, '0')}`;
}

export class ReadingStore {
  private readonly created: Record<string, number> = {};
  accepted = 0;
  rejected = 0;
  private readonly stage: IntervalStage;
  private readonly periods: PeriodStore;
  private readonly types: ReadingTypes;
  private readonly units = new Map<number, string>();
  private readonly series = new Map<string, SeriesState>();
  private readonly usagePoints = new Map<string, UsagePointRef>();
  private readonly s: Record<'findUp' | 'insertUp' | 'unit', Statement>;

  constructor(
    private readonly ctx: ImportContext,
    private readonly org: { id: number; code: string; timeZone: string },
  ) {
    const db = ctx.db;
    this.stage = new IntervalStage(db, ctx, () => {
      // A conflict with a stored block found when the stage flushes.
      this.accepted--;
      this.rejected++;
    });
    this.stage.columns = ['value'];
    this.types = new ReadingTypes(db);
    this.periods = new PeriodStore(db, ctx);
    this.s = {
      findUp: db.prepare(
        'SELECT id, source_key, commodity, time_zone FROM usage_point WHERE org_id = ? AND source_key = ?',
      ),
      insertUp: db.prepare(
        'INSERT INTO usage_point (org_id, source_key, commodity, time_zone, import_batch_id) VALUES (?, ?, ?, ?, ?)',
      ),
      unit: db.prepare('SELECT unit FROM reading_type WHERE id = ?'),
    };
  }

  /** An existing usage point of the organization by source key, or null. */
  findUsagePoint(key: string): UsagePointRef | null {
    const hit = this.usagePoints.get(key);
    if (hit) return hit;
    const row = this.s.findUp.get(this.org.id, key) as
      { id: number; source_key: string; commodity: string; time_zone: string | null } | undefined;
    if (!row) return null;
    const ref: UsagePointRef = {
      id: row.id,
      key: row.source_key,
      commodity: row.commodity,
      zone: row.time_zone ?? this.org.timeZone,
      created: false,
    };
    this.usagePoints.set(key, ref);
    return ref;
  }

  /** Create a usage point (zone null or the organization's: the organization's). */
  createUsagePoint(key: string, commodity: Commodity, zone: string | null): UsagePointRef {
    const own = zone && zone !== this.org.timeZone ? zone : null;
    const id = Number(
      this.s.insertUp.run(this.org.id, key, commodity, own, this.ctx.batchId).lastInsertRowid,
    );
    this.created.usage_point = (this.created.usage_point ?? 0) + 1;
    const ref: UsagePointRef = {
      id,
      key,
      commodity,
      zone: own ?? this.org.timeZone,
      created: true,
    };
    this.usagePoints.set(key, ref);
    return ref;
  }

  readingType(spec: ReadingTypeSpec): number {
    const id = this.types.id({
      commodity: spec.commodity,
      unit: spec.unit,
      direction: spec.flow,
      seconds: spec.seconds,
      accumulation: spec.accumulation,
      measure: spec.measure,
    });
    this.units.set(id, spec.unit);
    return id;
  }

  /**
   * The reading type of billing-period readings: the spec without an interval length
   * (interval_seconds NULL — periods have no fixed length), named "… billing period".
   */
  periodReadingType(spec: ReadingTypeSpec): number {
    const id = this.types.id(
      {
        commodity: spec.commodity,
        unit: spec.unit,
        direction: spec.flow,
        seconds: null,
        accumulation: spec.accumulation,
        measure: spec.measure,
      },
      'billing period',
    );
    this.units.set(id, spec.unit);
    return id;
  }

  /** Store one period reading (duplicates and conflicts as for intervals); false if rejected. */
  addPeriod(p: PeriodInput): boolean {
    let unit = this.units.get(p.readingTypeId);
    if (unit === undefined) {
      unit = (this.s.unit.get(p.readingTypeId) as { unit: string }).unit;
      this.units.set(p.readingTypeId, unit);
    }
    const ok = this.periods.add({
      owner: { usagePointId: p.usagePoint.id },
      label: `usage point ${p.usagePoint.key}`,
      zone: p.usagePoint.zone,
      unit,
      readingTypeId: p.readingTypeId,
      start: p.start,
      end: p.end,
      value: p.value,
      quality: p.quality,
      line: p.line,
    });
    if (ok) this.accepted++;
    else this.rejected++;
    return ok;
  }

  private seriesFor(r: Reading): SeriesState {
    const key = `${r.usagePoint.id}|${r.readingTypeId}`;
    let s = this.series.get(key);
    if (!s) {
      let unit = this.units.get(r.readingTypeId);
      if (unit === undefined) {
        unit = (this.s.unit.get(r.readingTypeId) as { unit: string }).unit;
        this.units.set(r.readingTypeId, unit);
      }
      s = this.stage.seriesFor({ usagePointId: r.usagePoint.id }, r.readingTypeId, {
        label: `usage point ${r.usagePoint.key}`,
        unit,
        zone: zoneDays(r.usagePoint.zone),
        seconds: r.intervalSeconds,
      });
      this.series.set(key, s);
    }
    return s;
  }

  private reject(line: number, column: string | null, value: string | null, reason: string): false {
    this.rejected++;
    this.ctx.reject({ line, column, value, reason });
    return false;
  }

  /** Stage one reading; returns false (and rejects it) when it cannot be placed. */
  add(r: Reading): boolean {
    if (!Number.isFinite(r.value))
      return this.reject(r.line, 'value', String(r.value), 'value is not a finite number');
    const zone = r.usagePoint.zone;
    if (r.intervalSeconds === 86400) {
      if (![82800, 86400, 90000].includes(r.seconds))
        return this.reject(
          r.line,
          'duration',
          String(r.seconds),
          `daily reading at ${fmtTime(r.start, zone)} lasts ${r.seconds} s, not a day`,
        );
    } else if (r.seconds !== r.intervalSeconds)
      return this.reject(
        r.line,
        'duration',
        String(r.seconds),
        `reading at ${fmtTime(r.start, zone)} lasts ${r.seconds} s but its reading type has ${r.intervalSeconds}-second intervals`,
      );
    const s = this.seriesFor(r);
    const res = this.stage.put(
      s,
      r.start,
      Math.floor(r.start / 86400),
      r.value,
      r.quality,
      r.line,
      0,
    );
    if (res === PUT_MISALIGNED)
      return this.reject(
        r.line,
        'start',
        String(r.start),
        r.intervalSeconds === 86400
          ? `daily reading at ${fmtTime(r.start, zone)} does not start at local midnight in ${zone}`
          : `reading at ${fmtTime(r.start, zone)} is not on the ${r.intervalSeconds}-second grid from local midnight in ${zone}`,
      );
    if (res === PUT_CONFLICT)
      return this.reject(
        r.line,
        'value',
        String(r.value),
        `${s.label} at ${formatLocal(s.zone, r.start, this.stage.day)}: ${r.value} ${s.unit} (${QUALITY_NAMES[r.quality]}) conflicts with ${this.stage.otherValue} ${s.unit} (${QUALITY_NAMES[this.stage.otherQuality] ?? this.stage.otherQuality}) given earlier in the file for the same interval; the first is kept`,
      );
    this.accepted++;
    return true;
  }

  /** Flush the stage; findings on duplicates, conflicts and gaps; counts of rows written. */
  finish(): { findings: Finding[]; written: Record<string, number> } {
    this.stage.flush();
    const written: Record<string, number> = { ...this.created };
    if (this.types.created) written.reading_type = this.types.created;
    if (this.stage.seriesCreated) written.series = this.stage.seriesCreated;
    const blocks = this.stage.blocksInserted + this.stage.blocksUpdated;
    if (blocks) written.interval_block = blocks;
    if (this.stage.readingsWritten) written.readings = this.stage.readingsWritten;
    // Counted apart from interval readings: a billing period is one row, not one slot.
    if (this.periods.inserted) written.period_readings = this.periods.inserted;
    return { findings: [...this.stage.findings(), ...this.periods.findings()], written };
  }
}
