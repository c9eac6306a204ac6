// Green Button files from public repositories (fixtures/greenbutton/real/, sources in its
// README): each imports with hand-checked counts, first/last readings and totals, or is refused
// with a precise reason and the workspace unchanged.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBlocks } from '../../metering/intervals';
import { QUALITY } from '../../metering/quality';
import { bareBench, FIXTURES, type TestBench } from './demoBench';

const REAL = path.join(FIXTURES, 'greenbutton', 'real');
const at = (iso: string) => Date.parse(iso) / 1000;

interface Slot {
  start: number;
  value: number;
  quality: number;
}

/** The stored (non-missing) readings of the organization's only series, in time order. */
function series(b: TestBench, key: string): { unit: string; zone: string | null; slots: Slot[] } {
  const row = b.rows<{ id: number; unit: string; zone: string | null }>(
    `SELECT se.id, rt.unit, u.time_zone AS zone FROM series se
     JOIN usage_point u ON u.id = se.usage_point_id JOIN reading_type rt ON rt.id = se.reading_type_id
     WHERE u.source_key = ?`,
    key,
  );
  expect(row).toHaveLength(1);
  const slots: Slot[] = [];
  for (const blk of readBlocks(b.ws.db, row[0]!.id))
    blk.values.forEach((v, i) => {
      const q = blk.quality[i] as number;
      if (q !== QUALITY.missing)
        slots.push({ start: blk.start + i * blk.seconds, value: v, quality: q });
    });
  slots.sort((x, y) => x.start - y.start);
  return { unit: row[0]!.unit, zone: row[0]!.zone, slots };
}

const total = (s: Slot[]) => Math.round(s.reduce((a, x) => a + x.value, 0) * 1000) / 1000;
const kinds = (o: { findings?: { kind: string; message: string }[] }, kind: string) =>
  (o.findings ?? [])
    .filter((f) => f.kind === kind)
    .map((f) => f.message)
    .join('\n');

describe('real Green Button files that import', () => {
  it('Algoma Power via UtilityAPI: relative hrefs, newest first, no intervalLength', async () => {
    const b = bareBench();
    const o = await b.run('greenbutton', path.join(REAL, 'apuc-utilityapi-hourly.xml'), {
      org: 'UES',
    });
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 48,
      rowsAccepted: 48,
      rowsRejected: 0,
    });
    const s = series(b, '1402026');
    expect(s.unit).toBe('kWh');
    expect(s.slots).toHaveLength(48);
    // 2023-03-05 01:00 EST (the org's zone: the file has no LocalTimeParameters) … 03-07 00:00.
    expect(s.slots[0]).toEqual({
      start: at('2023-03-05T06:00:00Z'),
      value: 0.91,
      quality: QUALITY.valid,
    });
    expect(s.slots[47]).toEqual({
      start: at('2023-03-07T05:00:00Z'),
      value: 0.32,
      quality: QUALITY.valid,
    });
    expect(total(s.slots)).toBe(52.3);
    const tol = kinds(o, 'tolerated');
    expect(tol).toMatch(
      /ReadingType without intervalLength: the readings' duration \(3600 s\) used/,
    );
    expect(tol).toMatch(/readings out of time order: placed by their own times \(47×\)/);
    expect(kinds(o, 'note')).toMatch(/1 ApplicationInformation/);
    b.ws.close();
  });

  it('GBA Coastal sample: UTC times across both DST changes in Los Angeles (23 and 25 hours)', async () => {
    const b = bareBench();
    const o = await b.run('greenbutton', path.join(REAL, 'coastal-hourly-dst.xml'), { org: 'UES' });
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 48, rowsRejected: 0 });
    const s = series(b, '1');
    expect(s.zone).toBe('America/Los_Angeles'); // from LocalTimeParameters −28800 with DST
    const day = (from: string, to: string) =>
      s.slots.filter((x) => x.start >= at(from) && x.start < at(to));
    expect(day('2011-03-13T08:00:00Z', '2011-03-14T07:00:00Z')).toHaveLength(23);
    expect(day('2011-11-06T07:00:00Z', '2011-11-07T08:00:00Z')).toHaveLength(25);
    expect(s.slots[0]).toEqual({
      start: at('2011-03-13T08:00:00Z'),
      value: 0.362,
      quality: QUALITY.valid,
    });
    expect(s.slots[47]).toEqual({
      start: at('2011-11-07T07:00:00Z'),
      value: 0.444,
      quality: QUALITY.valid,
    });
    expect(total(s.slots)).toBe(24.341);
    expect(kinds(o, 'note')).toMatch(
      /UsageSummary \(entry line \d+\): no billing period or bill amount/,
    );
    b.ws.close();
  });

  it('NIST/GBA nine-days sample (two days kept): hourly Wh, ElectricPowerUsageSummary noted', async () => {
    const b = bareBench();
    const o = await b.run('greenbutton', path.join(REAL, 'nist-hourly-two-days.xml'), {
      org: 'UES',
    });
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 48, rowsRejected: 0 });
    const s = series(b, '2');
    expect(s.slots).toHaveLength(48);
    expect(s.slots[0]).toEqual({
      start: at('2014-01-01T05:00:00Z'),
      value: 0.273,
      quality: QUALITY.valid,
    });
    expect(s.slots[47]).toEqual({
      start: at('2014-01-03T04:00:00Z'),
      value: 0.273,
      quality: QUALITY.valid,
    });
    expect(total(s.slots)).toBe(42.042);
    expect(kinds(o, 'note')).toMatch(
      /usage point 2, 2014-01-01 to 2014-01-29, \$22\.08: no account of the workspace serves/,
    );
    b.ws.close();
  });

  it('SCE bulk file: repeated entries reported, 15-minute Wh, UsageSummaries noted', async () => {
    const b = bareBench();
    const o = await b.run('greenbutton', path.join(REAL, 'sce-bulk-usage-summary.xml'), {
      org: 'UES',
    });
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 3,
      rowsAccepted: 3,
      rowsRejected: 0,
    });
    const s = series(b, 'NB6WRU');
    expect(s.zone).toBe('America/Los_Angeles');
    expect(s.slots.map((x) => [x.start, x.value])).toEqual([
      [at('2015-06-07T07:00:00Z'), 0.21],
      [at('2015-06-07T07:15:00Z'), 0.2],
      [at('2015-06-07T07:30:00Z'), 0.21],
    ]);
    const tol = kinds(o, 'tolerated');
    expect(tol).toMatch(
      /2 ReadingType entries share the href \S+ReadingType\/1101NB6WRU \(lines 42, 65\) and differ: the first \(line 42\) is used/,
    );
    expect(tol).toMatch(
      /2 MeterReading entries share the href \S+MeterReading\/1101 \(lines 88, 105\), identical/,
    );
    expect(kinds(o, 'note')).toMatch(/2016-05-22 to 2016-06-21, \$174\.18/);
    b.ws.close();
  });

  it('tolerates times in milliseconds or with a zero decimal part; refuses fractional seconds', async () => {
    const b = bareBench();
    const text = fs.readFileSync(path.join(REAL, 'sce-bulk-usage-summary.xml'), 'utf8');
    const ms = text.replace(
      /<timePeriod><duration>(\d+)<\/duration>\s*<start>(\d+)<\/start>/g,
      (_m, d: string, s: string) =>
        `<timePeriod><duration>${d}000</duration><start>${s}000</start>`,
    );
    const o1 = await b.run('greenbutton', b.write('ms.xml', ms), { org: 'UES' });
    expect(o1).toMatchObject({ status: 'committed', rowsAccepted: 3 });
    expect(kinds(o1, 'tolerated')).toMatch(
      /reading times in milliseconds .* divided by 1000 \(3×\)/,
    );
    expect(series(b, 'NB6WRU').slots[0]?.start).toBe(at('2015-06-07T07:00:00Z'));

    const c = bareBench();
    const dec = text.replace('<start>1433661300</start>', '<start>1433661300.0</start>');
    const o2 = await c.run('greenbutton', c.write('dec.xml', dec), { org: 'UES' });
    expect(o2).toMatchObject({ status: 'committed', rowsAccepted: 3 });
    expect(kinds(o2, 'tolerated')).toMatch(/decimal part of zeros/);
    const frac = text.replace('<start>1433661300</start>', '<start>1433661300.5</start>');
    const o3 = await c.run('greenbutton', c.write('frac.xml', frac), { org: 'UES' });
    expect(o3.rejects.map((r) => r.reason).join()).toMatch(
      /timePeriod start "1433661300\.5" is not a time in epoch seconds/,
    );
    b.ws.close();
    c.ws.close();
  });
});

describe('real Green Button files that are refused, precisely, with the workspace unchanged', () => {
  const cases: [string, RegExp][] = [
    [
      'pge-api-interval-blocks.xml',
      /pge-api-interval-blocks\.xml: nothing in this Green Button file can be imported — line 2: 1 IntervalReading not imported: the feed has no MeterReading entry to say what these readings measure; line 28: 2 IntervalReadings/,
    ],
    [
      'opower-gas-billing-periods.xml',
      /line 54: 35 IntervalReadings not imported: its readings last 3024000 s \(35 days\): billing-period totals, not interval data .* \(the ReadingType entry at line 40, \/v1\/ReadingType\/0\)/,
    ],
    [
      'gas-provider-fractional-times.xml',
      /line 38: 36 IntervalReadings not imported: ReadingType uom \(missing\) is not a unit edw stores .* \(the ReadingType entry at line 660, ReadingType\/07\)/,
    ],
  ];
  for (const [file, message] of cases)
    it(file, async () => {
      const b = bareBench();
      const before = b.digest();
      const o = await b.run('greenbutton', path.join(REAL, file), { org: 'UES' });
      expect(o.status).toBe('rejected');
      expect(o.message).toMatch(message);
      expect(o.message).toMatch(/the workspace is unchanged/);
      expect(b.digest()).toBe(before);
      expect(b.one('SELECT count(*) FROM import_batch')).toBe(0);
      b.ws.close();
    });
});
