// Shared lookups of the premise explorer: which premise rows make up one platform premise,
// provenance references (import batches, index runs), and interval coverage of a series.
import type { Database } from 'better-sqlite3';
import { EdwError } from '../workspace/errors';
import { decodeQuality, QUALITY } from '../metering/intervalCodec';
import { dayToIso } from '../time/zone';
import type { BatchRef, PremiseRef, RunRef, SeriesCoverage } from './schema';

export interface Resolved {
  platformId: string | null;
  /** The ID asked for when it was retired into platformId. */
  requested: string | null;
  premiseIds: number[];
}

export const iso = (epoch: number): string => new Date(epoch * 1000).toISOString();
/** A JSON array for `IN (SELECT value FROM json_each(?))`. */
export const list = (ids: readonly (number | string)[]): string => JSON.stringify(ids);

/** The premise rows of a platform PremiseID (following merges) or of one premise row. */
export function resolvePremise(db: Database, ref: PremiseRef): Resolved {
  if (ref.premiseId !== undefined) {
    const exists = db.prepare('SELECT 1 FROM premise WHERE id = ?').get(ref.premiseId);
    if (!exists)
      throw new EdwError('not_found', `no premise row with id ${ref.premiseId}`, {
        premiseId: ref.premiseId,
      });
    const pid = db
      .prepare(
        "SELECT platform_id FROM platform_link WHERE kind = 'PremiseID' AND source_table = 'premise' AND source_id = ?",
      )
      .pluck()
      .get(ref.premiseId) as string | undefined;
    if (pid === undefined)
      return { platformId: null, requested: null, premiseIds: [ref.premiseId] };
    return resolvePremise(db, { platformId: pid });
  }
  const asked = (ref.platformId ?? '').trim();
  const idRow = db.prepare(
    "SELECT id, retired_at, merged_into FROM platform_id WHERE kind = 'PremiseID' AND id = ?",
  );
  let cur = asked;
  const seen = new Set<string>();
  let row = idRow.get(cur) as
    { id: string; retired_at: number | null; merged_into: string | null } | undefined;
  if (!row)
    throw new EdwError('not_found', `no platform PremiseID ${asked}`, { platformId: asked });
  while (row.merged_into && !seen.has(row.merged_into)) {
    seen.add(cur);
    cur = row.merged_into;
    const next = idRow.get(cur) as typeof row | undefined;
    if (!next) break;
    row = next;
  }
  const premiseIds = db
    .prepare(
      "SELECT source_id FROM platform_link WHERE kind = 'PremiseID' AND platform_id = ? AND source_table = 'premise' ORDER BY source_id",
    )
    .pluck()
    .all(row.id) as number[];
  if (premiseIds.length === 0)
    throw new EdwError(
      'not_found',
      `platform PremiseID ${row.id} has no premise records${row.retired_at ? ` (retired ${iso(row.retired_at)})` : ''}`,
      { platformId: row.id },
    );
  return { platformId: row.id, requested: row.id === asked ? null : asked, premiseIds };
}

/** Cached BatchRef / RunRef lookups, remembering every reference handed out. */
export class Provenance {
  private readonly batches = new Map<number, BatchRef | null>();
  private readonly runs = new Map<number, RunRef | null>();
  /** Rows per table per batch, for the audit panel. */
  readonly batchRows = new Map<number, Map<string, number>>();
  readonly runLinks = new Map<number, number>();
  private readonly batchStmt;
  private readonly runStmt;

  constructor(db: Database) {
    this.batchStmt = db.prepare(
      `SELECT b.id, b.kind, b.file_name, o.code AS org, b.status, b.started_at, b.finished_at
       FROM import_batch b LEFT JOIN organization o ON o.id = b.org_id WHERE b.id = ?`,
    );
    this.runStmt = db.prepare('SELECT id, started_at, finished_at FROM index_run WHERE id = ?');
  }

  /** The batch of a row of `table` (counted for the audit panel). */
  batch(id: number | null | undefined, table: string, count = true): BatchRef | null {
    if (id === null || id === undefined) return null;
    let b = this.batches.get(id);
    if (b === undefined) {
      const r = this.batchStmt.get(id) as
        | {
            id: number;
            kind: string;
            file_name: string;
            org: string | null;
            status: string;
            started_at: number;
            finished_at: number | null;
          }
        | undefined;
      b = r
        ? {
            id: r.id,
            kind: r.kind,
            file: r.file_name,
            org: r.org,
            status: r.status,
            at: iso(r.finished_at ?? r.started_at),
          }
        : null;
      this.batches.set(id, b);
    }
    if (b && count) {
      let t = this.batchRows.get(id);
      if (!t) this.batchRows.set(id, (t = new Map()));
      t.set(table, (t.get(table) ?? 0) + 1);
    }
    return b;
  }

  run(id: number | null | undefined, countLink = false): RunRef | null {
    if (id === null || id === undefined) return null;
    let r = this.runs.get(id);
    if (r === undefined) {
      const x = this.runStmt.get(id) as
        { id: number; started_at: number; finished_at: number | null } | undefined;
      r = x
        ? {
            id: x.id,
            startedAt: iso(x.started_at),
            finishedAt: x.finished_at === null ? null : iso(x.finished_at),
          }
        : null;
      this.runs.set(id, r);
    }
    if (r && countLink) this.runLinks.set(id, (this.runLinks.get(id) ?? 0) + 1);
    return r;
  }

  allBatches(): (BatchRef & { rows: Record<string, number> })[] {
    const out: (BatchRef & { rows: Record<string, number> })[] = [];
    for (const [id, rows] of this.batchRows) {
      const b = this.batches.get(id);
      if (b) out.push({ ...b, rows: Object.fromEntries(rows) });
    }
    return out.sort((a, b) => a.id - b.id);
  }

  allRuns(): (RunRef & { links: number })[] {
    const out: (RunRef & { links: number })[] = [];
    for (const [id, links] of this.runLinks) {
      const r = this.runs.get(id);
      if (r) out.push({ ...r, links });
    }
    return out.sort((a, b) => a.id - b.id);
  }
}

const MAX_GAPS = 50;

interface SeriesInfo {
  id: number;
  reading_type: string;
  commodity: string;
  unit: string;
  interval_seconds: number | null;
  flow_direction: string;
  measure: string;
}

/** Coverage and quality of one series, from the monthly roll-up, block days and quality runs. */
export function seriesCoverage(
  db: Database,
  s: SeriesInfo,
  platformInstanceId: string | null,
  prov: Provenance,
): SeriesCoverage {
  const agg = db
    .prepare(
      'SELECT min(first_day) AS first, max(last_day) AS last, sum(days) AS days, sum(readings) AS readings, sum(total) AS total FROM interval_month WHERE series_id = ?',
    )
    .get(s.id) as {
    first: number | null;
    last: number | null;
    days: number | null;
    readings: number | null;
    total: number | null;
  };
  const gaps: { from: string; to: string; days: number }[] = [];
  let gapDays = 0;
  let prev: number | null = null;
  for (const day of db
    .prepare('SELECT day FROM interval_block WHERE series_id = ? ORDER BY day')
    .pluck()
    .iterate(s.id) as IterableIterator<number>) {
    if (prev !== null && day > prev + 1) {
      const n = day - prev - 1;
      gapDays += n;
      if (gaps.length < MAX_GAPS)
        gaps.push({ from: dayToIso(prev + 1), to: dayToIso(day - 1), days: n });
    }
    prev = day;
  }
  const counts = [0, 0, 0, 0, 0];
  for (const r of db
    .prepare(
      'SELECT count, quality FROM interval_block WHERE series_id = ? AND quality IS NOT NULL',
    )
    .iterate(s.id) as IterableIterator<{ count: number; quality: Buffer }>) {
    const q = decodeQuality(r.count, r.quality);
    for (const c of q) if (c > 0 && c < counts.length) counts[c] = (counts[c] ?? 0) + 1;
  }
  const readings = agg.readings ?? 0;
  const flagged = (counts[1] ?? 0) + (counts[2] ?? 0) + (counts[3] ?? 0) + (counts[4] ?? 0);
  const batches = (
    db
      .prepare(
        'SELECT DISTINCT import_batch_id FROM interval_block WHERE series_id = ? AND import_batch_id IS NOT NULL',
      )
      .pluck()
      .all(s.id) as number[]
  )
    .sort((a, b) => a - b)
    .flatMap((b) => {
      const ref = prov.batch(b, 'interval_block');
      return ref ? [ref] : [];
    });
  return {
    seriesId: s.id,
    platformInstanceId,
    readingType: s.reading_type,
    commodity: s.commodity,
    unit: s.unit,
    intervalSeconds: s.interval_seconds,
    flowDirection: s.flow_direction,
    measure: s.measure,
    firstDay: agg.first === null ? null : dayToIso(agg.first),
    lastDay: agg.last === null ? null : dayToIso(agg.last),
    days: agg.days ?? 0,
    gapDays,
    gaps,
    readings,
    valid: readings - flagged,
    estimated: counts[QUALITY.estimated] ?? 0,
    edited: counts[QUALITY.edited] ?? 0,
    missing: counts[QUALITY.missing] ?? 0,
    failed: counts[QUALITY.failed] ?? 0,
    total: round6(agg.total ?? 0),
    batches,
  };
}

/** Display rounding of float sums: half away from zero to 6 decimals (named rule round6). */
export function round6(x: number): number {
  return (Math.sign(x) * Math.round(Math.abs(x) * 1e6)) / 1e6;
}

export const SERIES_SQL = `SELECT s.id, rt.name AS reading_type, rt.commodity, rt.unit, rt.interval_seconds,
  rt.flow_direction, rt.measure, rt.accumulation, s.usage_point_id, s.sensor_id
  FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id`;

export interface SeriesRow extends SeriesInfo {
  accumulation: string;
  usage_point_id: number | null;
  sensor_id: number | null;
}
