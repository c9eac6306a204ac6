/**
 * The statewide indexer run (CORE-06): normalise every address, match premises across
 * organizations, apply reviewer decisions, and give every row of the thirteen kinds a stable
 * platform ID. One transaction: a cancelled or failed run changes nothing.
 */
import type { Database } from 'better-sqlite3';
import type { Progress } from '../api/definition';
import type { Workspace } from '../workspace/workspace';
import { CancelledError } from '../workspace/errors';
import type { NormalizedAddress } from './address';
import { normaliseAddressRows } from './addressRows';
import { evaluate, matchPremises, type MatchPair, type PremiseRecord } from './match';
import { assignPlatformIds, type AssignStats, type LinkMethod } from './platform';
import { relateUnitsToBuildings, type PlaceKey } from './buildings';
import { clusterWithConstraints, type Constraints } from './cluster';
import type { IndexResult, KindCounts, PlatformKind } from './schema';

export interface IndexOptions {
  progress?: (p: Progress) => void;
  signal?: AbortSignal;
  role?: string;
  /** Clock for created/linked times (tests pin it). */
  now?: () => number;
}

interface PremiseRow {
  id: number;
  org: string;
  address_id: number | null;
  line1: string | null;
  raw: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  latitude: number | null;
  longitude: number | null;
}

const IDENTITY_KINDS: readonly [PlatformKind, string][] = [
  ['UsagePointID', 'usage_point'],
  ['OrgID', 'organization'],
  ['SensorID', 'meter'],
  // Non-utility devices (sub-meters, thermostats …) are sensors too, in their own table.
  ['SensorID', 'sensor'],
  ['AccountID', 'account'],
  ['AssetID', 'asset'],
  ['InstanceID', 'series'],
  ['TimePeriodID', 'time_period'],
  ['ProgramID', 'program'],
  ['BlockDefinitionID', 'block_definition'],
  ['RateClassID', 'rate_class'],
];

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function runIndex(ws: Workspace, opts: IndexOptions = {}): Promise<IndexResult> {
  const db = ws.db;
  const started = performance.now();
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const at = now();
  const progress = opts.progress ?? (() => {});
  const check = async (): Promise<void> => {
    await tick();
    if (opts.signal?.aborted) throw new CancelledError('index run cancelled');
  };

  // One large transaction touches every address, link and ID page: a bigger page cache keeps
  // them in memory instead of spilling to the WAL mid-transaction (2-3x faster at 100k premises,
  // as in the demo generator); the caller's setting is restored.
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('cache_size = -262144');
  db.exec('BEGIN IMMEDIATE');
  try {
    const runId = Number(
      db.prepare('INSERT INTO index_run (started_at, params) VALUES (?, ?)').run(at, '{}')
        .lastInsertRowid,
    );

    progress({ phase: 'Normalising addresses', done: 0 });
    const addresses = normaliseAddresses(db);
    await check();

    progress({ phase: 'Matching premises', done: 0 });
    const premises = loadPremises(db);
    const records: PremiseRecord[] = premises.map((p) => ({
      id: p.id,
      org: p.org,
      line1: p.line1 ?? p.raw ?? '',
      city: p.city,
      state: p.state,
      zip: p.zip,
      lat: p.latitude,
      lon: p.longitude,
      address: p.address_id === null ? undefined : addresses.parsed.get(p.address_id),
    }));
    const match = matchPremises(records);
    const places = new Map<number, PlaceKey>();
    for (const p of premises) {
      const place = p.address_id === null ? undefined : addresses.places.get(p.address_id);
      if (place) places.set(p.id, place);
    }
    const buildingRelations = relateUnitsToBuildings(match.pairs, places);
    await check();

    progress({ phase: 'Applying review decisions', done: 0 });
    savePairs(db, match.pairs, runId);
    const constraints = loadConstraints(db);
    const clustering = clusterWithConstraints(
      premises.map((p) => p.id),
      match.pairs,
      constraints,
    );
    await check();

    progress({ phase: 'Assigning platform IDs', done: 0, total: 14, unit: 'tables' });
    const stats: AssignStats[] = [];
    const scoreOf = bestScores(match.pairs);
    stats.push(
      assignPlatformIds(db, {
        kind: 'PremiseID',
        table: 'premise',
        groups: clustering.clusters,
        runId,
        now: at,
        methodOf: (id): LinkMethod | undefined =>
          clustering.reviewed.has(id) ? 'review' : undefined,
        scoreOf: (id) => scoreOf.get(id) ?? null,
      }),
    );
    progress({ phase: 'Assigning platform IDs', done: 1, total: 14, unit: 'tables' });
    stats.push(
      assignPlatformIds(db, {
        kind: 'AddressID',
        table: 'address',
        groups: addresses.groups,
        runId,
        now: at,
      }),
    );
    stats.push(
      assignPlatformIds(db, {
        kind: 'PersonID',
        table: 'person',
        groups: personGroups(db),
        runId,
        now: at,
      }),
    );
    for (const [kind, table] of IDENTITY_KINDS) {
      await check();
      progress({ phase: 'Assigning platform IDs', done: stats.length, total: 14, unit: 'tables' });
      const ids = db.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[];
      stats.push(
        assignPlatformIds(db, { kind, table, groups: ids.map((id) => [id]), runId, now: at }),
      );
    }
    await check();

    progress({ phase: 'Evaluating', done: 0 });
    const truth = loadTruth(db);
    const evaluation =
      truth.size === 0 ? null : { ...evaluate(clustering.clusters, truth), records: truth.size };
    const reviewQueue = (
      db
        .prepare(
          `SELECT count(*) AS n FROM match_pair m WHERE m.status = 'review' AND NOT EXISTS (
             SELECT 1 FROM match_decision d
             WHERE d.left_premise_id = m.left_premise_id AND d.right_premise_id = m.right_premise_id)`,
        )
        .get() as { n: number }
    ).n;

    const result: IndexResult = {
      runId,
      seconds: 0,
      premises: premises.length,
      pairsScored: match.stats.pairsScored,
      autoLinks: match.stats.autoLinks,
      buildingRelations,
      reviewQueue,
      decisionsApplied: clustering.decisionsApplied,
      decisionConflicts: clustering.conflicts,
      kinds: mergeKinds(stats.map(toCounts)),
      evaluation,
    };
    result.seconds = Math.round(performance.now() - started) / 1000;
    db.prepare('UPDATE index_run SET finished_at = ?, metrics = ? WHERE id = ?').run(
      now(),
      JSON.stringify(result),
      runId,
    );
    ws.audit(opts.role ?? 'analyst', 'index', `run ${runId}`, {
      premises: result.premises,
      autoLinks: result.autoLinks,
      reviewQueue,
      decisionsApplied: result.decisionsApplied,
    });
    db.exec('COMMIT');
    progress({ phase: 'Done', done: 1, total: 1 });
    return result;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  } finally {
    db.pragma(`cache_size = ${cacheSize}`);
  }
}

/** One entry per kind (SensorID is assigned over two tables). */
function mergeKinds(counts: KindCounts[]): KindCounts[] {
  const out = new Map<string, KindCounts>();
  for (const c of counts) {
    const m = out.get(c.kind);
    if (!m) out.set(c.kind, { ...c });
    else {
      m.links += c.links;
      m.created += c.created;
      m.merged += c.merged;
      m.split += c.split;
      m.ids = c.ids; // live IDs of the kind, counted after its last table
    }
  }
  return [...out.values()];
}

function toCounts(s: AssignStats): KindCounts {
  return {
    kind: s.kind as PlatformKind,
    links: s.links,
    ids: s.ids,
    created: s.created,
    merged: s.merged,
    split: s.split,
  };
}

/** Every premise with its current service address (the latest when it has several). */
function loadPremises(db: Database): PremiseRow[] {
  const rows = db
    .prepare(
      `SELECT p.id, o.code AS org, pa.address_id, a.line1, a.raw, a.city, a.state, a.zip,
              coalesce(p.latitude, a.latitude) AS latitude, coalesce(p.longitude, a.longitude) AS longitude
       FROM premise p
       JOIN organization o ON o.id = p.org_id
       LEFT JOIN premise_address pa ON pa.premise_id = p.id AND pa.role = 'service'
       LEFT JOIN address a ON a.id = pa.address_id
       ORDER BY p.id, pa.valid_to IS NULL DESC, pa.valid_from DESC, a.id DESC`,
    )
    .all() as PremiseRow[];
  const out: PremiseRow[] = [];
  for (const r of rows) if (out.at(-1)?.id !== r.id) out.push(r);
  return out;
}

/**
 * Normalises every address row and groups rows that are the same postal address: same street
 * key, unit and ZIP (or the city's only ZIP when the ZIP is missing, else the city).
 */
function normaliseAddresses(db: Database): {
  groups: number[][];
  places: Map<number, PlaceKey>;
  parsed: Map<number, NormalizedAddress>;
} {
  const rows = normaliseAddressRows(db);
  const parsed = new Map(rows.map((r) => [r.id, r.address]));
  const zipOfCity = uniqueZipPerCity(rows.map((r) => r.address));
  const groups = new Map<string, number[]>();
  const places = new Map<number, PlaceKey>();
  for (const { id, address: n } of rows) {
    const locality = n.zip5 || zipOfCity.get(n.city) || n.city;
    const building = n.streetKey ? `${n.streetKey}|${locality}` : '';
    const unit = `${n.unitType} ${n.unitNumber}`.trim();
    places.set(id, { building, unit });
    const key = building ? `${building}|${unit}` : `#${id}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(id);
  }
  return { groups: [...groups.values()], places, parsed };
}

/** City → its ZIP, for cities written with exactly one ZIP anywhere in the data. */
function uniqueZipPerCity(parsed: readonly NormalizedAddress[]): Map<string, string> {
  const zips = new Map<string, Set<string>>();
  for (const n of parsed) {
    if (!n.city || !n.zip5) continue;
    let z = zips.get(n.city);
    if (!z) zips.set(n.city, (z = new Set()));
    z.add(n.zip5);
  }
  const out = new Map<string, string>();
  for (const [city, z] of zips) if (z.size === 1) out.set(city, [...z][0] as string);
  return out;
}

/**
 * People are the same person when their names agree (case, punctuation and spacing aside) and
 * they are customers at the same platform premise; otherwise each person row is its own.
 */
function personGroups(db: Database): number[][] {
  const rows = db
    .prepare(
      `SELECT pe.id, pe.name, min(l.platform_id) AS premise
       FROM person pe
       LEFT JOIN customer c ON c.person_id = pe.id
       LEFT JOIN account a ON a.customer_id = c.id
       LEFT JOIN service_agreement sa ON sa.account_id = a.id
       LEFT JOIN usage_point up ON up.id = sa.usage_point_id
       LEFT JOIN platform_link l ON l.kind = 'PremiseID' AND l.source_table = 'premise'
                                 AND l.source_id = up.premise_id
       GROUP BY pe.id ORDER BY pe.id`,
    )
    .all() as { id: number; name: string | null; premise: string | null }[];
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const name = (r.name ?? '')
      .toUpperCase()
      .replace(/[^A-Z0-9 ]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    const key = name && r.premise ? `${name}|${r.premise}` : `#${r.id}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r.id);
  }
  return [...groups.values()];
}

/** Matcher pairs of this run (auto links and review candidates), replacing the last run's. */
function savePairs(db: Database, pairs: MatchPair[], runId: number): void {
  db.prepare('DELETE FROM match_pair').run();
  const insert = db.prepare(
    `INSERT INTO match_pair (left_premise_id, right_premise_id, score, reasons, status, run_id)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  for (const p of pairs) {
    if (p.decision === 'non_match' && !p.reasons.some((r) => r.feature === 'building')) continue;
    const [l, r] = p.left < p.right ? [p.left, p.right] : [p.right, p.left];
    insert.run(l, r, p.score, JSON.stringify(p.reasons), p.decision, runId);
  }
}

function loadConstraints(db: Database): Constraints {
  const decisions = db
    .prepare('SELECT left_premise_id AS l, right_premise_id AS r, decision FROM match_decision')
    .all() as { l: number; r: number; decision: 'accept' | 'reject' | 'split' }[];
  const seeds = new Map<number, string>();
  for (const r of db
    .prepare(
      `SELECT source_id, platform_id FROM platform_link
       WHERE kind = 'PremiseID' AND source_table = 'premise' AND method = 'seed'`,
    )
    .iterate() as IterableIterator<{ source_id: number; platform_id: string }>) {
    seeds.set(r.source_id, r.platform_id);
  }
  return {
    mustLink: decisions.filter((d) => d.decision === 'accept').map((d) => [d.l, d.r]),
    cannotLink: decisions.filter((d) => d.decision !== 'accept').map((d) => [d.l, d.r]),
    label: seeds,
  };
}

function bestScores(pairs: MatchPair[]): Map<number, number> {
  const best = new Map<number, number>();
  for (const p of pairs) {
    if (p.decision !== 'auto_link') continue;
    for (const id of [p.left, p.right]) best.set(id, Math.max(best.get(id) ?? 0, p.score));
  }
  return best;
}

function loadTruth(db: Database): Map<number, string> {
  const truth = new Map<number, string>();
  for (const r of db
    .prepare('SELECT premise_id, truth_key FROM fixture_premise_truth')
    .iterate() as IterableIterator<{ premise_id: number; truth_key: string }>) {
    truth.set(r.premise_id, r.truth_key);
  }
  return truth;
}
