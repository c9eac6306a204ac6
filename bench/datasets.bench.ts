// Benchmark: core-03-demand and t-04-community over a 10 000 usage point × 8 760 hour
// workspace (87.6M hourly readings of 2019), each through exportDataset — the path of
// `edw dataset <ws> <name> --out f.csv` (parameters, privacy plan, rows, CSV file, sidecar JSON,
// run record and audit entry). Goal (issue 7): each ≤ 5 s. Prints one JSON object.
// Environment:
//   BENCH_DS_UPS     usage points (default 10 000)
//   BENCH_DS_DAYS    local days from 2019-01-01 (default 365: 8 760 hours)
//   BENCH_DS_LEVELS  core-03-demand levels, comma-separated (default
//                    rate_class_monthly,rate_class_daily,monthly,daily)
//   BENCH_KEEP=1     keep the workspace (and reuse it on the next run with the same sizes)
//   BENCH_DS_DIR     directory of the workspace (default <tmp>/edw-bench-datasets)
// The workspace is built with BlockWriter directly (no CSV import). Each dataset runs in a child
// process (this file with --child) so its peak RSS is its own; wall and CPU seconds are both
// reported because other work may share the machine.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportDataset } from '../core/datasets/run';
import { BlockWriter } from '../core/metering/intervals';
import { isoToDay, localDay } from '../core/time/zone';
import { Workspace } from '../core/workspace/workspace';

const ZONE = 'America/New_York';
const TOWNS: [string, string, number][] = [
  // town, state, share of usage points (weights)
  ['Concord', 'NH', 30],
  ['Hampton', 'NH', 20],
  ['Exeter', 'NH', 15],
  ['Seabrook', 'NH', 12],
  ['Kingston', 'NH', 10],
  ['Plaistow', 'NH', 8],
  ['Atkinson', 'NH', 4],
  ['Danville', 'NH', 1],
];
const CLASSES: { code: string; name: string; cls: string; weight: number; scale: number }[] = [
  { code: 'D', name: 'Domestic', cls: 'residential', weight: 80, scale: 1 },
  { code: 'G2', name: 'General service', cls: 'commercial', weight: 17, scale: 4 },
  { code: 'G1', name: 'Large general service', cls: 'industrial', weight: 3, scale: 25 },
];

/** A weighted pick, hashed from `u` and `salt` (independent picks for towns and classes). */
function pick<T extends { weight: number }>(items: T[], u: number, salt = 0): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let x = (Math.imul(u + salt * 0x9e3779b1, 0x85ebca6b) >>> 7) % total;
  for (const i of items) {
    if (x < i.weight) return i;
    x -= i.weight;
  }
  return items[0] as T;
}

/** Build the workspace: organization, towns, rate classes, customers … and the readings. */
function build(file: string, ups: number, days: number): { seconds: number; readings: number } {
  const t0 = performance.now();
  const ws = Workspace.create(file);
  const db = ws.db;
  const first = isoToDay('2019-01-01');
  let readings = 0;
  db.transaction(() => {
    const org = Number(
      db
        .prepare(
          "INSERT INTO organization (code, name, kind, jurisdiction_code, regulated, time_zone) VALUES ('UES', 'Unitil Energy Systems', 'utility', 'NH', 1, ?)",
        )
        .run(ZONE).lastInsertRowid,
    );
    const rc = new Map<string, number>();
    for (const c of CLASSES)
      rc.set(
        c.code,
        Number(
          db
            .prepare(
              "INSERT INTO rate_class (org_id, code, name, commodity, customer_class) VALUES (?, ?, ?, 'electricity', ?)",
            )
            .run(org, c.code, c.name, c.cls).lastInsertRowid,
        ),
      );
    const rt = db
      .prepare(
        "SELECT id FROM reading_type WHERE commodity = 'electricity' AND unit = 'kWh' AND interval_seconds = 3600 AND measure = 'energy' AND flow_direction = 'forward' AND accumulation = 'delta'",
      )
      .pluck()
      .get() as number;
    const premise = db.prepare(
      'INSERT INTO premise (org_id, source_key, town, state) VALUES (?, ?, ?, ?)',
    );
    const customer = db.prepare(
      'INSERT INTO customer (org_id, source_key, customer_class) VALUES (?, ?, ?)',
    );
    const account = db.prepare(
      'INSERT INTO account (org_id, account_number, customer_id) VALUES (?, ?, ?)',
    );
    const up = db.prepare(
      "INSERT INTO usage_point (org_id, source_key, premise_id, commodity) VALUES (?, ?, ?, 'electricity')",
    );
    const sa = db.prepare(
      'INSERT INTO service_agreement (account_id, usage_point_id, rate_class_id, start_date, end_date) VALUES (?, ?, ?, ?, ?)',
    );
    const series = db.prepare('INSERT INTO series (usage_point_id, reading_type_id) VALUES (?, ?)');
    const towns = TOWNS.map(([town, state, weight]) => ({ town, state, weight }));
    for (let u = 0; u < ups; u++) {
      const t = pick(towns, u, 1);
      const c = pick(CLASSES, u);
      const p = Number(premise.run(org, `P${u}`, t.town, t.state).lastInsertRowid);
      const cu = Number(customer.run(org, `C${u}`, c.cls).lastInsertRowid);
      const a = Number(account.run(org, `A${u}`, cu).lastInsertRowid);
      const id = Number(up.run(org, `SDP${1_000_000 + u}`, p).lastInsertRowid);
      if (u % 50 === 49) {
        const other = CLASSES[(CLASSES.indexOf(c) + 1) % CLASSES.length] as (typeof CLASSES)[0];
        sa.run(a, id, rc.get(c.code), '2019-01-01', '2019-07-15');
        sa.run(a, id, rc.get(other.code), '2019-07-15', null);
      } else sa.run(a, id, rc.get(c.code), '2019-01-01', null);
      series.run(id, rt);
    }
  })();
  const writer = new BlockWriter(db);
  const seriesIds = db.prepare('SELECT id FROM series ORDER BY id').pluck().all() as number[];
  const put = db.transaction((from: number, to: number) => {
    let seed = 12345 + from;
    const values = new Float64Array(25);
    for (let k = from; k < to; k++) {
      const s = seriesIds[k] as number;
      const c = pick(CLASSES, k);
      // One dominant industrial customer per 2 000 usage points (15/15 share test).
      const scale = c.scale * (0.4 + (k % 17) / 10) * (k % 2000 === 1999 ? 40 : 1);
      for (let d = 0; d < days; d++) {
        const day = first + d;
        const { start, seconds } = localDay(day, ZONE);
        const n = seconds / 3600;
        const season = 1 + 0.35 * Math.cos(((d - 200) / 365) * 2 * Math.PI);
        for (let h = 0; h < n; h++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          const hod = h % 24;
          const shape = hod < 6 ? 0.35 : hod < 17 ? 0.7 : hod < 22 ? 1.25 : 0.6;
          values[h] = Math.round((shape * scale * season + (seed % 1000) / 2000) * 1000) / 1000;
        }
        writer.put({ seriesId: s, day, start, seconds: 3600, values: values.subarray(0, n) });
        readings += n;
      }
    }
  });
  for (let k = 0; k < seriesIds.length; k += 200) put(k, Math.min(k + 200, seriesIds.length));
  db.pragma('optimize');
  ws.close();
  return { seconds: (performance.now() - t0) / 1000, readings };
}

interface Run {
  dataset: string;
  params: Record<string, string>;
  path: string;
  wall_seconds: number;
  cpu_seconds: number;
  rows: number;
  suppressed_cells: number;
  readings_scanned: number;
  readings_per_second: number;
  csv_mb: number;
  max_rss_mb: number;
}

async function child(wsFile: string, dataset: string, paramsJson: string, out: string) {
  const params = JSON.parse(paramsJson) as Record<string, string>;
  const ws = Workspace.open(wsFile);
  const readings = ws.db
    .prepare(
      "SELECT coalesce(sum(m.readings), 0) FROM interval_month m JOIN series s ON s.id = m.series_id JOIN usage_point u ON u.id = s.usage_point_id WHERE u.commodity = 'electricity'",
    )
    .pluck()
    .get() as number;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await exportDataset(ws, { name: dataset, params, out }, { role: 'analyst' });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  ws.close();
  const result: Run = {
    dataset,
    params,
    path: 'exportDataset (edw dataset … --out f.csv): rows → privacy → CSV + sidecar + run record',
    wall_seconds: +wall.toFixed(2),
    cpu_seconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    rows: r.rowCount,
    suppressed_cells: r.suppressedCells,
    readings_scanned: readings,
    readings_per_second: Math.round(readings / wall),
    csv_mb: +(fs.statSync(out).size / 1e6).toFixed(1),
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  fs.rmSync(out, { force: true });
  fs.rmSync(`${out}.json`, { force: true });
  console.log(JSON.stringify(result));
}

function runChild(ws: string, dataset: string, params: Record<string, string>, out: string): Run {
  const r = spawnSync(
    process.execPath,
    [__filename, '--child', ws, dataset, JSON.stringify(params), out],
    { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`${dataset} child failed (${r.status}): ${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Run;
}

function main(): void {
  const ups = Number(process.env.BENCH_DS_UPS ?? 10_000);
  const days = Number(process.env.BENCH_DS_DAYS ?? 365);
  const levels = (
    process.env.BENCH_DS_LEVELS ?? 'rate_class_monthly,rate_class_daily,monthly,daily'
  )
    .split(',')
    .filter(Boolean);
  const dir = process.env.BENCH_DS_DIR ?? path.join(os.tmpdir(), 'edw-bench-datasets');
  fs.mkdirSync(dir, { recursive: true });
  const wsFile = path.join(dir, `ws-${ups}x${days}.edw`);
  const done = `${wsFile}.done`;
  const loadBefore = +(os.loadavg()[0] ?? 0).toFixed(2);
  try {
    let built: { seconds: number; readings: number } | { reused: true };
    if (fs.existsSync(done) && fs.existsSync(wsFile)) built = { reused: true };
    else {
      for (const f of [wsFile, `${wsFile}-wal`, `${wsFile}-shm`]) fs.rmSync(f, { force: true });
      built = build(wsFile, ups, days);
      fs.writeFileSync(done, '');
    }
    const out = path.join(dir, 'out.csv');
    const runs: Run[] = [];
    for (const level of levels) runs.push(runChild(wsFile, 'core-03-demand', { level }, out));
    runs.push(runChild(wsFile, 't-04-community', {}, out));
    console.log(
      JSON.stringify({
        bench: 'datasets',
        cpus: os.cpus().length,
        load_average_1m: [loadBefore, +(os.loadavg()[0] ?? 0).toFixed(2)],
        usage_points: ups,
        days,
        workspace_mb: +(fs.statSync(wsFile).size / 1e6).toFixed(0),
        build: 'seconds' in built ? { ...built, seconds: +built.seconds.toFixed(1) } : built,
        goal_seconds: 5,
        runs,
      }),
    );
  } finally {
    if (!process.env.BENCH_KEEP) {
      for (const f of [wsFile, `${wsFile}-wal`, `${wsFile}-shm`, done])
        fs.rmSync(f, { force: true });
    } else console.error(`kept ${wsFile}`);
  }
}

if (process.argv[2] === '--child') {
  const [wsFile, dataset, params, out] = process.argv.slice(3) as [string, string, string, string];
  void child(wsFile, dataset, params, out).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  try {
    main();
  } catch (e) {
    console.error(e);
    process.exit(1);
  }
}
