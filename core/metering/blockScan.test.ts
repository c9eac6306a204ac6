import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tmpDir } from '../testing/tmp';
import { Workspace } from '../workspace/workspace';
import { PeakScanner, SeriesScanner } from './blockScan';
import { BlockWriter, ensureSeries, readBlocks } from './intervals';
import { QUALITY } from './quality';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function workspace(): Workspace {
  const dir = tmpDir('edw-blockscan-');
  dirs.push(dir);
  const ws = Workspace.create(path.join(dir, 'w.edw'));
  ws.db
    .prepare(
      "INSERT INTO organization (id, code, name, kind, time_zone) VALUES (1, 'UES', 'U', 'utility', 'America/New_York')",
    )
    .run();
  ws.db
    .prepare(
      "INSERT INTO usage_point (id, org_id, source_key, commodity) VALUES (1, 1, 'A', 'electricity'), (2, 1, 'B', 'electricity')",
    )
    .run();
  return ws;
}

const rt = (ws: Workspace): number =>
  ws.db
    .prepare(
      "SELECT id FROM reading_type WHERE commodity = 'electricity' AND unit = 'kWh' AND interval_seconds = 3600 AND measure = 'energy' AND flow_direction = 'forward'",
    )
    .pluck()
    .get() as number;

/** Blocks of every kind of encoding: width 0, 1, 2, 3, float64, negative base, quality runs. */
const BLOCKS: { day: number; values: number[]; quality?: number[] }[] = [
  { day: 17897, values: [1, 1, 1] }, // width 0
  { day: 17898, values: [0.1, 0.25, 0.3] }, // width 1, scale 2
  { day: 17900, values: [12.345, 1.2, 0.001, 3] }, // width 2, scale 3 (a day missing before)
  { day: 17901, values: [-5.5, 100000.25, 7] }, // negative base, width 3
  { day: 17902, values: [Math.PI, 1 / 3] }, // float64 (width 8)
  { day: 17903, values: [1.5, 0, 2.5, 4], quality: [0, 3, 1, 4] }, // quality runs
];

describe('SeriesScanner', () => {
  it('reads a series in one row and decodes every block as readBlocks does', () => {
    const ws = workspace();
    try {
      const s = ensureSeries(ws.db, { usagePointId: 1, readingTypeId: rt(ws) });
      const other = ensureSeries(ws.db, { usagePointId: 2, readingTypeId: rt(ws) });
      const w = new BlockWriter(ws.db);
      ws.db.transaction(() => {
        for (const b of BLOCKS)
          w.put({ ...b, seriesId: s, start: b.day * 86400 + 18000, seconds: 3600 });
        w.put({ seriesId: other, day: 17899, start: 0, seconds: 900, values: [9, 9] });
      })();
      const scanner = new SeriesScanner(ws.db);
      const got = scanner.read(s);
      expect(got.n).toBe(BLOCKS.length);
      const expected = [...readBlocks(ws.db, s)];
      for (let i = 0; i < got.n; i++) {
        const e = expected[i]!;
        expect([got.day[i], got.start[i], got.seconds[i]]).toEqual([e.day, e.start, e.seconds]);
        const n = scanner.decode(got, i);
        expect(n).toBe(e.values.length);
        expect([...scanner.values.subarray(0, n)]).toEqual([...e.values]);
        expect([...scanner.qualities.subarray(0, n)]).toEqual([...e.quality]);
      }
      // The values as written, hand-checked for the tricky blocks.
      scanner.decode(got, 3);
      expect([...scanner.values.subarray(0, 3)]).toEqual([-5.5, 100000.25, 7]);
      scanner.decode(got, 4);
      expect([...scanner.values.subarray(0, 2)]).toEqual([Math.PI, 1 / 3]);
      scanner.decode(got, 5);
      expect([...scanner.qualities.subarray(0, 4)]).toEqual([
        QUALITY.valid,
        QUALITY.missing,
        QUALITY.estimated,
        QUALITY.failed,
      ]);
      // A day range, a day list, and an empty read.
      const range = scanner.read(s, 17898, 17901);
      expect([...range.day.subarray(0, range.n)]).toEqual([17898, 17900, 17901]);
      scanner.decode(range, 1);
      expect([...scanner.values.subarray(0, 4)]).toEqual([12.345, 1.2, 0.001, 3]);
      const days = scanner.readDays(s, [17903, 17899, 17897]);
      expect([...days.day.subarray(0, days.n)]).toEqual([17897, 17903]);
      expect(scanner.read(s, 18000, 18100).n).toBe(0);
      const o = scanner.read(other);
      expect([o.n, o.seconds[0], o.start[0]]).toEqual([1, 900, 0]);
    } finally {
      ws.close();
    }
  });
});

describe('SeriesScanner header list', () => {
  it('reads days and starts exactly far from today: before 1970, after 2149, a start off midnight', () => {
    const ws = workspace();
    try {
      const rtId = rt(ws);
      const inRange = ensureSeries(ws.db, { usagePointId: 1, readingTypeId: rtId });
      const beyond = ensureSeries(ws.db, { usagePointId: 2, readingTypeId: rtId });
      const w = new BlockWriter(ws.db);
      // Days before 1970 and up to 2^16 − 1, starts 14 h either side of UTC midnight.
      const packed = [
        { day: -32768, start: -32768 * 86400 + 50400 },
        { day: -100, start: -100 * 86400 - 36000 },
        { day: 0, start: 0 },
        { day: 65535, start: 65535 * 86400 + 129599 },
      ];
      // A day before 1880, one after 2149, and a start more than a day off its UTC midnight.
      const plain = [
        { day: -40000, start: -40000 * 86400 + 18000 },
        { day: 17000, start: 17000 * 86400 + 200000 },
        { day: 70000, start: 70000 * 86400 - 14400 },
      ];
      ws.db.transaction(() => {
        for (const b of packed)
          w.put({ seriesId: inRange, ...b, seconds: 3600, values: [1.25, -2, 3] });
        for (const b of plain) w.put({ seriesId: beyond, ...b, seconds: 900, values: [7, 8] });
      })();
      const scanner = new SeriesScanner(ws.db);
      const a = scanner.read(inRange);
      expect([...a.day.subarray(0, a.n)]).toEqual(packed.map((b) => b.day));
      expect([...a.start.subarray(0, a.n)]).toEqual(packed.map((b) => b.start));
      expect([...a.seconds.subarray(0, a.n)]).toEqual([3600, 3600, 3600, 3600]);
      scanner.decode(a, 1);
      expect([...scanner.values.subarray(0, 3)]).toEqual([1.25, -2, 3]);
      const b = scanner.read(beyond);
      expect([...b.day.subarray(0, b.n)]).toEqual(plain.map((x) => x.day));
      expect([...b.start.subarray(0, b.n)]).toEqual(plain.map((x) => x.start));
      expect([...b.seconds.subarray(0, b.n)]).toEqual([900, 900, 900]);
      scanner.decode(b, 2);
      expect([...scanner.values.subarray(0, 2)]).toEqual([7, 8]);
    } finally {
      ws.close();
    }
  });
});

describe('PeakScanner', () => {
  it("reads each block's stored peak, its time and quality, in one row per series", () => {
    const ws = workspace();
    try {
      const s = ensureSeries(ws.db, { usagePointId: 1, readingTypeId: rt(ws) });
      const w = new BlockWriter(ws.db);
      const start = (day: number) => day * 86400 + 18000;
      ws.db.transaction(() => {
        for (const b of BLOCKS) w.put({ ...b, seriesId: s, start: start(b.day), seconds: 3600 });
        // Every slot missing or failed: no peak, so the scanner skips the block.
        w.put({
          seriesId: s,
          day: 17904,
          start: start(17904),
          seconds: 3600,
          values: [1, 2],
          quality: [QUALITY.missing, QUALITY.failed],
        });
        w.put({
          seriesId: s,
          day: 17905,
          start: start(17905),
          seconds: 900,
          values: [1e-7, 123456.789012, 2e-7],
        });
        // A peak SQLite prints with an exponent (2.5e-07).
        w.put({
          seriesId: s,
          day: 17906,
          start: start(17906),
          seconds: 3600,
          values: [1e-7, 2.5e-7],
        });
        // Before 1970: negative days and times.
        w.put({ seriesId: s, day: -3, start: -3 * 86400, seconds: 60, values: [0.5, 0.75, 0.25] });
      })();
      const scanner = new PeakScanner(ws.db);
      const got = scanner.read(s);
      const rows = Array.from({ length: got.n }, (_, i) => [
        got.day[i],
        got.seconds[i],
        got.at[i],
        got.peak[i],
        got.quality[i],
      ]);
      expect(rows).toEqual([
        [-3, 60, -3 * 86400 + 60, 0.75, QUALITY.valid],
        [17897, 3600, start(17897), 1, QUALITY.valid],
        [17898, 3600, start(17898) + 2 * 3600, 0.3, QUALITY.valid],
        [17900, 3600, start(17900), 12.345, QUALITY.valid],
        [17901, 3600, start(17901) + 3600, 100000.25, QUALITY.valid],
        [17902, 3600, start(17902), Math.PI, QUALITY.valid],
        [17903, 3600, start(17903) + 2 * 3600, 2.5, QUALITY.estimated],
        [17905, 900, start(17905) + 900, 123456.789012, QUALITY.valid],
        [17906, 3600, start(17906) + 3600, 2.5e-7, QUALITY.valid],
      ]);
      const range = scanner.read(s, 17898, 17904);
      expect([...range.day.subarray(0, range.n)]).toEqual([17898, 17900, 17901, 17902, 17903]);
      expect(scanner.read(s, 18000, 18100).n).toBe(0);
    } finally {
      ws.close();
    }
  });
});
