import { describe, expect, it } from 'vitest';
import { accuracy } from './metrics';
import { cdd, ols, tenInTen, type DayLoad } from './mv';
import { divHalfAway, largestRemainder, microsToCents } from './money';

describe('MAPE and MASE (seed 002) on hand-computed series', () => {
  it('computes both with a seasonal period of 2', () => {
    // A = 10 20 10 20 10 20, F = 12 18 10 25 8 20
    // |e| = 2 2 0 5 2 0 → MAE = 11/6; MAPE = 100/6 (0.2+0.1+0+0.25+0.2+0) = 12.5 %
    // naive(m=2): |A_t − A_{t−2}| = 0 0 0 0 → scale 0 → MASE undefined
    const a = [10, 20, 10, 20, 10, 20];
    const f = [12, 18, 10, 25, 8, 20];
    const r = accuracy(a, f, 2);
    expect(r.mape).toBeCloseTo(12.5, 12);
    expect(r.mae).toBeCloseTo(11 / 6, 12);
    expect(r.mase).toBeNull();
    // with m = 1: naive |Δ| = 10 each (5 terms) → scale 10 → MASE = (11/6)/10
    expect(accuracy(a, f, 1).mase).toBeCloseTo(11 / 60, 12);
  });

  it('leaves zero actuals out of MAPE and says how many', () => {
    const r = accuracy([0, 4, 0, 8], [1, 5, 0, 6], 1);
    // MAPE over 4 and 8 only: (1/4 + 2/8)/2 = 25 %
    expect(r.mape).toBeCloseTo(25, 12);
    expect(r.mapeExcluded).toBe(2);
    // MAE = (1+1+0+2)/4 = 1; naive |Δ| = 4,4,8 → 16/3; MASE = 3/16
    expect(r.mase).toBeCloseTo(3 / 16, 12);
  });
});

describe('CAISO 10-in-10 baseline with the ±20 % day-of adjustment', () => {
  // 14 prior days: day d has load d+1 at every interval (so the most recent days are larger);
  // days 5 and 6 are a weekend, day 9 an earlier event: all three are skipped.
  const day = (v: number, offDay = false, eventDay = false): DayLoad => ({
    values: [v, v, v, v],
    offDay,
    eventDay,
  });
  const days: DayLoad[] = [];
  for (let d = 0; d < 14; d++) days.push(day(d + 1, d === 5 || d === 6, d === 9));
  it('averages the 10 most recent eligible days', () => {
    days.push({ values: [12, 12, 5, 5], offDay: false, eventDay: true }); // event day 14
    const r = tenInTen(days, 14, [2, 3], [0, 1], 0.2);
    // eligible, most recent first: 13 12 11 10 8 7 4 3 2 1 (0-based days) → loads 14 13 12 11 9 8 5 4 3 2
    expect(r.daysUsed).toEqual([13, 12, 11, 10, 8, 7, 4, 3, 2, 1]);
    const mean = (14 + 13 + 12 + 11 + 9 + 8 + 5 + 4 + 3 + 2) / 10; // 8.1
    expect(r.raw).toEqual([mean, mean]);
    // adjustment window actual 12+12 = 24 vs baseline 16.2 → 1.4815, capped at 1.2
    expect(r.uncapped).toBeCloseTo(24 / 16.2, 12);
    expect(r.factor).toBe(1.2);
    expect(r.adjusted[0]).toBeCloseTo(mean * 1.2, 12);
    days.pop();
  });
  it('applies an adjustment inside the cap as is, and the lower cap', () => {
    days.push({ values: [8.91, 8.91, 0, 0], offDay: false, eventDay: true });
    const r = tenInTen(days, 14, [2, 3], [0, 1], 0.2);
    expect(r.factor).toBeCloseTo(1.1, 12);
    days.pop();
    days.push({ values: [1, 1, 0, 0], offDay: false, eventDay: true });
    expect(tenInTen(days, 14, [2, 3], [0, 1], 0.2).factor).toBe(0.8);
    days.pop();
  });
});

describe('CalTRACK-style regression', () => {
  it('fits load = a + b·CDD exactly on a linear series', () => {
    const temps = [60, 70, 80, 90];
    const x = temps.map(cdd); // 0 5 15 25
    const y = x.map((c) => 1.5 + 0.1 * c);
    const r = ols(x, y);
    expect(r.intercept).toBeCloseTo(1.5, 12);
    expect(r.slope).toBeCloseTo(0.1, 12);
    expect(ols([5, 5], [1, 3])).toEqual({ intercept: 2, slope: 0, n: 2 });
  });
});

describe('money rules', () => {
  it('rounds halves away from zero', () => {
    expect(divHalfAway(5n, 2n)).toBe(3n);
    expect(divHalfAway(-5n, 2n)).toBe(-3n);
    expect(divHalfAway(4n, 3n)).toBe(1n);
    expect(microsToCents(1_234_5000n)).toBe(1235n);
    expect(microsToCents(-5_000n)).toBe(-1n);
  });
  it('largest remainder: shares sum to the total, leftovers to the largest remainders, ties by key', () => {
    // 100 cents in 1:1:1 → 33.33 each → 34, 33, 33 (tie → smallest key 'a')
    const r = largestRemainder(100n, [
      { key: 'b', weight: 1n },
      { key: 'a', weight: 1n },
      { key: 'c', weight: 1n },
    ]);
    expect(r.shares).toEqual([
      { key: 'b', amount: 33n },
      { key: 'a', amount: 34n },
      { key: 'c', amount: 33n },
    ]);
    // 10 cents by 5:3:2 of weight → exact
    expect(
      largestRemainder(10n, [
        { key: 'x', weight: 5n },
        { key: 'y', weight: 3n },
        { key: 'z', weight: 2n },
      ]).shares.map((s) => s.amount),
    ).toEqual([5n, 3n, 2n]);
    // 7 by 0.5:0.3:0.2 → 3.5, 2.1, 1.4 → floors 3,2,1 (6) → +1 to x (rem .5)
    expect(
      largestRemainder(7n, [
        { key: 'x', weight: 500n },
        { key: 'y', weight: 300n },
        { key: 'z', weight: 200n },
      ]).shares.map((s) => s.amount),
    ).toEqual([4n, 2n, 1n]);
    expect(largestRemainder(7n, [{ key: 'x', weight: 0n }]).unallocated).toBe(7n);
  });
});
