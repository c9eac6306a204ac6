import { afterEach, describe, expect, it } from 'vitest';
import { QUALITY } from '../../metering/quality';
import { isoToDay, localDay } from '../../time/zone';
import type { Workspace } from '../../workspace/workspace';
import { intervalTuning } from '../intervalStage';
import type { ProfileInput } from '../profile';
import {
  blocks,
  count,
  csvFile,
  demoWorkspace,
  importFile,
  seriesOf,
  usagePoints,
  viewRows,
} from './meteringTestKit';

const HEADER = 'usage_point,start,seconds,value,unit,quality';
const ZONE = 'America/New_York';
const HOURLY = 'Electricity kWh hourly';
const pad = (n: number) => String(n).padStart(2, '0');

/** Value of hour h of usage point u: 3 decimals, exact in the codec. */
const val = (u: number, h: number) =>
  Number(((u + 1) * 0.137 + (h % 24) * 0.011 + h * 0.001).toFixed(3));

/** Hourly rows of local days from `fromIso` (summer: -04:00 offset), each value val(u, h). */
function summerRows(keys: readonly string[], fromIso: string, hours: number): string[] {
  const rows: string[] = [];
  const t0 = Date.parse(`${fromIso}T00:00:00-04:00`);
  keys.forEach((k, u) => {
    for (let h = 0; h < hours; h++) {
      const local = new Date(t0 + h * 3_600_000 - 4 * 3_600_000).toISOString().slice(0, 19);
      rows.push(`${k},${local}-04:00,3600,${val(u, h).toFixed(3)},kWh,A`);
    }
  });
  return rows;
}

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
  intervalTuning.stageSlots = 2_000_000;
});

async function open(): Promise<Workspace> {
  ws = await demoWorkspace();
  return ws;
}

describe('intervals importer: long layout', () => {
  it('imports hourly readings with offsets into day blocks and the interval_reading view', async () => {
    const w = await open();
    const [a, b] = usagePoints(w, 'UES') as [string, string];
    const file = csvFile('summer.csv', [HEADER, ...summerRows([a, b], '2019-06-01', 48)]);
    const r = await importFile(w, 'intervals', file, { org: 'UES' });
    expect(r.status).toBe('committed');
    expect(r.rowsTotal).toBe(96);
    expect(r.rowsAccepted).toBe(96);
    expect(r.rowsRejected).toBe(0);
    expect(r.written).toMatchObject({ readings: 96, interval_block: 4 });
    expect(r.findings.filter((f) => f.kind === 'gap' || f.kind === 'conflict')).toEqual([]);

    const sa = seriesOf(w, 'UES', a, HOURLY);
    const bl = blocks(w, sa);
    const day0 = isoToDay('2019-06-01');
    expect(bl.map((x) => [x.day, x.values.length, x.start, x.seconds])).toEqual([
      [day0, 24, Date.parse('2019-06-01T04:00:00Z') / 1000, 3600],
      [day0 + 1, 24, Date.parse('2019-06-02T04:00:00Z') / 1000, 3600],
    ]);
    expect(Array.from(bl[0]!.values)).toEqual(Array.from({ length: 24 }, (_, h) => val(0, h)));
    expect(Array.from(bl[1]!.values)).toEqual(Array.from({ length: 24 }, (_, h) => val(0, h + 24)));
    expect(Array.from(bl[0]!.quality).every((q) => q === QUALITY.valid)).toBe(true);

    const view = viewRows(w, seriesOf(w, 'UES', b, HOURLY));
    expect(view).toHaveLength(48);
    expect(view[0]).toMatchObject({
      slot: 0,
      start: Date.parse('2019-06-01T04:00:00Z') / 1000,
      value: val(1, 0),
      quality_name: 'valid',
    });
    expect(view[47]).toMatchObject({ slot: 23, value: val(1, 47) });
    // The batch is recorded with the org and the counts.
    expect(
      count(
        w,
        "SELECT count(*) AS n FROM import_batch WHERE kind = 'intervals' AND status = 'committed' AND rows_accepted = 96",
      ),
    ).toBe(1);
  });

  it('stores the spring-forward day as 23 slots and rejects the local time that does not exist', async () => {
    const w = await open();
    const [a] = usagePoints(w, 'UES') as [string];
    // Local times without offset, read in the organization's zone (America/New_York).
    const rows = [HEADER];
    for (let h = 0; h < 24; h++) {
      if (h === 2) continue;
      rows.push(`${a},2019-03-10 ${pad(h)}:00,3600,${(h + 1) / 10},kWh,`);
    }
    rows.push(`${a},2019-03-10 02:00,3600,9.9,kWh,`); // does not exist
    const r = await importFile(w, 'intervals', csvFile('spring.csv', rows), { org: 'UES' });
    expect(r.status).toBe('committed');
    expect(r.rowsAccepted).toBe(23);
    expect(r.rejects).toHaveLength(1);
    expect(r.rejects[0]).toMatchObject({ line: 25, column: 'start' });
    expect(r.rejects[0]!.reason).toMatch(/does not exist in America\/New_York/);
    const [block] = blocks(w, seriesOf(w, 'UES', a, HOURLY));
    const day = isoToDay('2019-03-10');
    expect(block!.day).toBe(day);
    expect(block!.values.length).toBe(23);
    expect(block!.start).toBe(localDay(day, ZONE).start);
    expect(Array.from(block!.values)).toEqual([
      0.1,
      0.2,
      0.4,
      0.5,
      ...Array.from({ length: 19 }, (_, i) => (i + 6) / 10),
    ]);
    // UTC starts run on without a gap: 05:00Z, 06:00Z, then 07:00Z is 03:00 EDT.
    const view = viewRows(w, block!.seriesId);
    expect(view.map((v) => v.start - view[0]!.start)).toEqual(
      Array.from({ length: 23 }, (_, i) => i * 3600),
    );
    expect(view[2]!.value).toBe(0.4);
  });

  it('stores the fall-back day as 25 slots, the repeated 01:00 hour resolved by order', async () => {
    const w = await open();
    const [a, b] = usagePoints(w, 'UES') as [string, string];
    const rows = [HEADER];
    // Usage point a: every wall-clock hour, 01:00 twice (daylight first, then standard).
    for (let h = 0; h < 24; h++) {
      rows.push(`${a},2019-11-03T${pad(h)}:00:00,3600,${(h + 1).toFixed(2)},kWh,A`);
      if (h === 1) rows.push(`${a},2019-11-03T01:00:00,3600,1.5,kWh,A`);
    }
    // Usage point b: 01:00 only once → read as daylight time and reported.
    rows.push(`${b},2019-11-03T01:00:00,3600,7.25,kWh,A`);
    const r = await importFile(w, 'intervals', csvFile('fall.csv', rows), { org: 'UES' });
    expect(r.status).toBe('committed');
    expect(r.rowsAccepted).toBe(26);
    const [block] = blocks(w, seriesOf(w, 'UES', a, HOURLY));
    expect(block!.values.length).toBe(25);
    expect(Array.from(block!.values.slice(0, 4))).toEqual([1, 2, 1.5, 3]);
    expect(block!.values[24]).toBe(24);
    const view = viewRows(w, block!.seriesId);
    const iso = (t: number) => new Date(t * 1000).toISOString();
    expect(iso(view[1]!.start)).toBe('2019-11-03T05:00:00.000Z'); // 01:00 EDT
    expect(iso(view[2]!.start)).toBe('2019-11-03T06:00:00.000Z'); // 01:00 EST
    expect(view[2]!.value).toBe(1.5);
    const [bBlock] = blocks(w, seriesOf(w, 'UES', b, HOURLY));
    expect(bBlock!.values[1]).toBe(7.25);
    expect(bBlock!.quality[2]).toBe(QUALITY.missing);
    const tolerated = r.findings.filter((f) => f.kind === 'tolerated').map((f) => f.message);
    expect(
      tolerated.some((m) => /1 repeated fall-back local time .* resolved by order/.test(m)),
    ).toBe(true);
    expect(tolerated.some((m) => m.includes('occurred only once') && m.includes(b))).toBe(true);
  });

  it('converts Wh and MWh to kWh exactly and maps quality codes', async () => {
    const w = await open();
    const [a] = usagePoints(w, 'UES') as [string];
    const rows = [
      HEADER,
      `${a},2019-06-01T00:00:00-04:00,3600,1234,Wh,9`, // UES quality_map: 9 → valid
      `${a},2019-06-01T01:00:00-04:00,3600,0.0015,MWh,E`, // estimated
      `${a},2019-06-01T02:00:00-04:00,3600,2.5,KWH,ED`, // UES ED → edited
      `${a},2019-06-01T03:00:00-04:00,3600,0.7,kWh,PV`, // profile: PV → valid
      `${a},2019-06-01T04:00:00-04:00,3600,0.8,kWh,ZZ`, // unknown code
      `${a},2019-06-01T05:00:00-04:00,3600,,kWh,M`, // missing, no value
      `${a},2019-06-01T06:00:00-04:00,3600,0.9,kWh,estimated`,
    ];
    const profile: ProfileInput = {
      name: 'ues-test',
      kind: 'intervals',
      columns: {
        usage_point: 'usage_point',
        start: 'start',
        seconds: 'seconds',
        value: 'value',
        unit: 'unit',
        quality: 'quality',
      },
      quality: { PV: 'valid' },
    };
    const r = await importFile(w, 'intervals', csvFile('units.csv', rows), { org: 'UES', profile });
    expect(r.status).toBe('committed');
    expect(r.rejects).toEqual([
      expect.objectContaining({
        line: 6,
        column: 'quality',
        value: 'ZZ',
        reason: expect.stringMatching(/unknown quality code "ZZ"/),
      }),
    ]);
    const [block] = blocks(w, seriesOf(w, 'UES', a, HOURLY));
    expect(Array.from(block!.values.slice(0, 7))).toEqual([1.234, 1.5, 2.5, 0.7, 0, 0, 0.9]);
    expect(Array.from(block!.quality.slice(0, 7))).toEqual([
      QUALITY.valid,
      QUALITY.estimated,
      QUALITY.edited,
      QUALITY.valid,
      QUALITY.missing,
      QUALITY.missing,
      QUALITY.estimated,
    ]);
    const notes = r.findings.filter((f) => f.kind === 'note').map((f) => f.message);
    expect(notes).toContain('1 value converted Wh → kWh (exact decimal shift)');
    expect(notes).toContain('1 value converted MWh → kWh (exact decimal shift)');
  });

  it('rejects unknown usage points, bad values and misaligned times with their line numbers', async () => {
    const w = await open();
    const [a] = usagePoints(w, 'UES') as [string];
    const rows = [
      HEADER,
      `${a},2019-06-01T00:00:00-04:00,3600,1.0,kWh,A`,
      `NOPE-1,2019-06-01T00:00:00-04:00,3600,1.0,kWh,A`,
      `${a},2019-06-01T01:30:00-04:00,3600,1.0,kWh,A`,
      `${a},2019-06-01T02:00:00-04:00,3600,abc,kWh,A`,
      `${a},2019-06-01T03:00:00-04:00,3600,-0.5,kWh,A`,
      `${a},2019-06-01T04:00:00-04:00,3600,1.0,therm,A`,
      `${a},2019-06-01T05:00:00-04:00,7,1.0,kWh,A`,
      `${a},2019-06-01T06:00:00-04:00,3600,1.0,kWh`,
    ];
    const r = await importFile(w, 'intervals', csvFile('bad.csv', rows), { org: 'UES' });
    expect(r.status).toBe('committed');
    expect(r.rowsAccepted).toBe(1);
    const byLine = Object.fromEntries(r.rejects.map((x) => [x.line, x]));
    expect(byLine[3]).toMatchObject({
      column: 'usage_point',
      value: 'NOPE-1',
      reason: expect.stringContaining('unknown usage point NOPE-1 for UES'),
    });
    expect(byLine[4]).toMatchObject({
      column: 'start',
      reason: expect.stringMatching(/not on the 3600-second slot grid/),
    });
    expect(byLine[5]).toMatchObject({
      column: 'value',
      value: 'abc',
      reason: 'value is not a number',
    });
    expect(byLine[6]).toMatchObject({
      column: 'value',
      reason: expect.stringMatching(/negative: forward/),
    });
    expect(byLine[7]).toMatchObject({
      column: 'unit',
      reason: expect.stringMatching(/therm does not fit electricity/),
    });
    expect(byLine[8]).toMatchObject({ column: 'seconds', value: '7' });
    expect(byLine[9]).toMatchObject({
      column: null,
      reason: expect.stringMatching(/expected 6 columns, found 5/),
    });
  });

  it('reads a utility layout through its shipped profile; rejects name the file headers', async () => {
    const w = await open();
    const [a] = usagePoints(w, 'UES') as [string];
    const rows = [
      'ServicePoint,MeterNumber,ReadStart,IntervalSec,Value,UOM,QualityCode',
      `${a},814396,2019-06-12 00:00,3600,424,WH,Passed Val`,
      `${a},814396,2019-06-12 01:00,3600,0.369,KWH,EST`,
      `999,814396,2019-06-12 01:00,3600,0.369,KWH,9`,
      `${a},814396,2019-06-12 02:00,3600,x,KWH,9`,
    ];
    const r = await importFile(w, 'intervals', csvFile('ues.csv', rows), {
      org: 'UES',
      profile: 'ues-intervals',
    });
    expect(r.status).toBe('committed');
    expect(r.rejects.map((x) => [x.line, x.column, x.value])).toEqual([
      [4, 'ServicePoint', '999'],
      [5, 'Value', 'x'],
    ]);
    expect(
      r.findings.find((f) => f.kind === 'note' && f.message.includes('MeterNumber')),
    ).toBeDefined();
    const [block] = blocks(w, seriesOf(w, 'UES', a, HOURLY));
    expect(Array.from(block!.values.slice(0, 2))).toEqual([0.424, 0.369]);
    expect(Array.from(block!.quality.slice(0, 2))).toEqual([QUALITY.valid, QUALITY.estimated]);
  });

  it('refuses a file without --org and a file missing required columns', async () => {
    const w = await open();
    const file = csvFile('x.csv', [HEADER, 'a,2019-06-01T00:00:00Z,3600,1,kWh,A']);
    await expect(importFile(w, 'intervals', file)).rejects.toThrow(/--org/);
    const r = await importFile(w, 'intervals', csvFile('y.csv', ['meter,time,kwh', 'a,b,c']), {
      org: 'UES',
    });
    expect(r.status).toBe('rejected');
    // `meter` identifies the usage point (through its installation): only start and value lack.
    expect(r.message).toMatch(/missing required columns start, value/);
  });

  it('re-importing a changed file: duplicates are no-ops, conflicts are rejected and never overwrite', async () => {
    const w = await open();
    const [a] = usagePoints(w, 'UES') as [string];
    const first = [HEADER, ...summerRows([a], '2019-06-01', 24)];
    const r1 = await importFile(w, 'intervals', csvFile('v1.csv', first), { org: 'UES' });
    expect(r1.status).toBe('committed');
    // The same content again is a duplicate batch.
    const again = await importFile(w, 'intervals', csvFile('v1-copy.csv', first), { org: 'UES' });
    expect(again.status).toBe('duplicate');

    // v2: hours 3 and 7 changed, 24 new hours appended.
    const changed = [...first];
    changed[4] = changed[4]!.replace(/,([\d.]+),kWh/, ',9.999,kWh');
    changed[8] = changed[8]!.replace(/,([\d.]+),kWh/, ',8.888,kWh');
    const v2 = [...changed, ...summerRows([a], '2019-06-02', 24)];
    const r2 = await importFile(w, 'intervals', csvFile('v2.csv', v2), { org: 'UES' });
    expect(r2.status).toBe('committed');
    expect(r2.rowsTotal).toBe(48);
    expect(r2.rowsAccepted).toBe(46);
    expect(r2.rejects.map((x) => [x.line, x.value])).toEqual([
      [5, '9.999'],
      [9, '8.888'],
    ]);
    expect(r2.rejects[0]!.reason).toMatch(
      /conflicts with the stored .* from import batch \d+; the stored value is kept/,
    );
    const conflict = r2.findings.find((f) => f.kind === 'conflict');
    expect(conflict).toMatchObject({ count: 2 });
    expect(r2.findings.find((f) => f.kind === 'duplicate')).toMatchObject({ count: 22 });
    expect(r2.written.readings).toBe(24);
    const [d1, d2] = blocks(w, seriesOf(w, 'UES', a, HOURLY));
    expect(d1!.values[3]).toBe(val(0, 3)); // not overwritten
    expect(d1!.values[7]).toBe(val(0, 7));
    expect(Array.from(d2!.values)).toEqual(Array.from({ length: 24 }, (_, h) => val(0, h)));
  });

  it('reports gaps per usage point and identical or conflicting repeats within the file', async () => {
    const w = await open();
    const [a, b] = usagePoints(w, 'UES') as [string, string];
    const rows = [
      HEADER,
      ...summerRows([a], '2019-06-01', 24).filter((_, h) => h !== 5 && h !== 6 && h !== 20),
    ];
    rows.push(...summerRows([b], '2019-06-01', 3));
    rows.push(rows[rows.length - 1]!); // identical repeat
    rows.push(rows[rows.length - 1]!.replace(/,([\d.]+),kWh/, ',5.000,kWh')); // conflicting repeat
    const r = await importFile(w, 'intervals', csvFile('gaps.csv', rows), { org: 'UES' });
    expect(r.status).toBe('committed');
    const gaps = r.findings.filter((f) => f.kind === 'gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ subject: `usage point ${a}`, count: 3 });
    expect(gaps[0]!.message).toContain('first gap at 2019-06-01T05:00:00-04:00 (2 slots)');
    expect(r.findings.find((f) => f.kind === 'duplicate')).toMatchObject({ count: 1 });
    expect(r.rejects).toEqual([
      expect.objectContaining({
        line: rows.length,
        column: 'value',
        value: '5.000',
        reason: expect.stringMatching(/given earlier in the file/),
      }),
    ]);
    const [block] = blocks(w, seriesOf(w, 'UES', a, HOURLY));
    expect(block!.quality[5]).toBe(QUALITY.missing);
    expect(block!.values[5]).toBe(0);
  });

  it('strict mode: one bad row and nothing is imported', async () => {
    const w = await open();
    const [a] = usagePoints(w, 'UES') as [string];
    const before = count(w, 'SELECT count(*) AS n FROM interval_block');
    const seriesBefore = count(w, 'SELECT count(*) AS n FROM series');
    const rows = [
      HEADER,
      ...summerRows([a], '2019-06-01', 24),
      `NOPE,2019-06-01T00:00:00-04:00,3600,1,kWh,A`,
    ];
    const r = await importFile(w, 'intervals', csvFile('strict.csv', rows), {
      org: 'UES',
      mode: 'strict',
    });
    expect(r.status).toBe('rejected');
    expect(r.rowsAccepted).toBe(0);
    expect(r.rejects).toHaveLength(1);
    expect(count(w, 'SELECT count(*) AS n FROM interval_block')).toBe(before);
    expect(count(w, 'SELECT count(*) AS n FROM series')).toBe(seriesBefore);
    expect(count(w, "SELECT count(*) AS n FROM import_batch WHERE kind = 'intervals'")).toBe(0);
  });

  it('an unsorted file with a small stage: spilled, read back in order, each day written once', async () => {
    const w = await open();
    const keys = usagePoints(w, 'UES').slice(0, 3);
    const rows = summerRows(keys, '2019-06-01', 720);
    // A deterministic shuffle.
    let seed = 7;
    for (let i = rows.length - 1; i > 0; i--) {
      seed = (seed * 48271) % 2147483647;
      const j = seed % (i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    // Row 10 again at the end, long after it was spilled, with another value.
    const file = [HEADER, ...rows, rows[10]!.replace(/,([\d.]+),kWh/, ',7.777,kWh')];
    intervalTuning.stageSlots = 30;
    const r = await importFile(w, 'intervals', csvFile('shuffled.csv', file), { org: 'UES' });
    expect(r.status).toBe('committed');
    expect(r.rowsTotal).toBe(2161);
    expect(r.rowsAccepted).toBe(2160);
    expect(r.rejects).toEqual([
      expect.objectContaining({
        line: 2162,
        column: 'value',
        value: '7.777',
        reason: expect.stringMatching(
          /given earlier in the file \(line 12\) for the same slot; the first is kept/,
        ),
      }),
    ]);
    expect(r.findings.filter((f) => f.kind === 'gap')).toEqual([]);
    expect(r.written).toMatchObject({ readings: 2160, interval_block: 90 }); // each day once
    keys.forEach((k, u) => {
      const bl = blocks(w, seriesOf(w, 'UES', k, HOURLY));
      expect(bl).toHaveLength(30);
      expect(bl.flatMap((x) => Array.from(x.values))).toEqual(
        Array.from({ length: 720 }, (_, h) => val(u, h)),
      );
      expect(bl.every((x) => x.quality.every((q) => q === QUALITY.valid))).toBe(true);
    });
    const month = w.db
      .prepare(
        "SELECT readings, days FROM interval_month WHERE series_id = ? AND month = '2019-06'",
      )
      .get(seriesOf(w, 'UES', keys[0]!, HOURLY)) as { readings: number; days: number };
    expect(month).toEqual({ readings: 720, days: 30 });
  });

  it('a file sorted by time with a small stage: finished days written once, current days kept', async () => {
    const w = await open();
    const keys = usagePoints(w, 'UES').slice(0, 4);
    const perUp = keys.map((k) => summerRows([k], '2019-06-01', 96));
    // Interleaved by hour (all usage points, then the next hour), hour 30 of the first missing.
    const rows: string[] = [];
    for (let h = 0; h < 96; h++)
      keys.forEach((_, u) => {
        if (!(u === 0 && h === 30)) rows.push(perUp[u]![h]!);
      });
    intervalTuning.stageSlots = 150;
    const r = await importFile(w, 'intervals', csvFile('by-time.csv', [HEADER, ...rows]), {
      org: 'UES',
    });
    expect(r.status).toBe('committed');
    expect(r.written).toMatchObject({ readings: 383, interval_block: 16 }); // no block rewritten
    const gaps = r.findings.filter((f) => f.kind === 'gap');
    expect(gaps).toEqual([
      expect.objectContaining({ subject: `usage point ${keys[0]}`, count: 1 }),
    ]);
    const bl = blocks(w, seriesOf(w, 'UES', keys[0]!, HOURLY));
    expect(bl.map((x) => x.quality[6])).toEqual([
      QUALITY.valid,
      QUALITY.missing,
      QUALITY.valid,
      QUALITY.valid,
    ]);
    expect(bl[3]!.values[23]).toBe(val(0, 95));
  });

  it('creates reading types for 15-minute kW demand and net energy; daily gas in therms from CCF/MCF', async () => {
    const w = await open();
    const [a] = usagePoints(w, 'UES') as [string];
    const rows = [
      'usage_point,start,seconds,value,unit,quality,direction',
      `${a},2019-06-01T00:00:00-04:00,900,3.25,kW,A,`,
      `${a},2019-06-01T00:15:00-04:00,900,3.5,kW,A,`,
      `${a},2019-06-01T00:00:00-04:00,3600,-1.25,kWh,A,net`,
    ];
    const r = await importFile(w, 'intervals', csvFile('kw.csv', rows), { org: 'UES' });
    expect(r.status).toBe('committed');
    expect(r.rowsAccepted).toBe(3);
    expect(r.written.reading_type).toBe(2);
    const demand = blocks(w, seriesOf(w, 'UES', a, 'Electricity kW 15-minute demand'));
    expect(demand[0]!.values.length).toBe(96);
    expect(Array.from(demand[0]!.values.slice(0, 2))).toEqual([3.25, 3.5]);
    expect(blocks(w, seriesOf(w, 'UES', a, 'Electricity kWh hourly net'))[0]!.values[0]).toBe(
      -1.25,
    );

    const [g] = usagePoints(w, 'LIBERTY', 'gas') as [string];
    const gas = [
      HEADER,
      `${g},2019-03-09,86400,1.2,therms,ACT`,
      `${g},2019-03-10,86400,2.5,CCF,ACT`,
      `${g},2019-03-11,86400,0.31,MCF,EST`,
      `${g},2019-03-11T06:00:00,86400,1,therm,ACT`,
    ];
    const rg = await importFile(w, 'intervals', csvFile('gas.csv', gas), { org: 'LIBERTY' });
    expect(rg.rejects).toEqual([
      expect.objectContaining({
        line: 5,
        column: 'start',
        reason: expect.stringMatching(/not local midnight/),
      }),
    ]);
    const therms = blocks(w, seriesOf(w, 'LIBERTY', g, 'Gas therms daily'));
    expect(therms.map((x) => [x.day, x.values[0], x.seconds])).toEqual([
      [isoToDay('2019-03-09'), 1.2, 86400],
    ]);
    const ccf = blocks(w, seriesOf(w, 'LIBERTY', g, 'Gas CCF daily'));
    // The spring-forward day is 23 hours long: its single daily slot lasts 82 800 s.
    expect(ccf.map((x) => [x.day, x.values[0], x.seconds, x.quality[0]])).toEqual([
      [isoToDay('2019-03-10'), 2.5, 82800, QUALITY.valid],
      [isoToDay('2019-03-11'), 3.1, 86400, QUALITY.estimated],
    ]);
  });
});

describe('intervals importer: wide layout', () => {
  const he = Array.from({ length: 24 }, (_, i) => `HE${i + 1}`);
  const profile: ProfileInput = {
    name: 'ues-wide',
    kind: 'intervals',
    columns: { usage_point: 'Meter', start: 'Date', unit: 'UOM' },
    dateFormat: 'mdy',
    wide: { valueColumns: [...he, 'HE2*'], seconds: 3600 },
  };
  const line = (key: string, date: string, cells: (string | number)[]) =>
    [key, date, 'KWH', ...cells.map(String)].join(',');

  it('maps 24 hourly columns plus HE2* onto local days across both DST changes', async () => {
    const w = await open();
    const [a] = usagePoints(w, 'UES') as [string];
    const normal = he.map((_, h) => ((h + 1) / 4).toFixed(2));
    const spring = normal.map((v, h) => (h === 2 ? '' : v)); // HE3 (02:00–03:00) does not exist
    const fall = [...normal];
    const rows = [
      ['Meter', 'Date', 'UOM', ...he, 'HE2*'].join(','),
      line(a, '2019-06-03', [...normal, '']),
      line(a, '03/10/2019', [...spring, '']),
      line(a, '2019-11-03', [...fall, '9.75']),
      line(a, '2019-03-10', [...normal.map((v, h) => (h === 2 ? '5' : '')), '']), // a value in HE3 of spring day
      line(a, '2019-06-04', [...normal.map(() => ''), '1']), // HE2* on a normal day
    ];
    const r = await importFile(w, 'intervals', csvFile('wide.csv', rows), { org: 'UES', profile });
    expect(r.status).toBe('committed');
    expect(r.rowsTotal).toBe(5);
    expect(r.rejects.map((x) => [x.line, x.column])).toEqual([
      [5, 'HE3'],
      [6, 'HE2*'],
    ]);
    expect(r.rejects[0]!.reason).toMatch(/does not exist .* leave the cell empty/);
    const bl = blocks(w, seriesOf(w, 'UES', a, HOURLY));
    const byDay = new Map(bl.map((x) => [x.day, x]));
    const june = byDay.get(isoToDay('2019-06-03'))!;
    expect(Array.from(june.values)).toEqual(normal.map(Number));
    const sp = byDay.get(isoToDay('2019-03-10'))!;
    expect(sp.values.length).toBe(23);
    expect(Array.from(sp.values)).toEqual(normal.filter((_, h) => h !== 2).map(Number));
    const fa = byDay.get(isoToDay('2019-11-03'))!;
    expect(fa.values.length).toBe(25);
    // HE2 (01:00 EDT) = 0.5, HE2* (01:00 EST) = 9.75, then HE3 (02:00 EST) = 0.75.
    expect(Array.from(fa.values.slice(0, 4))).toEqual([0.25, 0.5, 9.75, 0.75]);
    expect(fa.values[24]).toBe(6);
    expect(r.written.readings).toBe(24 + 23 + 25);
  });

  it('reads 96 quarter-hour columns and treats empty cells as not provided', async () => {
    const w = await open();
    const [a] = usagePoints(w, 'UES') as [string];
    const q = Array.from({ length: 96 }, (_, i) => `Q${i + 1}`);
    const p96: ProfileInput = {
      name: 'wide-96',
      kind: 'intervals',
      columns: { usage_point: 'sdp', start: 'day' },
      defaults: { unit: 'kWh' },
      wide: { valueColumns: q, seconds: 900 },
    };
    const cells = q.map((_, i) => (i === 10 ? '' : (i / 100).toFixed(3)));
    const r = await importFile(
      w,
      'intervals',
      csvFile('wide96.csv', [
        ['sdp', 'day', ...q].join(','),
        [a, '2019-06-05', ...cells].join(','),
      ]),
      { org: 'UES', profile: p96 },
    );
    expect(r.status).toBe('committed');
    const [block] = blocks(w, seriesOf(w, 'UES', a, 'Electricity kWh 15-minute'));
    expect(block!.values.length).toBe(96);
    expect(block!.values[95]).toBe(0.95);
    expect(block!.quality[10]).toBe(QUALITY.missing);
    expect(r.findings.find((f) => f.kind === 'gap')).toMatchObject({ count: 1 });
  });
});
