// Benchmark: hourly-TOU bills per second over the demo population (goal ≥ 10 000/s).
// Every electric usage point with hourly data is billed on UES TOU-RES (three periods) for the
// first BENCH_BILL_DAYS days of the demo year. Two figures:
//   - population: one statement reads the whole population's blocks, each decoded to integer
//     micro-kWh, bucketed by TOU period in local time, priced and rounded (a rate-design run);
//   - per_bill: the same with one query per bill (what bill.compute does for one account);
//   - engine: the blocks already decoded (a second tariff over the same meter data).
// Prints one JSON object. Environment: BENCH_PREMISES (default 600), BENCH_BILL_DAYS (31),
// BENCH_SECONDS (minimum timed seconds per figure, default 2).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorkspaceFile } from '../core/workspace/create';
import { computeEngine, type Usage } from '../core/billing/engine';
import { readIntervalDays, readPopulationDays } from '../core/billing/meterData';
import { isoDay, loadTariff } from '../core/billing/tariff';
import { compareRates } from '../core/billing/compare';

async function main(): Promise<void> {
  const premises = Number(process.env.BENCH_PREMISES ?? 600);
  const billDays = Number(process.env.BENCH_BILL_DAYS ?? 31);
  const minSeconds = Number(process.env.BENCH_SECONDS ?? 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edw-bench-billing-'));
  const file = path.join(dir, 'bench.edw');
  const t0 = performance.now();
  const created = await createWorkspaceFile(file, {
    demo: true,
    scale: { premises, days: billDays },
  });
  const generateSeconds = (performance.now() - t0) / 1000;
  const ws = created.workspace;
  const db = ws.db;
  try {
    const tariff = db
      .prepare(
        `SELECT t.id FROM tariff t JOIN organization o ON o.id = t.org_id WHERE o.code = 'UES' AND t.code = 'TOU-RES'`,
      )
      .get() as { id: number } | undefined;
    if (!tariff) throw new Error('the demo has no UES TOU-RES tariff');
    const model = loadTariff(db, tariff.id);
    const first = db
      .prepare(
        `SELECT min(b.day) AS day FROM interval_block b JOIN series s ON s.id = b.series_id
         JOIN reading_type rt ON rt.id = s.reading_type_id WHERE rt.interval_seconds = 3600 AND rt.commodity = 'electricity'`,
      )
      .get() as { day: number };
    const fromDay = first.day;
    const toDay = fromDay + billDays;
    const series = (
      db
        .prepare(
          `SELECT s.id, count(*) AS blocks FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id
           JOIN interval_block b ON b.series_id = s.id
           WHERE rt.interval_seconds = 3600 AND rt.commodity = 'electricity' AND rt.flow_direction = 'forward'
             AND rt.measure = 'energy' AND b.day >= ? AND b.day < ?
           GROUP BY s.id HAVING blocks = ?`,
        )
        .all(fromDay, toDay, billDays) as { id: number }[]
    ).map((s) => s.id);
    if (series.length === 0) throw new Error('no usage point has hourly data for the whole period');

    const usageOf = (seriesId: number): Usage => ({
      unit: 'kWh',
      fromDay,
      toDay,
      days: readIntervalDays(db, seriesId, fromDay, toDay, 0).days,
      readsMicro: null,
      priorPeakMicroKw: null,
      flags: [],
    });
    let checksum = 0;
    const timed = (bill: (i: number) => number): { bills: number; seconds: number } => {
      let bills = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < minSeconds * 1000) {
        for (let i = 0; i < series.length; i++) checksum += bill(i);
        bills += series.length;
        elapsed = performance.now() - start;
      }
      return { bills, seconds: elapsed / 1000 };
    };
    // Warm-up (JIT, slot → period caches), then the two timed figures.
    for (const s of series) checksum += computeEngine(model, usageOf(s)).totalMicros;
    const full = timed((i) => computeEngine(model, usageOf(series[i] as number)).totalMicros);
    // Population: read everything once per pass, then bill every usage point.
    let popBills = 0;
    const popStart = performance.now();
    let popElapsed = 0;
    while (popElapsed < minSeconds * 1000) {
      const all = readPopulationDays(db, series, fromDay, toDay, 0);
      for (const [, days] of all)
        checksum += computeEngine(model, {
          unit: 'kWh',
          fromDay,
          toDay,
          days,
          readsMicro: null,
          priorPeakMicroKw: null,
          flags: [],
        }).totalMicros;
      popBills += all.size;
      popElapsed = performance.now() - popStart;
    }
    const loaded = series.map(usageOf);
    const engine = timed((i) => computeEngine(model, loaded[i] as Usage).totalMicros);
    const sample = computeEngine(model, loaded[0] as Usage);
    // Rate-design comparison: UES rate D customers on D and TOU-RES (two bills a customer),
    // reading included, as bill.compare runs it.
    const cmpStart = performance.now();
    const cmp = await compareRates(
      db,
      { org: 'UES', rateClass: 'D', tariffB: 'TOU-RES', from: isoDay(fromDay), to: isoDay(toDay) },
      { role: 'utility-staff' },
    );
    const cmpSeconds = (performance.now() - cmpStart) / 1000;
    console.log(
      JSON.stringify({
        bench: 'billing',
        premises,
        usage_points: series.length,
        bill_days: billDays,
        hours_per_bill: billDays * 24,
        tariff: 'UES TOU-RES',
        generate_seconds: Number(generateSeconds.toFixed(2)),
        population_bills: popBills,
        population_seconds: Number((popElapsed / 1000).toFixed(3)),
        population_bills_per_second: Math.round(popBills / (popElapsed / 1000)),
        per_bill_bills: full.bills,
        per_bill_seconds: Number(full.seconds.toFixed(3)),
        per_bill_bills_per_second: Math.round(full.bills / full.seconds),
        engine_bills: engine.bills,
        engine_seconds: Number(engine.seconds.toFixed(3)),
        engine_bills_per_second: Math.round(engine.bills / engine.seconds),
        goal_bills_per_second: 10_000,
        compare_customers: cmp.billed,
        compare_seconds: Number(cmpSeconds.toFixed(3)),
        compare_customers_per_second: Math.round(cmp.billed / cmpSeconds),
        compare_mean_change: cmp.summary.meanChange,
        sample_total_micros: sample.totalMicros,
        checksum,
      }),
    );
  } finally {
    ws.close();
    if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
