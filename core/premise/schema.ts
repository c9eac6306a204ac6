// zod schemas of the premise explorer API (premise.get, premise.usage, premise.export).
// No Node imports: the renderer imports them. See docs/premise-explorer.md.
import { z } from 'zod';

const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

/** Which premise: a platform PremiseID (current or retired), or one organization's premise row. */
export const PremiseRef = z
  .object({
    platformId: z.string().min(1).optional(),
    premiseId: z.number().int().positive().optional(),
  })
  .refine((r) => (r.platformId === undefined) !== (r.premiseId === undefined), {
    message:
      'give exactly one of platformId (a platform PremiseID) or premiseId (a premise row id)',
  });
export type PremiseRef = z.infer<typeof PremiseRef>;

/** A PII value the session's role may not see: what it is replaced by, and why. */
export const Redacted = z.object({ redacted: z.literal(true), reason: z.string() });
export type Redacted = z.infer<typeof Redacted>;
/** A PII field: the value, or the redaction marker. */
export const Pii = z.union([z.string(), Redacted]);
export type Pii = z.infer<typeof Pii>;

/** The import batch a row came from. */
export const BatchRef = z.object({
  id: z.number(),
  kind: z.string(),
  file: z.string(),
  org: z.string().nullable(),
  status: z.string(),
  /** When the import finished (ISO UTC), else when it started. */
  at: z.string(),
});
export type BatchRef = z.infer<typeof BatchRef>;

export const RunRef = z.object({
  id: z.number(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunRef = z.infer<typeof RunRef>;

/** One platform ID link of a source row. */
export const LinkedId = z.object({
  kind: z.string(),
  platformId: z.string(),
  sourceTable: z.string(),
  sourceId: z.number(),
  /** The organization's own key of the row (account numbers are PII). */
  sourceKey: Pii,
  org: z.string().nullable(),
  method: z.string(),
  score: z.number().nullable(),
  run: RunRef.nullable(),
  linkedAt: z.string(),
  /** The import batch that wrote the source row (null for reference rows and seeds). */
  batch: BatchRef.nullable(),
});
export type LinkedId = z.infer<typeof LinkedId>;

export const PremiseRecord = z.object({
  premiseId: z.number(),
  org: z.string(),
  orgName: z.string(),
  regulated: z.boolean(),
  sourceKey: z.string(),
  kind: z.string(),
  parentPremiseId: z.number().nullable(),
  town: z.string().nullable(),
  state: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  batch: BatchRef.nullable(),
});

export const AddressRow = z.object({
  addressId: z.number(),
  platformAddressId: z.string().nullable(),
  premiseId: z.number().nullable(),
  org: z.string(),
  role: z.string(),
  /** As the organization wrote it (PII when tied to a customer). */
  raw: Pii,
  normalized: z.string().nullable(),
  city: z.string().nullable(),
  zip: z.string().nullable(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  batch: BatchRef.nullable(),
});

export const AgreementRow = z.object({
  agreementId: z.number(),
  usagePointId: z.number(),
  usagePoint: z.string(),
  commodity: z.string(),
  rateClass: z
    .object({ code: z.string(), name: z.string(), platformId: z.string().nullable() })
    .nullable(),
  tariff: z.object({ code: z.string(), name: z.string() }).nullable(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  batch: BatchRef.nullable(),
});

export const AccountRow = z.object({
  accountId: z.number(),
  platformAccountId: z.string().nullable(),
  org: z.string(),
  commodities: z.array(z.string()),
  accountNumber: Pii,
  status: z.string(),
  openedOn: z.string().nullable(),
  closedOn: z.string().nullable(),
  customer: z
    .object({
      customerId: z.number(),
      sourceKey: z.string(),
      name: Pii.nullable(),
      customerClass: z.string(),
      person: z
        .object({
          personId: z.number(),
          platformPersonId: z.string().nullable(),
          name: Pii.nullable(),
          email: Pii.nullable(),
          phone: Pii.nullable(),
        })
        .nullable(),
    })
    .nullable(),
  agreements: z.array(AgreementRow),
  batch: BatchRef.nullable(),
});
export type AccountRow = z.infer<typeof AccountRow>;

export const Gap = z.object({ from: z.string(), to: z.string(), days: z.number() });

/** Coverage and quality of one interval series (usage point or sensor × reading type). */
export const SeriesCoverage = z.object({
  seriesId: z.number(),
  platformInstanceId: z.string().nullable(),
  readingType: z.string(),
  commodity: z.string(),
  unit: z.string(),
  intervalSeconds: z.number().nullable(),
  flowDirection: z.string(),
  measure: z.string(),
  firstDay: z.string().nullable(),
  lastDay: z.string().nullable(),
  /** Days with a stored block, and the days between first and last without one. */
  days: z.number(),
  gapDays: z.number(),
  /** The first gaps (at most 50), oldest first. */
  gaps: z.array(Gap),
  readings: z.number(),
  /** Slots by normalised quality. */
  valid: z.number(),
  estimated: z.number(),
  edited: z.number(),
  missing: z.number(),
  failed: z.number(),
  /** Sum of non-missing values in the native unit. */
  total: z.number(),
  batches: z.array(BatchRef),
});
export type SeriesCoverage = z.infer<typeof SeriesCoverage>;

export const MeterRow = z.object({
  meterId: z.number(),
  platformSensorId: z.string().nullable(),
  serial: z.string(),
  kind: z.string(),
  multiplier: z.string(),
  installedOn: z.string(),
  removedOn: z.string().nullable(),
  batch: BatchRef.nullable(),
});

/** Why customer usage of a usage point is not shown to the role (null: shown). */
export const Withheld = z.object({ reason: z.string() }).nullable();

export const UsagePointRow = z.object({
  usagePointId: z.number(),
  platformId: z.string().nullable(),
  org: z.string(),
  sourceKey: z.string(),
  premiseId: z.number().nullable(),
  commodity: z.string(),
  status: z.string(),
  timeZone: z.string(),
  meters: z.array(MeterRow),
  series: z.array(SeriesCoverage),
  reads: z.object({
    count: z.number(),
    estimated: z.number(),
    first: z.string().nullable(),
    last: z.string().nullable(),
  }),
  withheld: Withheld,
  batch: BatchRef.nullable(),
});
export type UsagePointRow = z.infer<typeof UsagePointRow>;

export const ReadRow = z.object({
  readId: z.number(),
  usagePoint: z.string(),
  org: z.string(),
  meter: z.string().nullable(),
  readingType: z.string(),
  unit: z.string(),
  readDate: z.string(),
  reading: z.string(),
  multiplier: z.string(),
  estimated: z.boolean(),
  quality: z.string(),
  batch: BatchRef.nullable(),
});

export const BillLine = z.object({
  lineNo: z.number(),
  code: z.string().nullable(),
  description: z.string(),
  quantity: z.string().nullable(),
  unit: z.string().nullable(),
  rate: z.string().nullable(),
  amountMicros: z.number(),
});

export const BillValidation = z.object({
  validationId: z.number(),
  passed: z.boolean(),
  summary: z.string(),
  toleranceMicros: z.number(),
  computedTotalMicros: z.number(),
  differenceMicros: z.number(),
  at: z.string(),
});

export const BillRow = z.object({
  billId: z.number(),
  org: z.string(),
  accountNumber: Pii,
  usagePoint: z.string().nullable(),
  tariff: z.string().nullable(),
  billNumber: z.string().nullable(),
  periodFrom: z.string(),
  periodTo: z.string(),
  issuedOn: z.string().nullable(),
  meterSerial: z.string().nullable(),
  readPrevious: z.string().nullable(),
  readPresent: z.string().nullable(),
  usage: z.string().nullable(),
  usageUnit: z.string().nullable(),
  totalMicros: z.number(),
  source: z.string(),
  lines: z.array(BillLine),
  /** 'passed' / 'failed' by the latest validation, or 'not validated'. */
  status: z.enum(['passed', 'failed', 'not validated']),
  validations: z.array(BillValidation),
  batch: BatchRef.nullable(),
});

export const InterconnectionStatus = z.object({
  status: z.string(),
  date: z.string(),
  batch: BatchRef.nullable(),
});

export const AssetRow = z.object({
  assetId: z.number(),
  platformId: z.string().nullable(),
  org: z.string(),
  sourceKey: z.string(),
  category: z.string(),
  label: z.string().nullable(),
  owner: z.string().nullable(),
  usagePoint: z.string().nullable(),
  nameplateKw: z.number().nullable(),
  nameplateKwh: z.number().nullable(),
  installedOn: z.string().nullable(),
  applications: z.array(
    z.object({
      applicationId: z.number(),
      number: z.string(),
      org: z.string(),
      circuit: z.string().nullable(),
      requestedKw: z.number().nullable(),
      /** Status history, oldest first. */
      statuses: z.array(InterconnectionStatus),
      batch: BatchRef.nullable(),
    }),
  ),
  batch: BatchRef.nullable(),
});

export const ProgramRow = z.object({
  enrolmentId: z.number(),
  program: z.object({
    code: z.string(),
    name: z.string(),
    kind: z.string(),
    org: z.string(),
    commodity: z.string().nullable(),
    platformId: z.string().nullable(),
  }),
  /** Enrolled through an account (its number is PII) or the premise itself. */
  accountNumber: Pii.nullable(),
  status: z.string(),
  effectiveDate: z.string(),
  endDate: z.string().nullable(),
  changes: z.array(
    z.object({
      change: z.string(),
      effectiveDate: z.string(),
      status: z.string(),
      batch: BatchRef.nullable(),
    }),
  ),
  batch: BatchRef.nullable(),
});

export const SensorRow = z.object({
  sensorId: z.number(),
  platformId: z.string().nullable(),
  vendor: z.string(),
  vendorName: z.string(),
  regulated: z.boolean(),
  sourceKey: z.string(),
  kind: z.string(),
  /** How the sensor belongs here: its premise record, or an address with the same AddressID. */
  via: z.string(),
  series: z.array(SeriesCoverage),
  batch: BatchRef.nullable(),
});

export const GridLocation = z.object({
  /** What places the premise there, e.g. 'asset M46920 (meter)'. */
  via: z.string(),
  node: z.string(),
  section: z.string(),
  circuit: z.string(),
  circuitOrg: z.string(),
  circuitType: z.string().nullable(),
  hostingLimitKw: z.number().nullable(),
  substation: z.string().nullable(),
  substationName: z.string().nullable(),
  transformers: z.array(z.object({ code: z.string(), kva: z.number().nullable() })),
  batch: BatchRef.nullable(),
});

export const Relation = z.object({
  pairId: z.number(),
  /** This premise's record and the other record. */
  premiseId: z.number(),
  otherPremiseId: z.number(),
  otherPlatformId: z.string().nullable(),
  otherOrg: z.string(),
  otherAddress: z.string().nullable(),
  /** The other record is the building this unit is in, or a unit in this building. */
  relation: z.enum(['building', 'unit']),
  score: z.number(),
  status: z.string(),
  reason: z.string(),
  run: RunRef.nullable(),
});

export const MatchEvidence = z.object({
  pairId: z.number(),
  leftPremiseId: z.number(),
  rightPremiseId: z.number(),
  score: z.number(),
  status: z.string(),
  reasons: z.array(z.object({ feature: z.string(), value: z.string(), weight: z.number() })),
  decision: z
    .object({ decision: z.string(), by: z.string(), at: z.string(), note: z.string().nullable() })
    .nullable(),
  run: RunRef.nullable(),
});

export const PlatformEvent = z.object({
  kind: z.string(),
  platformId: z.string(),
  event: z.string(),
  otherId: z.string().nullable(),
  runId: z.number().nullable(),
  at: z.string(),
  reason: z.string().nullable(),
});

export const AuditEntry = z.object({
  id: z.number(),
  at: z.string(),
  role: z.string(),
  action: z.string(),
  subject: z.string().nullable(),
  details: z.unknown(),
});

export const PremiseAudit = z.object({
  /** Every import batch any panel's rows came from, with how many rows of each table. */
  batches: z.array(BatchRef.extend({ rows: z.record(z.string(), z.number()) })),
  /** Index runs that made the links. */
  runs: z.array(RunRef.extend({ links: z.number() })),
  /** Matcher evidence and reviewer decisions between this premise's records. */
  matches: z.array(MatchEvidence),
  /** History of the platform IDs shown (create, merge, split, retire …). */
  events: z.array(PlatformEvent),
  /** Exports of this premise's data (premise, Green Button …) and review decisions on it. */
  log: z.array(AuditEntry),
});

export const PrivacyInfo = z.object({
  role: z.string(),
  pii: z.enum(['allow', 'consent', 'deny']),
  customerUsage: z.enum(['allow', 'consent', 'deny']),
  /** The date consents were checked at. */
  asOf: z.string(),
  redactedFields: z.number(),
  withheldUsagePoints: z.number(),
  notes: z.array(z.string()),
});

export const Premise = z.object({
  /** The current platform PremiseID (null: a record the indexer has not linked yet). */
  platformId: z.string().nullable(),
  /** The ID asked for when it was retired and merged into platformId. */
  requested: z.string().nullable(),
  records: z.array(PremiseRecord),
  linkedIds: z.array(LinkedId),
  addresses: z.array(AddressRow),
  accounts: z.array(AccountRow),
  usagePoints: z.array(UsagePointRow),
  reads: z.array(ReadRow),
  bills: z.array(BillRow),
  assets: z.array(AssetRow),
  programs: z.array(ProgramRow),
  sensors: z.array(SensorRow),
  grid: z.array(GridLocation),
  relations: z.array(Relation),
  audit: PremiseAudit,
  privacy: PrivacyInfo,
});
export type Premise = z.infer<typeof Premise>;

// ───────────── usage ─────────────

export const Granularity = z.enum(['day', 'month']);

export const UsageRequest = z.intersection(
  PremiseRef,
  z.object({
    granularity: Granularity.default('day'),
    from: IsoDay.optional(),
    to: IsoDay.optional(),
  }),
);
export type UsageRequest = z.infer<typeof UsageRequest>;

export const UsagePoint = z.object({
  /** 'YYYY-MM-DD' or 'YYYY-MM' (local calendar of the usage point). */
  period: z.string(),
  value: z.number(),
  /** The value in kWh (null when the unit has no energy equivalent, e.g. water). */
  kwh: z.number().nullable(),
  /** The value in therms for gas (null otherwise). */
  therms: z.number().nullable(),
  readings: z.number(),
  days: z.number(),
  missing: z.number(),
  estimated: z.number(),
});

export const UsageSeries = z.object({
  seriesId: z.number(),
  source: z.enum(['usage_point', 'sensor']),
  /** Usage point key or sensor key. */
  key: z.string(),
  org: z.string(),
  commodity: z.string(),
  readingType: z.string(),
  unit: z.string(),
  intervalSeconds: z.number().nullable(),
  flowDirection: z.string(),
  /** kWh per native unit and the rule applied; null when not energy. */
  kwhPerUnit: z.number().nullable(),
  rule: z.string().nullable(),
  points: z.array(UsagePoint),
});
export type UsageSeries = z.infer<typeof UsageSeries>;

/**
 * Usage over one period longer than a day (a billing period: monthly gas, non-AMI reads), as
 * stored in period_usage — whole, never spread over days (docs/data-model.md "Period usage").
 */
export const UsagePeriod = z.object({
  source: z.enum(['usage_point', 'sensor']),
  key: z.string(),
  org: z.string(),
  commodity: z.string(),
  readingType: z.string(),
  unit: z.string(),
  flowDirection: z.string(),
  /** Local calendar dates of the first and last day of the period (both included). */
  from: z.string(),
  to: z.string(),
  days: z.number(),
  /** UTC bounds, ISO 8601; end exclusive. */
  startUtc: z.string(),
  endUtc: z.string(),
  /** Exact decimal text in `unit`. */
  value: z.string(),
  kwh: z.number().nullable(),
  therms: z.number().nullable(),
  quality: z.string(),
  batchId: z.number().nullable(),
});
export type UsagePeriod = z.infer<typeof UsagePeriod>;

export const PremiseUsage = z.object({
  platformId: z.string().nullable(),
  granularity: Granularity,
  from: z.string().nullable(),
  to: z.string().nullable(),
  series: z.array(UsageSeries),
  /** Billing-period readings of the usage points (and sensors) the role may see, by key and date. */
  periods: z.array(UsagePeriod),
  /** Usage points whose data the role may not see, and why. */
  withheld: z.array(z.object({ usagePoint: z.string(), org: z.string(), reason: z.string() })),
  rules: z.array(z.string()),
});
export type PremiseUsage = z.infer<typeof PremiseUsage>;

// ───────────── export ─────────────

export const ExportRequest = z.intersection(
  PremiseRef,
  z.object({
    /** 'record': the full record as a JSON bundle; 'usage': usage as CSV. */
    what: z.enum(['record', 'usage']),
    /** For usage CSV: one row per interval reading, per day, or per month. */
    granularity: z.enum(['interval', 'day', 'month']).default('day'),
    out: z.string().min(1),
  }),
);
export type ExportRequest = z.infer<typeof ExportRequest>;

export const ExportResult = z.object({
  file: z.string(),
  what: z.enum(['record', 'usage']),
  platformId: z.string().nullable(),
  bytes: z.number(),
  rows: z.number(),
  redactedFields: z.number(),
  withheldUsagePoints: z.number(),
});
export type ExportResult = z.infer<typeof ExportResult>;
