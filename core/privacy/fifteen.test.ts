import { describe, expect, it } from 'vitest';
import { FifteenFifteen, fifteenFifteen, judgeCell, suppressRow } from './fifteen';

/** n customers of equal load. */
const equal = (n: number, value: number): number[] => Array.from({ length: n }, () => value);

describe('15/15 rule', () => {
  it('exactly 15 customers passes, 14 fails', () => {
    // 15 customers of 10 kWh: each 10/150 = 6.67 %.
    expect(judgeCell(equal(15, 10))).toEqual({
      customers: 15,
      total: 150,
      magnitude: 150,
      maxShare: 10 / 150,
      released: true,
      reason: null,
    });
    const v = judgeCell(equal(14, 10));
    expect(v.released).toBe(false);
    expect(v.reason).toBe('too_few_customers');
    expect(v.customers).toBe(14);
  });

  it('one customer at exactly 15 % passes, with exactly 15 customers', () => {
    // 15 + 13×6 + 7 = 100: the largest is 15 / 100 = 15 %.
    const cell = [15, ...equal(13, 6), 7];
    const v = judgeCell(cell);
    expect(v.customers).toBe(15);
    expect(v.total).toBe(100);
    expect(v.maxShare).toBe(0.15);
    expect(v.released).toBe(true);
  });

  it('one customer at exactly 15 % of a decimal total passes despite binary rounding', () => {
    // 17 customers of 0.1 kWh (1.7) and one of 0.3: 0.3 / 2.0 = 15 %.
    expect(judgeCell([0.3, ...equal(17, 0.1)]).released).toBe(true);
  });

  it('above 15 % fails', () => {
    // 30 of 200 = 15 % passes; 31 of 201 = 15.42 % fails; 15.01 of 100.01 = 15.008 % fails.
    expect(judgeCell([30, ...equal(17, 10)]).released).toBe(true);
    const v = judgeCell([31, ...equal(17, 10)]);
    expect(v).toMatchObject({ released: false, reason: 'dominant_customer', total: 201 });
    expect(v.maxShare).toBeCloseTo(31 / 201, 12);
    expect(judgeCell([15.01, ...equal(13, 6), 7]).released).toBe(false);
  });

  it('suppresses a cell whose total is zero', () => {
    expect(judgeCell(equal(20, 0))).toMatchObject({
      released: false,
      reason: 'zero_total',
      total: 0,
      maxShare: null,
    });
  });

  it('measures shares on magnitudes when customers export (negative net load)', () => {
    // 19 × +10 and one exporter at −30: net 160, magnitude 220, largest 30/220 = 13.6 %: released.
    const mixed = judgeCell([-30, ...equal(19, 10)]);
    expect(mixed).toMatchObject({ released: true, total: 160, magnitude: 220 });
    // 15 × +10 and one at −140: net 10 (a net share would be meaningless), magnitude 290,
    // largest 140/290 = 48 %: suppressed.
    expect(judgeCell([-140, ...equal(15, 10)])).toMatchObject({
      released: false,
      reason: 'dominant_customer',
      total: 10,
      magnitude: 290,
    });
    // Every customer exporting: 19 × −10 and one × −20: total −210, largest 20/210 = 9.5 %.
    expect(judgeCell([-20, ...equal(19, -10)])).toMatchObject({ released: true, total: -210 });
  });

  it('nets the entries of one customer and counts distinct customers only', () => {
    const acc = new FifteenFifteen();
    // Cell A: customers 1..15 at 10, but customer 1 appears three times (4 + 3 + 3 = 10).
    acc.add('A', 1, 4);
    acc.add('A', 1, 3);
    acc.add('A', 1, 3);
    for (let c = 2; c <= 15; c++) acc.add('A', c, 10);
    // Cell B: customer 'x' twice (the same customer), 14 others.
    acc.add('B', 'x', 5);
    acc.add('B', 'x', 5);
    for (let c = 1; c <= 13; c++) acc.add('B', c, 10);
    expect(acc.verdict('A')).toMatchObject({ customers: 15, total: 150, released: true });
    expect(acc.verdict('B')).toMatchObject({
      customers: 14,
      released: false,
      reason: 'too_few_customers',
    });
    expect(acc.verdict('never fed')).toMatchObject({ customers: 0, released: false });
    expect(acc.suppressedCount()).toBe(1);
    expect([...acc.verdicts()].map(([k]) => k)).toEqual(['A', 'B']);
  });

  it('works over a stream of entries and rejects non-finite values', () => {
    const entries = function* () {
      for (let c = 0; c < 16; c++) yield { cell: '2018-01|residential', customer: c, value: 5 };
      yield { cell: '2018-01|commercial', customer: 1, value: 500 };
    };
    const v = fifteenFifteen(entries());
    expect(v.get('2018-01|residential')).toMatchObject({ released: true, total: 80 });
    expect(v.get('2018-01|commercial')).toMatchObject({ released: false, customers: 1 });
    expect(() => new FifteenFifteen().add('A', 1, Number.NaN)).toThrow(/NaN/);
  });

  it('honours other thresholds', () => {
    expect(judgeCell(equal(5, 1), { minCustomers: 5, maxShare: 0.2 }).released).toBe(true);
    expect(judgeCell(equal(4, 1), { minCustomers: 4, maxShare: 0.2 }).reason).toBe(
      'dominant_customer',
    );
  });

  it('suppressRow blanks the value columns of a suppressed cell and flags it', () => {
    const row = { month: '2018-01', kwh: 123.4, customers: 3 };
    expect(suppressRow(row, ['kwh'], judgeCell([1, 2, 3]))).toEqual({
      month: '2018-01',
      kwh: null,
      customers: 3,
      suppressed: true,
    });
    expect(suppressRow(row, ['kwh'], judgeCell(equal(15, 1)))).toEqual({
      ...row,
      suppressed: false,
    });
  });
});
