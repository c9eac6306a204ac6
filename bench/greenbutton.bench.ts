// Benchmark: Green Button (ESPI) export — readings written per second and peak RSS for
//   (a) one usage point with 10 years of 15-minute data (350 k readings), and
//   (b) 1 000 usage points × 1 year of hourly data (8.76 M readings) in one bulk feed.
// The data is generated into a temp workspace with core/metering's BlockWriter; each export
// runs in a child process (this file with --child) so its peak RSS is its own, and samples its
// RSS during the export to show it does not grow with the output. Prints one JSON object.
// Environment:
//   BENCH_GB_YEARS  years of 15-minute data for (a) (default 10)
//   BENCH_GB_UPS    usage points for (b) (default 1000)
//   BENCH_GB_DAYS   days of hourly data per usage point for (b) (default 365)
//   BENCH_GB_SCALE  factor shrinking (a)'s years and (b)'s usage points for a quick run (e.g. 0.05)
//   BENCH_KEEP=1    keep the temp directory
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportGreenButton } from '../core/greenbutton/export';
import { BlockWriter, ensureSeries } from '../core/metering/intervals';
import { dayNumber, localDay } from '../core/time/zone';
import { Workspace } from '../core/workspace/workspace';

const ZONE = 'America/New_York';
const scale = Number(process.env.BENCH_GB_SCALE ?? 1);
const YEARS = Math.max(1, Math.round(Number(process.env.BENCH_GB_YEARS ?? 10) * scale));
const UPS = Math.max(1, Math.round(Number(process.env.BENCH_GB_UPS ?? 1000) * scale));
const DAYS = Math.max(1, Number(process.env.BENCH_GB_DAYS ?? 365));

interface ChildResult {
  seconds: number;
  readings: number;
  blocks: number;
  bytes: number;
  readings_per_second: number;
  mb_per_second: number;
  max_rss_mb: number;
  rss_mb_at_10_percent: number;
  rss_mb_at_end: number;
}

const upKey = (i: number) => `SDP${String(1_000_000 + i)}`;

/** `ups` usage points, each with `days` days of `seconds`-interval kWh (3 decimals) from 2015-01-01. */
function generate(file: string, ups: number, days: number, seconds: number): number {
  const ws = Workspace.create(file);
  const db = ws.db;
  db.prepare(
    "INSERT INTO organization (id, code, name, kind, jurisdiction_code, regulated, time_zone) VALUES (1, 'UES', 'Unitil Energy Systems', 'utility', 'NH', 1, ?)",
  ).run(ZONE);
  const rt = (
    db
      .prepare(
        "SELECT id FROM reading_type WHERE commodity = 'electricity' AND unit = 'kWh' AND flow_direction = 'forward' AND interval_seconds = ? AND accumulation = 'delta'",
      )
      .get(seconds) as { id: number }
  ).id;
  const up = db.prepare(
    "INSERT INTO usage_point (org_id, source_key, commodity) VALUES (1, ?, 'electricity')",
  );
  const w = new BlockWriter(db);
  const day0 = dayNumber(2015, 1, 1);
  let seed = 12345;
  let readings = 0;
  const values: number[] = [];
  const quality: number[] = [];
  for (let u = 0; u < ups; u++) {
    db.transaction(() => {
      const id = Number(up.run(upKey(u)).lastInsertRowid);
      const sid = ensureSeries(db, { usagePointId: id, readingTypeId: rt });
      const level = 0.3 + (u % 17) / 10;
      for (let d = 0; d < days; d++) {
        const day = day0 + d;
        const ld = localDay(day, ZONE);
        const n = ld.seconds / seconds;
        values.length = 0;
        quality.length = 0;
        for (let i = 0; i < n; i++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          const hod = Math.floor((i * seconds) / 3600) % 24;
          const shape = hod < 6 ? 0.35 : hod < 17 ? 0.7 : hod < 22 ? 1.25 : 0.6;
          values.push(Math.round(((shape * level * seconds) / 3600) * 1000 + (seed % 500)) / 1000);
          quality.push(seed % 997 === 0 ? 1 : 0);
        }
        w.put({ seriesId: sid, day, start: ld.start, seconds, values, quality });
        readings += n;
      }
    })();
  }
  ws.close();
  return readings;
}

function exportInChild(ws: string, out: string, ups: number): ChildResult {
  const r = spawnSync(process.execPath, [__filename, '--child', ws, out, String(ups)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`export child failed (${r.status}): ${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as ChildResult;
}

async function child(wsFile: string, out: string, ups: number): Promise<void> {
  const ws = Workspace.open(wsFile);
  const keys = Array.from({ length: ups }, (_, i) => upKey(i));
  let rss10 = 0;
  const t0 = performance.now();
  const r = await exportGreenButton(
    ws,
    { usagePoints: keys, espi: '3.3', out },
    {
      role: 'analyst',
      progress: (p) => {
        if (!rss10 && p.total && p.done >= p.total / 10) rss10 = process.memoryUsage().rss;
      },
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const rssEnd = process.memoryUsage().rss;
  ws.close();
  const result: ChildResult = {
    seconds: Math.round(seconds * 100) / 100,
    readings: r.readings,
    blocks: r.intervalBlocks,
    bytes: r.bytes,
    readings_per_second: Math.round(r.readings / seconds),
    mb_per_second: Math.round(r.bytes / 1e6 / seconds),
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    rss_mb_at_10_percent: Math.round(rss10 / 1048576),
    rss_mb_at_end: Math.round(rssEnd / 1048576),
  };
  console.log(JSON.stringify(result));
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edw-gb-bench-'));
  try {
    const aDays = Math.round(YEARS * 365.25);
    let t = performance.now();
    const aFile = path.join(dir, 'a.edw');
    const aReadings = generate(aFile, 1, aDays, 900);
    const aGen = (performance.now() - t) / 1000;
    const a = exportInChild(aFile, path.join(dir, 'a.xml'), 1);
    fs.rmSync(path.join(dir, 'a.xml'));

    t = performance.now();
    const bFile = path.join(dir, 'b.edw');
    const bReadings = generate(bFile, UPS, DAYS, 3600);
    const bGen = (performance.now() - t) / 1000;
    const b = exportInChild(bFile, path.join(dir, 'b.xml'), UPS);
    console.log(
      JSON.stringify({
        bench: 'greenbutton-export',
        goal_readings_per_second: 500_000,
        a_one_usage_point_15min: {
          years: YEARS,
          stored_readings: aReadings,
          generate_seconds: Math.round(aGen * 10) / 10,
          ...a,
        },
        b_bulk_hourly: {
          usage_points: UPS,
          days: DAYS,
          stored_readings: bReadings,
          generate_seconds: Math.round(bGen * 10) / 10,
          ...b,
        },
      }),
    );
  } finally {
    if (process.env.BENCH_KEEP === '1') console.error(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child')
  void child(process.argv[3] as string, process.argv[4] as string, Number(process.argv[5]));
else void main();
