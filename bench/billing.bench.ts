// Benchmark: hourly-TOU bills per second over the demo population (goal ≥ 10 000/s).
// Every electric usage point with hourly data is billed on UES TOU-RES (three periods) for the
// first BENCH_BILL_DAYS days of the demo year. Figures, each as bills per wall second and per
// CPU second (process.cpuUsage, user + system: the machine may be shared):
//   - end_to_end (the headline): the population's meter data read from the workspace by
//     readPopulation (one statement, one row per series), decoded to integer micro-kWh, then
//     determinants (energy by TOU period in local time) and the bill (priced, rounded) per
//     usage point — a rate-design run; every pass reads the workspace again;
//   - per_bill: the same with one query per bill (readIntervalDays, what bill.compute does for
//     one account);
//   - engine: the meter data already decoded (determinants + bill only).
// Prints one JSON object. Environment: BENCH_PREMISES (default 600), BENCH_BILL_DAYS (31),
// BENCH_SECONDS (minimum timed seconds per figure, default 2).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorkspaceFile } from '../core/workspace/create';
import { computeEngine, type Usage } from '../core/billing/engine';
import { readIntervalDays, readPopulation } from '../core/billing/meterData';
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

    let checksum = 0;
    interface Figure {
      bills: number;
      seconds: number;
      cpuSeconds: number;
    }
    // Repeat `pass` (which returns the bills it computed) for at least minSeconds.
    const timed = (pass: () => number): Figure => {
      let bills = 0;
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < minSeconds * 1000) {
        bills += pass();
        elapsed = performance.now() - start;
      }
      const cpu = process.cpuUsage(cpu0);
      return { bills, seconds: elapsed / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
    };
    const report = (name: string, f: Figure): Record<string, number> => ({
      [`${name}_bills`]: f.bills,
      [`${name}_seconds`]: Number(f.seconds.toFixed(3)),
      [`${name}_cpu_seconds`]: Number(f.cpuSeconds.toFixed(3)),
      [`${name}_bills_per_second`]: Math.round(f.bills / f.seconds),
      [`${name}_bills_per_cpu_second`]: Math.round(f.bills / f.cpuSeconds),
    });
    const bill = (days: Usage['days']): number =>
      computeEngine(model, {
        unit: 'kWh',
        fromDay,
        toDay,
        days,
        readsMicro: null,
        priorPeakMicroKw: null,
        flags: [],
      }).totalMicros;
    // End to end: read the whole population from the workspace, then bill every usage point.
    const endToEnd = (): number => {
      let n = 0;
      for (const s of readPopulation(db, series, fromDay, toDay, 0)) {
        checksum += bill(s.days);
        n++;
      }
      return n;
    };
    const perBill = (): number => {
      for (const s of series) checksum += bill(readIntervalDays(db, s, fromDay, toDay, 0).days);
      return series.length;
    };
    // Warm-up (JIT, slot → period caches), then the timed figures.
    endToEnd();
    perBill();
    const e2e = timed(endToEnd);
    const full = timed(perBill);
    const loaded: Usage[] = series.map((s) => ({
      unit: 'kWh',
      fromDay,
      toDay,
      days: readIntervalDays(db, s, fromDay, toDay, 0).days,
      readsMicro: null,
      priorPeakMicroKw: null,
      flags: [],
    }));
    const engine = timed(() => {
      for (const u of loaded) checksum += computeEngine(model, u).totalMicros;
      return loaded.length;
    });
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
        ...report('end_to_end', e2e),
        ...report('per_bill', full),
        ...report('engine', engine),
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
