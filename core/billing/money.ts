// Exact money for billing: amounts are rationals of BigInts (no binary floats anywhere), rounded
// to the cent only by a named rule. Quantities are integer micro-units (micro-kWh, micro-kW) and
// rates exact decimals, so `quantity × rate × share` is exact before any rounding.
import { parseDec, type Dec } from '../import/decimal';

/** n / d with d > 0. */
export interface Rat {
  n: bigint;
  d: bigint;
}

export const ZERO: Rat = { n: 0n, d: 1n };
export const ONE: Rat = { n: 1n, d: 1n };

export function rat(n: bigint, d: bigint = 1n): Rat {
  if (d === 0n) throw new RangeError('zero denominator');
  return d < 0n ? { n: -n, d: -d } : { n, d };
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Reduced form, used to keep denominators small after many additions. */
export function norm(x: Rat): Rat {
  if (x.n === 0n) return ZERO;
  const g = gcd(x.n, x.d);
  return g === 1n ? x : { n: x.n / g, d: x.d / g };
}

// No gcd on the hot path: denominators are powers of ten times a day count, so they stay
// small; `norm` runs where a value is shown.
export function add(a: Rat, b: Rat): Rat {
  if (a.d === b.d) return { n: a.n + b.n, d: a.d };
  if (a.d > b.d && a.d % b.d === 0n) return { n: a.n + b.n * (a.d / b.d), d: a.d };
  if (b.d > a.d && b.d % a.d === 0n) return { n: a.n * (b.d / a.d) + b.n, d: b.d };
  return { n: a.n * b.d + b.n * a.d, d: a.d * b.d };
}
export function sub(a: Rat, b: Rat): Rat {
  return add(a, { n: -b.n, d: b.d });
}
export function mul(a: Rat, b: Rat): Rat {
  if (b.d === 1n && b.n === 1n) return a;
  if (a.d === 1n && a.n === 1n) return b;
  const r = { n: a.n * b.n, d: a.d * b.d };
  // Keep denominators from growing without bound in long products.
  return r.d > 10n ** 30n ? norm(r) : r;
}
export function cmp(a: Rat, b: Rat): number {
  const x = a.n * b.d;
  const y = b.n * a.d;
  return x < y ? -1 : x > y ? 1 : 0;
}
export function min(a: Rat, b: Rat): Rat {
  return cmp(a, b) <= 0 ? a : b;
}
export function max(a: Rat, b: Rat): Rat {
  return cmp(a, b) >= 0 ? a : b;
}
export function isZero(a: Rat): boolean {
  return a.n === 0n;
}

export function decToRat(d: Dec): Rat {
  return { n: d.digits, d: 10n ** BigInt(d.scale) };
}

/** Exact decimal text → Rat; throws on text that is not a number (callers validate first). */
export function ratOf(text: string): Rat {
  const d = parseDec(text);
  if (!d) throw new RangeError(`not a decimal number: "${text}"`);
  return decToRat(d);
}

/** Integer micro-units (micro-kWh) → Rat of units. */
export function micro(n: number | bigint): Rat {
  return { n: BigInt(n), d: 1_000_000n };
}

// ───────────── rounding ─────────────

/** How one number is rounded to an integer multiple of the money unit. */
export type RoundMode = 'half_up' | 'half_even' | 'truncate' | 'floor' | 'ceil';

/** Integer nearest to n/d by `mode` (half_up = half away from zero, as on utility bills). */
export function roundInt(x: Rat, mode: RoundMode): bigint {
  const { n, d } = x;
  const q = n / d; // truncates toward zero
  const r = n - q * d; // same sign as n
  if (r === 0n) return q;
  const neg = n < 0n;
  switch (mode) {
    case 'truncate':
      return q;
    case 'floor':
      return neg ? q - 1n : q;
    case 'ceil':
      return neg ? q : q + 1n;
    case 'half_up':
    case 'half_even': {
      const twice = (neg ? -r : r) * 2n;
      const away = neg ? q - 1n : q + 1n;
      if (twice > d) return away;
      if (twice < d) return q;
      if (mode === 'half_up') return away;
      return q % 2n === 0n ? q : away;
    }
  }
}

/** Dollars (exact) → integer cents by `mode`. */
export function toCents(dollars: Rat, mode: RoundMode): bigint {
  return roundInt({ n: dollars.n * 100n, d: dollars.d }, mode);
}

/** Dollars (exact) → integer micro-dollars, half-up (amounts kept exact to the micro-dollar). */
export function toMicrosExact(dollars: Rat): number {
  return Number(roundInt({ n: dollars.n * 1_000_000n, d: dollars.d }, 'half_up'));
}

export function centsToMicros(c: bigint): number {
  return Number(c) * 10_000;
}

/** Whether the rational is exactly representable in micro-dollars. */
export function isExactMicros(dollars: Rat): boolean {
  return (dollars.n * 1_000_000n) % dollars.d === 0n;
}

/** Decimal text of a rational with up to `maxScale` decimals (exact when it terminates). */
export function ratText(x: Rat, maxScale = 10): string {
  const r = norm(x);
  // Find the smallest scale at which r is an integer.
  for (let s = 0; s <= maxScale; s++) {
    const p = 10n ** BigInt(s);
    if ((r.n * p) % r.d === 0n) return fmtScaled((r.n * p) / r.d, s);
  }
  const p = 10n ** BigInt(maxScale);
  return `${fmtScaled(roundInt({ n: r.n * p, d: r.d }, 'half_up'), maxScale)}…`;
}

function fmtScaled(v: bigint, scale: number): string {
  const neg = v < 0n;
  let s = (neg ? -v : v).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  }
  return neg ? `-${s}` : s;
}

/** Micro-dollars → "37.60" (two decimals at least, more only when needed). */
export function dollars(micros: number): string {
  const neg = micros < 0;
  const a = Math.abs(micros);
  const whole = Math.floor(a / 1_000_000);
  let frac = String(a % 1_000_000).padStart(6, '0');
  frac = frac.replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}
