// zod schemas of the billing API (bill.compute, bill.validate). No Node imports: the renderer
// imports these (Bills page, rate-design comparison).
import { z } from 'zod';

const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const ProrationMethod = z.enum(['days', 'usage']);
export type ProrationMethod = z.infer<typeof ProrationMethod>;

export const RoundingRule = z.enum([
  'line_half_up',
  'line_half_even',
  'line_truncate',
  'total_half_up',
]);
export type RoundingRuleName = z.infer<typeof RoundingRule>;

export const DeterminantFlag = z.object({ code: z.string(), message: z.string() });

export const Determinants = z.object({
  source: z.enum(['reads', 'intervals']),
  unit: z.string(),
  days: z.number(),
  /** Usage of the period, exact decimal text in `unit`. */
  usage: z.string(),
  /** Usage per TOU period code (intervals only). */
  usageByPeriod: z.record(z.string(), z.string()),
  /** Highest demand of the period in kW (intervals or a demand series), null when not needed. */
  peakKw: z.string().nullable(),
  reads: z
    .object({
      previous: z.object({ date: z.string(), reading: z.string() }),
      present: z.object({ date: z.string(), reading: z.string() }),
      multiplier: z.string(),
      usage: z.string(),
    })
    .nullable(),
  intervals: z
    .object({
      seconds: z.number(),
      usage: z.string(),
      daysWithData: z.number(),
      estimatedSlots: z.number(),
      missingSlots: z.number(),
    })
    .nullable(),
  flags: z.array(DeterminantFlag),
});
export type Determinants = z.infer<typeof Determinants>;

export const ComputedSegment = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number(),
  versionFrom: z.string(),
  quantity: z.string(),
  rate: z.string(),
  exact: z.string(),
  amountMicros: z.number(),
});

export const ComputedLine = z.object({
  lineNo: z.number(),
  code: z.string(),
  description: z.string(),
  kind: z.string(),
  section: z.string(),
  quantity: z.string(),
  unit: z.string().nullable(),
  rate: z.string(),
  /** Exact amount before rounding (decimal text; "…" when it does not terminate). */
  exact: z.string(),
  amount: z.string(),
  amountMicros: z.number(),
  segments: z.array(ComputedSegment),
});
export type ComputedLine = z.infer<typeof ComputedLine>;

export const ComputedBill = z.object({
  id: z.number().nullable(),
  org: z.string(),
  account: z.string(),
  usagePoint: z.string(),
  tariff: z.object({ code: z.string(), name: z.string() }),
  from: z.string(),
  to: z.string(),
  days: z.number(),
  rounding: RoundingRule,
  proration: ProrationMethod,
  versions: z.array(z.object({ from: z.string(), to: z.string().nullable(), days: z.number() })),
  determinants: Determinants,
  lines: z.array(ComputedLine),
  total: z.string(),
  totalMicros: z.number(),
});
export type ComputedBill = z.infer<typeof ComputedBill>;

export const ComputeRequest = z.object({
  account: z.string().min(1),
  org: z.string().optional(),
  from: IsoDay,
  to: IsoDay,
  tariff: z.string().optional(),
  proration: ProrationMethod.optional(),
  rounding: RoundingRule.optional(),
  /** Store the computed bill in computed_bill (default true). */
  store: z.boolean().default(true),
});

export const ValidationLine = z.object({
  lineNo: z.number(),
  code: z.string().nullable(),
  description: z.string(),
  billed: z.string().nullable(),
  billedMicros: z.number().nullable(),
  recomputed: z.string().nullable(),
  recomputedMicros: z.number().nullable(),
  difference: z.string(),
  differenceMicros: z.number(),
  withinTolerance: z.boolean(),
  /** What the line was matched on: code, description, rate, none. */
  matchedBy: z.string(),
  /** The most likely explanation, one sentence with the arithmetic. */
  explanation: z.string(),
  /** Explanation codes: match, rounding, proration, usage_mismatch, wrong_rate, missing_line, unmatched_line, unexplained. */
  cause: z.string(),
  /** Whether the explanation reproduces the billed amount to the cent. */
  reproduced: z.boolean(),
});
export type ValidationLine = z.infer<typeof ValidationLine>;

export const Hypothesis = z.object({
  name: z.string(),
  description: z.string(),
  linesReproduced: z.number(),
  lines: z.number(),
  total: z.string(),
});

export const ValidationResult = z.object({
  id: z.number().nullable(),
  billId: z.number().nullable(),
  passed: z.boolean(),
  tolerance: z.string(),
  billedTotal: z.string(),
  recomputedTotal: z.string(),
  difference: z.string(),
  summary: z.string(),
  /** The one rule that reproduces every line, if any, else the best partial one. */
  bestHypothesis: Hypothesis.nullable(),
  hypotheses: z.array(Hypothesis),
  findings: z.array(z.string()),
  lines: z.array(ValidationLine),
  computed: ComputedBill,
});
export type ValidationResult = z.infer<typeof ValidationResult>;

export const ValidateRequest = z.object({
  /** A bill JSON file (the bill importer's format) or the bill object itself. */
  file: z.string().min(1).optional(),
  bill: z.unknown().optional(),
  /** A bill already in the workspace (bill.list gives the ids). */
  billId: z.number().int().positive().optional(),
  /** Dollars; a line passes when |billed − recomputed| ≤ tolerance (default 0.01). */
  tolerance: z.string().default('0.01'),
  proration: ProrationMethod.optional(),
  store: z.boolean().default(true),
});

// ───────────── bill.list, bill.exportReport ─────────────

export const BillListRequest = z.object({
  /** Exact account number; omitted: every bill in the workspace (newest period first). */
  account: z.string().min(1).optional(),
  org: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(1000).default(200),
});

export const BillSummary = z.object({
  id: z.number(),
  org: z.string(),
  /** The account number as the session's role may see it (`[redacted]` otherwise). */
  account: z.string(),
  /** Whether the account number is shown (false: redacted for this role). */
  accountShown: z.boolean(),
  usagePoint: z.string().nullable(),
  tariff: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  total: z.string(),
  lines: z.number(),
  source: z.string(),
  /** Latest validation of the bill, if any. */
  lastValidation: z
    .object({ id: z.number(), passed: z.boolean(), at: z.number(), summary: z.string() })
    .nullable(),
});
export type BillSummary = z.infer<typeof BillSummary>;

export const ReportFormat = z.enum(['csv', 'html']);

export const ReportRequest = z.object({
  /** The bill as with bill.validate: a bill JSON file, the bill object, or a stored bill's id. */
  file: z.string().min(1).optional(),
  bill: z.unknown().optional(),
  billId: z.number().int().positive().optional(),
  tolerance: z.string().default('0.01'),
  proration: ProrationMethod.optional(),
  format: ReportFormat,
  /** Where to write the report (a file path; its folder must exist). */
  out: z.string().min(1),
});

export const ReportResult = z.object({
  file: z.string(),
  format: ReportFormat,
  bytes: z.number(),
  lines: z.number(),
  passed: z.boolean(),
  /** PII fields (the account number) replaced by `[redacted]` for this role. */
  redactedFields: z.number(),
});

// ───────────── bill.compare: rate-design comparison ─────────────

export const CompareRequest = z.object({
  /** Organization of the population (its code, e.g. UES). */
  org: z.string().min(1),
  /** Rate class code of the population; default: the rate class of tariff A. */
  rateClass: z.string().min(1).optional(),
  /** Customer class filter (residential, commercial, …); omitted: every class. */
  customerClass: z.string().min(1).optional(),
  /** The current tariff; omitted: each service agreement's own billing tariff. */
  tariffA: z.string().min(1).optional(),
  /** The proposed tariff (e.g. TOU-RES). */
  tariffB: z.string().min(1),
  /** Read dates: the bills cover the local days [from, to). */
  from: IsoDay,
  to: IsoDay,
});
export type CompareRequest = z.infer<typeof CompareRequest>;

export const CompareCustomer = z.object({
  /** Account number as the role may see it (`[redacted]` otherwise). */
  account: z.string(),
  usagePoint: z.string(),
  tariffA: z.string(),
  /** Energy of the period, decimal text in the tariff's unit. */
  usage: z.string(),
  billA: z.string(),
  billAMicros: z.number(),
  billB: z.string(),
  billBMicros: z.number(),
  /** B − A: positive = the customer pays more on B (a loser). */
  difference: z.string(),
  differenceMicros: z.number(),
  /** (B − A) / A × 100, rounded half-up to 0.01; null when A is 0. */
  percentChange: z.number().nullable(),
  flags: z.array(z.string()),
});
export type CompareCustomer = z.infer<typeof CompareCustomer>;

export const HistogramBin = z.object({
  /** Lower bound (inclusive) and upper bound (exclusive) of the bill change, dollars. */
  from: z.string(),
  to: z.string(),
  fromMicros: z.number(),
  toMicros: z.number(),
  /** Customers in the bin; null when suppressed by the 15/15 rule. */
  customers: z.number().nullable(),
  suppressed: z.boolean(),
});
export type HistogramBin = z.infer<typeof HistogramBin>;

export const CompareSummary = z.object({
  customers: z.number().nullable(),
  winners: z.number().nullable(),
  losers: z.number().nullable(),
  unchanged: z.number().nullable(),
  totalA: z.string().nullable(),
  totalB: z.string().nullable(),
  meanChange: z.string().nullable(),
  meanChangeMicros: z.number().nullable(),
  medianChange: z.string().nullable(),
  medianChangeMicros: z.number().nullable(),
  /** Mean of the customers' percent changes (0.01 %), and the change of the total bill. */
  meanPercent: z.number().nullable(),
  totalPercent: z.number().nullable(),
  /** Smallest and largest change: per-customer values, only for roles that see rows. */
  minChange: z.string().nullable(),
  maxChange: z.string().nullable(),
  /** The population cell failed the 15/15 rule: every figure is withheld. */
  suppressed: z.boolean(),
});
export type CompareSummary = z.infer<typeof CompareSummary>;

export const CompareResult = z.object({
  org: z.string(),
  rateClass: z.string(),
  customerClass: z.string().nullable(),
  tariffA: z.object({ code: z.string(), name: z.string() }).nullable(),
  tariffB: z.object({ code: z.string(), name: z.string() }),
  from: z.string(),
  to: z.string(),
  days: z.number(),
  unit: z.string(),
  role: z.string(),
  /** all: every row; consented: rows of consenting customers only; none: aggregates only. */
  rows: z.enum(['all', 'consented', 'none']),
  /** Service agreements of the rate class in force over the whole period. */
  candidates: z.number(),
  /** Why candidates were not billed: reason → count. */
  excluded: z.array(z.object({ reason: z.string(), count: z.number() })),
  /** Customers billed on both tariffs (before any privacy filtering). */
  billed: z.number(),
  summary: CompareSummary,
  histogram: z.object({
    binWidth: z.string(),
    binWidthMicros: z.number(),
    rule: z.string(),
    bins: z.array(HistogramBin),
  }),
  customers: z.array(CompareCustomer),
  withheldRows: z.number(),
  redactedCells: z.number(),
  /** Aggregate cells suppressed by the 15/15 rule (and their complements). */
  suppressedCells: z.number(),
  /** Customers whose bill could not be computed, with the first messages. */
  failures: z.object({ count: z.number(), messages: z.array(z.string()) }),
  seconds: z.number(),
});
export type CompareResult = z.infer<typeof CompareResult>;
