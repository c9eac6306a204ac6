import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlockWriter, ensureSeries, readBlocks } from '../../metering/intervals';
import { QUALITY } from '../../metering/quality';
import { demoCopy } from '../../testing/demoTemplate';
import { tmpDir } from '../../testing/tmp';
import { Workspace } from '../workspace';
import { backfillBlockPeaks } from './007_block_peak';
import { migrations } from './index';

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

const { valid, estimated, missing, failed } = QUALITY;

/** Blocks with missing and failed slots, one all missing, one float64, one negative. */
function addBlocks(w: Workspace): number {
  const db = w.db;
  const up = db.prepare('SELECT id FROM usage_point ORDER BY id LIMIT 1').pluck().get() as number;
  const sid = ensureSeries(db, { usagePointId: up, readingTypeId: 1 });
  const writer = new BlockWriter(db, 'replace');
  const put = (day: number, values: number[], quality?: number[]) =>
    writer.put({ seriesId: sid, day, start: day * 86400, seconds: 900, values, quality });
  db.transaction(() => {
    put(10, [3, 9, 9, 1], [valid, failed, estimated, valid]);
    put(11, [5, 5], [missing, failed]);
    put(12, [1 / 3, 0.25]);
    put(13, [-4, -2.5, -2.5], [missing, valid, valid]);
  })();
  return sid;
}

type Peaks = [number, number, number | null, number | null, number | null][];
const peaks = (w: Workspace): Peaks =>
  w.db
    .prepare(
      'SELECT series_id, day, peak, peak_slot, peak_quality FROM interval_block ORDER BY series_id, day',
    )
    .raw()
    .all() as Peaks;

/** The expected columns, from the decoded values (written out independently of the code). */
function decodedPeaks(w: Workspace): Peaks {
  const series = w.db.prepare('SELECT id FROM series ORDER BY id').pluck().all() as number[];
  const out: Peaks = [];
  for (const s of series)
    for (const b of readBlocks(w.db, s)) {
      let k = -1;
      for (let i = 0; i < b.values.length; i++) {
        const q = b.quality[i] as number;
        if (q !== missing && q !== failed && (k < 0 || b.values[i]! > b.values[k]!)) k = i;
      }
      out.push(k < 0 ? [s, b.day, null, null, null] : [s, b.day, b.values[k]!, k, b.quality[k]!]);
    }
  return out;
}

describe('migration 7: interval block peaks', () => {
  it('backfills every block in pages, as decoding the values gives', async () => {
    ws = (await demoCopy()).ws;
    const sid = addBlocks(ws);
    const written = peaks(ws);
    const expected = decodedPeaks(ws);
    expect(written).toEqual(expected);
    // The hand-checked blocks.
    expect(written.filter((r) => r[0] === sid && r[1] < 20).map((r) => r.slice(1))).toEqual([
      [10, 9, 2, estimated],
      [11, null, null, null],
      [12, 1 / 3, 0, valid],
      [13, -2.5, 1, valid],
    ]);
    ws.db
      .prepare('UPDATE interval_block SET peak = NULL, peak_slot = NULL, peak_quality = NULL')
      .run();
    expect(backfillBlockPeaks(ws.db)).toBe(expected.length);
    expect(peaks(ws)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(100);
  });

  it('migration 7 adds the columns to a version 6 workspace and fills them', () => {
    ws = Workspace.create(path.join(tmpDir('edw-m7-'), 'old.edw'));
    ws.db
      .prepare("INSERT INTO organization (id, code, name, kind) VALUES (1, 'UES', 'U', 'utility')")
      .run();
    ws.db
      .prepare(
        "INSERT INTO usage_point (id, org_id, source_key, commodity) VALUES (1, 1, 'UP1', 'electricity')",
      )
      .run();
    addBlocks(ws);
    const expected = decodedPeaks(ws);
    // As in a version 6 file: the columns did not exist then.
    for (const c of ['peak', 'peak_slot', 'peak_quality'])
      ws.db.exec(`ALTER TABLE interval_block DROP COLUMN ${c}`);
    const m7 = migrations.find((m) => m.version === 7);
    expect(m7).toBeDefined();
    const db = ws.db;
    db.transaction(() => m7?.up(db))();
    expect(peaks(ws)).toEqual(expected);
  });
});
