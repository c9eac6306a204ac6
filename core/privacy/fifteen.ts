// The 15/15 rule for aggregate outputs (docs/privacy.md "The 15/15 rule"): a cell is released
// only if it has at least 15 distinct customers and no single customer contributes more than
// 15 % of the cell's load. Reusable by every aggregate dataset: feed (cell, customer, value)
// entries in any order, then ask for the verdicts.
//
// Decisions (tested in fifteen.test.ts):
// - Entries of one customer in one cell are netted first (a customer is one contributor).
// - Shares are measured on magnitudes: share_i = |c_i| / Σ|c_j|. With only non-negative
//   values this is the usual share of the total; with net exporters (negative net load) it
//   stops a large exporter from hiding behind a total that cancels out.
// - A cell whose Σ|c_j| is 0 (every customer netted to zero) is suppressed, reason
//   `zero_total`: no share can be computed and releasing it would tell that every customer in
//   it had no load.
// - Exactly 15 customers passes; a customer at exactly 15 % passes, above fails. The share
//   test allows a relative SHARE_TOLERANCE for the binary rounding of summed decimal readings.

export const MIN_CUSTOMERS = 15;
export const MAX_SHARE = 0.15;
/** Relative slack of the share comparison, far below metering precision (named rounding rule). */
export const SHARE_TOLERANCE = 1e-9;

export type CellKey = string | number;
export type CustomerKey = string | number;

export interface FifteenOptions {
  minCustomers?: number;
  maxShare?: number;
}

export type SuppressionReason = 'too_few_customers' | 'dominant_customer' | 'zero_total';

export interface CellVerdict {
  /** Distinct customers in the cell. */
  customers: number;
  /** Net total of the cell (Σ c_i). */
  total: number;
  /** Σ |c_i|, the base of the shares. */
  magnitude: number;
  /** Largest |c_i| / Σ|c_j|; null when the magnitude is 0. */
  maxShare: number | null;
  released: boolean;
  /** Why the cell is suppressed; null when released. */
  reason: SuppressionReason | null;
}

/** Neumaier-compensated sum: totals of many readings stay exact to the last bits. */
class Sum {
  private s = 0;
  private c = 0;
  add(x: number): void {
    const t = this.s + x;
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

/** Decide one cell from its per-customer net contributions. */
export function judgeCell(contributions: Iterable<number>, opts: FifteenOptions = {}): CellVerdict {
  const minCustomers = opts.minCustomers ?? MIN_CUSTOMERS;
  const maxShare = opts.maxShare ?? MAX_SHARE;
  const total = new Sum();
  const magnitude = new Sum();
  let customers = 0;
  let largest = 0;
  for (const c of contributions) {
    customers++;
    total.add(c);
    magnitude.add(Math.abs(c));
    largest = Math.max(largest, Math.abs(c));
  }
  const mag = magnitude.value;
  const share = mag > 0 ? largest / mag : null;
  let reason: SuppressionReason | null = null;
  if (customers < minCustomers) reason = 'too_few_customers';
  else if (mag <= 0) reason = 'zero_total';
  else if (largest > maxShare * mag * (1 + SHARE_TOLERANCE)) reason = 'dominant_customer';
  return {
    customers,
    total: total.value,
    magnitude: mag,
    maxShare: share,
    released: reason === null,
    reason,
  };
}

/**
 * Accumulates (cell, customer, value) entries; memory is one number per customer per cell, so
 * feed it values already summed per customer where the raw data is large (e.g. a GROUP BY).
 */
export class FifteenFifteen {
  private readonly cells = new Map<CellKey, Map<CustomerKey, Sum>>();

  constructor(private readonly opts: FifteenOptions = {}) {}

  add(cell: CellKey, customer: CustomerKey, value: number): void {
    if (!Number.isFinite(value))
      throw new RangeError(`15/15 rule: value of customer ${customer} in cell ${cell} is ${value}`);
    let m = this.cells.get(cell);
    if (!m) this.cells.set(cell, (m = new Map()));
    let s = m.get(customer);
    if (!s) m.set(customer, (s = new Sum()));
    s.add(value);
  }

  /** The verdict of one cell (a cell never fed has 0 customers: suppressed). */
  verdict(cell: CellKey): CellVerdict {
    const m = this.cells.get(cell);
    return judgeCell(m ? [...m.values()].map((s) => s.value) : [], this.opts);
  }

  /** Every cell fed, with its verdict, in first-fed order. */
  *verdicts(): IterableIterator<[CellKey, CellVerdict]> {
    for (const k of this.cells.keys()) yield [k, this.verdict(k)];
  }

  /** How many of the fed cells are suppressed. */
  suppressedCount(): number {
    let n = 0;
    for (const [, v] of this.verdicts()) if (!v.released) n++;
    return n;
  }
}

/** Verdicts of every cell of a stream of entries. */
export function fifteenFifteen(
  entries: Iterable<{ cell: CellKey; customer: CustomerKey; value: number }>,
  opts: FifteenOptions = {},
): Map<CellKey, CellVerdict> {
  const acc = new FifteenFifteen(opts);
  for (const e of entries) acc.add(e.cell, e.customer, e.value);
  return new Map(acc.verdicts());
}

/**
 * An aggregate row as released: the value columns set to null and `suppressed` true when the
 * cell's verdict is not released.
 */
export function suppressRow<R extends Record<string, unknown>>(
  row: R,
  valueColumns: readonly (keyof R)[],
  verdict: CellVerdict,
): R & { suppressed: boolean } {
  if (verdict.released) return { ...row, suppressed: false };
  const out: Record<string, unknown> = { ...row, suppressed: true };
  for (const k of valueColumns) out[k as string] = null;
  return out as R & { suppressed: boolean };
}
