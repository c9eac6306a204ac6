// Benchmark: the premise indexer on a synthetic statewide population (fixtures/indexer):
// N real premises written by 3 utilities with realistic variation. Per size, one JSON line:
// normalisation and matching time, pairs scored (pairs per record must stay about flat: blocking
// is near-linear), decisions and pairwise P/R/F1 against the ground truth; then the full DB
// pipeline (runIndex) on a workspace filled with the same population.
// Sizes: BENCH_INDEX_SIZES="10000,30000,100000" (default). BENCH_INDEX_PIPELINE=0 skips runIndex.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { normalizeAddress } from '../core/indexer/address';
import { evaluate, matchPremises } from '../core/indexer/match';
import { runIndex } from '../core/indexer/run';
import { Workspace } from '../core/workspace/workspace';
import { generatePopulation, type Population } from '../fixtures/indexer/population';
import { writePopulation } from '../fixtures/indexer/write';

const TARGET_SECONDS_100K = 10;

function sizes(): number[] {
  const raw = process.env.BENCH_INDEX_SIZES ?? '10000,30000,100000';
  const out = raw.split(',').map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`BENCH_INDEX_SIZES must be positive integers, got "${raw}"`);
  return out;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Peak resident set of this process so far, MB (sizes run in ascending order). */
function peakRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024, 0);
}

function matcherRun(premises: number, pop: Population, generateMs: number): void {
  const t0 = performance.now();
  for (const r of pop.records)
    normalizeAddress({
      line1: r.line1,
      city: r.city ?? undefined,
      state: r.state,
      zip: r.zip ?? undefined,
    });
  const normaliseMs = performance.now() - t0;

  const c1 = cpuMs();
  const t1 = performance.now();
  const result = matchPremises(pop.records);
  const matchMs = performance.now() - t1;
  const matchCpuMs = cpuMs() - c1;
  const e = evaluate(result.clusters, pop.truth);
  const s = result.stats;
  console.log(
    JSON.stringify({
      bench: 'indexer-matcher',
      premises,
      real_premises: pop.premises,
      records: s.records,
      records_by_org: pop.recordsByOrg,
      towns: pop.towns,
      streets: pop.streets,
      generate_ms: round(generateMs, 0),
      normalise_ms: round(normaliseMs, 0),
      // matchPremises normalises again inside: match_ms is the whole matcher, normalising included.
      match_ms: round(matchMs, 0),
      match_cpu_ms: round(matchCpuMs, 0),
      records_per_second: Math.round(s.records / (matchMs / 1000)),
      blocks: s.blocks,
      capped_blocks: s.cappedBlocks,
      pairs_scored: s.pairsScored,
      pairs_per_record: round(s.pairsScored / s.records, 2),
      pairs_kept: result.pairs.length,
      auto_links: s.autoLinks,
      reviews: s.reviews,
      aliases: s.aliases.length,
      true_pairs: e.truePairs,
      predicted_pairs: e.predictedPairs,
      precision: round(e.precision, 4),
      recall: round(e.recall, 4),
      f1: round(e.f1, 4),
      peak_rss_mb: peakRssMb(),
      load_average_1m: round(os.loadavg()[0] ?? 0, 1),
    }),
  );
}

async function pipelineRun(premises: number, pop: Population): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edw-bench-index-'));
  const file = path.join(dir, 'index.edw');
  try {
    const ws = Workspace.create(file);
    let written;
    try {
      written = writePopulation(ws.db, pop);
      const c0 = cpuMs();
      const t0 = performance.now();
      const r = await runIndex(ws);
      const seconds = (performance.now() - t0) / 1000;
      const cpuSeconds = (cpuMs() - c0) / 1000;
      console.log(
        JSON.stringify({
          bench: 'indexer-pipeline',
          premises,
          records: pop.records.length,
          write_seconds: round(written.seconds, 2),
          index_seconds: round(seconds, 2),
          index_cpu_seconds: round(cpuSeconds, 2),
          target_seconds: premises >= 100_000 ? TARGET_SECONDS_100K : null,
          pairs_scored: r.pairsScored,
          auto_links: r.autoLinks,
          review_queue: r.reviewQueue,
          building_relations: r.buildingRelations,
          precision: r.evaluation ? round(r.evaluation.precision, 4) : null,
          recall: r.evaluation ? round(r.evaluation.recall, 4) : null,
          f1: r.evaluation ? round(r.evaluation.f1, 4) : null,
          file_mb: round(fs.statSync(file).size / 1e6, 1),
          peak_rss_mb: peakRssMb(),
          load_average_1m: round(os.loadavg()[0] ?? 0, 1),
        }),
      );
    } finally {
      ws.close();
    }
  } catch (e) {
    console.log(
      JSON.stringify({
        bench: 'indexer-pipeline',
        premises,
        error: e instanceof Error ? e.message : String(e),
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const pipeline = process.env.BENCH_INDEX_PIPELINE !== '0';
  for (const premises of sizes().sort((a, b) => a - b)) {
    const t0 = performance.now();
    const pop = generatePopulation({ premises });
    const generateMs = performance.now() - t0;
    matcherRun(premises, pop, generateMs);
    if (pipeline) await pipelineRun(premises, pop);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
