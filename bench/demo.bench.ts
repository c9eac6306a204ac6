// Benchmark: demo generation, workspace open → first overview query, and interval storage
// density. Prints one JSON object. Scale with BENCH_PREMISES / BENCH_DAYS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorkspaceFile } from '../core/workspace/create';
import { Workspace } from '../core/workspace/workspace';
import { getOverview } from '../core/overview/overview';
import { LATEST_VERSION } from '../core/workspace/migrations';

async function main(): Promise<void> {
  const premises = Number(process.env.BENCH_PREMISES ?? 1500);
  const days = Number(process.env.BENCH_DAYS ?? 365);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edw-bench-'));
  const file = path.join(dir, 'bench.edw');

  const t0 = performance.now();
  const created = await createWorkspaceFile(file, { demo: true, scale: { premises, days } });
  const generateSeconds = (performance.now() - t0) / 1000;
  created.workspace.close();

  const t1 = performance.now();
  const ws = Workspace.open(file);
  const openMs = performance.now() - t1;
  const t2 = performance.now();
  const overview = getOverview(ws, {
    open: true,
    path: file,
    name: 'bench.edw',
    version: LATEST_VERSION,
    latestVersion: LATEST_VERSION,
    createdAt: null,
    demo: true,
  });
  const firstOverviewMs = performance.now() - t2;
  const t3 = performance.now();
  getOverview(ws, overview.workspace);
  const warmOverviewMs = performance.now() - t3;

  const readings = overview.coverage.reduce((s, c) => s + c.readings, 0);
  const hourly = ws.db
    .prepare(
      `SELECT sum(b.count) AS readings,
              sum(length(b.vals) + ifnull(length(b.quality), 0)) AS blob_bytes
       FROM interval_block b JOIN series s ON s.id = b.series_id
       JOIN reading_type rt ON rt.id = s.reading_type_id WHERE rt.interval_seconds = 3600`,
    )
    .get() as { readings: number; blob_bytes: number };
  // On-disk bytes of the interval_block table itself (its b-tree pages), via dbstat if present.
  let tableBytes: number | null;
  try {
    tableBytes = (
      ws.db.prepare("SELECT sum(pgsize) AS n FROM dbstat WHERE name = 'interval_block'").get() as {
        n: number;
      }
    ).n;
  } catch {
    tableBytes = null; // SQLite built without the dbstat virtual table
  }
  ws.close();
  const fileBytes = fs.statSync(file).size;
  fs.rmSync(dir, { recursive: true, force: true });

  console.log(
    JSON.stringify({
      bench: 'demo',
      premises,
      days,
      generate_seconds: +generateSeconds.toFixed(2),
      readings,
      readings_per_second: Math.round(readings / generateSeconds),
      open_ms: +openMs.toFixed(1),
      first_overview_ms: +firstOverviewMs.toFixed(1),
      warm_overview_ms: +warmOverviewMs.toFixed(1),
      file_mb: +(fileBytes / 1e6).toFixed(1),
      hourly_blob_bytes_per_reading: +(hourly.blob_bytes / hourly.readings).toFixed(2),
      interval_table_bytes_per_reading:
        tableBytes === null ? null : +(tableBytes / readings).toFixed(2),
      target_bytes_per_hourly_reading: 6,
    }),
  );
}

void main();
