// Usage over periods longer than a day (billing periods) → `period_usage` (migration 8,
// docs/data-model.md "Period usage"). Stored as given — bounds and exact total — never spread
// over days. The duplicate policy is the interval path's (intervalStage.ts): the same period
// with the same value and quality already stored (or earlier in the file) is a duplicate and
// counts as accepted; a different value, quality or end for the same start is a conflict, and a
// period overlapping a stored one is refused: rejected one by one, stored rows never overwritten.
import type { Database, Statement } from 'better-sqlite3';
import { QUALITY_NAMES, type QualityCode } from '../metering/quality';
import { dayToIso, localDayOf } from '../time/zone';
import { compareDec, parseDec } from './decimal';
import type { Finding, ImportContext } from './types';

export interface PeriodReading {
  owner: { usagePointId: number } | { sensorId: number };
  /** "usage point 123", for messages. */
  label: string;
  zone: string;
  unit: string;
  readingTypeId: number;
  /** UTC epoch seconds; end exclusive. */
  start: number;
  end: number;
  /** Exact decimal text in the reading type's unit. */
  value: string;
  quality: QualityCode;
  line: number;
}

interface StoredPeriod {
  id: number;
  start_utc: number;
  end_utc: number;
  first_date: string;
  last_date: string;
  value: string;
  quality: number;
  import_batch_id: number | null;
}

const EXAMPLES = 3;

/** Local dates of a period: of its first second and of its last (end − 1). */
export function periodDates(start: number, end: number, zone: string): [string, string] {
  return [dayToIso(localDayOf(start, zone)), dayToIso(localDayOf(end - 1, zone))];
}

function sameValue(a: string, b: string): boolean {
  const x = parseDec(a);
  const y = parseDec(b);
  return x !== null && y !== null ? compareDec(x, y) === 0 : a === b;
}

export class PeriodStore {
  inserted = 0;
  duplicatesInFile = 0;
  duplicatesStored = 0;
  conflicts = 0;
  private readonly examples: string[] = [];
  private readonly s: Record<'overUp' | 'overSensor' | 'insert', Statement>;

  constructor(
    db: Database,
    private readonly ctx: ImportContext,
  ) {
    const cols =
      'id, start_utc, end_utc, first_date, last_date, value, quality, import_batch_id FROM period_usage';
    this.s = {
      overUp: db.prepare(
        `SELECT ${cols} WHERE usage_point_id = ? AND reading_type_id = ? AND start_utc < ? AND end_utc > ? ORDER BY start_utc`,
      ),
      overSensor: db.prepare(
        `SELECT ${cols} WHERE sensor_id = ? AND reading_type_id = ? AND start_utc < ? AND end_utc > ? ORDER BY start_utc`,
      ),
      insert: db.prepare(
        `INSERT INTO period_usage (usage_point_id, sensor_id, reading_type_id, start_utc, end_utc, first_date, last_date, value, quality, import_batch_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** Store one period; false when it is rejected (the reject is recorded). */
  add(p: PeriodReading): boolean {
    const [first, last] = periodDates(p.start, Math.max(p.end, p.start + 1), p.zone);
    const what = `${p.label}, period ${first} to ${last}`;
    if (!(p.end > p.start))
      return this.reject(p, 'duration', String(p.end - p.start), `${what}: the period is empty`);
    if (parseDec(p.value) === null)
      return this.reject(p, 'value', p.value, `${what}: value is not a number`);
    const up = 'usagePointId' in p.owner ? p.owner.usagePointId : null;
    const sensor = 'sensorId' in p.owner ? p.owner.sensorId : null;
    const over = (
      up !== null
        ? this.s.overUp.all(up, p.readingTypeId, p.end, p.start)
        : this.s.overSensor.all(sensor, p.readingTypeId, p.end, p.start)
    ) as StoredPeriod[];
    if (over.length > 0) {
      const o = over[0] as StoredPeriod;
      const from =
        o.import_batch_id === this.ctx.batchId
          ? 'given earlier in the file'
          : o.import_batch_id === null
            ? 'stored'
            : `stored by import batch ${o.import_batch_id}`;
      const old = `${o.value} ${p.unit} (${QUALITY_NAMES[o.quality] ?? o.quality}) for ${o.first_date} to ${o.last_date}`;
      if (over.length === 1 && o.start_utc === p.start && o.end_utc === p.end) {
        if (sameValue(o.value, p.value) && o.quality === p.quality) {
          if (o.import_batch_id === this.ctx.batchId) this.duplicatesInFile++;
          else this.duplicatesStored++;
          return true;
        }
        return this.conflict(
          p,
          `${what}: ${p.value} ${p.unit} (${QUALITY_NAMES[p.quality]}) conflicts with ${old} ${from}; the stored value is kept`,
        );
      }
      return this.conflict(
        p,
        `${what}: overlaps ${over.length === 1 ? 'the period' : `${over.length} periods, first`} ${old} ${from}; periods of one usage point and reading type must not overlap (the stored one is kept)`,
      );
    }
    this.s.insert.run(
      up,
      sensor,
      p.readingTypeId,
      p.start,
      p.end,
      first,
      last,
      p.value,
      p.quality,
      this.ctx.batchId,
    );
    this.inserted++;
    return true;
  }

  private conflict(p: PeriodReading, reason: string): false {
    this.conflicts++;
    if (this.examples.length < EXAMPLES) this.examples.push(`line ${p.line}: ${reason}`);
    return this.reject(p, 'value', p.value, reason);
  }

  private reject(p: PeriodReading, column: string, value: string | null, reason: string): false {
    this.ctx.reject({ line: p.line, column, value, reason });
    return false;
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    const s = (n: number) => (n === 1 ? '' : 's');
    if (this.conflicts > 0)
      out.push({
        kind: 'conflict',
        count: this.conflicts,
        message: `${this.conflicts} period reading${s(this.conflicts)} conflicted with or overlapped a period already stored or earlier in the file and ${this.conflicts === 1 ? 'was' : 'were'} rejected (stored values are never overwritten); first: ${this.examples.join(' | ')}`,
      });
    if (this.duplicatesInFile > 0)
      out.push({
        kind: 'duplicate',
        count: this.duplicatesInFile,
        message: `${this.duplicatesInFile} period reading${s(this.duplicatesInFile)} repeated an identical period earlier in the file (kept once)`,
      });
    if (this.duplicatesStored > 0)
      out.push({
        kind: 'duplicate',
        count: this.duplicatesStored,
        message: `${this.duplicatesStored} period reading${this.duplicatesStored === 1 ? ' was' : 's were'} already stored with the same value and quality (nothing to change)`,
      });
    return out;
  }
}
