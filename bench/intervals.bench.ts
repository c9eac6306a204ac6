// Benchmark: import of a long-format interval CSV (edw import intervals) against the sqlite3
// CLI's `.import --csv` of the same file into a plain table, bytes per reading on disk, peak
// RSS of the import, and the import time for 10 000 usage points × 8 760 hours.
// Prints one JSON object. Environment:
//   BENCH_ROWS      rows of the main file (default 5 000 000: ceil(rows / hours) usage points)
//   BENCH_HOURS     hours per usage point (default 8760, one year from 2019-01-01 local)
//   BENCH_BIG_UPS   usage points of the big run (default 10 000; 0 skips it)
//   BENCH_BIG       'auto' (default: full run if the main rate projects ≤ BENCH_BIG_LIMIT s,
//                   else BENCH_BIG_SAMPLE usage points and extrapolate), 'full', 'sample', 'off'
//   BENCH_BIG_LIMIT projected seconds above which 'auto' samples (default 180)
//   BENCH_BIG_SAMPLE usage points of the sample (default 1000)
//   BENCH_KEEP=1    keep the temp directory
// The import runs in a child process so its peak RSS is its own (process.resourceUsage).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { readByteCsv } from '../core/import/byteCsv';
import { runImport } from '../core/import/run';
import { Workspace } from '../core/workspace/workspace';

const ZONE = 'America/New_York';
const ORG = 'UES';

interface ChildResult {
  seconds: number;
  rows: number;
  accepted: number;
  rejected: number;
  readings: number;
  blocks: number;
  max_rss_mb: number;
  status: string;
}

/** Local ISO timestamps with offset of `hours` hours from 2019-01-01 00:00 local (New York). */
function hourStamps(hours: number): string[] {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    timeZoneName: 'longOffset',
  });
  const t0 = Date.UTC(2019, 0, 1, 5); // 2019-01-01T00:00-05:00
  const out: string[] = [];
  for (let h = 0; h < hours; h++) {
    const parts = Object.fromEntries(
      fmt.formatToParts(new Date(t0 + h * 3_600_000)).map((p) => [p.type, p.value]),
    ) as Record<string, string>;
    const off = (parts.timeZoneName ?? 'GMT-05:00').replace('GMT', '') || '+00:00';
    out.push(`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:00:00${off}`);
  }
  return out;
}

const upKey = (i: number) => `SDP${String(1_000_000 + i)}`;

/** Write the long-format CSV for `ups` usage points, streaming (bounded memory). */
async function writeCsv(
  file: string,
  ups: number,
  hours: number,
  maxRows = Infinity,
): Promise<number> {
  const stamps = hourStamps(hours);
  const out = fs.createWriteStream(file, { highWaterMark: 1 << 22 });
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write('usage_point,start,seconds,value,unit,quality\n');
  let seed = 12345;
  let rows = 0;
  let buf = '';
  for (let u = 0; u < ups && rows < maxRows; u++) {
    const key = upKey(u);
    const scale = 0.4 + (u % 17) / 10;
    for (let h = 0; h < hours && rows < maxRows; h++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const hod = h % 24;
      const shape = hod < 6 ? 0.35 : hod < 17 ? 0.7 : hod < 22 ? 1.25 : 0.6;
      const milli = Math.round((shape * scale + (seed % 1000) / 2000) * 1000);
      buf += `${key},${stamps[h]},3600,${Math.floor(milli / 1000)}.${String(milli % 1000).padStart(3, '0')},kWh,A\n`;
      rows++;
      if (buf.length > 1 << 20) {
        await write(buf);
        buf = '';
      }
    }
  }
  await write(buf);
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  return rows;
}

/** A workspace with the organization and `ups` usage points (direct inserts). */
function makeWorkspace(file: string, ups: number): void {
  const ws = Workspace.create(file);
  const db = ws.db;
  db.transaction(() => {
    const org = Number(
      db
        .prepare(
          "INSERT INTO organization (code, name, kind, jurisdiction_code, regulated, time_zone) VALUES (?, 'Unitil Energy Systems', 'utility', 'NH', 1, ?)",
        )
        .run(ORG, ZONE).lastInsertRowid,
    );
    const up = db.prepare(
      "INSERT INTO usage_point (org_id, source_key, commodity) VALUES (?, ?, 'electricity')",
    );
    for (let i = 0; i < ups; i++) up.run(org, upKey(i));
  })();
  ws.close();
}

/** Import in a child process (this file with --child) for a clean peak-RSS figure. */
function importInChild(ws: string, csv: string): ChildResult {
  const r = spawnSync(process.execPath, [__filename, '--child', ws, csv], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`import child failed (${r.status}): ${r.stdout}`);
  const last = r.stdout.trim().split('\n').pop() as string;
  return JSON.parse(last) as ChildResult;
}

async function child(wsFile: string, csv: string): Promise<void> {
  const ws = Workspace.open(wsFile);
  const t0 = performance.now();
  const r = await runImport(ws, { kind: 'intervals', files: [csv], org: ORG });
  const seconds = (performance.now() - t0) / 1000;
  const f = r.files[0];
  ws.close();
  const out: ChildResult = {
    seconds,
    rows: f?.rowsTotal ?? 0,
    accepted: f?.rowsAccepted ?? 0,
    rejected: f?.rowsRejected ?? 0,
    readings: f?.written.readings ?? 0,
    blocks: f?.written.interval_block ?? 0,
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    status: f?.status ?? 'none',
  };
  console.log(JSON.stringify(out));
}

function sqliteImport(csv: string, dir: string): { seconds: number; rows: number } | null {
  const bin = ['/usr/bin/sqlite3', '/usr/local/bin/sqlite3'].find((p) => fs.existsSync(p));
  if (!bin) return null;
  const db = path.join(dir, 'plain.db');
  fs.rmSync(db, { force: true });
  const t0 = performance.now();
  const r = spawnSync(bin, [db, `.import --csv ${csv} reading`], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sqlite3 .import failed: ${r.stderr}`);
  const n = spawnSync(bin, [db, 'SELECT count(*) FROM reading'], { encoding: 'utf8' });
  return { seconds, rows: Number(n.stdout.trim()) };
}

function storage(wsFile: string, readings: number): Record<string, number | null> {
  const ws = Workspace.open(wsFile);
  try {
    const pages = (name: string): number | null => {
      try {
        return (
          ws.db.prepare('SELECT sum(pgsize) AS n FROM dbstat WHERE name = ?').get(name) as {
            n: number;
          }
        ).n;
      } catch {
        return null;
      }
    };
    const block = pages('interval_block');
    const month = pages('interval_month');
    const blobs = ws.db
      .prepare(
        'SELECT sum(length(vals) + ifnull(length(quality), 0)) AS n, count(*) AS blocks FROM interval_block',
      )
      .get() as { n: number; blocks: number };
    return {
      bytes_per_reading: block === null ? null : +((block + (month ?? 0)) / readings).toFixed(2),
      blob_bytes_per_reading: +(blobs.n / readings).toFixed(2),
      blocks: blobs.blocks,
    };
  } finally {
    ws.close();
  }
}

async function timeScans(csv: string): Promise<{ byte_scan_s: number; papaparse_s: number }> {
  let t0 = performance.now();
  let rows = 0;
  await readByteCsv(csv, { fileName: csv, onHeader: () => {}, onRow: () => void rows++ });
  const byteScan = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    Papa.parse(
      fs.createReadStream(csv, { encoding: 'utf8', highWaterMark: 1 << 20 }) as unknown as File,
      {
        chunk: () => {},
        complete: () => resolve(),
        error: (e: Error) => reject(e),
      },
    );
  });
  return {
    byte_scan_s: +byteScan.toFixed(2),
    papaparse_s: +((performance.now() - t0) / 1000).toFixed(2),
  };
}

async function main(): Promise<void> {
  const rowsWanted = Number(process.env.BENCH_ROWS ?? 5_000_000);
  const hours = Number(process.env.BENCH_HOURS ?? 8760);
  const bigUps = Number(process.env.BENCH_BIG_UPS ?? 10_000);
  const bigMode = process.env.BENCH_BIG ?? 'auto';
  const bigLimit = Number(process.env.BENCH_BIG_LIMIT ?? 180);
  const bigSample = Number(process.env.BENCH_BIG_SAMPLE ?? 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edw-bench-intervals-'));
  const loadBefore = +os.loadavg()[0]!.toFixed(2);
  try {
    const ups = Math.ceil(rowsWanted / hours);
    const csv = path.join(dir, 'intervals.csv');
    let t0 = performance.now();
    const rows = await writeCsv(csv, ups, hours);
    const generateSeconds = (performance.now() - t0) / 1000;
    const csvBytes = fs.statSync(csv).size;

    const wsFile = path.join(dir, 'bench.edw');
    makeWorkspace(wsFile, ups);
    const edw = importInChild(wsFile, csv);
    if (edw.status !== 'committed' || edw.accepted !== rows)
      throw new Error(`edw import did not take every row: ${JSON.stringify(edw)}`);
    const disk = storage(wsFile, edw.readings);
    const sqlite = sqliteImport(csv, dir);
    const scans = await timeScans(csv);
    fs.rmSync(csv, { force: true });

    const edwRate = rows / edw.seconds;
    const sqliteRate = sqlite ? sqlite.rows / sqlite.seconds : null;

    // 10 000 usage points × 8 760 hours.
    let big: Record<string, unknown> = { skipped: true };
    if (bigUps > 0 && bigMode !== 'off') {
      const projected = (bigUps * hours) / edwRate;
      const full = bigMode === 'full' || (bigMode === 'auto' && projected <= bigLimit);
      const measuredUps = full ? bigUps : Math.min(bigSample, bigUps);
      const bigCsv = path.join(dir, 'big.csv');
      t0 = performance.now();
      const bigRows = await writeCsv(bigCsv, measuredUps, hours);
      const bigGen = (performance.now() - t0) / 1000;
      const bigWs = path.join(dir, 'big.edw');
      makeWorkspace(bigWs, measuredUps);
      const r = importInChild(bigWs, bigCsv);
      fs.rmSync(bigCsv, { force: true });
      const factor = (bigUps * hours) / bigRows;
      big = {
        usage_points: bigUps,
        hours,
        readings: bigUps * hours,
        measured_usage_points: measuredUps,
        measured_rows: bigRows,
        measured_import_seconds: +r.seconds.toFixed(1),
        measured_max_rss_mb: r.max_rss_mb,
        csv_generate_seconds: +bigGen.toFixed(1),
        import_seconds: +(r.seconds * factor).toFixed(1),
        extrapolated: !full,
        ...(full
          ? {}
          : {
              extrapolation: `projected ${projected.toFixed(0)} s from the main run exceeds ${bigLimit} s: measured ${measuredUps} usage points and scaled linearly ×${factor.toFixed(1)}`,
            }),
      };
    }

    console.log(
      JSON.stringify({
        bench: 'intervals',
        cpus: os.cpus().length,
        load_average_1m: [loadBefore, +os.loadavg()[0]!.toFixed(2)],
        rows,
        usage_points: ups,
        hours,
        csv_mb: +(csvBytes / 1e6).toFixed(1),
        csv_generate_seconds: +generateSeconds.toFixed(1),
        edw_import_seconds: +edw.seconds.toFixed(2),
        edw_rows_per_second: Math.round(edwRate),
        sqlite3_import_seconds: sqlite ? +sqlite.seconds.toFixed(2) : null,
        sqlite3_rows_per_second: sqliteRate === null ? null : Math.round(sqliteRate),
        sqlite3_note: sqlite ? undefined : 'sqlite3 CLI not found: comparison skipped',
        ratio_edw_over_sqlite3: sqliteRate === null ? null : +(edwRate / sqliteRate).toFixed(2),
        goal_ratio: 1.0,
        ...disk,
        goal_bytes_per_reading: 6,
        peak_rss_mb: edw.max_rss_mb,
        goal_peak_rss_mb: 400,
        csv_parse_only_seconds: scans,
        big,
      }),
    );
  } finally {
    if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
}

if (process.argv[2] === '--child') {
  void child(process.argv[3] as string, process.argv[4] as string).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  void main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
