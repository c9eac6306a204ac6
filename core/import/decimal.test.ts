import { describe, expect, it } from 'vitest';
import { addDecText, decText, microsToDollars, sameDec, toMicros } from './decimal';
import { jsonLines } from './jsonFile';

describe('exact decimals', () => {
  it('adds URDB rate + adj without floating point', () => {
    expect(addDecText('0.1425', '0.0012')).toBe('0.1437');
    expect(addDecText('0.1', '0.2')).toBe('0.3'); // 0.1 + 0.2 in floats is 0.30000000000000004
    expect(addDecText('4.25', '0.15')).toBe('4.40');
    expect(addDecText('-0.00080', '0')).toBe('-0.00080');
    expect(decText(1e-7)).toBe('0.0000001');
    expect(decText('1.5e3')).toBe('1500');
    expect(sameDec('0.0618', '0.06180')).toBe(true);
  });

  it('turns dollars into micro-dollars exactly, refusing what would need rounding', () => {
    expect(toMicros('106.51')).toEqual({ ok: true, micros: 106_510_000 });
    expect(toMicros('-0.49')).toEqual({ ok: true, micros: -490_000 });
    expect(toMicros('\u22120.49')).toEqual({ ok: true, micros: -490_000 });
    expect(toMicros('0.123456')).toEqual({ ok: true, micros: 123_456 });
    expect(toMicros('1.2300000')).toEqual({ ok: true, micros: 1_230_000 });
    expect(toMicros('0.1234567')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/more than 6 decimals/),
    });
    expect(toMicros('$12')).toMatchObject({ ok: false });
    expect(toMicros('1e3')).toMatchObject({ ok: false });
    expect(microsToDollars(37_600_000)).toBe('37.60');
    expect(microsToDollars(-490_000)).toBe('-0.49');
    expect(microsToDollars(1_234_567)).toBe('1.234567');
  });
});

describe('jsonLines', () => {
  it('gives the start line of values by path', () => {
    const text = '{\n  "items": [\n    {"a": 1},\n    {\n      "b": [1, 2]\n    }\n  ]\n}';
    const lines = jsonLines(text);
    expect(lines.get('$')).toBe(1);
    expect(lines.get('$.items')).toBe(2);
    expect(lines.get('$.items[0]')).toBe(3);
    expect(lines.get('$.items[1]')).toBe(4);
    expect(lines.get('$.items[1].b')).toBe(5);
  });
});
