// core-03-demand, levels daily and monthly: each usage point's peak kW per local day or month,
// with the seed table's columns (meter, program, class, read id, quality).
import type { Database, Statement } from 'better-sqlite3';
import { SeriesScanner, type SeriesBlocks } from '../../../metering/blockScan';
import { QUALITY, QUALITY_NAMES } from '../../../metering/quality';
import { enrolledUsagePoints, participations, resolvePrograms } from '../../enrolment';
import {
  Agreements,
  PlatformIds,
  QualityLabels,
  localIso,
  monthDays,
  monthOfDay,
  subjectsOf,
  uomLabel,
} from '../../meter';
import type { DatasetRow } from '../../types';
import {
  type P,
  type Scope,
  type SeriesRow,
  dayStartIso,
  demandSource,
  isoOfDay,
  kw9,
  unitFactors,
  upRow,
} from './shared';

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

export function* usagePointRows(db: Database, p: P, scope: Scope): Generator<DatasetRow> {
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
