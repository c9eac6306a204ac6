// Exact money for the VPP settlement and distribution: integer micro-dollars and cents as
// BigInt, every rounding a named rule (docs/vpp.md "Rounding rules").

/** Round a finite number to the nearest integer, halves away from zero ("half-up" in magnitude). */
export function roundHalfAway(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const r = Math.round(Math.abs(x));
  return x < 0 ? -r : r;
}

/** n / d rounded to the nearest integer, halves away from zero (d > 0). */
export function divHalfAway(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('divisor must be positive');
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (a * 2n + d) / (2n * d);
  return neg ? -q : q;
}

/** Dollars (a number as written in a scenario) → integer micro-dollars, half away from zero. */
export function toMicros(usd: number): bigint {
  return BigInt(roundHalfAway(usd * 1e6));
}

/** Micro-dollars → cents, half away from zero (rule SETTLE-CENT). */
export function microsToCents(micros: bigint): bigint {
  return divHalfAway(micros, 10_000n);
}

export interface Allocation {
  key: string;
  amount: bigint;
}

/**
 * Largest-remainder (Hamilton) allocation of `total` (an integer ≥ 0, e.g. cents) in proportion
 * to non-negative integer weights. Each share is floor(total × w / W); the units left over go
 * one each to the largest remainders, ties to the smaller key (string order). The shares sum to
 * `total` exactly. With no positive weight nothing can be allocated: every share is 0 and the
 * caller decides where `total` goes.
 */
export function largestRemainder(
  total: bigint,
  weights: readonly { key: string; weight: bigint }[],
): { shares: Allocation[]; unallocated: bigint } {
  if (total < 0n) throw new RangeError('cannot allocate a negative total');
  for (const w of weights) if (w.weight < 0n) throw new RangeError(`negative weight for ${w.key}`);
  const W = weights.reduce((a, w) => a + w.weight, 0n);
  if (W === 0n || total === 0n)
    return { shares: weights.map((w) => ({ key: w.key, amount: 0n })), unallocated: total };
  const rows = weights.map((w) => {
    const p = total * w.weight;
    return { key: w.key, amount: p / W, rem: p % W };
  });
  let left = total - rows.reduce((a, r) => a + r.amount, 0n);
  const order = rows
    .map((r, i) => i)
    .sort((a, b) => {
      const ra = rows[a]!.rem;
      const rb = rows[b]!.rem;
      if (ra !== rb) return ra > rb ? -1 : 1;
      const ka = rows[a]!.key;
      const kb = rows[b]!.key;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  for (const i of order) {
    if (left === 0n) break;
    rows[i]!.amount += 1n;
    left -= 1n;
  }
  return { shares: rows.map((r) => ({ key: r.key, amount: r.amount })), unallocated: 0n };
}
