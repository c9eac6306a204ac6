/**
 * Premise matching: which premise records, written by different organizations, describe the same
 * building or unit. Pure and synchronous: no I/O, no Node imports.
 *
 * Pipeline: normalise every address (address.ts) → learn route aliases from the data → block
 * (never all pairs) → score each candidate pair with explained features → decide auto_link /
 * review / non_match → union-find over auto_link pairs gives clusters. See docs/indexing.md.
 */
import { normalizeAddress, type NormalizedAddress } from './address';

export interface PremiseRecord {
  id: number;
  /** Organization that wrote the record; pairs are only formed across organizations. */
  org: string;
  line1: string;
  city?: string | null;
  state?: string | null;
  zip?: string | null;
  lat?: number | null;
  lon?: number | null;
}

export type Decision = 'auto_link' | 'review' | 'non_match';

export interface Reason {
  feature: string;
  /** What was compared, e.g. "PEMBROKE ~ PMEBROKE (jw 0.96)". */
  value: string;
  /** Contribution to the score (negative = evidence against). */
  weight: number;
}

export interface MatchPair {
  left: number;
  right: number;
  score: number;
  decision: Decision;
  reasons: Reason[];
}

export interface MatchOptions {
  /** Score at or above which a pair is linked automatically. */
  autoLink?: number;
  /** Score at or above which a pair goes to the review queue. */
  review?: number;
  /** Blocks larger than this are skipped (counted in stats.cappedBlocks). */
  maxBlockSize?: number;
}

export interface MatchStats {
  records: number;
  blocks: number;
  cappedBlocks: number;
  /** Distinct candidate pairs scored (same-organization pairs are never scored). */
  pairsScored: number;
  autoLinks: number;
  reviews: number;
  /** Learned aliases, "03275|ROUTE 3 → PEMBROKE". */
  aliases: string[];
}

export interface MatchResult {
  /** Every scored pair whose decision is not non_match, plus non_match pairs with score > 0. */
  pairs: MatchPair[];
  /** Connected components of auto_link pairs; singletons included, ids sorted. */
  clusters: number[][];
  stats: MatchStats;
}

export const AUTO_LINK_THRESHOLD = 0.8;
export const REVIEW_THRESHOLD = 0.55;
export const MAX_BLOCK_SIZE = 400;

/** Feature weights; the score is their sum clamped to 0..1. */
export const WEIGHTS = {
  houseNumber: 0.35,
  street: 0.3,
  streetMismatch: -0.3,
  alias: 0.25,
  suffixAgree: 0.05,
  suffixConflict: -0.15,
  directionalAgree: 0.03,
  directionalConflict: -0.15,
  unitAgree: 0.1,
  noUnits: 0.05,
  zipAgree: 0.1,
  zipConflict: -0.2,
  cityAgree: 0.05,
  cityConflict: -0.1,
  near: 0.1,
  close: 0.05,
  far: -0.3,
} as const;

interface Prepared {
  rec: PremiseRecord;
  addr: NormalizedAddress;
  number: string;
  /** Street name as written (typos kept), or the learned alias target. */
  name: string;
  /** True when `name` came from a learned route alias. */
  aliased: string;
  unit: string;
  zip: string;
  city: string;
}

const HIGHWAY_NAME = /^(?:ROUTE|HIGHWAY|US HIGHWAY|US ROUTE|STATE ROUTE|COUNTY ROAD) \d+[A-Z]?$/;

export function prepare(rec: PremiseRecord): Prepared {
  const addr = normalizeAddress({
    line1: rec.line1,
    city: rec.city ?? undefined,
    state: rec.state ?? undefined,
    zip: rec.zip ?? undefined,
  });
  let number = addr.houseNumber;
  let name = addr.streetName;
  if (addr.ruralRoute) {
    name = `RR ${addr.ruralRoute}`;
    number = addr.poBox;
  } else if (addr.poBox && !addr.streetName) {
    name = 'PO BOX';
    number = addr.poBox;
  }
  return {
    rec,
    addr,
    number,
    name,
    aliased: '',
    unit: addr.unitNumber || addr.unitType,
    zip: addr.zip5,
    city: addr.city,
  };
}

/**
 * Route aliases ("RTE 3" for "Pembroke St") are learned from the data, never from a table: for a
 * highway name in a ZIP (or town), the named street in the same place whose house numbers cover
 * at least 80 % of the highway's numbers (and at least 2 of them), with no runner-up above half
 * that coverage, is taken as the same road.
 */
function learnAliases(recs: Prepared[]): string[] {
  const hwy = new Map<string, Set<string>>();
  const named = new Map<string, Map<string, Set<string>>>();
  for (const p of recs) {
    const loc = p.zip || p.city;
    if (!loc || !p.number || !p.name) continue;
    if (HIGHWAY_NAME.test(p.name)) {
      const k = `${loc}|${p.name}`;
      let s = hwy.get(k);
      if (!s) hwy.set(k, (s = new Set()));
      s.add(p.number);
    } else {
      let byName = named.get(loc);
      if (!byName) named.set(loc, (byName = new Map()));
      let s = byName.get(p.name);
      if (!s) byName.set(p.name, (s = new Set()));
      s.add(p.number);
    }
  }
  const alias = new Map<string, string>();
  for (const [k, numbers] of hwy) {
    const loc = k.slice(0, k.indexOf('|'));
    let best = '';
    let bestN = 0;
    let secondN = 0;
    for (const [name, set] of named.get(loc) ?? []) {
      let n = 0;
      for (const x of numbers) if (set.has(x)) n++;
      if (n > bestN) {
        secondN = bestN;
        bestN = n;
        best = name;
      } else if (n > secondN) secondN = n;
    }
    if (bestN >= 2 && bestN >= 0.8 * numbers.size && secondN <= bestN / 2) alias.set(k, best);
  }
  for (const p of recs) {
    const target = alias.get(`${p.zip || p.city}|${p.name}`);
    if (target) {
      p.aliased = p.name;
      p.name = target;
    }
  }
  return [...alias].map(([k, v]) => `${k} → ${v}`).sort();
}

/** What the whole record set says, learned once before scoring. */
export interface MatchContext {
  /** City names (as normalised) → the ZIPs they were written with anywhere in the data. */
  zipsByCity: Map<string, Set<string>>;
}

function buildContext(recs: Prepared[]): MatchContext {
  const zipsByCity = new Map<string, Set<string>>();
  for (const p of recs) {
    if (!p.city || !p.zip) continue;
    let s = zipsByCity.get(p.city);
    if (!s) zipsByCity.set(p.city, (s = new Set()));
    s.add(p.zip);
  }
  return { zipsByCity };
}

/** A ZIP both city names were written with (a postal name and its town), or ''. */
function sharedZip(ctx: MatchContext, x: string, y: string): string {
  const zx = ctx.zipsByCity.get(x);
  const zy = ctx.zipsByCity.get(y);
  if (!zx || !zy) return '';
  for (const z of zx) if (zy.has(z)) return z;
  return '';
}

/** Block keys: (ZIP or town) + number + a street-name fragment, plus number + full name. */
function blockKeys(p: Prepared): string[] {
  if (!p.number || !p.name) return [];
  const compact = p.name.replace(/ /g, '');
  const frags = [
    `P${compact.slice(0, 3)}`,
    `S${compact.slice(-3)}`,
    `A${[...compact].sort().join('')}`,
  ];
  const keys = [`N|${p.number}|${compact}`];
  for (const loc of [p.zip && `Z${p.zip}`, p.city && `C${p.city}`]) {
    if (!loc) continue;
    for (const f of frags) keys.push(`${loc}|${p.number}|${f}`);
  }
  return keys;
}

export function matchPremises(records: PremiseRecord[], opts: MatchOptions = {}): MatchResult {
  const autoLink = opts.autoLink ?? AUTO_LINK_THRESHOLD;
  const reviewAt = opts.review ?? REVIEW_THRESHOLD;
  const maxBlock = opts.maxBlockSize ?? MAX_BLOCK_SIZE;
  const recs = records.map(prepare);
  const aliases = learnAliases(recs);
  const ctx = buildContext(recs);

  const blocks = new Map<string, number[]>();
  for (let i = 0; i < recs.length; i++) {
    for (const key of blockKeys(recs[i] as Prepared)) {
      let b = blocks.get(key);
      if (!b) blocks.set(key, (b = []));
      b.push(i);
    }
  }

  const seen = new Set<number>();
  const pairs: MatchPair[] = [];
  const n = recs.length;
  let cappedBlocks = 0;
  let pairsScored = 0;
  for (const members of blocks.values()) {
    if (members.length < 2) continue;
    if (members.length > maxBlock) {
      cappedBlocks++;
      continue;
    }
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const i = members[x] as number;
        const j = members[y] as number;
        const a = recs[i] as Prepared;
        const b = recs[j] as Prepared;
        if (a.rec.org === b.rec.org) continue;
        const key = i < j ? i * n + j : j * n + i;
        if (seen.has(key)) continue;
        seen.add(key);
        pairsScored++;
        const pair = scorePair(a, b, ctx, autoLink, reviewAt);
        if (pair.decision !== 'non_match' || pair.score > 0) pairs.push(pair);
      }
    }
  }

  const clusters = clusterPairs(
    records.map((r) => r.id),
    pairs,
  );
  return {
    pairs,
    clusters,
    stats: {
      records: n,
      blocks: blocks.size,
      cappedBlocks,
      pairsScored,
      autoLinks: pairs.filter((p) => p.decision === 'auto_link').length,
      reviews: pairs.filter((p) => p.decision === 'review').length,
      aliases,
    },
  };
}

/** Scores one pair. Exported for tests and for the review queue's "why" panel. */
export function scorePair(
  a: Prepared,
  b: Prepared,
  ctx: MatchContext = { zipsByCity: new Map() },
  autoLink = AUTO_LINK_THRESHOLD,
  reviewAt = REVIEW_THRESHOLD,
): MatchPair {
  const reasons: Reason[] = [];
  const add = (feature: string, value: string, weight: number): void => {
    reasons.push({ feature, value, weight });
  };
  const limit: { cap: Decision } = { cap: 'auto_link' };
  const lower = (d: Decision): void => {
    if (d === 'non_match' || (d === 'review' && limit.cap === 'auto_link')) limit.cap = d;
  };

  // House number: the strongest evidence, and a veto when both are present and differ.
  if (a.number && b.number) {
    if (a.number === b.number) add('house_number', a.number, WEIGHTS.houseNumber);
    else {
      add('house_number', `${a.number} ≠ ${b.number}`, -1);
      lower('non_match');
    }
  } else add('house_number', 'missing', 0);

  // Street name: token-aware Jaro-Winkler; numbered streets must agree on their numbers.
  if (a.name && b.name) {
    const sim = streetSimilarity(a.name, b.name);
    const shown = `${a.name} ~ ${b.name} (sim ${sim.toFixed(3)})`;
    if (a.name === b.name && (a.aliased || b.aliased)) {
      const via = [a.aliased, b.aliased].filter(Boolean).join(', ');
      add('street_alias', `${via} = ${a.name}`, WEIGHTS.alias);
    } else if (sim >= 0.7) add('street_name', shown, streetWeight(sim));
    else add('street_name', shown, WEIGHTS.streetMismatch);
  } else add('street_name', 'missing', 0);

  agree('suffix', a.addr.suffix, b.addr.suffix, WEIGHTS.suffixAgree, WEIGHTS.suffixConflict, add);
  const dirA = `${a.addr.predirectional}/${a.addr.postdirectional}`;
  const dirB = `${b.addr.predirectional}/${b.addr.postdirectional}`;
  if (dirA !== '/' && dirB !== '/') {
    if (dirA === dirB) add('directional', dirA, WEIGHTS.directionalAgree);
    else add('directional', `${dirA} ≠ ${dirB}`, WEIGHTS.directionalConflict);
  } else if (dirA !== dirB) add('directional', 'one side missing', 0);

  // Units: building-level vs unit-level premises.
  if (a.unit && b.unit) {
    if (a.unit === b.unit) add('unit', a.unit, WEIGHTS.unitAgree);
    else {
      add('unit', `${a.unit} ≠ ${b.unit}`, -1);
      lower('non_match');
    }
  } else if (a.unit || b.unit) {
    add('unit', `unit ${a.unit || b.unit} vs building`, 0);
    lower('review');
  } else add('unit', 'both building-level', WEIGHTS.noUnits);

  const zipAgrees = agree('zip', a.zip, b.zip, WEIGHTS.zipAgree, WEIGHTS.zipConflict, add);
  if (a.city && b.city) {
    if (a.city === b.city) add('city', a.city, WEIGHTS.cityAgree);
    // A postal name vs the town (Suncook / Pembroke): both written with one ZIP in the data.
    else if (sharedZip(ctx, a.city, b.city))
      add(
        'city',
        `${a.city} ~ ${b.city} (share ZIP ${sharedZip(ctx, a.city, b.city)})`,
        WEIGHTS.cityAgree,
      );
    // Same ZIP, different city — neutral.
    else if (zipAgrees) add('city', `${a.city} ≠ ${b.city} (same ZIP)`, 0);
    else add('city', `${a.city} ≠ ${b.city}`, WEIGHTS.cityConflict);
  }

  const d = distanceMeters(a.rec, b.rec);
  if (d !== undefined) {
    const shown = `${Math.round(d)} m`;
    if (d <= 50) add('distance', shown, WEIGHTS.near);
    else if (d <= 150) add('distance', shown, WEIGHTS.close);
    else if (d > 500) add('distance', shown, WEIGHTS.far);
    else add('distance', shown, 0);
  }

  const raw = reasons.reduce((s, r) => s + r.weight, 0);
  const { cap } = limit;
  const score = cap === 'non_match' ? 0 : round(Math.min(1, Math.max(0, raw)));
  let decision: Decision =
    score >= autoLink ? 'auto_link' : score >= reviewAt ? 'review' : 'non_match';
  if (cap === 'non_match') decision = 'non_match';
  else if (cap === 'review' && decision === 'auto_link') decision = 'review';
  const [left, right] = a.rec.id < b.rec.id ? [a.rec.id, b.rec.id] : [b.rec.id, a.rec.id];
  return { left, right, score, decision, reasons };
}

/**
 * 1.0 → full weight; a one-letter typo or transposition (sim ≥ 0.9) keeps most of it
 * (0.22–0.30); 0.7–0.9 tapers to 0; below 0.7 the names disagree (see scorePair).
 */
function streetWeight(sim: number): number {
  if (sim >= 1) return WEIGHTS.street;
  if (sim >= 0.9) return round(0.22 + 0.08 * ((sim - 0.9) / 0.1));
  return round(0.22 * ((sim - 0.7) / 0.2));
}

function agree(
  feature: string,
  x: string,
  y: string,
  plus: number,
  minus: number,
  add: (f: string, v: string, w: number) => void,
): boolean {
  if (!x || !y) {
    if (x || y) add(feature, 'missing on one side', 0);
    return false;
  }
  if (x === y) add(feature, x, plus);
  else add(feature, `${x} ≠ ${y}`, minus);
  return x === y;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Street-name similarity in 0..1: Jaro-Winkler over the whole name, scaled down when the names
 * have a different number of words ("PEMBROKE" vs "PEMBROKE HILL"), and 0 when they carry
 * different numbers ("3RD RANGE" vs "4TH RANGE", "ROUTE 3" vs "ROUTE 106").
 */
export function streetSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const numsA = a.match(/\d+/g)?.join(' ') ?? '';
  const numsB = b.match(/\d+/g)?.join(' ') ?? '';
  if (numsA !== numsB) return 0;
  const ta = a.split(' ').length;
  const tb = b.split(' ').length;
  return jaroWinkler(a, b) * (Math.min(ta, tb) / Math.max(ta, tb));
}

export function jaroWinkler(s: string, t: string): number {
  if (s === t) return 1;
  const ls = s.length;
  const lt = t.length;
  if (ls === 0 || lt === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(ls, lt) / 2) - 1);
  const sm = new Array<boolean>(ls).fill(false);
  const tm = new Array<boolean>(lt).fill(false);
  let matches = 0;
  for (let i = 0; i < ls; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lt - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (tm[j] || s[i] !== t[j]) continue;
      sm[i] = true;
      tm[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let k = 0;
  let half = 0;
  for (let i = 0; i < ls; i++) {
    if (!sm[i]) continue;
    while (!tm[k]) k++;
    if (s[i] !== t[k]) half++;
    k++;
  }
  const m = matches;
  const jaro = (m / ls + m / lt + (m - half / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < ls && prefix < lt && s[prefix] === t[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

function distanceMeters(a: PremiseRecord, b: PremiseRecord): number | undefined {
  if (a.lat == null || a.lon == null || b.lat == null || b.lon == null) return undefined;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

/** Union-find over auto_link pairs; every id appears in exactly one cluster. */
export function clusterPairs(ids: number[], pairs: MatchPair[]): number[][] {
  const parent = new Map<number, number>();
  for (const id of ids) parent.set(id, id);
  const find = (x: number): number => {
    let r = x;
    while ((parent.get(r) ?? r) !== r) r = parent.get(r) ?? r;
    while (x !== r) {
      const next = parent.get(x) ?? r;
      parent.set(x, r);
      x = next;
    }
    return r;
  };
  for (const p of pairs) {
    if (p.decision !== 'auto_link') continue;
    if (!parent.has(p.left)) parent.set(p.left, p.left);
    if (!parent.has(p.right)) parent.set(p.right, p.right);
    const a = find(p.left);
    const b = find(p.right);
    if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
  }
  const groups = new Map<number, number[]>();
  for (const id of parent.keys()) {
    const r = find(id);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(id);
  }
  return [...groups.values()]
    .map((g) => g.sort((x, y) => x - y))
    .sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0));
}

export interface Evaluation {
  precision: number;
  recall: number;
  f1: number;
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
}

/**
 * Pairwise precision / recall over records in the same cluster. Accepts clusters (number[][]) or
 * pairs (only auto_link pairs count; they are clustered first, so transitive links are scored).
 * Only records present in `truth` are evaluated.
 */
export function evaluate(
  pairsOrClusters: MatchPair[] | number[][],
  truth: Map<number, string>,
): Evaluation {
  const clusters = isClusters(pairsOrClusters)
    ? pairsOrClusters
    : clusterPairs([...truth.keys()], pairsOrClusters);
  let predictedPairs = 0;
  let correctPairs = 0;
  for (const c of clusters) {
    const members = c.filter((id) => truth.has(id));
    const m = members.length;
    predictedPairs += (m * (m - 1)) / 2;
    const byKey = new Map<string, number>();
    for (const id of members) {
      const k = truth.get(id) as string;
      byKey.set(k, (byKey.get(k) ?? 0) + 1);
    }
    for (const k of byKey.values()) correctPairs += (k * (k - 1)) / 2;
  }
  const truthCounts = new Map<string, number>();
  for (const k of truth.values()) truthCounts.set(k, (truthCounts.get(k) ?? 0) + 1);
  let truePairs = 0;
  for (const k of truthCounts.values()) truePairs += (k * (k - 1)) / 2;
  const precision = predictedPairs === 0 ? 1 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePairs, predictedPairs, correctPairs };
}

function isClusters(x: MatchPair[] | number[][]): x is number[][] {
  return x.length === 0 || Array.isArray(x[0]);
}
