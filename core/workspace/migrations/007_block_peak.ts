// Migration 7: each interval block's peak, so daily and monthly peaks (core-03-demand) read
// three small columns instead of decoding every reading.
//   peak          REAL: the largest value (as decoded, in the series' unit) among the block's
//                 slots whose quality is neither missing (3) nor failed (4); NULL when no slot
//                 qualifies (every slot missing or failed).
//   peak_slot     INTEGER: the first slot holding that value (its time: start + peak_slot × seconds).
//   peak_quality  INTEGER: that slot's quality code.
// BlockWriter fills them (blockPeak in core/metering/intervalCodec.ts); existing blocks are
// backfilled here by decoding each one.
import type { Database } from 'better-sqlite3';
import { SeriesScanner } from '../../metering/blockScan';
import { blockPeak } from '../../metering/intervalCodec';

export const migration007 = `
ALTER TABLE interval_block ADD COLUMN peak REAL;
ALTER TABLE interval_block ADD COLUMN peak_slot INTEGER;
ALTER TABLE interval_block ADD COLUMN peak_quality INTEGER;
`;

/**
 * Compute peak, peak_slot and peak_quality of every block from its values. Reads one series at
 * a time with SeriesScanner (one row per series: fetching a row, and a BLOB copy, per block
 * would cost more than the updates), then updates its blocks by primary key (a statement cannot
 * be iterated while the same connection writes). Returns the number of blocks updated.
 */
export function backfillBlockPeaks(db: Database): number {
  const scanner = new SeriesScanner(db);
  const update = db.prepare(
    'UPDATE interval_block SET peak = ?, peak_slot = ?, peak_quality = ? WHERE series_id = ? AND day = ?',
  );
  const series = db.prepare('SELECT id FROM series ORDER BY id').pluck().all() as number[];
  let done = 0;
  for (const id of series) {
    const b = scanner.read(id);
    for (let i = 0; i < b.n; i++) {
      const count = scanner.decode(b, i);
      const p = blockPeak(scanner.values, b.qualityLen[i] ? scanner.qualities : null, count);
      update.run(p?.peak ?? null, p?.slot ?? null, p?.quality ?? null, id, b.day[i]);
    }
    done += b.n;
  }
  return done;
}
