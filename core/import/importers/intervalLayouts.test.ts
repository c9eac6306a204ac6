// Interval exports in the shapes real utilities and MDMS systems write (fixtures/imports/layouts,
// see its README): hour-ending stamps, DST flags, channels, multipliers, meter keys, HE1..HE25,
// elapsed settlement periods, semicolons and decimal commas, totals rows; and the refusals
// where edw must not guess (ambiguous dates, 24:00 without a stated convention, 1,250).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QUALITY } from '../../metering/quality';
import { isoToDay } from '../../time/zone';
import { Profile, type ProfileInput } from '../profile';
import type { FileOutcome } from '../schema';
import { channelFromName, dstFlag, namesAnEnd } from '../intervalFile';
import { blocks, seriesOf, viewRows } from './meteringTestKit';
import { bench, type Bench } from './testkit';

const DIR = path.join(__dirname, '../../../fixtures/imports/layouts');
const profileOf = (name: string): ProfileInput =>
  Profile.parse(JSON.parse(fs.readFileSync(path.join(DIR, `${name}.profile.json`), 'utf8')));
const at = (iso: string) => Date.parse(iso) / 1000;

let b: Bench | null = null;
afterEach(() => {
  b?.ws.close();
  b = null;
});

async function load(name: string, org: string): Promise<[Bench, FileOutcome]> {
  b = await bench();
  const r = await b.run('intervals', path.join(DIR, `${name}.csv`), {
    org,
    profile: profileOf(name),
  });
  return [b, r];
}

/** Provided readings (not missing) of a series from 2019 on: [start, value, quality]. */
function readings(x: Bench, org: string, up: string, rt: string): [number, number, string][] {
  return viewRows(x.ws, seriesOf(x.ws, org, up, rt))
    .filter((v) => v.quality_name !== 'missing')
    .map((v) => [v.start, v.value, v.quality_name]);
}

describe('interval layouts of real exports', () => {
  it('long MDMS export: meter keys, hour-ending AM/PM stamps, DST flag, channels, multiplier, totals row', async () => {
    const [x, r] = await load('mdms-hour-ending', 'UES');
    expect(r.status).toBe('committed');
    expect(r.rowsTotal).toBe(11); // the Total row is not a data row
    expect(r.rowsAccepted).toBe(10);
    expect(r.rejects.map((j) => [j.line, j.column, j.value])).toEqual([[10, 'Channel', 'CH9']]);
    expect(r.rejects[0]!.reason).toMatch(/unknown channel "CH9".*profile's channels/);
    expect(r.written.readings).toBe(10);

    // KWH DEL of meter 800001 (usage point 1100000100), fall-back day: 25 slots.
    const del = blocks(x.ws, seriesOf(x.ws, 'UES', '1100000100', 'Electricity kWh hourly'));
    const nov3 = del.find((k) => k.day === isoToDay('2019-11-03'))!;
    expect(nov3.values.length).toBe(25);
    // ending 1:00 EDT, 1:00 EST, 2:00 EST, 3:00 EST → slots 00:00 EDT, 01:00 EDT, 01:00 EST, 02:00 EST
    expect(Array.from(nov3.values.slice(0, 4))).toEqual([0.5, 0.6, 0.7, 0.8]); // × 40
    expect(Array.from(nov3.quality.slice(0, 5))).toEqual([
      QUALITY.valid,
      QUALITY.valid,
      QUALITY.estimated,
      QUALITY.valid,
      QUALITY.missing,
    ]);
    // 11/4/2019 24:00 ends the day: the 23:00 EST hour.
    const nov4 = del.find((k) => k.day === isoToDay('2019-11-04'))!;
    expect(nov4.values[23]).toBe(1.2);
    expect(readings(x, 'UES', '1100000100', 'Electricity kWh hourly').at(-1)).toEqual([
      at('2019-11-05T04:00:00Z'),
      1.2,
      'valid',
    ]);
    // KWH REC: the EST row comes first; the flag, not the order, places it.
    expect(readings(x, 'UES', '1100000100', 'Electricity kWh hourly received')).toEqual([
      [at('2019-11-03T04:00:00Z'), 0, 'valid'],
      [at('2019-11-03T05:00:00Z'), 0.1, 'valid'],
    ]);
    expect(readings(x, 'UES', '1100000100', 'Electricity kVArh hourly')).toEqual([
      [at('2019-11-03T04:00:00Z'), 0.2, 'valid'],
      [at('2019-11-03T06:00:00Z'), 0.4, 'estimated'],
    ]);
    // Meter 800002 → usage point 1100000200; "1,250.5" has a thousands separator.
    expect(readings(x, 'UES', '1100000200', 'Electricity kWh hourly')).toEqual([
      [at('2019-11-04T05:00:00Z'), 1250.5, 'valid'],
    ]);
    const msg = r.findings.map((f) => f.message).join('\n');
    expect(r.findings.find((f) => /DST flag/.test(f.message))?.count).toBe(5);
    expect(r.findings.find((f) => /multiplied/.test(f.message))?.count).toBe(9);
    expect(r.findings.find((f) => /totals row/.test(f.message))?.message).toMatch(/line 13/);
    expect(msg).toMatch(/KWH DEL \(kWh forward, from its name\): 6/);
    expect(msg).toMatch(/KWH REC \(kWh reverse, from its name\): 2/);
    expect(msg).toMatch(/unknown channels rejected: CH9 \(1\)/);
  });

  it('wide HE1..HE25 found by header: DST days, trailing cells left out, thousands separators, totals row', async () => {
    const [x, r] = await load('wide-he25', 'PSNH');
    expect(r.status).toBe('committed');
    expect(r.rowsTotal).toBe(4);
    expect(r.rowsAccepted).toBe(4);
    expect(r.rejects).toEqual([]);
    expect(r.written.readings).toBe(24 + 23 + 25 + 24);
    const bl = blocks(x.ws, seriesOf(x.ws, 'PSNH', '900000001', 'Electricity kWh hourly'));
    const byDay = new Map(bl.map((k) => [k.day, k]));
    const h = (n: number) => Number((n / 100).toFixed(2));
    const june = byDay.get(isoToDay('2019-06-03'))!;
    expect(Array.from(june.values)).toEqual(Array.from({ length: 24 }, (_, i) => h(i + 1)));
    const spring = byDay.get(isoToDay('2019-03-10'))!;
    expect(spring.values.length).toBe(23);
    expect(Array.from(spring.values.slice(0, 3))).toEqual([0.01, 0.02, 0.04]);
    const fall = byDay.get(isoToDay('2019-11-03'))!;
    expect(fall.values.length).toBe(25);
    expect(Array.from(fall.values.slice(0, 4))).toEqual([0.01, 0.02, 9.99, 0.03]);
    expect(fall.values[24]).toBe(0.24);
    const com = readings(x, 'PSNH', '900000004', 'Electricity kWh hourly');
    expect(com).toHaveLength(24);
    expect(com[0]).toEqual([at('2019-06-03T04:00:00Z'), 1201.5, 'valid']);
    expect(com[23]).toEqual([at('2019-06-04T03:00:00Z'), 1224.5, 'valid']);
    const msg = r.findings.map((f) => f.message).join('\n');
    expect(msg).toMatch(/value columns found by their headers \(25\): HE1, HE2, HE3 … HE24, HE25/);
    expect(
      r.findings.find((f) => /ended before the last value columns/.test(f.message))?.count,
    ).toBe(1);
    expect(msg).toMatch(/1 totals row .* line 6/);
    // HE3 of the spring day says N/A: not provided, so not a value in the skipped hour.
    expect(r.findings.find((f) => /NULL, N\/A/.test(f.message))?.count).toBe(1);
  });

  it('half-hourly settlement periods in elapsed order: 46 and 50 periods on clock-change days', async () => {
    const [x, r] = await load('halfhourly-elapsed', 'UES');
    expect(r.status).toBe('committed');
    expect(r.rowsTotal).toBe(4);
    expect(r.rowsAccepted).toBe(4);
    expect(r.rejects.map((j) => [j.line, j.column])).toEqual([[5, 'HH49']]);
    expect(r.rejects[0]!.reason).toMatch(
      /interval 49 of 2019-06-02, which has 48 1800-second intervals in Europe\/London/,
    );
    const all = readings(x, 'UES', '1100000300', 'Electricity kWh 30-minute');
    expect(all).toHaveLength(46 + 50 + 48 + 48);
    // 31 March (GMT → BST): period 1 at 00:00 GMT, period 46 at 23:30 BST.
    expect(all[0]).toEqual([at('2019-03-31T00:00:00Z'), 0.01, 'valid']);
    expect(all[45]).toEqual([at('2019-03-31T22:30:00Z'), 0.46, 'valid']);
    // 27 October (BST → GMT): period 1 at 00:00 BST, period 50 at 23:30 GMT.
    // (in time order: 31 March, 1 and 2 June, then 27 October)
    expect(all[46]).toEqual([at('2019-05-31T23:00:00Z'), 0.01, 'valid']);
    expect(all[142]).toEqual([at('2019-10-26T23:00:00Z'), 0.01, 'valid']);
    expect(all[191]).toEqual([at('2019-10-27T23:30:00Z'), 0.5, 'valid']);
  });

  it('semicolon file with decimal commas, split date and time, ="EAN", registers and Dutch states', async () => {
    const [x, r] = await load('semicolon-decimal-comma', 'UES');
    expect(r.status).toBe('committed');
    expect(r.rowsTotal).toBe(9);
    expect(r.rowsAccepted).toBe(7);
    expect(r.rejects.map((j) => [j.line, j.column, j.value])).toEqual([
      [9, 'Volume', '0.5'],
      [10, 'Register', 'Reactief'],
    ]);
    expect(r.rejects[0]!.reason).toMatch(/not a number with a decimal comma/);
    expect(r.written.readings).toBe(7); // the missing slot is written as missing
    // Europe/Brussels: 01:45 CEST = 23:45Z; 02:00 CEST = 00:00Z; the second 02:00 (CET) = 01:00Z.
    expect(readings(x, 'UES', '1100000100', 'Electricity kWh 15-minute')).toEqual([
      [at('2019-10-26T23:45:00Z'), 0.067, 'valid'],
      [at('2019-10-27T00:00:00Z'), 0.08, 'valid'],
      [at('2019-10-27T01:00:00Z'), 1000.125, 'estimated'],
      [at('2019-10-27T06:00:00Z'), 0.5, 'valid'],
    ]);
    expect(readings(x, 'UES', '1100000100', 'Electricity kWh 15-minute received')).toEqual([
      [at('2019-10-26T23:45:00Z'), 0, 'valid'],
      [at('2019-10-27T01:00:00Z'), 0.01, 'valid'],
    ]);
    // "Geen verbruik" (no consumption) with an empty volume: a missing slot at 00:00Z.
    const rec = viewRows(
      x.ws,
      seriesOf(x.ws, 'UES', '1100000100', 'Electricity kWh 15-minute received'),
    );
    expect(rec.find((v) => v.start === at('2019-10-27T00:00:00Z'))?.quality_name).toBe('missing');
    expect(r.findings.find((f) => /resolved by order/.test(f.message))?.count).toBe(2);
  });

  it('customer download with a preamble, split date and start time, the account for the file', async () => {
    const [x, r] = await load('preamble-split-time', 'UES');
    expect(r.status).toBe('committed');
    expect(r.rowsTotal).toBe(5);
    expect(r.rowsAccepted).toBe(4);
    expect(r.rejects.map((j) => [j.line, j.column])).toEqual([[10, 'USAGE (kWh)']]);
    expect(r.rejects[0]!.reason).toMatch(/value is empty/);
    // Account 110000001 has one usage point, 1100000100. Spring forward: 02:00 does not exist.
    expect(readings(x, 'UES', '1100000100', 'Electricity kWh hourly')).toEqual([
      [at('2019-03-10T05:00:00Z'), 0.29, 'valid'],
      [at('2019-03-10T06:00:00Z'), 0.34, 'valid'],
      [at('2019-03-10T07:00:00Z'), 0.31, 'valid'],
      [at('2019-03-10T09:00:00Z'), 0.3, 'valid'],
    ]);
    const f = r.findings.find((k) => /preamble/.test(k.message));
    expect([f?.count, f?.message]).toEqual([
      5,
      '5 lines before the header (line 6) skipped as a preamble, not data: lines 1–5',
    ]);
  });

  it('refuses what it must not guess and reads stamps that are unambiguous', async () => {
    b = await bench();
    const x = b;
    const up = '1100000100';
    const file = x.file('stamps.csv', [
      'usage_point,start,seconds,value',
      `${up},05/06/2019 01:00,3600,1`, // 2: May 6 or June 5? US order: May 6 (noted)
      `${up},13/06/2019 01:00,3600,2`, // 3: day first in a month/day file: refused
      `${up},2019-06-05 24:00,3600,3`, // 4: 24:00 without a stated convention
      `${up},43621.5,3600,4`, // 5: Excel serial: 2019-06-05 12:00 local
      `${up},1559754000,3600,5`, // 6: epoch seconds: 2019-06-05T17:00Z
      `${up},201906051400,3600,"0,25"`, // 7: YYYYMMDDHHMM; a decimal comma
      `${up},2019-06-05 15:00,3600,"1,250"`, // 8: 1250 or 1.25?
      `${up},2019-06-05 16:00,3600,12.5 kWh`, // 9: not a number
    ]);
    const r = await x.run('intervals', file, { org: 'UES' });
    expect(r.status).toBe('committed');
    expect(r.rejects.map((j) => [j.line, j.column])).toEqual([
      [3, 'start'],
      [4, 'start'],
      [8, 'value'],
      [9, 'value'],
    ]);
    expect(r.rejects[0]!.reason).toMatch(/not month\/day \(13\/6: day first\?\)/);
    expect(r.rejects[1]!.reason).toMatch(
      /24:00, the end of a day.*set the profile's timestamps to "end"/,
    );
    expect(r.rejects[2]!.reason).toMatch(
      /ambiguous: a thousands separator \(1250\) or a decimal comma \(1.250\)/,
    );
    expect(readings(x, 'UES', up, 'Electricity kWh hourly')).toEqual([
      [at('2019-05-06T05:00:00Z'), 1, 'valid'], // 01:00 EDT on May 6
      [at('2019-06-05T16:00:00Z'), 4, 'valid'], // 12:00 EDT
      [at('2019-06-05T17:00:00Z'), 5, 'valid'],
      [at('2019-06-05T18:00:00Z'), 0.25, 'valid'], // 14:00 EDT
    ]);
    expect(r.findings.find((f) => /decimal comma/.test(f.message))?.count).toBe(1);
    expect(r.findings.find((f) => /month\/day/.test(f.message))?.count).toBe(1);
  });

  it('reads a zone abbreviation after the time as its fixed offset', async () => {
    b = await bench();
    const x = b;
    const up = '1100000100';
    const file = x.file('abbr.csv', [
      'usage_point,start,seconds,value',
      `${up},2019-11-03 01:00 EST,3600,2`,
      `${up},2019-11-03 01:00 EDT,3600,1`,
      `${up},2019-07-01 12:00:00 EST,3600,3`, // a file kept in standard time all year
      `${up},2019-07-01 2:00 PM EDT,3600,4`,
      `${up},2019-07-01 14:00 XYZ,3600,5`,
    ]);
    const r = await x.run('intervals', file, { org: 'UES' });
    expect(r.rejects.map((j) => [j.line, j.column])).toEqual([[6, 'start']]);
    expect(readings(x, 'UES', up, 'Electricity kWh hourly')).toEqual([
      [at('2019-07-01T17:00:00Z'), 3, 'valid'],
      [at('2019-07-01T17:00:00Z') + 3600, 4, 'valid'],
      [at('2019-11-03T05:00:00Z'), 1, 'valid'],
      [at('2019-11-03T06:00:00Z'), 2, 'valid'],
    ]);
    expect(r.findings.find((f) => /zone abbreviation/.test(f.message))?.count).toBe(4);
  });

  it('reads a stamp column headed as an end as interval ends; a time column joins the date', async () => {
    b = await bench();
    const x = b;
    const profile: ProfileInput = {
      name: 'ends',
      kind: 'intervals',
      columns: { usage_point: 'SDP', start: 'Date', time: 'Hour Ending', value: 'kWh' },
      defaults: { seconds: '3600' },
      dateFormat: 'mdy',
    };
    const file = x.file('ends.csv', [
      'SDP,Date,Hour Ending,kWh',
      '1100000100,6/5/2019,1,0.5',
      '1100000100,6/5/2019,24,2.5',
      '1100000100,6/5/2019 0:00,1300,1.5',
    ]);
    const r = await x.run('intervals', file, { org: 'UES', profile });
    expect(r.rejects).toEqual([]);
    expect(readings(x, 'UES', '1100000100', 'Electricity kWh hourly')).toEqual([
      [at('2019-06-05T04:00:00Z'), 0.5, 'valid'],
      [at('2019-06-05T16:00:00Z'), 1.5, 'valid'],
      [at('2019-06-06T03:00:00Z'), 2.5, 'valid'],
    ]);
    expect(r.findings.map((f) => f.message).join('\n')).toMatch(
      /Hour Ending were read as interval ends/,
    );
  });

  it('wide KWH_0015..KWH_2400 plus 4 DST columns found by header; a blank totals row', async () => {
    b = await bench();
    const x = b;
    const profile: ProfileInput = {
      name: 'q',
      kind: 'intervals',
      columns: { usage_point: 'SDP', start: 'Date' },
      defaults: { unit: 'kWh' },
      wide: { seconds: 900 },
    };
    const hhmm = (m: number) =>
      `${String(Math.floor(m / 60)).padStart(2, '0')}${String(m % 60).padStart(2, '0')}`;
    const cols = Array.from({ length: 96 }, (_, i) => `KWH_${hhmm((i + 1) * 15)}`);
    const dst = ['KWH_0115_DST', 'KWH_0130_DST', 'KWH_0145_DST', 'KWH_0200_DST'];
    const q = (n: number) => (n / 1000).toFixed(3);
    const file = x.file('q.csv', [
      ['SDP', 'Date', ...cols, ...dst, 'Daily Total 24h'].join(','),
      ['1100000100', '2019-11-03', ...cols.map((_, i) => q(i + 1)), '9', '8', '7', '6', '1'].join(
        ',',
      ),
      ['1100000100', '2019-06-05', ...cols.map(() => '0.5'), '', '', '', '', '48'].join(','),
      ['', '', ...cols.map(() => '12'), '', '', '', '', '1152'].join(','),
    ]);
    const r = await x.run('intervals', file, { org: 'UES', profile });
    expect(r.rejects).toEqual([]);
    expect(r.rowsTotal).toBe(2);
    expect(r.written.readings).toBe(100 + 96);
    const fall = blocks(
      x.ws,
      seriesOf(x.ws, 'UES', '1100000100', 'Electricity kWh 15-minute'),
    ).find((k) => k.day === isoToDay('2019-11-03'))!;
    expect(fall.values.length).toBe(100);
    // 00:00–01:00 EDT, 01:00–02:00 EDT (columns 5–8), then 01:00–02:00 EST from the DST columns.
    expect(Array.from(fall.values.slice(0, 12))).toEqual([
      0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 9, 8, 7, 6,
    ]);
    expect(fall.values[12]).toBe(0.009);
    expect(fall.values[99]).toBe(0.096);
    const msg = r.findings.map((f) => f.message).join('\n');
    expect(msg).toMatch(
      /value columns found by their headers \(100\): KWH_0015, KWH_0030, KWH_0045 … KWH_0145_DST, KWH_0200_DST/,
    );
    expect(msg).toMatch(/1 totals row .* line 4/);
  });

  it('refuses a wide file whose value columns do not make a day, and unknown meters by line', async () => {
    b = await bench();
    const x = b;
    const wide: ProfileInput = {
      name: 'w',
      kind: 'intervals',
      columns: { usage_point: 'SDP', start: 'Date' },
      wide: { seconds: 900 },
    };
    const cols = Array.from({ length: 24 }, (_, i) => `H${i + 1}`);
    const f1 = x.file('w.csv', [
      `SDP,Date,${cols.join(',')}`,
      `1100000100,2019-06-05,${cols.map(() => 1).join(',')}`,
    ]);
    const r1 = await x.run('intervals', f1, { org: 'UES', profile: wide });
    expect(r1.status).toBe('rejected');
    expect(r1.message).toMatch(
      /the file has 24 value columns \(H1, .*H24\) with 24 regular columns; 900-second data needs 96/,
    );

    const f2 = x.file('m.csv', [
      'meter,start,seconds,value',
      '999999,2019-06-05T00:00:00-04:00,3600,1',
      '800003,2019-06-05T00:00:00-04:00,3600,2',
    ]);
    const r2 = await x.run('intervals', f2, { org: 'UES' });
    expect(r2.rejects.map((j) => [j.line, j.column, j.value])).toEqual([[2, 'meter', '999999']]);
    expect(r2.rejects[0]!.reason).toMatch(/unknown meter 999999 for UES/);
    expect(readings(x, 'UES', '1100000300', 'Electricity kWh hourly')).toEqual([
      [at('2019-06-05T04:00:00Z'), 2, 'valid'],
    ]);
    // An account with a single usage point identifies it too.
    const f3 = x.file('a.csv', [
      'account,start,seconds,value',
      '110000002,2019-06-05T00:00:00-04:00,3600,3',
      '999,2019-06-05T00:00:00-04:00,3600,3',
    ]);
    const r3 = await x.run('intervals', f3, { org: 'UES' });
    expect(r3.rejects.map((j) => [j.line, j.column])).toEqual([[3, 'account']]);
    expect(readings(x, 'UES', '1100000200', 'Electricity kWh hourly')).toEqual([
      [at('2019-06-05T04:00:00Z'), 3, 'valid'],
    ]);
  });
});

describe('channel names, DST flags and end headers', () => {
  const unit = (w: string) =>
    ({ kwh: 'kWh', kvarh: 'kVArh', wh: 'Wh' })[w.toLowerCase()] === undefined
      ? null
      : ({ code: w } as never);
  it('reads a unit and a direction from a channel name, else nothing', () => {
    const c = (t: string) => {
      const r = channelFromName(t, unit);
      return r && [(r.unit as { code: string }).code, r.direction];
    };
    expect(c('kWh Delivered')).toEqual(['kWh', 'forward']);
    expect(c('KWH_REC')).toEqual(['KWH', 'reverse']);
    expect(c('kWhDel')).toEqual(['kWh', 'forward']);
    expect(c('Net kWh')).toEqual(['kWh', 'net']);
    expect(c('kVArh')).toEqual(['kVArh', null]);
    expect(c('CH1')).toBeNull();
    expect(c('Del-Rec kWh')).toBeNull();
  });
  it('knows daylight flags and end headers', () => {
    expect(['Y', 'yes', 'EDT', 'CDT', 'D', 'CEST', 'true'].map(dstFlag)).toEqual(
      Array(7).fill(true),
    );
    expect(['N', 'no', 'EST', 'CST', 'S', 'CET', 'GMT', '0'].map(dstFlag)).toEqual(
      Array(8).fill(false),
    );
    expect(dstFlag('maybe')).toBeNull();
    expect(['ReadEnd', 'EndTime', 'INTERVAL_END', 'Hour Ending', 'HE'].map(namesAnEnd)).toEqual(
      Array(5).fill(true),
    );
    expect(['ReadStart', 'Weekend', 'Calendar', 'Date'].map(namesAnEnd)).toEqual(
      Array(4).fill(false),
    );
  });
});
