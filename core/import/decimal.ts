// Exact decimal arithmetic for rates and money: decimal text ↔ (BigInt digits, scale), with no
// binary floating point anywhere. Tariff rates stay decimal TEXT; money becomes integer
// micro-dollars only when it has at most six decimals.

export interface Dec {
  /** The value is digits × 10^-scale. */
  digits: bigint;
  scale: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parse decimal text ("0.06175", "-1.5", "1e-5", "+.5"); null if it is not a number. */
export function parseDec(text: string): Dec | null {
  const s = text.trim().replace(/^\u2212/, '-'); // a typographic minus, as printed on bills
  const m = DECIMAL.exec(s);
  if (!m) return null;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 1000) return null;
  let digits = BigInt((int || '0') + frac);
  let scale = frac.length - exp;
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  if (m[1] === '-') digits = -digits;
  return { digits, scale };
}

/** A JSON number or decimal string as decimal text; numbers use their shortest exact form. */
export function decText(v: number | string): string | null {
  const d = parseDec(typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v);
  return d ? formatDec(d) : null;
}

function rescale(d: Dec, scale: number): bigint {
  return d.digits * 10n ** BigInt(scale - d.scale);
}

export function addDec(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { digits: rescale(a, scale) + rescale(b, scale), scale };
}

export function compareDec(a: Dec, b: Dec): number {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Decimal text keeping the scale (trailing zeros as given): {-80, 5} → "-0.00080". */
export function formatDec(d: Dec): string {
  const neg = d.digits < 0n;
  let s = (neg ? -d.digits : d.digits).toString();
  if (d.scale > 0) {
    s = s.padStart(d.scale + 1, '0');
    s = `${s.slice(0, -d.scale)}.${s.slice(-d.scale)}`;
  }
  return neg ? `-${s}` : s;
}

/** Exact sum of decimal texts, e.g. URDB rate + adj. */
export function addDecText(a: string, b: string): string {
  const x = parseDec(a);
  const y = parseDec(b);
  if (!x || !y) throw new RangeError(`not decimal: ${a} + ${b}`);
  return formatDec(addDec(x, y));
}

/** Numeric equality of two decimal texts ("0.0618" equals "0.06180"). */
export function sameDec(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const x = parseDec(a);
  const y = parseDec(b);
  return x !== null && y !== null && compareDec(x, y) === 0;
}

export type MicrosResult = { ok: true; micros: number } | { ok: false; reason: string };

/**
 * Dollars as exact decimal text → integer micro-dollars. Refuses more than six decimals (that
 * would need rounding) and amounts beyond what an integer column holds exactly.
 */
export function toMicros(text: string): MicrosResult {
  const s = text.trim();
  if (!/^[+\-\u2212]?(\d+(\.\d*)?|\.\d+)$/.test(s))
    return { ok: false, reason: 'is not a decimal amount of dollars (e.g. "16.12")' };
  const d = parseDec(s);
  if (!d) return { ok: false, reason: 'is not a decimal amount of dollars' };
  // Trailing zeros beyond six decimals are harmless ("1.2300000"); other digits are not.
  let { digits, scale } = d;
  while (scale > 6 && digits % 10n === 0n) {
    digits /= 10n;
    scale--;
  }
  if (scale > 6)
    return {
      ok: false,
      reason: 'has more than 6 decimals: money is kept to the micro-dollar without rounding',
    };
  const micros = digits * 10n ** BigInt(6 - scale);
  if (micros > BigInt(Number.MAX_SAFE_INTEGER) || micros < -BigInt(Number.MAX_SAFE_INTEGER))
    return { ok: false, reason: 'is too large' };
  return { ok: true, micros: Number(micros) };
}

/** Integer micro-dollars → dollars text with at least two decimals: 37600000 → "37.60". */
export function microsToDollars(micros: number): string {
  const d = formatDec({ digits: BigInt(micros), scale: 6 });
  const trimmed = d.replace(/(\.\d\d\d*?)0+$/, '$1');
  return trimmed;
}
