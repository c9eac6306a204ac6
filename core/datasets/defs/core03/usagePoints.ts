// core-03-demand, levels daily and monthly: each usage point's peak kW per local day or month,
// with the seed table's columns (meter, program, class, read id, quality).
import type { Database, Statement } from 'better-sqlite3';
import { PeakScanner } from '../../../metering/blockScan';
import { QUALITY_NAMES } from '../../../metering/quality';
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
  isoOfDay,
} from '../../meter';
import type { DatasetRow } from '../../types';
import { type P, type Scope, dayStartIso, demandSources, kw9, unitFactors, upRow } from './shared';

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

const monthSpans = new Map<string, { first: number; last: number }>();

/** monthDays, cached (it runs once per row of the monthly level). */
function monthSpan(month: string): { first: number; last: number } {
  let m = monthSpans.get(month);
  if (!m) monthSpans.set(month, (m = monthDays(month)));
  return m;
}

/** A usage point's peak in a day or month: kW, its day, interval start and quality. */
interface Peak {
  day: number;
  kw: number;
  at: number;
  quality: number;
}

// The monthly peaks of a series in one query: interval_month lists its months and the day span
// of each; max() keeps the first row at the largest kW (days ascend in the primary key), and
// SQLite takes the bare columns from that row. first / last: the month's first and last days
// with a peak, for the consent subjects. kW is computed as in the per-day loop below, with the
// same floating-point operations (numbers bind as REAL: the division is never an integer one).
const SPAN = 'max(m.first_day, @from) AND min(m.last_day, @to)';
const MONTH_PEAKS_SQL = `SELECT m.month, max(b.peak * (@k / iif(@energy, b.seconds, 1))) AS kw,
    b.day, b.start + b.peak_slot * b.seconds AS at, b.peak_quality AS quality,
    (SELECT min(day) FROM interval_block WHERE series_id = @s AND day BETWEEN ${SPAN} AND peak IS NOT NULL) AS first,
    (SELECT max(day) FROM interval_block WHERE series_id = @s AND day BETWEEN ${SPAN} AND peak IS NOT NULL) AS last
  FROM interval_month m JOIN interval_block b ON b.series_id = @s AND b.day BETWEEN ${SPAN}
  WHERE m.series_id = @s AND m.last_day >= @from AND m.first_day <= @to AND b.peak IS NOT NULL
  GROUP BY m.month ORDER BY m.month`;

export function* usagePointRows(db: Database, p: P, scope: Scope): Generator<DatasetRow> {
  const ids = new PlatformIds(db);
  const agreements = new Agreements(db);
  const quality = new QualityLabels(db, p.quality);
  const programs = new DemandPrograms(db);
  const meters = new Meters(db);
  const factors = unitFactors(db);
  const scanner = new PeakScanner(db);
  const monthPeaks = db.prepare(MONTH_PEAKS_SQL);
  const monthly = p.level === 'monthly';
  const sources = demandSources(db, scope.usagePoints);
  for (const upId of scope.usagePoints) {
    const s = sources.get(upId);
    if (!s) continue;
    const up = upRow(db, upId);
    const factor = factors.get(s.unit)?.factor ?? 1;
    // Each block's stored peak (migration 7; missing and failed slots skipped) in kW: demand
    // values as they are, energy as the average kW of its interval.
    const energy = s.measure !== 'demand';
    const k = energy ? factor * 3600 : factor;
    const base = {
      premise_id: ids.get('PremiseID', 'premise', up.premiseId),
      usage_point_id: ids.get('UsagePointID', 'usage_point', upId),
      usage_point: `${up.org}:${up.key}`,
      uom: uomLabel('kW'),
      source: energy ? 'interval' : 'demand',
    };
    const emit = (
      peak: Peak,
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
          read_id: `S${s.id}:${isoOfDay(peak.day)}`,
          read_value: kw9(peak.kw),
          quality: quality.label(up.orgId, peak.quality),
          quality_normalized: QUALITY_NAMES[peak.quality] ?? String(peak.quality),
          peak_time: localIso(peak.at, up.zone),
          period,
        },
        subjects: subjectsOf(upId, agreements.during(upId, firstDay, lastDay)),
      };
    };
    if (monthly && !scope.byDay) {
      const rows = monthPeaks.all({
        s: s.id,
        from: scope.fromDay,
        to: scope.toDay,
        k,
        energy: energy ? 1 : 0,
      }) as (Peak & { month: string; first: number; last: number })[];
      for (const r of rows) yield emit(r, r.month, monthSpan(r.month).first, r.first, r.last);
      continue;
    }
    // Per day: the daily level, and the monthly one under a rate_class or program filter.
    const peaks = scanner.read(s.id, scope.fromDay, scope.toDay);
    let month: string | null = null;
    let monthStart = 0;
    let monthEnd = -Infinity;
    let best: Peak | null = null;
    let monthFirst = 0;
    let monthLast = 0;
    // Blocks come in day order: a month's first and last days seen are its min and max.
    for (let i = 0; i < peaks.n; i++) {
      const day = peaks.day[i] as number;
      // The read covers from … to; rate_class and program filters apply day by day.
      if (scope.byDay && !scope.dayIn(upId, day, agreements.at(upId, day)?.rateClassId ?? null))
        continue;
      const kw = (peaks.peak[i] as number) * (k / (energy ? (peaks.seconds[i] as number) : 1));
      if (!monthly) {
        const peak = { day, kw, at: peaks.at[i] as number, quality: peaks.quality[i] as number };
        yield emit(peak, isoOfDay(day), day, day, day);
        continue;
      }
      if (day > monthEnd) {
        if (month !== null && best) yield emit(best, month, monthStart, monthFirst, monthLast);
        month = monthOfDay(day);
        ({ first: monthStart, last: monthEnd } = monthSpan(month));
        best = null;
        monthFirst = day;
      }
      monthLast = day;
      if (!best || kw > best.kw)
        best = { day, kw, at: peaks.at[i] as number, quality: peaks.quality[i] as number };
    }
    if (month !== null && best) yield emit(best, month, monthStart, monthFirst, monthLast);
  }
}
