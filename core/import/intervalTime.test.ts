import { describe, expect, it } from 'vitest';
import { localDay, localToEpoch } from '../time/zone';
import {
  NUM_EMPTY,
  NUM_NONE,
  NUM_OK,
  STAMP_BAD,
  STAMP_EXACT,
  STAMP_LOCAL,
  STAMP_NONE,
  civilFromDays,
  daysFromCivil,
  numeric,
  parseNumber,
  parseStamp,
  scaled,
  stamp,
  zoneDays,
} from './intervalTime';
import { canonicalDecimal, shiftDecimal } from './measures';

const ps = (s: string, f: 'iso' | 'mdy' | 'dmy' | 'ymd' = 'iso') => {
  const b = Buffer.from(s);
  return parseStamp(b, 0, b.length, f);
};

describe('interval time parsing', () => {
  it('converts calendar dates and day numbers like Date.UTC', () => {
    for (const [y, m, d] of [
      [1970, 1, 1],
      [2000, 2, 29],
      [2019, 3, 10],
      [2100, 12, 31],
      [1969, 12, 31],
    ] as const) {
      const day = daysFromCivil(y, m, d);
      expect(day).toBe(Date.UTC(y, m - 1, d) / 86_400_000);
      expect(civilFromDays(day)).toEqual([y, m, d]);
    }
  });

  it('parses ISO and utility timestamps from bytes', () => {
    expect(ps('2019-06-01T00:00:00-04:00')).toBe(STAMP_EXACT);
    expect(stamp.epoch).toBe(Date.parse('2019-06-01T04:00:00Z') / 1000);
    expect(ps('2019-06-01 13:15Z')).toBe(STAMP_EXACT);
    expect(stamp.epoch).toBe(Date.parse('2019-06-01T13:15:00Z') / 1000);
    expect(ps('2019-06-01T01:00:00.000+0530')).toBe(STAMP_EXACT);
    expect(stamp.epoch).toBe(Date.parse('2019-05-31T19:30:00Z') / 1000);
    expect(ps('2019-03-10T03:00')).toBe(STAMP_LOCAL);
    expect([stamp.day, stamp.wall]).toEqual([daysFromCivil(2019, 3, 10), 3 * 3600]);
    expect(ps('3/10/2019 2:30 PM', 'mdy')).toBe(STAMP_LOCAL);
    expect([stamp.day, stamp.wall]).toEqual([daysFromCivil(2019, 3, 10), 14.5 * 3600]);
    expect(ps('10.03.19 12:00 am', 'dmy')).toBe(STAMP_LOCAL);
    expect([stamp.day, stamp.wall]).toEqual([daysFromCivil(2019, 3, 10), 0]);
    expect(ps('2019-03-10')).toBe(STAMP_LOCAL);
    expect(stamp.dateOnly).toBe(true);
    expect(ps('2019-02-29T00:00')).toBe(STAMP_BAD);
    expect(ps('2019-06-01T00:00:00.5Z')).toBe(STAMP_BAD);
    expect(ps('1559361600')).toBe(STAMP_EXACT); // epoch seconds
    expect(stamp.epoch).toBe(1559361600);
    expect(ps('June 1 2019')).toBe(STAMP_NONE);
  });

  it('reads d/m-ambiguous dates in US order without a dateFormat (counted), refuses day-first ones', () => {
    stamp.usOrder = 0;
    expect(ps('05/06/2019')).toBe(STAMP_LOCAL);
    expect(stamp.day).toBe(daysFromCivil(2019, 5, 6));
    expect(stamp.usOrder).toBe(1);
    expect(ps('05/06/2019', 'dmy')).toBe(STAMP_LOCAL);
    expect(stamp.day).toBe(daysFromCivil(2019, 6, 5));
    // Never mixed: a day-first date in a file read month/day is refused with the fix.
    expect(ps('13/06/2019 01:00')).toBe(STAMP_BAD);
    expect(stamp.problem).toMatch(/not month\/day \(13\/6: day first\?\); set .*dateFormat to dmy/);
    expect(ps('06/13/2019')).toBe(STAMP_LOCAL);
    expect(stamp.day).toBe(daysFromCivil(2019, 6, 13));
    expect(ps('07/07/2019')).toBe(STAMP_LOCAL); // the same either way
    expect(stamp.usOrder).toBe(1);
    expect(ps('1/5/2019 24:00', 'mdy')).toBe(STAMP_LOCAL);
    expect([stamp.day, stamp.wall]).toEqual([daysFromCivil(2019, 1, 5), 86400]);
    // Excel serial days (1900 system): 43466 = 2019-01-01; .75 = 18:00.
    expect(ps('43466')).toBe(STAMP_LOCAL);
    expect([stamp.day, stamp.wall, stamp.dateOnly]).toEqual([daysFromCivil(2019, 1, 1), 0, true]);
    expect(ps('43466.75')).toBe(STAMP_LOCAL);
    expect([stamp.day, stamp.wall]).toEqual([daysFromCivil(2019, 1, 1), 18 * 3600]);
    expect(ps('43466.0104166667')).toBe(STAMP_LOCAL); // 00:15 to the second
    expect(stamp.wall).toBe(900);
    expect(ps('20190105')).toBe(STAMP_LOCAL);
    expect([stamp.day, stamp.dateOnly]).toEqual([daysFromCivil(2019, 1, 5), true]);
    expect(ps('20190105001500')).toBe(STAMP_LOCAL);
    expect(stamp.wall).toBe(900);
    expect(ps('201901052400')).toBe(STAMP_LOCAL);
    expect(stamp.wall).toBe(86400);
    expect(ps('20190230')).toBe(STAMP_BAD);
    expect(ps('1546318800000')).toBe(STAMP_EXACT); // epoch milliseconds
    expect(stamp.epoch).toBe(1546318800);
    expect(ps('1546318800500')).toBe(STAMP_BAD);
    expect(ps('123456')).toBe(STAMP_NONE);
  });

  it('parses decimals with a decimal comma when told', () => {
    const pn = (t: string, sep = 46) => {
      const b = Buffer.from(t);
      return parseNumber(b, 0, b.length, sep);
    };
    expect(pn('0,25', 44)).toBe(NUM_OK);
    expect([numeric.mantissa, numeric.decimals]).toEqual([25, 2]);
    expect(pn('0,25')).toBe(NUM_NONE);
    expect(pn('0.25', 44)).toBe(NUM_NONE);
  });

  it('knows local days and DST times of a zone without Intl per call', () => {
    const z = zoneDays('America/New_York');
    const spring = daysFromCivil(2019, 3, 10);
    const fall = daysFromCivil(2019, 11, 3);
    expect([z.start(spring), z.len(spring)]).toEqual([localDay(spring, z.zone).start, 82800]);
    expect(z.len(fall)).toBe(90000);
    expect(z.local(spring, 3 * 3600)).toBe(localToEpoch(z.zone, 2019, 3, 10, 3));
    z.local(spring, 2.5 * 3600);
    expect(z.nonexistent).toBe(true);
    const first = z.local(fall, 3600);
    expect(z.later - first).toBe(3600);
    z.local(fall, 2 * 3600);
    expect(z.later).toBeNaN();
    const t = Date.parse('2019-11-03T05:30:00Z') / 1000; // 01:30 EDT
    expect(z.dayOf(t, fall + 1)).toBe(fall);
    expect(z.dayOf(z.start(fall) - 1, fall)).toBe(fall - 1);
  });

  it('parses plain decimals exactly and shifts decimal text', () => {
    const pn = (s: string) => {
      const b = Buffer.from(s);
      return parseNumber(b, 0, b.length);
    };
    expect(pn('0.335')).toBe(NUM_OK);
    expect(scaled(numeric.mantissa, numeric.decimals, 0)).toBe(0.335);
    expect(pn('-1234')).toBe(NUM_OK);
    expect([numeric.negative, scaled(numeric.mantissa, numeric.decimals, -3)]).toEqual([
      true,
      1.234,
    ]);
    expect(pn('0.0015')).toBe(NUM_OK);
    expect(scaled(numeric.mantissa, numeric.decimals, 3)).toBe(1.5);
    expect(pn('')).toBe(NUM_EMPTY);
    expect(pn('1e3')).toBe(NUM_NONE);
    expect(pn('1,234.5')).toBe(NUM_NONE);
    expect(pn('.')).toBe(NUM_NONE);
    expect(pn('1234567890123456')).toBe(NUM_NONE);
    expect(shiftDecimal('12700500', -3)).toBe('12700.500');
    expect(shiftDecimal('0.4603', 1)).toBe('4.603');
    expect(shiftDecimal('5', -3)).toBe('0.005');
    expect(shiftDecimal('-1.5', 3)).toBe('-1500');
    expect(canonicalDecimal('012345.60')).toBe('12345.6');
    expect(canonicalDecimal('-0.00')).toBe('0');
  });
});
