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
    expect(ps('3/10/2019 2:30 PM')).toBe(STAMP_LOCAL);
    expect([stamp.day, stamp.wall]).toEqual([daysFromCivil(2019, 3, 10), 14.5 * 3600]);
    expect(ps('10.03.19 12:00 am', 'dmy')).toBe(STAMP_LOCAL);
    expect([stamp.day, stamp.wall]).toEqual([daysFromCivil(2019, 3, 10), 0]);
    expect(ps('2019-03-10')).toBe(STAMP_LOCAL);
    expect(stamp.dateOnly).toBe(true);
    expect(ps('2019-02-29T00:00')).toBe(STAMP_BAD);
    expect(ps('2019-06-01T00:00:00.5Z')).toBe(STAMP_BAD);
    expect(ps('1559361600')).toBe(STAMP_NONE);
    expect(ps('June 1 2019')).toBe(STAMP_NONE);
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
