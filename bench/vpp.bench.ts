// Benchmark: the VPP simulation (docs/vpp.md). Prints one JSON object:
//  - day: 1,000 DERs × 96 intervals (one day at 15 min) optimised to optimality (stage .4 only:
//    `solve_seconds`), for a fleet of standard devices ("classes": identical devices share one
//    LP), for every device distinct ("distinct": one LP per DER, the worst case), and with tight
//    circuit limits (circuits re-solved with their limits, "tight");
//  - season: a full 92-day season (hourly) for 1,000 DERs end to end (stages .1–.7) plus
//    saving every stage table in a workspace.
// Environment: BENCH_VPP_DERS (default 1000), BENCH_VPP_DAYS (default 92),
//   BENCH_VPP_VARIANTS (default "classes,distinct,tight"), BENCH_VPP_SEASON=0 skips the season.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Scenario } from '../core/vpp/scenario';
import { simulate } from '../core/vpp/simulate';
import { storeRun } from '../core/vpp/store';
import { buildReport } from '../core/vpp/report';
import { Workspace } from '../core/workspace/workspace';

const ders = Number(process.env.BENCH_VPP_DERS ?? 1000);
const days = Number(process.env.BENCH_VPP_DAYS ?? 92);
const variants = (process.env.BENCH_VPP_VARIANTS ?? 'classes,distinct,tight')
  .split(',')
  .filter(Boolean);
const PRICES = [
  24, 22, 21, 21, 22, 26, 31, 36, 40, 42, 44, 46, 48, 50, 53, 58, 66, 78, 84, 72, 58, 46, 36, 29,
];

function scenario(opts: {
  days: number;
  minutes: 15 | 60;
  distinct: boolean;
  kwPerDer: number;
}): Scenario {
  const start = new Date(Date.UTC(2018, 5, 1));
  const end = new Date(start.getTime() + (opts.days - 1) * 86_400_000);
  const iso = (d: Date): string => d.toISOString().slice(0, 10);
  const inSeason = (d: string): boolean => d >= iso(start) && d <= iso(end);
  return Scenario.parse({
    name: 'bench',
    seed: 42,
    season: {
      start: iso(start),
      end: iso(end),
      intervalMinutes: opts.minutes,
      lookbackDays: opts.days > 1 ? 14 : 0,
    },
    fleet: {
      fromWorkspace: false,
      generate: {
        count: ders,
        circuits: 20,
        circuitKwPerDer: opts.kwPerDer,
        distinct: opts.distinct,
      },
    },
    program: { requireEnrolment: false, requireConsent: false },
    market: {
      energyPrices: { weekday: PRICES, weekend: PRICES },
      capacityEvents: [
        { id: 'C1', date: '2018-06-01', startHour: 16, endHour: 19, price: 8 },
        { id: 'C2', date: '2018-07-16', startHour: 16, endHour: 19, price: 8 },
      ].filter((e) => inSeason(e.date)),
      drEvents: [{ id: 'D1', date: '2018-08-07', startHour: 15, endHour: 18, price: 0.5 }].filter(
        (e) => inSeason(e.date),
      ),
    },
  });
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = {
    bench: 'vpp',
    ders,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
  // Warm the WebAssembly solver up (its first solve compiles code) so figures are steady state.
  await simulate(null, scenario({ days: 1, minutes: 15, distinct: false, kwPerDer: 5 }));
  for (const v of variants) {
    const s = scenario({
      days: 1,
      minutes: 15,
      distinct: v === 'distinct',
      kwPerDer: v === 'tight' ? 2.5 : 5,
    });
    const t0 = performance.now();
    const r = await simulate(null, s);
    const st = r.optimiser.stats;
    out[`day_${v}`] = {
      ders: r.models.length,
      intervals: r.tl.n - r.tl.season0,
      solve_seconds: Math.round(st.solveSeconds * 1000) / 1000,
      lps: st.lps,
      mips: st.mips,
      classes: st.classesMax,
      coupled_circuits: st.coupledCircuits,
      binding_limit_intervals: st.bindingCircuitIntervals,
      end_to_end_seconds: Math.round((performance.now() - t0) / 10) / 100,
    };
    console.error(JSON.stringify({ [`day_${v}`]: out[`day_${v}`] }));
  }
  if (process.env.BENCH_VPP_SEASON !== '0') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edw-vpp-bench-'));
    try {
      const ws = Workspace.create(path.join(dir, 'bench.edw'));
      const s = scenario({ days, minutes: 60, distinct: false, kwPerDer: 5 });
      const t0 = performance.now();
      const r = await simulate(null, s);
      const tSim = (performance.now() - t0) / 1000;
      const report = buildReport(r, null, tSim);
      const t1 = performance.now();
      await storeRun(ws.db, r, report, tSim, 'analyst');
      const tStore = (performance.now() - t1) / 1000;
      ws.close();
      out.season = {
        ders: r.models.length,
        days,
        intervals: r.tl.n - r.tl.season0,
        simulate_seconds: Math.round(tSim * 100) / 100,
        store_seconds: Math.round(tStore * 100) / 100,
        end_to_end_seconds: Math.round((tSim + tStore) * 100) / 100,
        stage_seconds: Object.fromEntries(
          Object.entries(r.timings).map(([k, x]) => [k, Math.round(x * 100) / 100]),
        ),
        lps: r.optimiser.stats.lps,
        mips: r.optimiser.stats.mips,
        coupled_circuits: r.optimiser.stats.coupledCircuits,
        fleet_mape_pct: r.accuracy.fleet.mape,
        fleet_mase: r.accuracy.fleet.mase,
        settlement_cents: Number(r.distribution.settlementCents),
        reconciles: report.distribution.reconciles,
        workspace_mb: Math.round(fs.statSync(path.join(dir, 'bench.edw')).size / 1e5) / 10,
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
