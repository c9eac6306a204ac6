/**
 * Premise search: one box for any address form, account, meter, usage point, platform ID or (role
 * permitting) customer name, typo-tolerant, ranked. See docs/search.md.
 *
 * A query is split into tokens; each token may match as written, as its USPS Publication 28
 * standard form (STREET → ST, NORTH → N, APARTMENT → APT, FIRST → 1ST) or, when it is a word the
 * index does not know, as the known words within one edit (two for long words). Every token must
 * match (AND) somewhere in one premise record; the last token also matches as a prefix (results
 * while typing). When nothing matches all tokens, records matching most of them are returned and
 * the result says it is partial. Hits are ranked by FTS5 bm25 (address words weigh most) and
 * grouped by platform PremiseID, so one real premise is one result.
 */
import type { Database } from 'better-sqlite3';
import { EdwError } from '../workspace/errors';
import { access, type Role } from '../privacy/roles';
import { ConsentChecker } from '../privacy/consent';
import { normalizeAddress } from '../indexer/address';
import { DIRECTIONALS, ORDINAL_WORDS, STREET_SUFFIXES, UNIT_DESIGNATORS } from '../indexer/usps';
import type { SearchHit, SearchResult } from './schema';

export interface SearchOptions {
  query: string;
  limit?: number;
  role: Role;
  now?: Date;
}

const MAX_TOKENS = 12;
const MAX_CANDIDATES = 400;

interface Vocab {
  stamp: string;
  /** Alphabetic words of the address column, lower case, with document counts. */
  words: Map<string, number>;
}
const vocabs = new WeakMap<Database, Vocab>();

function vocabulary(db: Database): Vocab {
  const stamp =
    (db.prepare("SELECT value FROM app_meta WHERE key = 'search_built_at'").pluck().get() as
      string | undefined) ?? '';
  const cached = vocabs.get(db);
  if (cached && cached.stamp === stamp) return cached;
  const words = new Map<string, number>();
  for (const r of db
    .prepare(
      "SELECT term, doc FROM premise_search_terms WHERE col = 'address' AND term GLOB '[a-z]*' AND term NOT GLOB '*[0-9]*'",
    )
    .iterate() as IterableIterator<{ term: string; doc: number }>) {
    words.set(r.term, r.doc);
  }
  const v = { stamp, words };
  vocabs.set(db, v);
  return v;
}

/** Tokens as FTS5's unicode61 tokenizer sees them (diacritics removed, case folded). */
export function queryTokens(q: string): string[] {
  return (
    q
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .match(/[a-z0-9]+/g) ?? []
  ).slice(0, MAX_TOKENS);
}

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent swaps), capped. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(n + 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (prev2[j - 2] as number) + 1);
      }
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[n] as number;
}

/** Known words within one edit (two for words of eight letters or more), most frequent first. */
export function corrections(word: string, words: ReadonlyMap<string, number>, limit = 4): string[] {
  if (word.length < 4 || /[0-9]/.test(word) || words.has(word)) return [];
  const max = word.length >= 8 ? 2 : 1;
  const found: [string, number, number][] = [];
  for (const [w, n] of words) {
    const d = editDistance(word, w, max);
    if (d <= max) found.push([w, d, n]);
  }
  return found
    .sort((x, y) => x[1] - y[1] || y[2] - x[2] || x[0].localeCompare(y[0]))
    .slice(0, limit)
    .map((f) => f[0]);
}

/** The USPS standard form of a word, when it has one different from itself. */
function standardForm(word: string): string | null {
  const up = word.toUpperCase();
  for (const table of [STREET_SUFFIXES, DIRECTIONALS, UNIT_DESIGNATORS, ORDINAL_WORDS]) {
    const s = table.get(up);
    if (s && s !== up) return s.toLowerCase();
  }
  return null;
}

interface TokenPlan {
  token: string;
  alternatives: string[];
  prefix: boolean;
  corrected: string[];
}

function plan(tokens: string[], words: ReadonlyMap<string, number>, typing: boolean): TokenPlan[] {
  return tokens.map((token, i) => {
    const alts = new Set([token]);
    const std = standardForm(token);
    if (std) alts.add(std);
    const fixes = std ? [] : corrections(token, words);
    for (const f of fixes) alts.add(f);
    return {
      token,
      alternatives: [...alts],
      prefix: typing && i === tokens.length - 1,
      corrected: fixes,
    };
  });
}

const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

function ftsExpression(plans: TokenPlan[], columns: string[], join: 'AND' | 'OR'): string {
  const parts = plans.map((p) => {
    // The exact word is listed as well as the prefix, so "1602" ranks above "16024".
    const alts = p.alternatives.map(quote);
    if (p.prefix) alts.push(`${quote(p.token)}*`);
    return alts.length === 1 ? (alts[0] as string) : `(${alts.join(' OR ')})`;
  });
  return `{${columns.join(' ')}} : (${parts.join(` ${join} `)})`;
}

interface Row {
  premise_id: number;
  rank: number;
  platform_id: string | null;
  /** 1 when the record's service address has a unit (apartment, suite …). */
  has_unit: number;
}

/**
 * bm25 added to a unit record when the query names no unit: "46 Tuttle Ln" means the building
 * first, its units after. Larger than the bm25 spread between equally good address matches,
 * smaller than the gap to a record that misses a word.
 */
const UNIT_PENALTY = 2;

function runFts(db: Database, expr: string): Row[] {
  return db
    .prepare(
      `SELECT s.premise_id, bm25(premise_search, 0, 8.0, 4.0, 2.0) AS rank, l.platform_id,
              EXISTS (SELECT 1 FROM premise_address pa JOIN address a ON a.id = pa.address_id
                      WHERE pa.premise_id = s.premise_id AND pa.role = 'service'
                        AND (a.unit_type IS NOT NULL OR a.unit_number IS NOT NULL)) AS has_unit
       FROM premise_search s
       LEFT JOIN platform_link l ON l.kind = 'PremiseID' AND l.source_table = 'premise'
                                AND l.source_id = s.premise_id
       WHERE premise_search MATCH ? ORDER BY rank LIMIT ?`,
    )
    .all(expr, MAX_CANDIDATES) as Row[];
}

export function searchPremises(db: Database, o: SearchOptions): SearchResult {
  const started = performance.now();
  const limit = o.limit ?? 20;
  const pii = access(o.role, 'pii');
  if (access(o.role, 'customer_usage') === 'deny' && pii === 'deny') {
    throw new EdwError(
      'usage',
      `the ${o.role} role cannot look up individual premises (it sees aggregate data only)`,
    );
  }
  const tokens = queryTokens(o.query);
  if (tokens.length === 0) {
    return { query: o.query, hits: [], partial: false, corrections: [], ms: 0 };
  }
  const typing = /[a-z0-9]$/i.test(o.query);
  const plans = plan(tokens, vocabulary(db).words, typing);

  const base = ['address', 'ids'];
  let partial = false;
  const byId = tokens.length === 1 ? platformIdRows(db, o.query.trim()) : [];
  let rows = [...byId, ...runFts(db, ftsExpression(plans, base, 'AND'))];
  const known = new Set(rows.map((r) => r.premise_id));
  rows = rows.filter((r, i) => i < byId.length || !byId.some((b) => b.premise_id === r.premise_id));
  if (pii !== 'deny') {
    const consent = pii === 'consent' ? new ConsentChecker(db, o.now ?? new Date()) : null;
    const byName = runFts(db, ftsExpression(plans, [...base, 'names'], 'AND')).filter(
      (r) => !known.has(r.premise_id) && (!consent || namesConsented(db, consent, r.premise_id)),
    );
    rows = [...rows, ...byName].sort((a, b) => a.rank - b.rank);
  }
  if (rows.length === 0 && plans.length > 1) {
    partial = true;
    rows = runFts(db, ftsExpression(plans, base, 'OR'));
  }
  const q = normalizeAddress(o.query);
  if (!q.unitType && !q.unitNumber) {
    for (const r of rows) if (r.has_unit) r.rank += UNIT_PENALTY;
    rows.sort((a, b) => a.rank - b.rank);
  }

  const hits = group(db, rows, limit);
  return {
    query: o.query,
    hits,
    partial,
    corrections: plans
      .filter((p) => p.corrected.length > 0)
      .map((p) => ({ from: p.token, to: p.corrected })),
    ms: Math.round((performance.now() - started) * 10) / 10,
  };
}

/** Premise records a platform ID (of a kind tied to premises) names exactly; ranked first. */
const ID_KINDS: readonly [string, string][] = [
  ['PremiseID', 'SELECT ?'],
  ['UsagePointID', 'SELECT premise_id FROM usage_point WHERE id = ?'],
  [
    'AccountID',
    `SELECT up.premise_id FROM service_agreement sa JOIN usage_point up ON up.id = sa.usage_point_id
     WHERE sa.account_id = ?`,
  ],
  [
    'SensorID',
    `SELECT up.premise_id FROM meter_usage_point mu JOIN usage_point up ON up.id = mu.usage_point_id
     WHERE mu.meter_id = ?`,
  ],
  ['AddressID', 'SELECT premise_id FROM premise_address WHERE address_id = ?'],
];

function platformIdRows(db: Database, id: string): Row[] {
  const out: Row[] = [];
  const seen = new Set<number>();
  const sourcesOf = db
    .prepare('SELECT source_id FROM platform_link WHERE kind = ? AND platform_id = ?')
    .pluck();
  const premiseIdOf = db
    .prepare(
      `SELECT platform_id FROM platform_link
       WHERE kind = 'PremiseID' AND source_table = 'premise' AND source_id = ?`,
    )
    .pluck();
  for (const [kind, toPremise] of ID_KINDS) {
    const sources = sourcesOf.all(kind, id) as number[];
    if (sources.length === 0) continue;
    const resolve = db.prepare(toPremise).pluck();
    for (const source of sources) {
      for (const premise of resolve.all(source) as (number | null)[]) {
        if (premise === null || seen.has(premise)) continue;
        seen.add(premise);
        const link = premiseIdOf.get(premise) as string | undefined;
        out.push({ premise_id: premise, rank: -1e6, platform_id: link ?? null, has_unit: 0 });
      }
    }
  }
  return out;
}

/**
 * A premise may be found by name only when a customer there consented to the use of PII (for at
 * least one of their usage points at this premise, when the consent lists usage points).
 */
function namesConsented(db: Database, consent: ConsentChecker, premiseId: number): boolean {
  const subjects = db
    .prepare(
      `SELECT DISTINCT ac.customer_id AS customerId, up.id AS usagePointId FROM usage_point up
       JOIN service_agreement sa ON sa.usage_point_id = up.id
       JOIN account ac ON ac.id = sa.account_id
       WHERE up.premise_id = ? AND ac.customer_id IS NOT NULL`,
    )
    .all(premiseId) as { customerId: number; usagePointId: number }[];
  return subjects.some((s) => consent.coversSubject(s, 'pii'));
}

/** One hit per platform premise (or per record, when the indexer has not linked it yet). */
function group(db: Database, rows: Row[], limit: number): SearchHit[] {
  const members = db.prepare(
    `SELECT l.source_id AS id, o.code AS org FROM platform_link l
     JOIN premise p ON p.id = l.source_id JOIN organization o ON o.id = p.org_id
     WHERE l.kind = 'PremiseID' AND l.source_table = 'premise' AND l.platform_id = ?
     ORDER BY l.source_id`,
  );
  const single = db.prepare(
    'SELECT p.id, o.code AS org FROM premise p JOIN organization o ON o.id = p.org_id WHERE p.id = ?',
  );
  const address = db.prepare(
    `SELECT coalesce(a.normalized, a.raw) FROM premise_address pa JOIN address a ON a.id = pa.address_id
     WHERE pa.premise_id = ? ORDER BY pa.role = 'service' DESC, pa.valid_to IS NULL DESC, a.id DESC LIMIT 1`,
  );
  const seen = new Map<string, SearchHit>();
  for (const r of rows) {
    const key = r.platform_id ?? `#${r.premise_id}`;
    const hit = seen.get(key);
    if (hit) {
      if (!hit.matchedPremiseIds.includes(r.premise_id)) hit.matchedPremiseIds.push(r.premise_id);
      continue;
    }
    if (seen.size >= limit) continue;
    const recs = (r.platform_id ? members.all(r.platform_id) : [single.get(r.premise_id)]) as {
      id: number;
      org: string;
    }[];
    seen.set(key, {
      platformId: r.platform_id,
      premiseIds: recs.map((x) => x.id),
      matchedPremiseIds: [r.premise_id],
      orgs: [...new Set(recs.map((x) => x.org))].sort(),
      address: (address.pluck().get(r.premise_id) as string | undefined) ?? '',
      score: Math.round(-r.rank * 1000) / 1000,
    });
  }
  return [...seen.values()];
}
