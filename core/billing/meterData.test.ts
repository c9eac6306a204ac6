// The population fast path (readPopulation: one grouped row per series) decodes exactly what
// the per-series read does: hand-computed micro-kWh for every block width (0, 1 byte, float64),
// quality runs (missing slots count 0), days without a block, and series billed together.
import { afterEach, describe, expect, it } from 'vitest';
import { BlockWriter, ensureSeries } from '../metering/intervals';
import { QUALITY } from '../metering/quality';
import { isoToDay, localDay } from '../time/zone';
import type { Workspace } from '../workspace/workspace';
import { readIntervalDays, readPopulation, type SeriesDays } from './meterData';
import { bareWorkspace, ZONE } from './testkit';

let open: Workspace | null = null;
afterEach(() => {
  open?.close();
  open = null;
});

describe('readPopulation', () => {
  it('decodes every block of every series as readIntervalDays does', () => {
    const { ws, db, orgId } = bareWorkspace();
    open = ws;
    const rt = (
      db.prepare("SELECT id FROM reading_type WHERE name = 'Electricity kWh hourly'").get() as {
        id: number;
      }
    ).id;
    const series = [1, 2].map((i) => {
      db.prepare(
        `INSERT INTO usage_point (id, org_id, source_key, commodity) VALUES (?, ?, ?, 'electricity')`,
      ).run(i, orgId, `UP-${i}`);
      return ensureSeries(db, { usagePointId: i, readingTypeId: rt });
    });
    const [a, b] = series as [number, number];
    const from = isoToDay('2018-07-02');
    const w = new BlockWriter(db);
    const put = (seriesId: number, i: number, values: number[], quality?: number[]): void =>
      w.put({
        seriesId,
        day: from + i,
        start: localDay(from + i, ZONE).start,
        seconds: 3600,
        values,
        quality,
      });
    put(a, 0, [1.5, 2.25, 0]); // scale 2, 1-byte offsets
    put(a, 1, [3, 4, 5], [QUALITY.valid, QUALITY.estimated, QUALITY.missing]);
    // day 2: no block
    put(a, 3, [0.1 + 0.2, 2]); // no decimal scale ≤ 12: float64
    put(b, 1, [7, 7]); // width 0
    const got = new Map<number, SeriesDays>();
    for (const s of readPopulation(db, [b, a, 999], from, from + 4, 0)) got.set(s.seriesId, s);
    expect([...got.keys()].sort()).toEqual([a, b].sort());
    const sa = got.get(a) as SeriesDays;
    expect(sa.days.map((d) => (d ? [...d.values] : null))).toEqual([
      [1_500_000, 2_250_000, 0],
      [3_000_000, 4_000_000, 0],
      null,
      [300_000, 2_000_000],
    ]);
    expect(sa.days[1]?.quality).toEqual(new Uint8Array([0, 1, 3]));
    expect(sa.days[0]?.quality).toBeNull();
    expect(sa.days[3]?.start).toBe(localDay(from + 3, ZONE).start);
    expect([sa.estimated, sa.missing, sa.precisionLoss, sa.totalMicro]).toEqual([
      1,
      1,
      false,
      13_050_000,
    ]);
    const sb = got.get(b) as SeriesDays;
    expect(sb.days.map((d) => (d ? [...d.values] : null))).toEqual([
      null,
      [7_000_000, 7_000_000],
      null,
      null,
    ]);
    expect(sb.totalMicro).toBe(14_000_000);
    // The per-bill read gives the same days; a shift of 3 scales by 10^3.
    const one = readIntervalDays(db, a, from, from + 4, 0);
    expect(one.days).toEqual(sa.days);
    expect([one.estimated, one.missing]).toEqual([1, 1]);
    const shifted = [...readPopulation(db, [b], from, from + 2, 3)][0];
    expect(shifted?.days[1]?.values).toEqual(new Float64Array([7e9, 7e9]));
    expect(readIntervalDays(db, a, from + 10, from + 12, 0).days).toEqual([null, null]);
  });
});
