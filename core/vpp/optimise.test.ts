import { describe, expect, it } from 'vitest';
import { EdwError } from '../workspace/errors';
import { Scenario, type ScenarioInput } from './scenario';
import { simulate } from './simulate';

const FLAT = Array.from({ length: 24 }, () => 20);
const PEAK = FLAT.map((p, h) => (h === 18 ? 220 : p));

/** A one-day season with hand-checkable prices: 20 $/MWh, 220 $/MWh at 18:00. */
function scenario(
  extra: Partial<ScenarioInput> = {},
  storage: Record<string, unknown> = {},
): Scenario {
  return Scenario.parse({
    name: 'hand',
    seed: 7,
    season: { start: '2018-07-10', end: '2018-07-10', lookbackDays: 0 },
    fleet: { fromWorkspace: false, ders: [] },
    program: { requireEnrolment: false, requireConsent: false },
    constraints: {
      storage: {
        reservePct: 0,
        initialSocPct: 50,
        roundTripEfficiency: 1,
        degradationUsdPerMwh: 0,
        ...storage,
      },
    },
    market: { energyPrices: { weekday: PEAK, weekend: PEAK, volatility: 0 } },
    dispatch: { deviationSd: 0, failureRate: 0 },
    ...extra,
  });
}

function plannedValue(r: Awaited<ReturnType<typeof simulate>>, j: number): number {
  const p = r.optimiser.plan[j]!;
  let v = 0;
  for (let i = 0; i < p.g.length; i++)
    v += ((p.g[i]! - p.c[i]!) * r.sig.price[r.tl.season0 + i]!) / 1000;
  return v;
}

describe('optimisation (stage .4), small instances checked by hand', () => {
  it('one lossless 5 kW / 10 kWh battery: discharge 5 kWh at the 220 $/MWh hour, recharge at 20: $1.00', async () => {
    const s = scenario({
      fleet: {
        fromWorkspace: false,
        ders: [{ key: 'B1', kind: 'storage', kw: 5, kwh: 10, participant: 'P1' }],
      },
    });
    const r = await simulate(null, s);
    const p = r.optimiser.plan[0]!;
    expect(p.g[18]).toBeCloseTo(5, 6);
    // Without losses or wear, cycling at equal prices is free (alternative optima), but the
    // net energy over the day is zero: the plan ends where it started.
    const net = p.g.reduce((a, b) => a + b, 0) - p.c.reduce((a, b) => a + b, 0);
    expect(net).toBeCloseTo(0, 5);
    expect(p.s[23]).toBeGreaterThanOrEqual(5 - 1e-6); // back to the start-of-day state
    expect(plannedValue(r, 0)).toBeCloseTo(1.0, 6);
  });

  it('round-trip efficiency 81 %: 5 kWh out costs 5/0.81 kWh in: $1.10 − 6.1728 × $0.02 = $0.976543', async () => {
    const s = scenario(
      {
        fleet: {
          fromWorkspace: false,
          ders: [{ key: 'B1', kind: 'storage', kw: 5, kwh: 10, participant: 'P1' }],
        },
      },
      { roundTripEfficiency: 0.81 },
    );
    const r = await simulate(null, s);
    const p = r.optimiser.plan[0]!;
    expect(p.g[18]).toBeCloseTo(5, 6);
    expect(p.c.reduce((a, b) => a + b, 0)).toBeCloseTo(5 / 0.81, 5);
    expect(plannedValue(r, 0)).toBeCloseTo(1.1 - (5 / 0.81) * 0.02, 6);
    // never charging and discharging in the same hour
    for (let i = 0; i < 24; i++) expect(Math.min(p.c[i]!, p.g[i]!)).toBeLessThan(1e-9);
  });

  it('a 6 kW circuit export limit shared by two identical batteries: 3 kW each at 18:00, $1.20 in all', async () => {
    const s = scenario({
      fleet: {
        fromWorkspace: false,
        ders: [
          { key: 'B1', kind: 'storage', kw: 5, kwh: 10, participant: 'P1', circuit: 'C1' },
          { key: 'B2', kind: 'storage', kw: 5, kwh: 10, participant: 'P2', circuit: 'C1' },
        ],
      },
      limits: { circuits: [{ circuit: 'C1', exportKw: 6, importKw: 100 }] },
    });
    const r = await simulate(null, s);
    for (const j of [0, 1]) expect(r.optimiser.plan[j]!.g[18]).toBeCloseTo(3, 6);
    expect(plannedValue(r, 0) + plannedValue(r, 1)).toBeCloseTo(6 * 0.2, 6);
    expect(r.optimiser.stats.coupledCircuits).toBe(1);
  });

  it('the reserve binds: with a 60 % reserve and SoC 100 %, only 4 kWh of a 10 kWh battery can go at the peak', async () => {
    const s = scenario(
      {
        fleet: {
          fromWorkspace: false,
          ders: [{ key: 'B1', kind: 'storage', kw: 5, kwh: 10, participant: 'P1' }],
        },
      },
      { reservePct: 60, initialSocPct: 100 },
    );
    const r = await simulate(null, s);
    const p = r.optimiser.plan[0]!;
    expect(p.g[18]).toBeCloseTo(4, 6);
    expect(Math.min(...p.s)).toBeGreaterThanOrEqual(6 - 1e-6);
  });
});

describe('infeasible scenarios name the binding constraint', () => {
  it('an EV need larger than the session can deliver', async () => {
    const s = scenario({
      fleet: {
        fromWorkspace: false,
        ders: [{ key: 'EV1', kind: 'ev_charger', kw: 3, participant: 'P1' }],
      },
      constraints: { evCharger: { energyKwh: 100, arrivalHour: 18, departureHour: 7 } },
    });
    const err = await simulate(null, s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdwError);
    expect((err as EdwError).code).toBe('input_rejected');
    expect((err as EdwError).message).toMatch(
      /EV charger EV1.*constraints\.evCharger\.energyKwh binds/,
    );
  });

  it('a circuit import limit below what an EV must charge before the season ends', async () => {
    const s = scenario({
      fleet: {
        fromWorkspace: false,
        ders: [{ key: 'EV1', kind: 'ev_charger', kw: 7.2, participant: 'P1', circuit: 'C9' }],
      },
      constraints: { evCharger: { energyKwh: 12, arrivalHour: 18, departureHour: 7 } },
      limits: { circuits: [{ circuit: 'C9', exportKw: 10, importKw: 0.5 }] },
    });
    const err = await simulate(null, s).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdwError);
    const msg = (err as EdwError).message;
    expect(msg).toMatch(
      /no feasible plan for 2018-07-10: circuit C9 limits \(export 10 kW, import 0.5 kW\) at 2018-07-10 \d\d:00 must be exceeded by/,
    );
    expect((err as EdwError).details?.binding).toMatch(/^circuit C9/);
  });

  it('an initial state of charge below the battery reserve', async () => {
    const s = scenario(
      {
        fleet: {
          fromWorkspace: false,
          ders: [{ key: 'B1', kind: 'storage', kw: 5, kwh: 10, participant: 'P1' }],
        },
      },
      { reservePct: 30, initialSocPct: 20 },
    );
    await expect(simulate(null, s)).rejects.toThrow(
      /storage B1.*constraints\.storage\.reservePct binds/,
    );
  });
});
