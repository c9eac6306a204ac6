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

interface Period {
  start_utc: number;
  end_utc: number;
  first_date: string;
  last_date: string;
  value: string;
  quality: number;
}

/** The stored billing periods of a usage point, in time order. */
function periods(b: TestBench, key: string): Period[] {
  return b.rows<Period>(
    `SELECT p.start_utc, p.end_utc, p.first_date, p.last_date, p.value, p.quality FROM period_usage p
     JOIN usage_point u ON u.id = p.usage_point_id WHERE u.source_key = ? ORDER BY p.start_utc`,
    key,
  );
}

describe('real Green Button files with billing periods (period_usage)', () => {
  const file = path.join(REAL, 'opower-gas-billing-periods.xml');

  it('Opower gas: 35 billing periods in therms, stored whole, UTC-midnight dates read as local', async () => {
    const b = bareBench();
    const o = await b.run('greenbutton', file, { org: 'UES' });
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 35,
      rowsAccepted: 35,
      rowsRejected: 0,
    });
    expect(o.written).toEqual({ usage_point: 1, reading_type: 1, period_readings: 35 });
    // Nothing was spread over days.
    expect(b.one('SELECT count(*) FROM interval_block')).toBe(0);
    expect(b.one('SELECT count(*) FROM series')).toBe(0);
    const rt = b.rows(
      `SELECT rt.name, rt.commodity, rt.unit, rt.interval_seconds, rt.accumulation FROM reading_type rt
       WHERE rt.id IN (SELECT reading_type_id FROM period_usage)`,
    );
    expect(rt).toEqual([
      {
        name: 'Gas therm billing period',
        commodity: 'gas',
        unit: 'therm',
        interval_seconds: null,
        accumulation: 'delta',
      },
    ]);
    const p = periods(b, 'NET_USAGE');
    expect(p).toHaveLength(35);
    // First: start 1621987200 (2021-05-26 00:00 UTC, a local date), 3024000 s = 35 days,
    // value 37000 × 10^-3 therm. Read from local midnight EDT (04:00Z).
    expect(p[0]).toEqual({
      start_utc: at('2021-05-26T04:00:00Z'),
      end_utc: at('2021-06-30T04:00:00Z'),
      first_date: '2021-05-26',
      last_date: '2021-06-29',
      value: '37.000',
      quality: QUALITY.valid,
    });
    // Last: start 1711497600 (2024-03-27), 2592000 s = 30 days, 91000 → 91 therms.
    expect(p[34]).toEqual({
      start_utc: at('2024-03-27T04:00:00Z'),
      end_utc: at('2024-04-26T04:00:00Z'),
      first_date: '2024-03-27',
      last_date: '2024-04-25',
      value: '91.000',
      quality: QUALITY.valid,
    });
    // 2024-02-24 → 2024-03-27 crosses spring-forward: 2761200 s = 32 days − 1 h, which ends
    // exactly at local midnight of the next period.
    const spring = p.find((x) => x.first_date === '2024-02-24');
    expect(spring).toMatchObject({
      start_utc: at('2024-02-24T05:00:00Z'),
      end_utc: at('2024-03-27T04:00:00Z'),
      last_date: '2024-03-26',
      value: '133.000',
    });
    // The periods tile 2021-05-26 … 2024-04-25 without gap or overlap.
    for (let i = 1; i < p.length; i++) expect(p[i]!.start_utc).toBe(p[i - 1]!.end_utc);
    // Total of the file's values: 3,484,000 × 10^-3 = 3484 therms.
    expect(p.reduce((a, x) => a + Number(x.value), 0)).toBe(3484);
    expect(kinds(o, 'tolerated')).toMatch(
      /billing periods stamped at 00:00 UTC rather than local midnight.*\(35×\)/,
    );
    expect(kinds(o, 'note')).toMatch(/billing periods .* stored whole as period usage/);
    b.ws.close();
  });

  it('re-import adds nothing: same file a no-op; a re-saved copy all duplicates; a changed value a conflict', async () => {
    const b = bareBench();
    await b.run('greenbutton', file, { org: 'UES' });
    const before = b.one('SELECT count(*) FROM period_usage');
    expect((await b.run('greenbutton', file, { org: 'UES' })).status).toBe('duplicate');
    // Same readings, other bytes (another download): every period is a duplicate.
    const text = fs.readFileSync(file, 'utf8');
    const o = await b.run('greenbutton', b.write('again.xml', `${text}\n`), { org: 'UES' });
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 35, rowsRejected: 0 });
    expect(o.written).toEqual({});
    expect(kinds(o, 'duplicate')).toMatch(/35 period readings were already stored/);
    // One value changed (37000 → 38000): rejected as a conflict, the stored value kept.
    const changed = text.replace('<value>37000</value>', '<value>38000</value>');
    const c = await b.run('greenbutton', b.write('changed.xml', changed), { org: 'UES' });
    expect(c).toMatchObject({ status: 'committed', rowsAccepted: 34, rowsRejected: 1 });
    expect(c.rejects[0]?.reason).toMatch(
      /usage point NET_USAGE, period 2021-05-26 to 2021-06-29: 38\.000 therm \(valid\) conflicts with 37\.000 therm \(valid\) for 2021-05-26 to 2021-06-29 stored by import batch \d+; the stored value is kept/,
    );
    expect(b.one('SELECT count(*) FROM period_usage')).toBe(before);
    expect(b.one("SELECT value FROM period_usage WHERE first_date = '2021-05-26'")).toBe('37.000');
    b.ws.close();
  });
});

describe('real Green Button files that are refused, precisely, with the workspace unchanged', () => {
  const cases: [string, RegExp][] = [
    [
      'pge-api-interval-blocks.xml',
      /pge-api-interval-blocks\.xml: nothing in this Green Button file can be imported — line 2: 1 IntervalReading not imported: the feed has no MeterReading entry to say what these readings measure; line 28: 2 IntervalReadings/,
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
