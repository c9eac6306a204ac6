// Benchmark: premise search latency on a large workspace (issue 9: < 100 ms on 100,000 premises).
// Builds a workspace from the indexer benchmark's population (3 utilities writing the same
// premises differently), runs the indexer (which builds the search index), then searches with
// queries written the way a person types them: another utility's form of the address, lower
// case, some with a typo, some cut off while typing. Prints one JSON object.
// Environment: BENCH_SEARCH_PREMISES (default 100000), BENCH_SEARCH_QUERIES (default 500),
// BENCH_KEEP=1 keeps the temp directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generatePopulation } from '../fixtures/indexer/population';
import { writePopulation } from '../fixtures/indexer/write';
import { runIndex } from '../core/indexer/run';
import { searchPremises } from '../core/search/query';
import { Workspace } from '../core/workspace/workspace';

const premises = Number(process.env.BENCH_SEARCH_PREMISES ?? 100_000);
const queries = Number(process.env.BENCH_SEARCH_QUERIES ?? 500);

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Swaps two adjacent letters of the longest word (a typical typing slip). */
function typo(line: string): string {
  const words = line.split(' ');
  let at = 0;
  words.forEach((w, i) => {
    if (/^[a-z]+$/i.test(w) && w.length > (words[at] ?? '').length) at = i;
  });
  const w = words[at] ?? '';
  if (w.length < 5) return line;
  const i = Math.floor(w.length / 2);
  words[at] = w.slice(0, i - 1) + w[i] + w[i - 1] + w.slice(i + 1);
  return words.join(' ');
}

const pct = (xs: number[], p: number): number =>
  xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edw-bench-search-'));
  const ws = Workspace.create(path.join(dir, 'search.edw'));
  try {
    const pop = generatePopulation({ premises, seed: 11 });
    writePopulation(ws.db, pop);
    const t0 = performance.now();
    const index = await runIndex(ws);
    const indexSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    ws.db.exec('BEGIN');
    const { rebuildSearch } = await import('../core/search/build');
    rebuildSearch(ws.db);
    ws.db.exec('COMMIT');
    const buildSeconds = (performance.now() - t1) / 1000;

    const platformOf = new Map<number, string>();
    for (const r of ws.db
      .prepare(
        "SELECT source_id, platform_id FROM platform_link WHERE kind = 'PremiseID' AND source_table = 'premise'",
      )
      .iterate() as IterableIterator<{ source_id: number; platform_id: string }>) {
      platformOf.set(r.source_id, r.platform_id);
    }
    const random = rng(7);
    const times: number[] = [];
    let top1 = 0;
    let top5 = 0;
    const kinds = { exact: 0, typo: 0, typing: 0 };
    for (let q = 0; q < queries; q++) {
      const rec = pop.records[Math.floor(random() * pop.records.length)]!;
      const roll = random();
      let text = `${rec.line1} ${rec.city ?? ''}`.toLowerCase().trim();
      if (roll < 0.2) {
        text = typo(text);
        kinds.typo++;
      } else if (roll < 0.4) {
        text = rec.line1.toLowerCase().slice(0, Math.max(6, Math.ceil(rec.line1.length * 0.7)));
        kinds.typing++;
      } else kinds.exact++;
      const s = performance.now();
      const r = searchPremises(ws.db, { query: text, role: 'analyst', limit: 10 });
      times.push(performance.now() - s);
      const want = platformOf.get(rec.id);
      const rank = r.hits.findIndex((h) => h.platformId === want);
      if (rank === 0) top1++;
      if (rank >= 0 && rank < 5) top5++;
    }
    times.sort((a, b) => a - b);
    const round = (x: number): number => Math.round(x * 100) / 100;
    console.log(
      JSON.stringify(
        {
          bench: 'search',
          premises: pop.premises,
          records: pop.records.length,
          index_seconds: round(indexSeconds),
          index_run_seconds: index.seconds,
          search_index_build_seconds: round(buildSeconds),
          queries,
          query_kinds: kinds,
          latency_ms: {
            mean: round(times.reduce((a, b) => a + b, 0) / times.length),
            p50: round(pct(times, 50)),
            p95: round(pct(times, 95)),
            max: round(times.at(-1) ?? 0),
          },
          target_ms: 100,
          top1_rate: round(top1 / queries),
          top5_rate: round(top5 / queries),
        },
        null,
        2,
      ),
    );
  } finally {
    ws.close();
    if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
