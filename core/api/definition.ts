// The one definition of edw's API. Every host derives from this object:
// - electron/ registers one IPC handler per name and its preload exposes exactly these names,
// - browser mode (edw serve) routes POST /api/<name> to them,
// - the renderer's client is built from the same keys.
// Inputs and outputs are zod schemas, checked at every host boundary.
// This file must stay free of Node APIs: the renderer imports it.
import { z } from 'zod';
import {
  DirEntry,
  ImportKind as ImportKindSchema,
  ImportPreview,
  ImportRequest as ImportRequestSchema,
  ImportResult as ImportResultSchema,
  Profile as ProfileSchema,
} from '../import/schema';
import { SearchRequest, SearchResult } from '../search/schema';
import {
  ExportRequest as PremiseExportRequest,
  ExportResult as PremiseExportResult,
  Premise,
  PremiseRef,
  PremiseUsage,
  UsageRequest as PremiseUsageRequest,
} from '../premise/schema';
import {
  DecideRequest,
  IndexResult,
  LastRun,
  ReviewItem,
  ReviewPage,
  ReviewQuery,
} from '../indexer/schema';
import {
  DatasetInfo,
  ExportRequest as DatasetExportRequest,
  PreviewPage as DatasetPreviewPage,
  PreviewRequest as DatasetPreviewRequest,
  RunRecord as DatasetRunRecord,
} from '../datasets/schema';
import {
  GreenButtonCandidates,
  GreenButtonCandidatesRequest,
  GreenButtonConsentResult,
  GreenButtonExportRequest,
  GreenButtonExportResult,
  GreenButtonSelection,
} from '../greenbutton/schema';
import {
  ComputeRequest as BillComputeRequest,
  ComputedBill,
  ValidateRequest as BillValidateRequest,
  ValidationResult as BillValidationResult,
  BillListRequest,
  BillSummary,
  ReportRequest as BillReportRequest,
  ReportResult as BillReportResult,
  CompareRequest as BillCompareRequest,
  CompareResult as BillCompareResult,
} from '../billing/schema';
import {
  RunInfo as VppRunInfo,
  ScenarioRequest as VppScenarioRequest,
  ScenarioResult as VppScenarioResult,
  SimulateRequest as VppSimulateRequest,
  TableRequest as VppTableRequest,
  TableResult as VppTableResult,
  VppReport,
} from '../vpp/schema';

export const Progress = z.object({
  phase: z.string(),
  done: z.number(),
  total: z.number().optional(),
  unit: z.string().optional(),
  message: z.string().optional(),
});
export type Progress = z.infer<typeof Progress>;

export const WorkspaceStatus = z.object({
  open: z.boolean(),
  path: z.string().nullable(),
  name: z.string().nullable(),
  version: z.number().nullable(),
  latestVersion: z.number(),
  createdAt: z.string().nullable(),
  demo: z.boolean(),
});
export type WorkspaceStatus = z.infer<typeof WorkspaceStatus>;

export const DemoScale = z.object({
  premises: z.number().int().min(20).max(1_000_000).default(1500),
  days: z.number().int().min(1).max(3660).default(365),
});
export type DemoScale = z.infer<typeof DemoScale>;

export const EntityCount = z.object({
  entity: z.string(),
  org: z.string().nullable(),
  count: z.number(),
});

export const Organization = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  jurisdiction: z.string().nullable(),
  regulated: z.boolean(),
  commodities: z.array(z.string()),
});

export const Coverage = z.object({
  org: z.string(),
  commodity: z.string(),
  readingType: z.string(),
  unit: z.string(),
  intervalSeconds: z.number().nullable(),
  series: z.number(),
  firstDay: z.string(),
  lastDay: z.string(),
  days: z.number(),
  readings: z.number(),
});

export const MonthlyTotal = z.object({
  month: z.string(),
  org: z.string(),
  commodity: z.string(),
  unit: z.string(),
  total: z.number(),
});

export const Overview = z.object({
  workspace: WorkspaceStatus,
  organizations: z.array(Organization),
  entities: z.array(EntityCount),
  coverage: z.array(Coverage),
  monthly: z.array(MonthlyTotal),
});
export type Overview = z.infer<typeof Overview>;

export const DemoSummary = z.object({
  workspace: WorkspaceStatus,
  seconds: z.number(),
  counts: z.record(z.string(), z.number()),
});
export type DemoSummary = z.infer<typeof DemoSummary>;

interface MethodSpec<I extends z.ZodType, O extends z.ZodType> {
  description: string;
  input: I;
  output: O;
  /** Long work: reports progress and honours cancellation. */
  job?: boolean;
  /**
   * Changes the workspace or which workspace is open: such calls run one at a time (they share
   * one SQLite connection, so two imports must not interleave their transactions).
   */
  exclusive?: boolean;
}

const method = <I extends z.ZodType, O extends z.ZodType>(s: MethodSpec<I, O>): MethodSpec<I, O> =>
  s;

export const api = {
  'workspace.status': method({
    description: 'The workspace this session has open, if any.',
    input: z.object({}),
    output: WorkspaceStatus,
  }),
  'workspace.open': method({
    description: 'Open an existing workspace file (migrating an older one after a backup).',
    exclusive: true,
    input: z.object({ path: z.string().min(1) }),
    output: WorkspaceStatus,
  }),
  'workspace.create': method({
    description: 'Create a workspace file, optionally filled with the Pembroke, NH demo.',
    exclusive: true,
    input: z.object({
      path: z.string().min(1),
      demo: z.boolean().default(false),
      scale: DemoScale.partial().optional(),
    }),
    output: DemoSummary,
    job: true,
  }),
  'workspace.close': method({
    description: 'Close the open workspace.',
    exclusive: true,
    input: z.object({}),
    output: WorkspaceStatus,
  }),
  'workspace.recent': method({
    description: 'Workspaces opened recently on this machine.',
    input: z.object({}),
    output: z.array(z.string()),
  }),
  'import.preview': method({
    description: 'Headers, suggested mapping and the first 100 mapped rows of a file.',
    input: z.object({
      kind: ImportKindSchema,
      file: z.string().min(1),
      org: z.string().optional(),
      profile: z.union([z.string(), ProfileSchema]).optional(),
    }),
    output: ImportPreview,
  }),
  'import.run': method({
    description: 'Import files of one kind: one transaction per file, rejects reported.',
    exclusive: true,
    input: ImportRequestSchema,
    output: ImportResultSchema,
    job: true,
  }),
  'import.profiles': method({
    description: 'Saved mapping profiles (and the built-in native ones).',
    input: z.object({ kind: ImportKindSchema.optional(), org: z.string().optional() }),
    output: z.array(ProfileSchema),
  }),
  'import.saveProfile': method({
    description: 'Save a mapping profile, for an organization or for all.',
    exclusive: true,
    input: z.object({ profile: ProfileSchema }),
    output: ProfileSchema,
  }),
  'import.batches': method({
    description: 'Import batches, newest first.',
    input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.array(
      z.object({
        id: z.number(),
        kind: z.string(),
        org: z.string().nullable(),
        fileName: z.string(),
        status: z.string(),
        rowsTotal: z.number(),
        rowsAccepted: z.number(),
        rowsRejected: z.number(),
        startedAt: z.number(),
      }),
    ),
  }),
  'import.rejectsFile': method({
    description: 'The text of a rejects file written by an import (to save or show it).',
    input: z.object({ path: z.string().min(1) }),
    output: z.object({ path: z.string(), text: z.string() }),
  }),
  'files.list': method({
    description: 'List a directory on this machine (for choosing files in any host).',
    input: z.object({ dir: z.string().optional() }),
    output: z.object({
      dir: z.string(),
      parent: z.string().nullable(),
      entries: z.array(DirEntry),
    }),
  }),
  'overview.get': method({
    description: 'Counts per entity and organization, coverage per commodity, monthly consumption.',
    input: z.object({}),
    output: Overview,
  }),
  'search.premises': method({
    description:
      'Find premises by any address form, account, meter, usage point, platform ID or (role permitting) name; typo-tolerant.',
    input: SearchRequest,
    output: SearchResult,
  }),
  'premise.get': method({
    description:
      'Everything known about one platform premise (by PremiseID or premise row): linked IDs, addresses, accounts, meters with coverage, reads, bills, DER, programs, sensors, grid, relations, audit trail; PII as the role allows.',
    input: PremiseRef,
    output: Premise,
  }),
  'premise.usage': method({
    description:
      "A premise's usage per series, daily or monthly, in native units plus kWh and therms (conversion rules listed).",
    input: PremiseUsageRequest,
    output: PremiseUsage,
  }),
  'premise.export': method({
    description:
      "Write a premise's full record (JSON bundle) or its usage (CSV) to a file under the role's privacy rules; audited.",
    exclusive: true,
    input: PremiseExportRequest,
    output: PremiseExportResult,
  }),
  'index.run': method({
    description:
      'Run the statewide indexer: match premises, assign stable platform IDs of all 13 kinds.',
    exclusive: true,
    job: true,
    input: z.object({}),
    output: IndexResult,
  }),
  'index.lastRun': method({
    description:
      'The last finished index run: its result and when it ran (null before the first run).',
    input: z.object({}),
    output: LastRun,
  }),
  'index.review': method({
    description: 'Matched premise pairs for review, with scores, reasons and decisions.',
    input: ReviewQuery,
    output: ReviewPage,
  }),
  'index.decide': method({
    description:
      'Record a reviewer decision on a pair (accept, reject, split); it overrides the matcher on every later run.',
    exclusive: true,
    input: DecideRequest,
    output: ReviewItem,
  }),
  'dataset.list': method({
    description: 'Dataset definitions: name, version, title, parameters, columns, privacy class.',
    input: z.object({}),
    output: z.array(DatasetInfo),
  }),
  'dataset.export': method({
    description:
      "Run a dataset under the session role's privacy rules to a CSV file plus a sidecar JSON data dictionary; records the run and audits the export.",
    exclusive: true,
    job: true,
    input: DatasetExportRequest,
    output: DatasetRunRecord,
  }),
  'dataset.preview': method({
    description: 'One page of a dataset as the session role may see it (for the grid).',
    input: DatasetPreviewRequest,
    output: DatasetPreviewPage,
  }),
  'greenbutton.export': method({
    description:
      'Export usage points (or a retail customer) as a Green Button ESPI Atom feed, streamed to a file; checks role and consent, audits every attempt.',
    exclusive: true,
    job: true,
    input: GreenButtonExportRequest,
    output: GreenButtonExportResult,
  }),
  'greenbutton.consent': method({
    description:
      "Consent status of usage points or a customer's usage points: may this session's role export them, which consents cover them, what is missing.",
    input: GreenButtonSelection,
    output: GreenButtonConsentResult,
  }),
  'greenbutton.candidates': method({
    description:
      'Usage points or customers to choose for a Green Button export, searched (key, organization, commodity, town, exact account number) and paged; names only as the role may see them.',
    input: GreenButtonCandidatesRequest,
    output: GreenButtonCandidates,
  }),
  'bill.compute': method({
    description:
      "Compute an account's bill for a period from its tariff (effective-dated versions, proration, the tariff's rounding rule) and its meter data; stored in computed_bill unless store is false.",
    exclusive: true,
    input: BillComputeRequest,
    output: ComputedBill,
  }),
  'bill.validate': method({
    description:
      'Recompute a bill as billed (bill JSON) and explain each line: billed, recomputed, difference, the most likely explanation; pass/fail at a tolerance; stored in bill_validation.',
    exclusive: true,
    job: true,
    input: BillValidateRequest,
    output: BillValidationResult,
  }),
  'bill.list': method({
    description:
      'Bills in the workspace (of one account, or all, newest period first) with their latest validation; account numbers as the role may see them.',
    input: BillListRequest,
    output: z.array(BillSummary),
  }),
  'bill.exportReport': method({
    description:
      "Write a bill's validation report (CSV, or a printable self-contained HTML page) to a file; checks the role, audits the export.",
    exclusive: true,
    job: true,
    input: BillReportRequest,
    output: BillReportResult,
  }),
  'bill.compare': method({
    description:
      'Rate-design comparison: bill a population (org, rate class, period) on tariff A and tariff B from the same interval data; per customer and summary changes, histogram; privacy per role (rows, redaction, 15/15).',
    job: true,
    input: BillCompareRequest,
    output: BillCompareResult,
  }),
  'vpp.scenario': method({
    description:
      'Validate VPP scenario JSON text (issues with their paths), or load the shipped demo scenario (summer 2018).',
    input: VppScenarioRequest,
    output: VppScenarioResult,
  }),
  'vpp.simulate': method({
    description:
      'Simulate a VPP season (SMV-03 stages .1–.7) on the workspace: enrolment, forecast (MAPE/MASE), opportunities, HiGHS optimisation and bids, dispatch, M&V and settlement, value distribution; saves the run and its stage tables.',
    exclusive: true,
    job: true,
    input: VppSimulateRequest,
    output: VppReport,
  }),
  'vpp.runs': method({
    description: 'VPP simulation runs saved in the workspace, newest first.',
    input: z.object({}),
    output: z.array(VppRunInfo),
  }),
  'vpp.report': method({
    description: 'The report of a saved VPP run.',
    input: z.object({ runId: z.number().int() }),
    output: VppReport,
  }),
  'vpp.table': method({
    description: 'One stage table of a saved VPP run as CSV (audited as an export).',
    exclusive: true,
    input: VppTableRequest,
    output: VppTableResult,
  }),
} as const;

export type Api = typeof api;
export type MethodName = keyof Api;
export type Input<M extends MethodName> = z.input<Api[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Api[M]['input']>;
export type Output<M extends MethodName> = z.output<Api[M]['output']>;

export const methodNames = Object.keys(api) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(api, name);
}

/** The error shape every host returns; `code` maps to CLI exit codes (see core/workspace/errors). */
export const ApiError = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ApiError = z.infer<typeof ApiError>;
