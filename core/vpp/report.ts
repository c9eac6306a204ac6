// The run report: summary figures per stage, the fleet series the page charts, the
// per-participant statements (stage .7) and the reconciliation. Plain JSON (money as integer
// cents/micros in strings-free numbers: cents fit a double exactly up to 2^53).
import type { DerKind } from './scenario';
import type { SimResult } from './simulate';
import { localLabel } from './timeline';

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const money = (micros: bigint): number => Number(micros) / 1e6;

export function buildReport(r: SimResult, runId: number | null, seconds: number) {
  const { tl, sig, models, optimiser, dispatch, settlement, distribution } = r;
  const ns = tl.n - tl.season0;
  const kinds: DerKind[] = ['storage', 'ev_charger', 'thermostat', 'pv'];
  const present = kinds.filter((k) => models.some((m) => m.der.kind === k));
  // Fleet series (season intervals): baseline injection (no VPP), actual injection by kind,
  // planned flexibility, storage state of charge, price.
  const baseline = new Float64Array(ns);
  const planned = new Float64Array(ns);
  const actual = new Float64Array(ns);
  const soc = new Float64Array(ns);
  const byKind = new Map(present.map((k) => [k, new Float64Array(ns)]));
  models.forEach((m, j) => {
    const k = byKind.get(m.der.kind) as Float64Array;
    const p = optimiser.plan[j]!;
    const d = dispatch[j]!;
    for (let i = 0; i < ns; i++) {
      const base = m.actual.base[i] as number;
      baseline[i] = (baseline[i] as number) + base;
      const inj = base + (d.flex[i] as number);
      actual[i] = (actual[i] as number) + inj;
      k[i] = (k[i] as number) + inj;
      planned[i] = (planned[i] as number) + (p.g[i] as number) - (p.c[i] as number);
      if (m.der.kind === 'storage') soc[i] = (soc[i] as number) + (d.s[i] as number);
    }
  });
  const storageKwh = models
    .filter((m) => m.der.kind === 'storage')
    .reduce((a, m) => a + m.scale, 0);
  const series = {
    local: Array.from({ length: ns }, (_, i) => localLabel(tl, tl.season0 + i)),
    priceUsdPerMwh: Array.from(sig.price.subarray(tl.season0)),
    baselineKw: Array.from(baseline, r3),
    actualKw: Array.from(actual, r3),
    plannedFlexKw: Array.from(planned, r3),
    byKindKw: Object.fromEntries(
      present.map((k) => [k, Array.from(byKind.get(k) as Float64Array, r3)]),
    ),
    socPct: Array.from(soc, (x) => (storageKwh > 0 ? r3((100 * x) / storageKwh) : 0)),
  };
  const enrolled = r.enrol.enrolments.filter((e) => e.status === 'enrolled');
  const excluded = r.enrol.enrolments.filter((e) => e.status === 'excluded');
  const paid = distribution.participants.reduce((a, p) => a + p.paymentCents, 0n);
  const perf = r.performance;
  const events = sig.events.map((ev) => {
    const sum = (method: string) =>
      perf
        .filter((p) => p.event === ev.id && p.method === method)
        .reduce((a, p) => ({ kwh: a.kwh + p.deliveredKwh, kw: a.kw + p.deliveredKw }), {
          kwh: 0,
          kw: 0,
        });
    const a = sum('caiso-10in10');
    const b = sum('caltrack');
    let tel = 0;
    for (const t of ev.intervals)
      for (const d of dispatch) tel += (d.flex[t - tl.season0] as number) * tl.dt;
    return {
      id: ev.id,
      kind: ev.kind,
      date: ev.event.date,
      hours: `${ev.event.startHour}:00–${ev.event.endHour}:00`,
      price: ev.event.price,
      telemetryKwh: r3(tel),
      tenInTen: { deliveredKwh: r3(a.kwh), deliveredKw: r3(a.kw) },
      caltrack: { deliveredKwh: r3(b.kwh), deliveredKw: r3(b.kw) },
    };
  });
  const statements = distribution.participants.map((p) => ({
    participant: p.participant,
    ders: p.ders.map((j) => {
      const m = models[j]!;
      return { der: m.der.key, kind: m.der.kind, kw: m.der.kw, kwh: m.der.kwh };
    }),
    energyOutKwh: r3(p.energyKwhOut),
    energyInKwh: r3(p.energyKwhIn),
    eventKwh: r3(p.eventKwh),
    energyValueUsd: money(p.energyMicros),
    eventValueUsd: money(p.eventMicros),
    weightMicros: Number(p.weightMicros),
    paymentCents: Number(p.paymentCents),
  }));
  const acc = r.accuracy;
  return {
    ok: true,
    runId,
    scenario: r.scenario.name,
    season: {
      start: r.scenario.season.start,
      end: r.scenario.season.end,
      days: tl.days.length - tl.seasonDay0,
      intervals: ns,
      intervalMinutes: r.scenario.season.intervalMinutes,
      timeZone: tl.zone,
    },
    seed: r.scenario.seed,
    seconds,
    timings: r.timings,
    enrolment: {
      considered: r.enrol.enrolments.length,
      enrolled: enrolled.length,
      excluded: excluded.length,
      byKind: Object.fromEntries(
        present.map((k) => [
          k,
          {
            count: models.filter((m) => m.der.kind === k).length,
            kw: r3(models.filter((m) => m.der.kind === k).reduce((a, m) => a + m.der.kw, 0)),
          },
        ]),
      ),
      participants: distribution.participants.length,
      exclusions: excluded.map((e) => ({
        der: e.key,
        kind: e.kind,
        participant: e.participant,
        reason: e.reason,
      })),
      circuitsWithLimits: r.enrol.circuits.size,
      transformersWithLimits: r.enrol.transformers.size,
    },
    forecast: {
      fleet: acc.fleet,
      byKind: acc.byKind,
      seasonalPeriodIntervals: Math.round(86_400 / tl.stepSeconds),
    },
    opportunity: {
      arbitrageUsd: r3(r.opportunities.reduce((a, o) => a + o.arbitrageUsd, 0)),
      capacityUsd: r3(r.opportunities.reduce((a, o) => a + o.capacityUsd, 0)),
      drUsd: r3(r.opportunities.reduce((a, o) => a + o.drUsd, 0)),
      demandChargeUsd: r3(r.opportunities.reduce((a, o) => a + o.demandChargeUsd, 0)),
    },
    optimisation: { ...optimiser.stats, solveSeconds: r3(optimiser.stats.solveSeconds) },
    events,
    settlement: {
      baseline: r.scenario.settlement.baseline,
      lines: settlement.lines.length,
      energyUsd: money(settlement.energyMicros),
      capacityUsd: money(settlement.capacityMicros),
      drUsd: money(settlement.drMicros),
      totalMicros: Number(settlement.totalMicros),
      totalCents: Number(settlement.totalCents),
    },
    distribution: {
      settlementCents: Number(distribution.settlementCents),
      feeCents: Number(distribution.feeCents),
      poolCents: Number(distribution.poolCents),
      unallocatedCents: Number(distribution.unallocatedCents),
      paymentsCents: Number(paid),
      reconciles: paid + distribution.feeCents === distribution.settlementCents,
    },
    statements,
    series,
  };
}

export type VppReport = ReturnType<typeof buildReport>;
