import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockPeak, chooseScale, decodeBlock, encodeBlock, QUALITY } from './intervalCodec';
import { BlockWriter, ensureSeries, readBlocks } from './intervals';
import { Workspace } from '../workspace/workspace';
import { localDay, dayNumber } from '../time/zone';
import { tmpDir } from '../testing/tmp';

// Deterministic pseudo-random numbers so failures reproduce.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('interval block codec', () => {
  it('round-trips the CORE-02 readings exactly at scale 4', () => {
    const v = [
      1.25, 0.6875, 0.625, 0.5625, 0.8125, 0.7188, 0.8125, 0.7813, 0.75, 1.3125, 0.2344, 0.4844,
    ];
    const enc = encodeBlock(v);
    expect(enc.scale).toBe(4);
    expect(enc.width).toBeLessThanOrEqual(3);
    const dec = decodeBlock(v.length, enc.scale, enc.base, enc.width, enc.vals, enc.quality);
    expect(Array.from(dec.values)).toEqual(v);
    expect(enc.quality).toBeNull();
  });

  it('round-trips negative, large, constant and non-decimal values', () => {
    const cases: number[][] = [
      [-1.5, 2.25, -3.125, 0, 0],
      [7, 7, 7, 7],
      [123456.789, 0.001, 99999.999],
      [1 / 3, Math.PI, -Math.E],
      [2 ** 50, -(2 ** 50)],
    ];
    for (const v of cases) {
      const enc = encodeBlock(v);
      const dec = decodeBlock(v.length, enc.scale, enc.base, enc.width, enc.vals, enc.quality);
      expect(Array.from(dec.values)).toEqual(v);
    }
    expect(chooseScale([1 / 3])).toBe(-1);
    expect(encodeBlock([7, 7, 7]).width).toBeLessThanOrEqual(1);
  });

  it('round-trips random blocks with quality runs', () => {
    const r = rng(42);
    for (let k = 0; k < 300; k++) {
      const n = 1 + Math.floor(r() * 100);
      const dec = 1 + Math.floor(r() * 6);
      const values = Array.from(
        { length: n },
        () => Math.round((r() - 0.2) * 50 * 10 ** dec) / 10 ** dec,
      );
      const quality = Array.from({ length: n }, () => (r() < 0.9 ? 0 : Math.floor(r() * 5)));
      const enc = encodeBlock(values, quality);
      const out = decodeBlock(n, enc.scale, enc.base, enc.width, enc.vals, enc.quality);
      expect(Array.from(out.values)).toEqual(values);
      expect(Array.from(out.quality)).toEqual(quality);
    }
  });

  it('totals exclude missing slots', () => {
    const enc = encodeBlock([1, 2, 0, 4], [0, 0, QUALITY.missing, 1]);
    expect(enc.total).toBe(7);
  });
});

describe('block peak', () => {
  const { valid, estimated, edited, missing, failed } = QUALITY;

  it('is the first slot at the largest value, skipping missing and failed slots', () => {
    expect(blockPeak([1, 3, 2, 3], null)).toEqual({ peak: 3, slot: 1, quality: valid });
    // The 9 is missing and the 8 failed: the peak is the estimated 5 (first of two).
    expect(blockPeak([9, 5, 8, 5, 4], [missing, estimated, failed, edited, valid])).toEqual({
      peak: 5,
      slot: 1,
      quality: estimated,
    });
    expect(blockPeak([-2, -1.5, -3], [valid, edited, valid])).toEqual({
      peak: -1.5,
      slot: 1,
      quality: edited,
    });
    expect(blockPeak([1, 2], [missing, failed])).toBeNull();
    expect(blockPeak([], null)).toBeNull();
    expect(blockPeak([NaN, 2, NaN, 1], null)).toEqual({ peak: 2, slot: 1, quality: valid });
  });

  function writerWorkspace(): { ws: Workspace; sid: number } {
    const ws = Workspace.create(path.join(tmpDir(), 'peak.edw'));
    ws.db
      .prepare("INSERT INTO organization (id, code, name, kind) VALUES (1, 'UES', 'U', 'utility')")
      .run();
    ws.db
      .prepare(
        "INSERT INTO usage_point (id, org_id, source_key, commodity) VALUES (1, 1, 'UP1', 'electricity')",
      )
      .run();
    return { ws, sid: ensureSeries(ws.db, { usagePointId: 1, readingTypeId: 1 }) };
  }

  const peaks = (ws: Workspace) =>
    ws.db
      .prepare('SELECT day, peak, peak_slot, peak_quality FROM interval_block ORDER BY day')
      .raw()
      .all() as unknown[][];

  it('BlockWriter stores peak, peak_slot and peak_quality on insert and on replace', () => {
    const { ws, sid } = writerWorkspace();
    const put = (w: BlockWriter, day: number, values: number[], quality?: number[]) =>
      w.put({ seriesId: sid, day, start: day * 86400, seconds: 3600, values, quality });
    const insert = new BlockWriter(ws.db);
    put(insert, 100, [0.5, 2.25, 1, 2.25]); // all valid: the first 2.25
    put(insert, 101, [7.5, 0, 6, 6.5], [missing, missing, estimated, failed]);
    put(insert, 102, [0, 0, 0], [missing, missing, missing]); // nothing to peak: NULL
    put(insert, 103, [Math.PI, 1 / 3, 2]); // float64 block
    put(insert, 104, [4, 4, 4], [edited, edited, edited]); // width 0
    expect(peaks(ws)).toEqual([
      [100, 2.25, 1, valid],
      [101, 6, 2, estimated],
      [102, null, null, null],
      [103, Math.PI, 0, valid],
      [104, 4, 0, edited],
    ]);
    const replace = new BlockWriter(ws.db, 'replace');
    put(replace, 100, [1, 1, 1, 1], [missing, missing, missing, failed]); // now no peak
    put(replace, 102, [1.125, 3.5, 3.5], [valid, failed, edited]); // now a peak
    put(replace, 105, [10, 20], [valid, valid]); // a new day
    expect(peaks(ws).filter((r) => [100, 102, 105].includes(r[0] as number))).toEqual([
      [100, null, null, null],
      [102, 3.5, 2, edited],
      [105, 20, 1, valid],
    ]);
    ws.close();
  });

  it('the stored peak equals the peak of the decoded values', () => {
    const { ws, sid } = writerWorkspace();
    const r = rng(11);
    const w = new BlockWriter(ws.db);
    for (let day = 0; day < 200; day++) {
      const n = 1 + Math.floor(r() * 30);
      const values = Array.from({ length: n }, () => Math.round((r() - 0.3) * 1e5) / 1e3);
      const quality = Array.from({ length: n }, () => (r() < 0.7 ? 0 : Math.floor(r() * 5)));
      w.put({ seriesId: sid, day, start: 0, seconds: 900, values, quality });
    }
    const stored = new Map(peaks(ws).map((row) => [row[0] as number, row.slice(1)]));
    for (const b of readBlocks(ws.db, sid)) {
      let slot = -1;
      for (let i = 0; i < b.values.length; i++) {
        const q = b.quality[i]!;
        if (q === missing || q === failed) continue;
        if (slot < 0 || b.values[i]! > b.values[slot]!) slot = i;
      }
      expect(stored.get(b.day)).toEqual(
        slot < 0 ? [null, null, null] : [b.values[slot], slot, b.quality[slot]],
      );
    }
    ws.close();
  });
});

describe('interval storage and the interval_reading view', () => {
  it('stores DST days with 23/25 slots and the SQL view decodes every block like the codec', () => {
    const file = path.join(tmpDir(), 'iv.edw');
    const ws = Workspace.create(file);
    const db = ws.db;
    db.prepare(
      "INSERT INTO organization (id, code, name, kind) VALUES (1, 'UES', 'Unitil', 'utility')",
    ).run();
    db.prepare(
      "INSERT INTO usage_point (id, org_id, source_key, commodity) VALUES (1, 1, 'UP1', 'electricity')",
    ).run();
    const rt = (
      db.prepare("SELECT id FROM reading_type WHERE name = 'Electricity kWh hourly'").get() as {
        id: number;
      }
    ).id;
    const sid = ensureSeries(db, { usagePointId: 1, readingTypeId: rt });
    const zone = 'America/New_York';
    const r = rng(7);
    const days = [
      dayNumber(2018, 3, 10),
      dayNumber(2018, 3, 11),
      dayNumber(2018, 11, 4),
      dayNumber(2018, 6, 12),
    ];
    const expected = new Map<number, { values: number[]; quality: number[] }>();
    const w = new BlockWriter(db);
    db.transaction(() => {
      for (const day of days) {
        const { start, seconds } = localDay(day, zone);
        const n = seconds / 3600;
        const values = Array.from({ length: n }, () => Math.round(r() * 40000) / 10000);
        const quality = Array.from({ length: n }, (_, i) =>
          i === 3 ? QUALITY.estimated : i === 4 ? QUALITY.missing : 0,
        );
        if (day === days[3]) {
          values[5] = 1 / 3; // forces the float64 fallback in one block
          values[6] = 0;
          values[7] = -2.5e-320; // subnormal
        }
        expected.set(day, { values, quality });
        w.put({ seriesId: sid, day, start, seconds: 3600, values, quality });
      }
    })();
    const counts = db.prepare('SELECT day, count FROM interval_block ORDER BY day').all() as {
      day: number;
      count: number;
    }[];
    expect(counts.map((c) => c.count)).toEqual([24, 23, 24, 25]);
    expect(w.bytes / w.readings).toBeLessThan(6);

    for (const b of readBlocks(db, sid)) {
      const e = expected.get(b.day)!;
      expect(Array.from(b.values)).toEqual(e.values);
      expect(Array.from(b.quality)).toEqual(e.quality);
    }
    const rows = db
      .prepare(
        'SELECT day, slot, start, value, quality, quality_name FROM interval_reading WHERE series_id = ? ORDER BY day, slot',
      )
      .all(sid) as {
      day: number;
      slot: number;
      start: number;
      value: number;
      quality: number;
      quality_name: string;
    }[];
    expect(rows.length).toBe(24 + 23 + 24 + 25);
    for (const row of rows) {
      const e = expected.get(row.day)!;
      expect(row.value).toBe(e.values[row.slot]);
      expect(row.quality).toBe(e.quality[row.slot]);
    }
    expect(rows.find((x) => x.quality === QUALITY.missing)?.quality_name).toBe('missing');
    // Slot start times are consecutive UTC hours across the spring-forward day.
    const spring = rows.filter((x) => x.day === days[1]);
    expect(spring[2]!.start - spring[1]!.start).toBe(3600);
    ws.close();
  });
});

describe('interval_month roll-up', () => {
  it('stays equal to a fresh aggregation of the blocks after inserts, upserts and deletes', () => {
    const ws = Workspace.create(path.join(tmpDir(), 'rollup.edw'));
    const db = ws.db;
    db.prepare(
      "INSERT INTO organization (id, code, name, kind) VALUES (1, 'UES', 'Unitil', 'utility')",
    ).run();
    db.prepare(
      "INSERT INTO usage_point (id, org_id, source_key, commodity) VALUES (1, 1, 'UP1', 'electricity')",
    ).run();
    const sid = ensureSeries(db, { usagePointId: 1, readingTypeId: 1 });
    const zone = 'America/New_York';
    const put = (w: BlockWriter, day: number, v: number) => {
      const { start, seconds } = localDay(day, zone);
      w.put({
        seriesId: sid,
        day,
        start,
        seconds: 3600,
        values: new Array(seconds / 3600).fill(v),
      });
    };
    const first = dayNumber(2018, 1, 28);
    const insert = new BlockWriter(db);
    for (let d = 0; d < 10; d++) put(insert, first + d, 1.5); // Jan 28 → Feb 6
    const replace = new BlockWriter(db, 'replace');
    put(replace, first + 1, 2.25); // a re-import of Jan 29 with other values
    put(replace, first + 20, 1); // a new day in late February
    db.prepare('DELETE FROM interval_block WHERE series_id = ? AND day = ?').run(sid, first + 9);
    const rollup = db.prepare('SELECT * FROM interval_month ORDER BY month').all();
    const fresh = db.prepare('SELECT * FROM interval_month_source ORDER BY month').all();
    expect(rollup).toEqual(fresh);
    expect(rollup).toMatchObject([
      { month: '2018-01', days: 4, readings: 96, total: 24 * (1.5 * 3 + 2.25) },
      { month: '2018-02', days: 6, readings: 144, first_day: first + 4, last_day: first + 20 },
    ]);
    db.prepare('DELETE FROM interval_block').run();
    expect(db.prepare('SELECT count(*) AS n FROM interval_month').get()).toEqual({ n: 0 });
    ws.close();
  });
});
