// zod schemas of the vpp.* API methods (no Node imports: the renderer uses them).
import { z } from 'zod';

export const STAGE_TABLE_NAMES = [
  'vpp_interval',
  'vpp_enrolment',
  'vpp_forecast',
  'vpp_opportunity',
  'vpp_plan',
  'vpp_bid',
  'vpp_dispatch',
  'vpp_performance',
  'vpp_delivery',
  'vpp_settlement',
  'vpp_distribution',
] as const;
export const StageTableName = z.enum(STAGE_TABLE_NAMES);

export const ScenarioRequest = z.object({
  /** Return the shipped demo scenario (summer 2018, Pembroke demo workspace). */
  demo: z.boolean().default(false),
  /** Scenario JSON text to validate (syntax errors are reported as issues). */
  text: z.string().optional(),
});

export const ScenarioIssue = z.object({ path: z.string(), message: z.string() });

export const ScenarioResult = z.object({
  valid: z.boolean(),
  issues: z.array(ScenarioIssue),
  /** The scenario text (pretty JSON) for the editor; the demo's when `demo` was asked. */
  text: z.string(),
  name: z.string().nullable(),
  days: z.number().nullable(),
});

export const SimulateRequest = z.object({
  /** The scenario as JSON text (what the editor holds) or as an object. */
  scenario: z.union([z.string(), z.record(z.string(), z.unknown())]),
  /** Save the run and its stage tables in the workspace (default) or only return the report. */
  save: z.boolean().default(true),
});

const Accuracy = z.object({
  mape: z.number().nullable(),
  mapeExcluded: z.number(),
  mase: z.number().nullable(),
  mae: z.number(),
  n: z.number(),
});

export const Statement = z.object({
  participant: z.string(),
  ders: z.array(
    z.object({ der: z.string(), kind: z.string(), kw: z.number(), kwh: z.number().nullable() }),
  ),
  energyOutKwh: z.number(),
  energyInKwh: z.number(),
  eventKwh: z.number(),
  energyValueUsd: z.number(),
  eventValueUsd: z.number(),
  weightMicros: z.number(),
  paymentCents: z.number(),
});
export type Statement = z.infer<typeof Statement>;

export const VppReport = z.looseObject({
  ok: z.boolean(),
  runId: z.number().nullable(),
  scenario: z.string(),
  season: z.object({
    start: z.string(),
    end: z.string(),
    days: z.number(),
    intervals: z.number(),
    intervalMinutes: z.number(),
    timeZone: z.string(),
  }),
  seed: z.number(),
  seconds: z.number(),
  timings: z.record(z.string(), z.number()),
  enrolment: z.looseObject({
    considered: z.number(),
    enrolled: z.number(),
    excluded: z.number(),
    participants: z.number(),
    exclusions: z.array(
      z.object({ der: z.string(), kind: z.string(), participant: z.string(), reason: z.string() }),
    ),
  }),
  forecast: z.looseObject({ fleet: Accuracy, byKind: z.record(z.string(), Accuracy) }),
  opportunity: z.record(z.string(), z.number()),
  optimisation: z.record(z.string(), z.number()),
  events: z.array(z.looseObject({ id: z.string(), kind: z.string(), date: z.string() })),
  settlement: z.looseObject({
    baseline: z.string(),
    totalCents: z.number(),
    energyUsd: z.number(),
    capacityUsd: z.number(),
    drUsd: z.number(),
  }),
  distribution: z.object({
    settlementCents: z.number(),
    feeCents: z.number(),
    poolCents: z.number(),
    unallocatedCents: z.number(),
    paymentsCents: z.number(),
    reconciles: z.boolean(),
  }),
  statements: z.array(Statement),
  series: z.object({
    local: z.array(z.string()),
    priceUsdPerMwh: z.array(z.number()),
    baselineKw: z.array(z.number()),
    actualKw: z.array(z.number()),
    plannedFlexKw: z.array(z.number()),
    byKindKw: z.record(z.string(), z.array(z.number())),
    socPct: z.array(z.number()),
  }),
});
export type VppReportT = z.infer<typeof VppReport>;

export const RunInfo = z.object({
  id: z.number(),
  name: z.string(),
  seasonStart: z.string(),
  seasonEnd: z.string(),
  createdAt: z.number(),
  seconds: z.number(),
  settlementCents: z.number(),
  feeCents: z.number(),
});

export const TableRequest = z.object({ runId: z.number().int(), table: StageTableName });
export const TableResult = z.object({ fileName: z.string(), rows: z.number(), csv: z.string() });
