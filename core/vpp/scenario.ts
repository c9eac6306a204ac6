// The VPP scenario (docs/vpp.md): everything a season simulation needs besides the workspace —
// fleet selection, program rules and customer constraints, market signals, grid limits, season,
// aggregator fee and random seed. Pure zod (no Node imports): the renderer validates with it.
import { z } from 'zod';

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
      new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'not a calendar date',
  );

const Hour = z.number().int().min(0).max(24);
const Pct = z.number().min(0).max(100);
const Money = z.number().finite();

export const DerKind = z.enum(['storage', 'ev_charger', 'thermostat', 'pv']);
export type DerKind = z.infer<typeof DerKind>;
export const DER_KINDS: readonly DerKind[] = DerKind.options;

/** A DER the scenario brings itself (synthetic fleets, benchmarks, what-if additions). */
export const GeneratedDer = z.object({
  key: z.string().min(1),
  kind: DerKind,
  kw: z.number().positive(),
  kwh: z.number().positive().optional(),
  participant: z.string().min(1),
  circuit: z.string().min(1).optional(),
  transformer: z.string().min(1).optional(),
  enrolled: z.boolean().default(true),
  consent: z.boolean().default(true),
});
export type GeneratedDer = z.infer<typeof GeneratedDer>;

export const Fleet = z.object({
  /** Take the DER assets of the workspace (asset.category storage, ev_charger, thermostat, pv). */
  fromWorkspace: z.boolean().default(true),
  kinds: z.array(DerKind).min(1).default(['storage', 'ev_charger', 'thermostat', 'pv']),
  /** Only assets of these organizations (codes); all when omitted. */
  orgs: z.array(z.string()).optional(),
  /** Explicit extra DERs. */
  ders: z.array(GeneratedDer).default([]),
  /** A synthetic fleet: `count` DERs drawn from `mix` with the scenario seed. */
  generate: z
    .object({
      count: z.number().int().min(1).max(100_000),
      mix: z
        .object({
          storage: z.number().min(0),
          ev_charger: z.number().min(0),
          thermostat: z.number().min(0),
          pv: z.number().min(0),
        })
        .prefault({ storage: 0.4, ev_charger: 0.25, thermostat: 0.25, pv: 0.1 }),
      circuits: z.number().int().min(1).default(10),
      /** kW of VPP headroom per DER on each synthetic circuit (export and import). */
      circuitKwPerDer: z.number().positive().default(5),
      /** Share of generated DERs without consent (excluded in stage .1). */
      noConsentShare: z.number().min(0).max(1).default(0),
      /** Give every generated DER its own parameters (no two alike), for worst-case benchmarks. */
      distinct: z.boolean().default(false),
    })
    .optional(),
  /** Nameplate used when an asset has none (the demo's thermostats carry no kW). */
  defaults: z
    .object({
      thermostatKw: z.number().positive().default(3.5),
      evChargerKw: z.number().positive().default(7.2),
      storageKw: z.number().positive().default(5),
      storageKwh: z.number().positive().default(13.5),
    })
    .prefault({}),
});

export const Program = z.object({
  /** Program code (program.code) a workspace DER's premise or account must be enrolled in. */
  code: z.string().min(1).optional(),
  requireEnrolment: z.boolean().default(true),
  /** Organization code (consent.grantee_org_id) the customer must have authorised. */
  consentGrantee: z.string().min(1).optional(),
  requireConsent: z.boolean().default(true),
  /** Data class the consent scope must cover. */
  consentDataClass: z.string().default('customer_usage'),
  /** Storage and PV must have permission to operate (interconnection status 'pto'). */
  requirePto: z.boolean().default(true),
});

export const Constraints = z.object({
  storage: z
    .object({
      reservePct: Pct.default(20),
      initialSocPct: Pct.default(50),
      roundTripEfficiency: z.number().gt(0).max(1).default(0.9),
      degradationUsdPerMwh: z.number().min(0).default(20),
      /** Forbid simultaneous charge and discharge with binaries (MIP) when the LP uses both. */
      exclusiveChargeDischarge: z.boolean().default(true),
    })
    .prefault({}),
  thermostat: z
    .object({
      setpointF: z.number().default(72),
      /** How far above the setpoint the house may drift during events. */
      comfortBandF: z.number().min(0).default(3),
      /** How far below the setpoint precooling may go. */
      precoolF: z.number().min(0).default(2),
      precoolHours: z.number().int().min(0).max(12).default(2),
      /** Thermal mass: kWh of cooling per °F of house temperature, per kW of AC nameplate. */
      kwhPerFPerKw: z.number().positive().default(0.6),
      /** Share of a temperature deviation lost (to the outdoors) per hour. */
      lossPerHour: z.number().min(0).max(1).default(0.15),
      /** Outdoor °F at which the AC starts, and at which it runs at nameplate. */
      acStartF: z.number().default(68),
      acFullF: z.number().default(95),
    })
    .prefault({}),
  evCharger: z
    .object({
      arrivalHour: Hour.default(18),
      departureHour: Hour.default(7),
      energyKwh: z.number().positive().default(12),
      /** Actual sessions: arrival ± jitter hours, energy ± share, some days not plugged in. */
      arrivalJitterHours: z.number().int().min(0).max(6).default(2),
      energyJitterShare: z.number().min(0).max(1).default(0.3),
      plugInProbability: z.number().min(0).max(1).default(0.85),
    })
    .prefault({}),
});

export const Event = z.object({
  id: z.string().min(1),
  date: IsoDate,
  startHour: Hour,
  endHour: Hour,
  /** Capacity events pay per average kW delivered; DR events per kWh delivered. */
  price: Money,
});
export type Event = z.infer<typeof Event>;

export const Market = z.object({
  /** Hourly energy prices, USD/MWh, by local hour, before the seeded volatility. */
  energyPrices: z.object({
    weekday: z.array(Money).length(24),
    weekend: z.array(Money).length(24),
    /** Standard deviation of a multiplicative day factor and an hourly factor (seeded). */
    volatility: z.number().min(0).max(2).default(0.15),
    /** Exact prices for given hours (after volatility). */
    overrides: z
      .array(z.object({ date: IsoDate, hour: z.number().int().min(0).max(23), price: Money }))
      .default([]),
  }),
  /** Capacity events (price: USD per average kW delivered over the event). */
  capacityEvents: z.array(Event).default([]),
  /** Demand-response events (price: USD per kWh delivered). */
  drEvents: z.array(Event).default([]),
  /** Monthly demand charge (USD/kW) used by the opportunity analysis. */
  demandChargeUsdPerKw: z.number().min(0).default(0),
});

export const Weather = z.object({
  meanHighF: z.number().default(84),
  meanLowF: z.number().default(62),
  /** Day-to-day standard deviation of the daily mean temperature. */
  dailySdF: z.number().min(0).default(4),
  /** Standard deviation of the day-ahead forecast error. */
  forecastErrorSdF: z.number().min(0).default(2),
  /** Daily cloudiness: PV output factor drawn in [minClearSky, 1]. */
  minClearSky: z.number().min(0).max(1).default(0.35),
});

export const Limits = z.object({
  /** Take circuit hosting limits and transformer kVA from the workspace topology. */
  fromTopology: z.boolean().default(true),
  /** Share of a circuit's hosting limit the VPP may use (export and import). */
  circuitShare: z.number().min(0).max(1).default(0.1),
  /** kW per kVA for transformer limits. */
  transformerPowerFactor: z.number().gt(0).max(1).default(0.95),
  circuits: z
    .array(
      z.object({
        circuit: z.string().min(1),
        exportKw: z.number().min(0),
        importKw: z.number().min(0),
      }),
    )
    .default([]),
  transformers: z
    .array(z.object({ transformer: z.string().min(1), kw: z.number().min(0) }))
    .default([]),
});

export const Season = z.object({
  start: IsoDate,
  /** Last day, inclusive. */
  end: IsoDate,
  timeZone: z.string().default('America/New_York'),
  intervalMinutes: z.union([z.literal(15), z.literal(30), z.literal(60)]).default(60),
  /** Days before the season that the baselines may look back on. */
  lookbackDays: z.number().int().min(0).max(120).default(30),
  /** Holidays (local dates) treated like weekends by prices and baselines. */
  holidays: z.array(IsoDate).default([]),
});

export const Scenario = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    season: Season,
    fleet: Fleet.prefault({}),
    program: Program.prefault({}),
    constraints: Constraints.prefault({}),
    market: Market,
    weather: Weather.prefault({}),
    limits: Limits.prefault({}),
    dispatch: z
      .object({
        /** Standard deviation of a DER's execution error, as a share of its planned power. */
        deviationSd: z.number().min(0).max(1).default(0.05),
        /** Probability that a DER does not respond for a whole day. */
        failureRate: z.number().min(0).max(1).default(0.02),
      })
      .prefault({}),
    settlement: z
      .object({
        baseline: z.enum(['caiso-10in10', 'caltrack']).default('caiso-10in10'),
        /** Day-of adjustment cap of the 10-in-10 baseline, percent either way. */
        adjustmentCapPct: Pct.default(20),
        /** Aggregator fee, percent of a positive settlement. */
        aggregatorFeePct: Pct.default(20),
      })
      .prefault({}),
  })
  .superRefine((s, ctx) => {
    if (s.season.end < s.season.start)
      ctx.addIssue({
        code: 'custom',
        path: ['season', 'end'],
        message: 'season ends before it starts',
      });
    const days = (Date.parse(s.season.end) - Date.parse(s.season.start)) / 86_400_000 + 1;
    if (days > 366)
      ctx.addIssue({
        code: 'custom',
        path: ['season', 'end'],
        message: `a season is at most 366 days (got ${days})`,
      });
    const ids = new Set<string>();
    const events: [string, Event[]][] = [
      ['capacityEvents', s.market.capacityEvents],
      ['drEvents', s.market.drEvents],
    ];
    for (const [list, evs] of events) {
      evs.forEach((e, i) => {
        if (e.endHour <= e.startHour)
          ctx.addIssue({
            code: 'custom',
            path: ['market', list, i, 'endHour'],
            message: 'an event must end after it starts',
          });
        if (e.date < s.season.start || e.date > s.season.end)
          ctx.addIssue({
            code: 'custom',
            path: ['market', list, i, 'date'],
            message: `${e.date} is outside the season`,
          });
        if (ids.has(e.id))
          ctx.addIssue({
            code: 'custom',
            path: ['market', list, i, 'id'],
            message: `duplicate event id ${e.id}`,
          });
        ids.add(e.id);
      });
    }
    const t = s.constraints.thermostat;
    if (t.acFullF <= t.acStartF)
      ctx.addIssue({
        code: 'custom',
        path: ['constraints', 'thermostat', 'acFullF'],
        message: 'acFullF must exceed acStartF',
      });
    if (!s.fleet.fromWorkspace && s.fleet.ders.length === 0 && !s.fleet.generate)
      ctx.addIssue({
        code: 'custom',
        path: ['fleet'],
        message: 'the fleet is empty: take DERs from the workspace, list some or generate some',
      });
  });
export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;

export interface ScenarioIssue {
  path: string;
  message: string;
}

/** Validate a parsed JSON value: the scenario with defaults filled in, or the issues found. */
export function validateScenario(
  raw: unknown,
): { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] } {
  const r = Scenario.safeParse(raw);
  if (r.success) return { ok: true, scenario: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({
      path: i.path.join('.') || '(scenario)',
      message: i.message,
    })),
  };
}

/** Parse scenario JSON text: JSON syntax errors are issues too (with line and column when known). */
export function parseScenarioText(
  text: string,
): { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, issues: [{ path: '(json)', message: (e as Error).message }] };
  }
  return validateScenario(raw);
}
