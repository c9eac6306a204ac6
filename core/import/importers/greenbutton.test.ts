// Green Button import: ESPI Atom feeds (public OpenESPI sample and edw samples) and the
// Download My Data CSV — values × powerOfTenMultiplier in workspace units, qualities,
// timestamps across DST, tolerated oddities, and refusal of hostile XML.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBlocks } from '../../metering/intervals';
import { QUALITY } from '../../metering/quality';
import { isoToDay, localDay } from '../../time/zone';
import { bareBench, demoBench, FIXTURES, type TestBench } from './demoBench';

const GB = path.join(FIXTURES, 'greenbutton');
const ZONE = 'America/New_York';

interface Stored {
  start: number;
  value: number;
  quality: number;
}

/** Every stored slot of a usage point's series with `rtName`, keyed by start. */
function stored(b: TestBench, org: string, key: string, rtName: string): Map<number, Stored> {
  const series = b.one<number>(
    `SELECT se.id FROM series se JOIN usage_point u ON u.id = se.usage_point_id
     JOIN organization o ON o.id = u.org_id JOIN reading_type rt ON rt.id = se.reading_type_id
     WHERE o.code = ? AND u.source_key = ? AND rt.name = ?`,
    org,
    key,
    rtName,
  );
  const out = new Map<number, Stored>();
  for (const blk of readBlocks(b.ws.db, series))
    blk.values.forEach((v, i) =>
      out.set(blk.start + i * blk.seconds, {
        start: blk.start + i * blk.seconds,
        value: v,
        quality: blk.quality[i] as number,
      }),
    );
  return out;
}

/** (start, value) pairs of the IntervalReadings of an ESPI file, in file order. */
function fileReadings(file: string): { start: number; value: number }[] {
  const text = fs.readFileSync(file, 'utf8');
  const re =
    /<(?:espi:)?IntervalReading>[\s\S]*?<(?:espi:)?start>(\d+)<[\s\S]*?<(?:espi:)?value>(-?\d+)</g;
  return [...text.matchAll(re)].map((m) => ({ start: Number(m[1]), value: Number(m[2]) }));
}

const kinds = (o: { findings: { kind: string; message: string }[] }, kind: string) =>
  o.findings.filter((f) => f.kind === kind).map((f) => f.message);

describe('ESPI Atom feeds', () => {
  it('imports the public OpenESPI sample: 15-minute Wh → kWh, ReadingQuality, new usage point', async () => {
    const b = await demoBench();
    const file = path.join(GB, 'openespi-test-usage-data-01.xml');
    const o = await b.run('greenbutton', file, { org: 'UES' });
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 96,
      rowsAccepted: 96,
      rowsRejected: 0,
    });
    expect(o.written).toMatchObject({ usage_point: 1, interval_block: 1, readings: 96 });
    const up = b.rows<{ commodity: string; time_zone: string | null }>(
      "SELECT u.commodity, u.time_zone FROM usage_point u JOIN organization o ON o.id = u.org_id WHERE o.code = 'UES' AND u.source_key = '5446AF3F'",
    );
    expect(up).toEqual([{ commodity: 'electricity', time_zone: null }]);
    const s = stored(b, 'UES', '5446AF3F', 'Electricity kWh 15-minute');
    const expected = fileReadings(file);
    expect(expected).toHaveLength(96);
    expect(s.size).toBe(96); // 2012-03-01 is a 24-hour day: one block of 96 slots
    for (const r of expected) expect(s.get(r.start)?.value).toBe(r.value / 1000);
    // 1330578000 = 2012-03-01T05:00Z = local midnight EST: value 282 Wh, ReadingQuality 8.
    expect(s.get(1330578000)).toEqual({
      start: 1330578000,
      value: 0.282,
      quality: QUALITY.estimated,
    });
    expect(s.get(1330578900)).toEqual({ start: 1330578900, value: 0.323, quality: QUALITY.edited });
    expect(s.get(1330579800)?.quality).toBe(QUALITY.valid);
    expect(kinds(o, 'tolerated').join()).toMatch(/links without a type attribute/);
    // The UsageSummary has no account in the workspace: reported, not stored.
    expect(kinds(o, 'note').join()).toMatch(/UsageSummary .*5446AF3F.*\$152\.52: no account/);
    expect(kinds(o, 'note').join()).toMatch(/1 ElectricPowerQualitySummary/);
    // Content-hash idempotence.
    expect((await b.run('greenbutton', file, { org: 'UES' })).status).toBe('duplicate');
    b.ws.close();
  });

  it('imports hourly readings across the fall-back day onto an existing usage point', async () => {
    const b = await demoBench();
    const upsBefore = b.one('SELECT count(*) FROM usage_point');
    const file = path.join(GB, 'ues-hourly-fallback.xml');
    const o = await b.run('greenbutton', file, { org: 'UES' });
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 74,
      rowsAccepted: 74,
      rowsRejected: 0,
    });
    expect(b.one('SELECT count(*) FROM usage_point')).toBe(upsBefore);
    const s = stored(b, 'UES', '1066972800', 'Electricity kWh hourly');
    const readings = fileReadings(file);
    expect(readings).toHaveLength(24 + 25 + 24);
    for (const r of readings) expect(s.get(r.start)?.value).toBe(r.value / 1000);
    // The fall-back day is one block of 25 slots from local midnight (04:00Z, EDT).
    const day = isoToDay('2017-11-05');
    const blocks = b.rows<{ start: number; count: number; seconds: number }>(
      `SELECT b.start, b.count, b.seconds FROM interval_block b JOIN series se ON se.id = b.series_id
       JOIN usage_point u ON u.id = se.usage_point_id JOIN reading_type rt ON rt.id = se.reading_type_id
       WHERE u.source_key = '1066972800' AND rt.name = 'Electricity kWh hourly' AND b.day = ?`,
      day,
    );
    expect(blocks).toEqual([{ start: localDay(day, ZONE).start, count: 25, seconds: 3600 }]);
    expect(blocks[0]?.start).toBe(Date.UTC(2017, 10, 5, 4) / 1000);
    // 01:00 EDT (05:00Z) and 01:00 EST (06:00Z) are both there.
    expect(s.has(Date.UTC(2017, 10, 5, 5) / 1000) && s.has(Date.UTC(2017, 10, 5, 6) / 1000)).toBe(
      true,
    );
    // ReadingQuality: readings 5, 6 estimated (8), 30 edited (7), 50 questionable (10 → failed);
    // the rest take the ReadingType's defaultQuality 17 (validated → valid).
    const q = readings.map((r) => s.get(r.start)?.quality);
    expect([q[5], q[6], q[30], q[50], q[0]]).toEqual([
      QUALITY.estimated,
      QUALITY.estimated,
      QUALITY.edited,
      QUALITY.failed,
      QUALITY.valid,
    ]);
    // The UsageSummary is the CORE-01 bill the demo already holds.
    expect(kinds(o, 'duplicate').join()).toMatch(/already holds this bill/);
    expect(b.one('SELECT count(*) FROM bill')).toBe(1);
    b.ws.close();
  });

  it('stores a UsageSummary as a bill when its usage point has an account', async () => {
    const b = await demoBench();
    b.ws.db.exec('DELETE FROM bill_line; DELETE FROM bill;');
    const o = await b.run('greenbutton', path.join(GB, 'ues-hourly-fallback.xml'), { org: 'UES' });
    expect(o.written.bill).toBe(1);
    const bill = b.rows(
      `SELECT a.account_number, b.period_from, b.period_to, b.total_micros, b.usage, b.usage_unit
       FROM bill b JOIN account a ON a.id = b.account_id`,
    );
    expect(bill).toEqual([
      {
        account_number: '108999999',
        period_from: '2018-07-17',
        period_to: '2018-08-16',
        total_micros: 106_510_000,
        usage: '609',
        usage_unit: 'kWh',
      },
    ]);
    expect(b.rows('SELECT description, amount_micros FROM bill_line ORDER BY line_no')).toEqual([
      { description: 'Customer Charge', amount_micros: 16_120_000 },
      { description: 'Delivery Charge', amount_micros: 37_600_000 },
      { description: 'Stranded Cost Charge', amount_micros: -490_000 },
      { description: 'System Benefits Charge', amount_micros: 2_770_000 },
      { description: 'Consumption Tax', amount_micros: 340_000 },
      { description: 'Energy Service Chg Fixed', amount_micros: 50_170_000 },
    ]);
    b.ws.close();
  });

  it('imports daily gas therms × 10^-3, one slot per local day (25 hours on 2018-11-04)', async () => {
    const b = await demoBench();
    const o = await b.run('greenbutton', path.join(GB, 'liberty-gas-daily.xml'), {
      org: 'LIBERTY',
    });
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 14, rowsRejected: 0 });
    expect(o.written).toMatchObject({ usage_point: 1, interval_block: 14 });
    const s = stored(b, 'LIBERTY', 'G-PEMBROKE-0042', 'Gas therms daily');
    expect(s.size).toBe(14);
    const first = localDay(isoToDay('2018-10-29'), ZONE).start;
    expect(s.get(first)).toEqual({ start: first, value: 1.843, quality: QUALITY.valid });
    const fallBack = isoToDay('2018-11-04');
    expect(
      b.one(
        `SELECT b.seconds FROM interval_block b JOIN series se ON se.id = b.series_id
         JOIN usage_point u ON u.id = se.usage_point_id WHERE u.source_key = 'G-PEMBROKE-0042' AND b.day = ?`,
        fallBack,
      ),
    ).toBe(90000);
    const tenth = localDay(isoToDay('2018-11-07'), ZONE).start;
    expect(s.get(tenth)).toEqual({ start: tenth, value: 3.012, quality: QUALITY.estimated });
    b.ws.close();
  });

  it('reads a gas feed whose ReadingType says electricity by its usage point and unit', async () => {
    const b = await demoBench();
    const text = fs
      .readFileSync(path.join(GB, 'liberty-gas-daily.xml'), 'utf8')
      .replace('<commodity>7</commodity>', '<commodity>1</commodity>');
    const o = await b.run('greenbutton', b.write('gas-c1.xml', text), { org: 'LIBERTY' });
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 14 });
    expect(kinds(o, 'tolerated').join()).toMatch(
      /ReadingType commodity \(electricity\) contradicts the usage point's gas; its unit therm fits gas/,
    );
    expect(stored(b, 'LIBERTY', 'G-PEMBROKE-0042', 'Gas therms daily').size).toBe(14);
    b.ws.close();
  });

  it('converts local wall-clock readings and resolves the repeated fall-back hour by order', async () => {
    const b = await demoBench();
    const o = await b.run('greenbutton', path.join(GB, 'local-time-fallback.xml'), { org: 'UES' });
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 25,
      rowsAccepted: 25,
      rowsRejected: 0,
    });
    expect(kinds(o, 'tolerated').join('\n')).toMatch(
      /local wall-clock time written as if UTC.*repeated hour resolved by order/,
    );
    const s = stored(b, 'UES', 'LT-0907', 'Electricity kWh hourly');
    expect(s.size).toBe(25);
    const at = (h: number) => Date.UTC(2018, 10, 4, h) / 1000;
    expect(s.get(at(4))?.value).toBe(0.402); // 00:00 EDT
    expect(s.get(at(5))?.value).toBe(0.377); // 01:00 EDT, the first 01:00
    expect(s.get(at(6))?.value).toBe(0.365); // 01:00 EST, the second
    expect(s.get(at(7))?.value).toBe(0.351); // 02:00 EST
    expect(s.get(at(28))?.value).toBe(0.43); // 23:00 EST
    b.ws.close();
  });

  it('tolerates misplaced elements, missing link types and readings out of order, and says so', async () => {
    const b = await demoBench();
    const o = await b.run('greenbutton', path.join(GB, 'oddities.xml'), { org: 'PSNH' });
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 8, rowsRejected: 0 });
    const tolerated = kinds(o, 'tolerated').join('\n');
    expect(tolerated).toMatch(/links without a type attribute/);
    expect(tolerated).toMatch(/placed directly in <entry> instead of <content>/);
    expect(tolerated).toMatch(/ReadingType nested inside MeterReading/);
    expect(tolerated).toMatch(/out of time order/);
    const s = stored(b, 'PSNH', 'ODD-17', 'Electricity kWh 15-minute');
    const eight = Date.UTC(2018, 5, 12, 12) / 1000; // 08:00 EDT
    expect(s.get(eight - 3600)?.value).toBe(0.02); // 200 × 10^-1 Wh
    expect(s.get(eight)?.value).toBe(0.025);
    expect(s.get(eight + 2700)?.value).toBe(0.028);
    expect([...s.values()].filter((r) => r.quality !== QUALITY.missing)).toHaveLength(8);
    b.ws.close();
  });

  it('rejects a reading that conflicts with a stored one and keeps the stored value', async () => {
    const b = await demoBench();
    const file = path.join(GB, 'ues-hourly-fallback.xml');
    await b.run('greenbutton', file, { org: 'UES' });
    const readings = fileReadings(file);
    const changed = fs
      .readFileSync(file, 'utf8')
      .replace(
        `<espi:value>${readings[10]?.value}</espi:value>`,
        '<espi:value>999999</espi:value>',
      );
    const o = await b.run('greenbutton', b.write('changed.xml', changed), { org: 'UES' });
    expect(o.status).toBe('committed');
    expect(o.rowsRejected).toBeGreaterThanOrEqual(1);
    expect(o.rejects.map((r) => r.reason).join('\n')).toMatch(
      /999\.999 kWh .*conflicts with the stored/,
    );
    expect(kinds(o, 'duplicate').join()).toMatch(/already stored/);
    const s = stored(b, 'UES', '1066972800', 'Electricity kWh hourly');
    expect(s.get(readings[10]?.start as number)?.value).toBe(
      (readings[10]?.value as number) / 1000,
    );
    b.ws.close();
  });

  it('needs --org', async () => {
    const b = bareBench();
    await expect(
      b.run('greenbutton', path.join(GB, 'openespi-test-usage-data-01.xml')),
    ).rejects.toThrow(/greenbutton files need --org/);
    b.ws.close();
  });
});

describe('hostile XML is refused before any entity is read', () => {
  it('refuses an external entity pointing at a local file, reading nothing, changing nothing', async () => {
    const b = bareBench();
    const secret = b.write('secret.txt', 'TOP-SECRET-7f3a9c');
    const xml = `<?xml version="1.0"?>
<!DOCTYPE feed [
  <!ENTITY xxe SYSTEM "file://${secret}">
  <!ENTITY net SYSTEM "http://127.0.0.1:9/edw-must-not-be-fetched">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&xxe;&net;</title></entry></feed>
`;
    const before = b.digest();
    const o = await b.run('greenbutton', b.write('xxe.xml', xml), { org: 'UES' });
    expect(o.status).toBe('rejected');
    expect(o.message).toMatch(
      /line 2: the XML contains a DOCTYPE declaration with ENTITY declarations: refused.*no entity of this file was read/,
    );
    expect(o.message).toMatch(/the workspace is unchanged/);
    expect(JSON.stringify(o)).not.toContain('TOP-SECRET');
    expect(fs.readFileSync(o.rejectsFile as string, 'utf8')).not.toContain('TOP-SECRET');
    expect(b.digest()).toBe(before);
    expect(b.one('SELECT count(*) FROM import_batch')).toBe(0);
    b.ws.close();
  });

  it('refuses the corpus XXE and billion-laughs files', async () => {
    const b = bareBench();
    const before = b.digest();
    for (const [f, line] of [
      ['greenbutton-xxe.xml', 4],
      ['greenbutton-billion-laughs.xml', 3],
    ] as const) {
      const o = await b.run('greenbutton', path.join(FIXTURES, 'bad', f), { org: 'UES' });
      expect(o.status).toBe('rejected');
      expect(o.message).toMatch(
        `line ${line}: the XML contains a DOCTYPE declaration with ENTITY declarations: refused`,
      );
      expect(o.rejects[0]).toMatchObject({ line });
    }
    expect(b.digest()).toBe(before);
    b.ws.close();
  });

  it('refuses undeclared entities, runaway nesting and text, and files that are not ESPI', async () => {
    const b = bareBench();
    const before = b.digest();
    const cases: [string, RegExp][] = [
      [
        '<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><title>&ent;</title></entry></feed>',
        /line 2: reference to an undeclared entity: refused/,
      ],
      ['<feed>' + '<a>'.repeat(80) + '</a>'.repeat(80) + '</feed>', /nested deeper than 64 levels/],
      [
        '<feed><entry><title>' + 'x'.repeat(1_100_000) + '</title></entry></feed>',
        /longer than 1,048,576 characters/,
      ],
      ['<feed><entry><title a="' + 'x'.repeat(4_300_000), /without any element or text boundary/],
      ['<html><body/></html>', /not a Green Button \(ESPI Atom\) file: the root element is <html>/],
      ['<feed><entry></feed>', /not well-formed XML: unexpected close tag/],
    ];
    for (const [i, [xml, msg]] of cases.entries()) {
      const o = await b.run('greenbutton', b.write(`bad-${i}.xml`, xml), { org: 'UES' });
      expect(o.status).toBe('rejected');
      expect(o.message).toMatch(msg);
    }
    expect(b.digest()).toBe(before);
    b.ws.close();
  });
});

describe('Download My Data CSV', () => {
  it('imports the hourly sample onto the usage point named by its Service line', async () => {
    const b = await demoBench();
    const o = await b.run('greenbutton', path.join(GB, 'dmd-electric-hourly.csv'), { org: 'UES' });
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 71,
      rowsAccepted: 71,
      rowsRejected: 0,
    });
    expect(o.written.usage_point).toBeUndefined();
    const s = stored(b, 'UES', '1066972800', 'Electricity kWh hourly');
    const at = (d: number, h: number) => Date.UTC(2017, 2, d, h) / 1000;
    expect(s.get(at(11, 5))).toEqual({ start: at(11, 5), value: 0.49, quality: QUALITY.valid }); // 00:00 EST
    // The spring-forward day has 23 hours: 01:00 EST is 06:00Z, 03:00 EDT is 07:00Z.
    const day = isoToDay('2017-03-12');
    expect(
      b.one(
        'SELECT count FROM interval_block WHERE day = ? AND series_id IN (SELECT se.id FROM series se JOIN usage_point u ON u.id = se.usage_point_id WHERE u.source_key = ?)',
        day,
        '1066972800',
      ),
    ).toBe(23);
    expect(s.get(at(12, 6))?.quality).toBe(QUALITY.valid);
    expect(s.get(at(12, 7))?.quality).toBe(QUALITY.valid);
    // "Estimated" in NOTES (2017-03-13 03:00 and 04:00 EDT).
    expect(s.get(at(13, 7))?.quality).toBe(QUALITY.estimated);
    expect(s.get(at(13, 8))?.quality).toBe(QUALITY.estimated);
    expect(s.get(at(13, 9))?.quality).toBe(QUALITY.valid);
    expect(kinds(o, 'note').join()).toMatch(/COST column is not stored/);
    b.ws.close();
  });

  it('takes the usage point from the profile, US dates and 12-hour times, and the repeated hour', async () => {
    const b = bareBench();
    const csv = [
      'TYPE,DATE,START TIME,END TIME,USAGE,UNITS,COST,NOTES',
      'Electric usage,11/5/2017,12:00 AM,12:59 AM,0.40,kWh,$0.06,',
      'Electric usage,11/5/2017,1:00 AM,1:59 AM,0.38,kWh,$0.05,',
      'Electric usage,11/5/2017,1:00 AM,1:59 AM,0.36,kWh,$0.05,',
      'Electric usage,11/5/2017,2:00 AM,2:59 AM,0.35,kWh,$0.05,',
    ].join('\n');
    const profile = {
      name: 'dmd',
      kind: 'greenbutton' as const,
      defaults: { usage_point: 'DMD-1' },
      dateFormat: 'mdy' as const,
    };
    const o = await b.run('greenbutton', b.write('dmd.csv', csv), { org: 'UES', profile });
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 4, rowsRejected: 0 });
    expect(kinds(o, 'tolerated').join()).toMatch(/repeated fall-back hour appears twice/);
    const s = stored(b, 'UES', 'DMD-1', 'Electricity kWh hourly');
    const at = (h: number) => Date.UTC(2017, 10, 5, h) / 1000;
    expect([4, 5, 6, 7].map((h) => s.get(at(h))?.value)).toEqual([0.4, 0.38, 0.36, 0.35]);
    b.ws.close();
  });

  it('refuses a file that names no usage point, and one without the table header', async () => {
    const b = bareBench();
    const before = b.digest();
    const noKey = b.write(
      'dmd.csv',
      'TYPE,DATE,START TIME,END TIME,USAGE,UNITS\nElectric usage,2017-01-01,00:00,00:59,1.0,kWh\n',
    );
    const o = await b.run('greenbutton', noKey, { org: 'UES' });
    expect(o.status).toBe('rejected');
    expect(o.message).toMatch(
      /no usage point: give it as a profile default .* or a "Service" line/,
    );
    const other = await b.run('greenbutton', b.write('x.csv', 'a,b\n1,2\n'), { org: 'UES' });
    expect(other.message).toMatch(/not a Green Button Download My Data file/);
    expect(b.digest()).toBe(before);
    b.ws.close();
  });
});

describe('Download My Data CSV layouts', () => {
  const LAYOUTS = path.join(GB, 'csv-layouts');
  const Z = (y: number, mo: number, d: number, h: number, mi = 0) =>
    Date.UTC(y, mo - 1, d, h, mi) / 1000;
  /** [start, value, quality] of a series in time order. */
  const series = (b: TestBench, key: string, rt: string) =>
    [...stored(b, 'UES', key, rt).values()]
      .filter((x) => x.quality !== QUALITY.missing) // slots of a day block that hold no reading
      .sort((a, c) => a.start - c.start)
      .map((s) => [s.start, s.value, s.quality] as const);
  const sum = (s: readonly (readonly [number, number, number])[]) =>
    Math.round(s.reduce((a, x) => a + x[1], 0) * 1000) / 1000;
  const E = QUALITY.estimated;
  const V = QUALITY.valid;

  it('PG&E net metering: BOM, IMPORT → forward, EXPORT → reverse, $ costs noted', async () => {
    const b = bareBench();
    const o = await b.run('greenbutton', path.join(LAYOUTS, 'pge-net-metering-15min.csv'), {
      org: 'UES',
    });
    expect(o).toMatchObject({ status: 'committed', rowsTotal: 12, rowsAccepted: 12 });
    const imp = series(b, 'PGE-NEM-1', 'Electricity kWh 15-minute');
    const exp = series(b, 'PGE-NEM-1', 'Electricity kWh 15-minute received');
    // 2024-06-01 11:00 EDT = 15:00Z … 12:15 EDT = 16:15Z.
    expect(imp.map((x) => x[0])).toEqual([0, 15, 30, 45, 60, 75].map((m) => Z(2024, 6, 1, 15, m)));
    expect(imp.map((x) => x[1])).toEqual([0.1, 0, 0.12, 0.08, 1.2, 0.05]);
    expect(exp.map((x) => x[1])).toEqual([0.25, 0.31, 0, 0.05, 0, 0.4]);
    expect(sum(imp)).toBe(1.55);
    expect(sum(exp)).toBe(1.01);
    expect(imp[3]?.[2]).toBe(E);
    expect(exp[3]?.[2]).toBe(E);
    expect(imp[0]?.[2]).toBe(V);
    expect(kinds(o, 'note').join()).toMatch(/the COST column is not stored/);
    b.ws.close();
  });

  it('PG&E gas: daily rows without times, therms from UNITS, one slot on the 25-hour day', async () => {
    const b = bareBench();
    const o = await b.run('greenbutton', path.join(LAYOUTS, 'pge-gas-daily.csv'), { org: 'UES' });
    expect(o).toMatchObject({ status: 'committed', rowsTotal: 3, rowsAccepted: 3 });
    expect(o.written).toMatchObject({ usage_point: 1 });
    const s = series(b, 'PGE-GAS-1', 'Gas therms daily');
    // Local midnights: 11-04 EDT 04:00Z, 11-05 EDT 04:00Z (a 25-hour day), 11-06 EST 05:00Z.
    expect(s).toEqual([
      [Z(2023, 11, 4, 4), 1.02, V],
      [Z(2023, 11, 5, 4), 2.04, V],
      [Z(2023, 11, 6, 5), 0.98, V],
    ]);
    expect(sum(s)).toBe(4.04);
    expect(b.one("SELECT commodity FROM usage_point WHERE source_key = 'PGE-GAS-1'")).toBe('gas');
    b.ws.close();
  });

  it('SDG&E: preamble, meter column, DURATION, AM/PM, repeated 1:00 AM, Net not stored', async () => {
    const b = bareBench();
    const o = await b.run('greenbutton', path.join(LAYOUTS, 'sdge-15min-fallback.csv'), {
      org: 'UES',
    });
    // 10 Consumption + 2 Generation cells; 8 empty Generation cells are not readings.
    expect(o).toMatchObject({ status: 'committed', rowsTotal: 12, rowsAccepted: 12 });
    const use = series(b, '05550001', 'Electricity kWh 15-minute');
    const gen = series(b, '05550001', 'Electricity kWh 15-minute received');
    // 00:45 EDT = 04:45Z; 1:00–1:45 EDT = 05:00–05:45Z; 1:00–1:45 EST = 06:00–06:45Z; 2:00 EST = 07:00Z.
    expect(use.map((x) => x[0])).toEqual(
      [45, 60, 75, 90, 105, 120, 135, 150, 165, 180].map((m) => Z(2022, 11, 6, 4, m)),
    );
    expect(use.map((x) => x[1])).toEqual([
      0.2, 0.21, 0.22, 0.23, 0.24, 0.11, 0.12, 0.13, 0.14, 0.15,
    ]);
    expect(sum(use)).toBe(1.75);
    // Generation is on the second (EST) 1:00 AM row, though its first-hour cells are empty.
    expect(gen).toEqual([
      [Z(2022, 11, 6, 6), 0.05, V],
      [Z(2022, 11, 6, 7), 0, V],
    ]);
    // Net (1.70 = 1.75 − 0.05, the declared Total Usage) is not stored anywhere.
    expect(b.one("SELECT count(*) FROM reading_type WHERE flow_direction = 'net'")).toBe(0);
    const notes = kinds(o, 'note').join('\n');
    expect(notes).toMatch(/the Net column is not stored: net is delivered − received/);
    expect(kinds(o, 'tolerated').join('\n')).toMatch(/repeated fall-back hour/);
    expect(o.findings).toContainEqual(
      expect.objectContaining({
        kind: 'tolerated',
        count: 8,
        message: 'empty Generation cells skipped (no reading)',
      }),
    );
    b.ws.close();
  });

  it('SCE: sections with time-period cells, Delivered → forward, Received → reverse', async () => {
    const b = bareBench();
    const file = path.join(LAYOUTS, 'sce-sections-hourly.csv');
    const before = b.digest();
    const noKey = await b.run('greenbutton', file, { org: 'UES' });
    expect(noKey.status).toBe('rejected');
    expect(noKey.message).toMatch(/no usage point/);
    expect(b.digest()).toBe(before);
    const profile = {
      name: 'sce',
      kind: 'greenbutton' as const,
      defaults: { usage_point: 'SCE-1' },
    };
    const o = await b.run('greenbutton', file, { org: 'UES', profile });
    expect(o).toMatchObject({ status: 'committed', rowsTotal: 9, rowsAccepted: 9 });
    const del = series(b, 'SCE-1', 'Electricity kWh hourly');
    const rec = series(b, 'SCE-1', 'Electricity kWh hourly received');
    // 2024-05-22 00:00 EDT = 04:00Z; the last period 2024-05-23 23:00–24:00 EDT starts 05-24 03:00Z.
    expect(del).toEqual([
      [Z(2024, 5, 22, 4), 0.4, V],
      [Z(2024, 5, 22, 5), 0.35, V],
      [Z(2024, 5, 22, 6), 0.3, E],
      [Z(2024, 5, 22, 7), 0.25, V],
      [Z(2024, 5, 24, 3), 0.6, V],
    ]);
    expect(rec.map((x) => x[1])).toEqual([0, 0, 0.12, 0.5]);
    expect(rec[0]?.[0]).toBe(Z(2024, 5, 22, 4));
    expect(sum(del)).toBe(1.9);
    expect(sum(rec)).toBe(0.62);
    expect(o.findings).toContainEqual(
      expect.objectContaining({ kind: 'note', count: 3, message: '3 tables (sections) read' }),
    );
    expect(kinds(o, 'note').join('\n')).toMatch(
      /section title lines inside the data skipped \(line 20: Data for period starting/,
    );
    b.ws.close();
  });

  it('Con Edison / Opower: USAGE (kWh) heading, no UNITS column', async () => {
    const b = bareBench();
    const o = await b.run('greenbutton', path.join(LAYOUTS, 'opower-hourly.csv'), { org: 'UES' });
    expect(o).toMatchObject({ status: 'committed', rowsTotal: 6, rowsAccepted: 6 });
    const s = series(b, 'Service 1', 'Electricity kWh hourly');
    expect(s.map((x) => x[0])).toEqual([0, 1, 2, 3, 4, 5].map((h) => Z(2023, 7, 4, 4 + h)));
    expect(s.map((x) => x[1])).toEqual([0.3, 0.35, 0.33, 0.31, 0.28, 0.27]);
    expect(s[5]?.[2]).toBe(E);
    expect(sum(s)).toBe(1.84);
    b.ws.close();
  });

  it('Smart Meter Texas: ESIID, per-row flow, A/E flags, end 00:00, the spring-forward gap', async () => {
    const b = bareBench();
    const o = await b.run('greenbutton', path.join(LAYOUTS, 'smt-15min-spring-forward.csv'), {
      org: 'UES',
    });
    // 13 Consumption + 2 Surplus Generation rows: 02:00 (0) skipped, 02:15 (0.05) rejected.
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 15,
      rowsAccepted: 13,
      rowsRejected: 1,
    });
    expect(o.written).toMatchObject({ usage_point: 1 });
    const use = series(b, '10443720000000001', 'Electricity kWh 15-minute');
    const gen = series(b, '10443720000000001', 'Electricity kWh 15-minute received');
    expect(use).toHaveLength(11);
    // 03-09 23:45 EST = 03-10 04:45Z; 00:00–01:45 EST = 05:00–06:45Z; 03:00 EDT = 07:00Z.
    expect(use[0]).toEqual([Z(2024, 3, 10, 4, 45), 0.25, V]);
    expect(use[1]?.[0]).toBe(Z(2024, 3, 10, 5));
    expect(use[8]).toEqual([Z(2024, 3, 10, 6, 45), 0.13, V]);
    expect(use[9]).toEqual([Z(2024, 3, 10, 7), 0.3, E]);
    expect(use[10]).toEqual([Z(2024, 3, 10, 7, 15), 0.31, V]);
    expect(sum(use)).toBe(2.18);
    expect(gen).toEqual([
      [Z(2024, 3, 10, 6, 45), 0, V],
      [Z(2024, 3, 10, 7), 0.01, V],
    ]);
    const rejects = o.rejects;
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ line: 12 });
    expect(rejects[0]?.reason).toMatch(/2024-03-10 02:15 does not exist in America\/New_York/);
    expect(kinds(o, 'tolerated').join('\n')).toMatch(
      /zero readings at a local time that does not exist/,
    );
    expect(kinds(o, 'note').join('\n')).toMatch(/columns not read: REVISION_DATE/);
    b.ws.close();
  });

  it('reads 24:00 ends and 12-hour times, and refuses what it cannot read with line and reason', async () => {
    const b = bareBench();
    const profile = {
      name: 'dmd',
      kind: 'greenbutton' as const,
      defaults: { usage_point: 'DMD-24' },
    };
    const ok = [
      'DATE,START TIME,END TIME,USAGE (kWh)',
      '2024-01-15,10:00 PM,11:00 PM,1.5',
      '2024-01-15,23:00,24:00,2.5',
    ].join('\n');
    const o = await b.run('greenbutton', b.write('a.csv', ok), { org: 'UES', profile });
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 2 });
    expect(series(b, 'DMD-24', 'Electricity kWh hourly')).toEqual([
      [Z(2024, 1, 16, 3), 1.5, V],
      [Z(2024, 1, 16, 4), 2.5, V],
    ]);
    const before = b.digest();
    const noUsage = await b.run(
      'greenbutton',
      b.write('b.csv', 'Name,X\nDATE,START TIME,END TIME,AMOUNT DUE\n2024-01-01,00:00,00:59,$3\n'),
      { org: 'UES', profile },
    );
    expect(noUsage.message).toMatch(
      /not a Green Button Download My Data file: .*line 2 \(DATE,START TIME,END TIME,AMOUNT DUE\) has a date column but no usage column/,
    );
    const noEnd = await b.run(
      'greenbutton',
      b.write('c.csv', 'DATE,START TIME,USAGE (kWh)\n2024-01-01,00:00,1\n'),
      { org: 'UES', profile },
    );
    expect(noEnd.message).toMatch(
      /line 1: the table has a start time column \(START TIME\) but neither an END TIME nor a DURATION column/,
    );
    expect(b.digest()).toBe(before);
    const signed = await b.run(
      'greenbutton',
      b.write(
        'd.csv',
        'TYPE,DATE,START TIME,END TIME,USAGE (kWh),NOTES\nElectric usage,2024-01-15,00:00,00:14,0.5,\nElectric usage,2024-01-15,00:15,00:29,-0.25,\n',
      ),
      { org: 'UES', profile: { ...profile, defaults: { usage_point: 'DMD-NET' } } },
    );
    // One signed value makes the column net: the file is refused whole, nothing is stored.
    expect(signed.status).not.toBe('committed');
    expect(signed.message).toMatch(
      /line 3: USAGE \(kWh\) is negative \(-0\.25\), so the column holds signed net usage.*never stores net as consumption/,
    );
    expect(b.digest()).toBe(before);
    b.ws.close();
  });
});
