// zod schemas of the Green Button API (greenbutton.* methods). No Node imports: the renderer
// imports them through the API definition.
import { z } from 'zod';

const IsoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
      new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'not a calendar date',
  );

/** Which data: usage points by their utility key, or all usage points of a retail customer. */
export const GreenButtonSelection = z.object({
  /** Usage point source keys (several: a bulk feed). */
  usagePoints: z.array(z.string().min(1)).default([]),
  /** A retail customer's source key: all its usage points (or, with usagePoints, those of them). */
  customer: z.string().min(1).optional(),
  /** Organization code, needed when a key exists under several organizations. */
  org: z.string().min(1).optional(),
  /** First and last local calendar day exported (inclusive); default: all data. */
  from: IsoDay.optional(),
  to: IsoDay.optional(),
  /** Organization the data goes to: only consents granted to it count. Default: any grantee. */
  grantee: z.string().min(1).optional(),
});
export type GreenButtonSelection = z.infer<typeof GreenButtonSelection>;

export const EspiVersion = z.enum(['3.3', '4.0']);

export const GreenButtonExportRequest = GreenButtonSelection.extend({
  espi: EspiVersion.default('3.3'),
  /** The XML file to write (replaced atomically; nothing is left behind on failure or cancel). */
  out: z.string().min(1),
});
export type GreenButtonExportRequest = z.infer<typeof GreenButtonExportRequest>;

export const ExportedSeries = z.object({
  usagePoint: z.string(),
  readingType: z.string(),
  unit: z.string(),
  intervalSeconds: z.number(),
  uom: z.number(),
  powerOfTenMultiplier: z.number(),
  readings: z.number(),
  blocks: z.number(),
  /** Missing slots: not written (ESPI has no code for "no reading"). */
  missing: z.number(),
  /** Readings whose value had to be rounded to fit ESPI's 48-bit integers (0 when exact). */
  rounded: z.number(),
});

/** A usage point's billing periods of one reading type (`period_usage`), as one MeterReading. */
export const ExportedPeriods = z.object({
  usagePoint: z.string(),
  readingType: z.string(),
  unit: z.string(),
  /** The ReadingType's intervalLength: the longest period (at least 86 401 s). */
  intervalLength: z.number(),
  uom: z.number(),
  powerOfTenMultiplier: z.number(),
  /** Periods written (one IntervalReading each). */
  periods: z.number(),
  blocks: z.number(),
  /** Periods of quality missing: not written (ESPI has no code for "no reading"). */
  missing: z.number(),
  /** Periods whose value had to be rounded to fit ESPI's 48-bit integers (0 when exact). */
  rounded: z.number(),
  /** Periods whose stored value is not a decimal number: not written. */
  unreadable: z.number(),
});

export const GreenButtonExportResult = z.object({
  file: z.string(),
  espi: EspiVersion,
  bytes: z.number(),
  seconds: z.number(),
  usagePoints: z.array(z.string()),
  customer: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** IntervalReadings written: interval slots and billing periods. */
  readings: z.number(),
  /** IntervalBlock entries written (of interval series and of billing periods). */
  intervalBlocks: z.number(),
  /** Of `readings`, the billing periods (`period_usage`). */
  periodReadings: z.number(),
  usageSummaries: z.number(),
  series: z.array(ExportedSeries),
  periods: z.array(ExportedPeriods),
  /** Why the export was allowed: the role's policy, or the consents that cover it. */
  authorization: z.object({
    role: z.string(),
    basis: z.enum(['role', 'consent']),
    consents: z.array(z.number()),
  }),
  /** What was left out and why (unsupported units, register reads, rounding), billing periods written. */
  notes: z.array(z.string()),
});
export type GreenButtonExportResult = z.infer<typeof GreenButtonExportResult>;

/**
 * greenbutton.candidates: what the export page can pick — usage points or customers, searched
 * and paged. Every whitespace-separated term of `search` must match one of: a usage point key
 * or customer key (substring), an organization code, a commodity, a premise town (prefix), or —
 * when the role may see PII at all — an account number (exact).
 */
export const GreenButtonCandidatesRequest = z.object({
  of: z.enum(['usagePoints', 'customers']).default('usagePoints'),
  search: z.string().max(200).default(''),
  org: z.string().min(1).optional(),
  commodity: z.string().min(1).optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(100),
});
export type GreenButtonCandidatesRequest = z.infer<typeof GreenButtonCandidatesRequest>;

export const CandidateCustomer = z.object({
  key: z.string(),
  org: z.string(),
  /** The customer's name as the role may see it: null when there is none or it is withheld. */
  name: z.string().nullable(),
  /** True when a name exists but the role's PII access (or a missing consent) withholds it. */
  nameRedacted: z.boolean(),
  /** First service agreement start and last end (null: still served) at this usage point. */
  from: z.string().nullable(),
  to: z.string().nullable(),
});

export const CandidateUsagePoint = z.object({
  key: z.string(),
  org: z.string(),
  commodity: z.string(),
  status: z.string(),
  town: z.string().nullable(),
  /** Customers with a service agreement at the usage point, the most recent first. */
  customers: z.array(CandidateCustomer),
  /** First and last local day of stored interval data (null: none). */
  firstDay: z.string().nullable(),
  lastDay: z.string().nullable(),
});

export const CandidateCustomerRow = z.object({
  key: z.string(),
  org: z.string(),
  name: z.string().nullable(),
  nameRedacted: z.boolean(),
  customerClass: z.string(),
  /** Keys of the usage points its accounts serve (any period). */
  usagePoints: z.array(z.string()),
});

export const GreenButtonCandidates = z.object({
  role: z.string(),
  /** The role's access to customer usage data and to PII (names, account numbers). */
  usageAccess: z.enum(['allow', 'consent', 'deny']),
  piiAccess: z.enum(['allow', 'consent', 'deny']),
  of: z.enum(['usagePoints', 'customers']),
  total: z.number(),
  offset: z.number(),
  usagePoints: z.array(CandidateUsagePoint),
  customers: z.array(CandidateCustomerRow),
  /** Organization codes and commodities that have usage points (for the filters). */
  orgs: z.array(z.string()),
  commodities: z.array(z.string()),
});
export type GreenButtonCandidates = z.infer<typeof GreenButtonCandidates>;

export const ConsentCustomer = z.object({
  customer: z.string(),
  org: z.string(),
  covered: z.boolean(),
  consentId: z.number().nullable(),
  /** What is missing when not covered (no consent, expired on D, revoked at T, scope lacks X). */
  reason: z.string().nullable(),
});

export const ConsentUsagePoint = z.object({
  usagePoint: z.string(),
  org: z.string(),
  commodity: z.string(),
  customers: z.array(ConsentCustomer),
  /** Whether this session's role may export the usage point's data now. */
  exportable: z.boolean(),
  reason: z.string().nullable(),
});

export const GreenButtonConsentResult = z.object({
  role: z.string(),
  /** The role's access to customer usage data: allow, consent (needs a covering consent) or deny. */
  access: z.enum(['allow', 'consent', 'deny']),
  at: z.string(),
  usagePoints: z.array(ConsentUsagePoint),
});
export type GreenButtonConsentResult = z.infer<typeof GreenButtonConsentResult>;
