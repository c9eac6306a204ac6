// Reading and writing interval data as blocks (one row per series × local day).
import type { Database, Statement } from 'better-sqlite3';
import { decodeBlock, encodeBlock, type DecodedBlock } from './intervalCodec';

export interface SeriesKey {
  usagePointId?: number;
  sensorId?: number;
  readingTypeId: number;
}

export function ensureSeries(db: Database, key: SeriesKey): number {
  const up = key.usagePointId ?? null;
  const sensor = key.sensorId ?? null;
  const found = db
    .prepare(
      'SELECT id FROM series WHERE usage_point_id IS ? AND sensor_id IS ? AND reading_type_id = ?',
    )
    .get(up, sensor, key.readingTypeId) as { id: number } | undefined;
  if (found) return found.id;
  return Number(
    db
      .prepare('INSERT INTO series (usage_point_id, sensor_id, reading_type_id) VALUES (?, ?, ?)')
      .run(up, sensor, key.readingTypeId).lastInsertRowid,
  );
}

export interface BlockInput {
  seriesId: number;
  day: number;
  start: number;
  seconds: number;
  values: ArrayLike<number>;
  quality?: ArrayLike<number>;
  importBatchId?: number | null;
}

/** Prepared-statement writer; callers wrap many puts in one transaction. */
export class BlockWriter {
  private readonly insert: Statement;
  bytes = 0;
  readings = 0;

  constructor(db: Database, mode: 'insert' | 'replace' = 'insert') {
    this.insert = db.prepare(
      `INSERT INTO interval_block
         (series_id, day, start, seconds, count, scale, base, width, vals, quality, total,
          peak, peak_slot, peak_quality, import_batch_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)` +
        // An upsert (not INSERT OR REPLACE) so the update trigger keeps interval_month exact.
        (mode === 'replace'
          ? ` ON CONFLICT (series_id, day) DO UPDATE SET start = excluded.start, seconds = excluded.seconds,
              count = excluded.count, scale = excluded.scale, base = excluded.base, width = excluded.width,
              vals = excluded.vals, quality = excluded.quality, total = excluded.total,
              peak = excluded.peak, peak_slot = excluded.peak_slot, peak_quality = excluded.peak_quality,
              import_batch_id = excluded.import_batch_id`
          : ''),
    );
  }

  put(b: BlockInput): void {
    const enc = encodeBlock(b.values, b.quality);
    this.insert.run(
      b.seriesId,
      b.day,
      b.start,
      b.seconds,
      b.values.length,
      enc.scale,
      enc.base,
      enc.width,
      enc.vals,
      enc.quality,
      enc.total,
      enc.peak,
      enc.peakSlot,
      enc.peakQuality,
      b.importBatchId ?? null,
    );
    this.bytes += enc.vals.length + (enc.quality?.length ?? 0);
    this.readings += b.values.length;
  }
}

export interface StoredBlock extends DecodedBlock {
  seriesId: number;
  day: number;
  start: number;
  seconds: number;
}

interface BlockRow {
  series_id: number;
  day: number;
  start: number;
  seconds: number;
  count: number;
  scale: number;
  base: number;
  width: number;
  vals: Buffer;
  quality: Buffer | null;
}

/** Decoded blocks of one series between two local days (inclusive), in day order. */
export function* readBlocks(
  db: Database,
  seriesId: number,
  fromDay = -1e9,
  toDay = 1e9,
): Generator<StoredBlock> {
  const rows = db
    .prepare(
      `SELECT series_id, day, start, seconds, count, scale, base, width, vals, quality
       FROM interval_block WHERE series_id = ? AND day BETWEEN ? AND ? ORDER BY day`,
    )
    .iterate(seriesId, fromDay, toDay) as IterableIterator<BlockRow>;
  for (const r of rows) {
    const d = decodeBlock(r.count, r.scale, r.base, r.width, r.vals, r.quality);
    yield { seriesId: r.series_id, day: r.day, start: r.start, seconds: r.seconds, ...d };
  }
}
