/**
 * Premise matching: which premise records, written by different organizations, describe the same
 * building or unit. Pure and synchronous: no I/O, no Node imports.
 *
 * Pipeline: normalise every address (address.ts) → learn route aliases from the data → block
 * (never all pairs) → score each candidate pair with explained features → decide auto_link /
 * review / non_match → union-find over auto_link pairs gives clusters. See docs/indexing.md.
 */
import { normalizeAddress, type NormalizedAddress } from './address';
import { STATES, STREET_SUFFIXES } from './usps';

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
  /** The address already normalised from line1/city/state/zip (saves normalising it twice). */
  address?: NormalizedAddress;
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
  farExact: -0.15,
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
  /** "PRE/POST" directionals, "/" when none. */
  dirs: string;
  /** Name + suffix ("GLASS ML" for "GLASS MILL", parsed as GLASS + ML); '' without suffix. */
  withSuffix: string;
  /**
   * The name with its last word read as a suffix ("GLASS MILL" of "GLASS MILL DR" → "GLASS ML");
   * '' when that word is no suffix. One side's `withSuffix` equal to the other's `lastAsSuffix`:
   * the same street, written once without its real suffix.
   */
  lastAsSuffix: string;
}

const HIGHWAY_NAME = /^(?:ROUTE|US ROUTE|COUNTY ROAD) \d+[A-Z]?$/;
const QUALIFIED_ROUTE = /^(?:(US|[A-Z]{2}|STATE) )?(?:ROUTE|HIGHWAY) (\d+[A-Z]?)$/;

/**
 * One name per numbered highway: a state qualifier says nothing a ZIP does not ("NH ROUTE 25",
 * "STATE ROUTE 25", "HIGHWAY 25" → "ROUTE 25"); "US" stays, a US route is another road
 * ("US HIGHWAY 3" → "US ROUTE 3").
 */
export function canonicalRoute(name: string): string {
  if (!name.includes('ROUTE') && !name.includes('HIGHWAY')) return name;
  const m = QUALIFIED_ROUTE.exec(name);
  if (!m) return name;
  const qualifier = m[1] ?? '';
  if (qualifier === 'US') return `US ROUTE ${m[2]}`;
  if (qualifier && qualifier !== 'STATE' && STATES.get(qualifier) !== qualifier) return name;
  return `ROUTE ${m[2]}`;
}

export function prepare(rec: PremiseRecord): Prepared {
  const addr =
    rec.address ??
    normalizeAddress({
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
  name = canonicalRoute(name);
  const space = name.lastIndexOf(' ');
  const last = space > 0 ? STREET_SUFFIXES.get(name.slice(space + 1)) : undefined;
  return {
    rec,
    addr,
    number,
    name,
    aliased: '',
    unit: addr.unitNumber || addr.unitType,
    zip: addr.zip5,
    city: addr.city,
    dirs: `${addr.predirectional}/${addr.postdirectional}`,
    withSuffix: addr.suffix ? `${name} ${addr.suffix}` : '',
    lastAsSuffix: last ? `${name.slice(0, space)} ${last}` : '',
  };
}

/**
 * Route aliases ("RTE 3" for "Pembroke St") are learned from the data, never from a table: for a
 * highway name in a ZIP (or town), the named street in the same place whose house numbers cover
 * at least 60 % of the highway's numbers (and at least 2 of them), with no runner-up above half
 * that coverage, is taken as the same road. 60 %, not more: some of the highway's numbers are
 * written only with the route name, or under a misspelt street name, by every source.
 */
const ALIAS_COVERAGE = 0.6;

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
    if (bestN >= 2 && bestN >= ALIAS_COVERAGE * numbers.size && secondN <= bestN / 2)
      alias.set(k, best);
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
  /**
   * "Z03275|MAIN|12" (or "CPEMBROKE|…" without a ZIP) → the suffixes and directionals that
   * house number on that street name was written with. Tells whether a record without its
   * suffix or directional can only mean one address ("12 FIFTH" where only "12 FIFTH ST" exists)
   * or several ("12 WINTER" where "12 WINTER RD" and "12 WINTER LN" both exist).
   */
  variants?: Map<string, Variants>;
  /** "Z03275|MAIN" → the organization that wrote that street name there, '' when several did. */
  writers?: Map<string, string>;
  /** "Z03275|MAIN" → how many records wrote that street name there. */
  streetCounts?: Map<string, number>;
  /** "ORG|place|number|street|unit" written on more than one premise of one organization. */
  duplicates?: Set<string>;
}

/** Suffixes and directionals ("N/") seen at one address, as space-separated lists. */
interface Variants {
  suffixes: string;
  dirs: string;
}

/** Where a record is: its ZIP, else its town; '' when neither is known. */
function locOf(p: Prepared): string {
  return p.zip ? `Z${p.zip}` : p.city ? `C${p.city}` : '';
}

function buildContext(recs: Prepared[]): MatchContext {
  const zipsByCity = new Map<string, Set<string>>();
  const variants = new Map<string, Variants>();
  const writers = new Map<string, string>();
  const streetCounts = new Map<string, number>();
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const p of recs) {
    if (p.city && p.zip) {
      let s = zipsByCity.get(p.city);
      if (!s) zipsByCity.set(p.city, (s = new Set()));
      s.add(p.zip);
    }
    const loc = locOf(p);
    if (!p.name || !loc) continue;
    const street = `${loc}|${p.name}`;
    const w = writers.get(street);
    if (w === undefined) writers.set(street, p.rec.org);
    else if (w !== '' && w !== p.rec.org) writers.set(street, '');
    streetCounts.set(street, (streetCounts.get(street) ?? 0) + 1);
    if (!p.number) continue;
    const address = `${street}|${p.number}`;
    let v = variants.get(address);
    if (!v) variants.set(address, (v = { suffixes: '', dirs: '' }));
    const suffix = p.addr.suffix;
    if (suffix && !hasWord(v.suffixes, suffix)) v.suffixes = `${v.suffixes} ${suffix}`;
    if (p.dirs !== '/' && !hasWord(v.dirs, p.dirs)) v.dirs = `${v.dirs} ${p.dirs}`;
    const dup = dupKey(p);
    if (seen.has(dup)) duplicates.add(dup);
    else seen.add(dup);
  }
  return { zipsByCity, variants, writers, streetCounts, duplicates };
}

/** Is `word` one of the space-separated words of `list`? */
function hasWord(list: string, word: string): boolean {
  return ` ${list} `.includes(` ${word} `);
}

/** The words of a space-separated list, sorted. */
function wordsOf(list: string): string[] {
  return list.split(' ').filter(Boolean).sort();
}

function dupKey(p: Prepared): string {
  return `${p.rec.org}|${locOf(p)}|${p.number}|${p.dirs}|${p.name}|${p.addr.suffix}|${p.unit}`;
}

/** The suffixes and directionals `p`'s house number and street name were written with, sorted. */
function variantsOf(ctx: MatchContext, p: Prepared): { suffixes: string[]; dirs: string[] } {
  const v = ctx.variants?.get(`${locOf(p)}|${p.name}|${p.number}`);
  return { suffixes: wordsOf(v?.suffixes ?? ''), dirs: wordsOf(v?.dirs ?? '') };
}

/**
 * Both names are streets of the place: each written by two or more organizations, and neither
 * a rare spelling of the other (a typo two utilities happen to share is written on far fewer
 * records than the street it misspells: under a tenth, or fewer than 3).
 */
function bothEstablished(ctx: MatchContext, a: Prepared, b: Prepared): boolean {
  const loc = locOf(a);
  if (!loc || loc !== locOf(b)) return false;
  const ka = `${loc}|${a.name}`;
  const kb = `${loc}|${b.name}`;
  if (ctx.writers?.get(ka) !== '' || ctx.writers?.get(kb) !== '') return false;
  const na = ctx.streetCounts?.get(ka) ?? 0;
  const nb = ctx.streetCounts?.get(kb) ?? 0;
  return Math.min(na, nb) >= 3 && Math.min(na, nb) >= 0.1 * Math.max(na, nb);
}

/** A ZIP both city names were written with (a postal name and its town), or ''. */
function sharedZip(ctx: MatchContext, x: string, y: string): string {
  const zx = ctx.zipsByCity.get(x);
  const zy = ctx.zipsByCity.get(y);
  if (!zx || !zy) return '';
  for (const z of zx) if (zy.has(z)) return z;
  return '';
}

/**
 * Block keys: (ZIP or town) + number + a street-name fragment (first 3 letters, last 3, letters
 * sorted, first + last letter), plus number + full name (the "name key", first in `out`). Each key is hashed as it is
 * read (no key strings are built): `out` receives up to 9 hashes. Two keys with one hash merely
 * share a block, which costs a few extra scored pairs and never a wrong decision (every pair is
 * scored on its own evidence).
 */
function blockHashes(p: Prepared, out: number[]): void {
  out.length = 0;
  if (!p.number || !p.name) return;
  const name = p.name;
  const letters: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c !== 32) letters.push(c);
  }
  const len = letters.length;
  const sorted = letters.slice().sort((x, y) => x - y);
  const num = hashStr(FNV, p.number);
  let h = hashCode(num, 78 /* N */);
  for (const c of letters) h = hashCode(h, c);
  out.push(h >>> 0);
  for (const [tag, loc] of [
    [90 /* Z */, p.zip],
    [67 /* C */, p.city],
  ] as const) {
    if (!loc) continue;
    const base = hashCode(hashStr(hashCode(num, tag), loc), 124);
    let pre = hashCode(base, 80 /* P */);
    for (let i = 0; i < Math.min(3, len); i++) pre = hashCode(pre, letters[i] as number);
    let suf = hashCode(base, 83 /* S */);
    for (let i = Math.max(0, len - 3); i < len; i++) suf = hashCode(suf, letters[i] as number);
    let all = hashCode(base, 65 /* A */);
    for (const c of sorted) all = hashCode(all, c);
    // First + last letter: survives a slip anywhere between them ("STRK" / "STARK").
    const ends = hashCode(
      hashCode(hashCode(base, 69 /* E */), letters[0] ?? 0),
      letters[len - 1] ?? 0,
    );
    out.push(pre >>> 0, suf >>> 0, all >>> 0, ends >>> 0);
  }
}

const FNV = 0x811c9dc5;

function hashCode(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

function hashStr(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = hashCode(h, s.charCodeAt(i));
  return hashCode(h, 0);
}

/**
 * Blocks as runs of a sorted array: each entry packs (key hash, record index) into one float64
 * (hash in the high bits), so one native numeric sort groups every block with its members in
 * record order. Returns the sorted entries and the index bits.
 */
function buildBlocks(recs: Prepared[]): { entries: Float64Array; idxBits: number; count: number } {
  const n = recs.length;
  const idxBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  if (idxBits > 26) throw new RangeError(`too many records to match at once: ${n}`);
  const scale = 2 ** idxBits;
  // Keep hash × scale below 2^53: drop low hash bits when the index needs more than 21 bits.
  const hashDiv = 2 ** Math.max(0, idxBits - 21);
  let entries = new Float64Array(Math.max(16, n * 9));
  let count = 0;
  const hashes: number[] = [];
  for (let i = 0; i < n; i++) {
    blockHashes(recs[i] as Prepared, hashes);
    if (count + hashes.length > entries.length) {
      const grown = new Float64Array(entries.length * 2);
      grown.set(entries);
      entries = grown;
    }
    for (let k = 0; k < hashes.length; k++) {
      // Bit 0 of the stored hash tells name-key blocks (1) from place blocks (0).
      const h = Math.floor((hashes[k] as number) / hashDiv);
      const tagged = k === 0 ? h - (h % 2) + 1 : h - (h % 2);
      entries[count++] = tagged * scale + i;
    }
  }
  entries = entries.subarray(0, count).sort();
  return { entries, idxBits, count };
}

export function matchPremises(records: PremiseRecord[], opts: MatchOptions = {}): MatchResult {
  const autoLink = opts.autoLink ?? AUTO_LINK_THRESHOLD;
  const reviewAt = opts.review ?? REVIEW_THRESHOLD;
  const maxBlock = opts.maxBlockSize ?? MAX_BLOCK_SIZE;
  const recs = records.map(prepare);
  const aliases = learnAliases(recs);
  const ctx = buildContext(recs);
  const n = recs.length;

  const orgIds = new Map<string, number>();
  const org = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const code = (recs[i] as Prepared).rec.org;
    let id = orgIds.get(code);
    if (id === undefined) orgIds.set(code, (id = orgIds.size));
    org[i] = id;
  }

  // Blocks: runs of equal hash in the sorted entries. For each entry: its record, its run's
  // bounds, and whether the run is a name-key block.
  const { entries, idxBits, count } = buildBlocks(recs);
  const scale = 2 ** idxBits;
  const member = new Int32Array(count);
  const runStart = new Int32Array(count);
  const runEnd = new Int32Array(count);
  const nameKey = new Uint8Array(count);
  let blocks = 0;
  let cappedBlocks = 0;
  for (let start = 0; start < count;) {
    const hash = Math.floor((entries[start] as number) / scale);
    let end = start + 1;
    while (end < count && Math.floor((entries[end] as number) / scale) === hash) end++;
    blocks++;
    const size = end - start;
    if (size > maxBlock) cappedBlocks++;
    for (let k = start; k < end; k++) {
      member[k] = (entries[k] as number) - hash * scale;
      // A capped block pairs nobody: its entries start and end at themselves.
      runStart[k] = size > maxBlock ? k : start;
      runEnd[k] = size > maxBlock ? k + 1 : end;
      nameKey[k] = hash % 2;
    }
    start = end;
  }
  // Each record's entries (CSR): where its keys sit in the sorted array.
  const first = new Int32Array(n + 1);
  for (let k = 0; k < count; k++) (first[(member[k] as number) + 1] as number)++;
  for (let i = 0; i < n; i++) first[i + 1] = (first[i + 1] as number) + (first[i] as number);
  const fill = first.slice(0, n);
  const at = new Int32Array(count);
  for (let k = 0; k < count; k++) at[(fill[member[k] as number] as number)++] = k;

  // Name-key blocks (number + street, statewide) only serve records that lack a ZIP or a town:
  // two records with both meet in their place blocks, and pairing every "12 MAIN ST" of the
  // state with every other would grow with the number of towns, not with the records.
  const partial = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = recs[i] as Prepared;
    partial[i] = p.zip && p.city ? 0 : 1;
  }
  const samePlace = (x: Prepared, y: Prepared): boolean =>
    (x.zip !== '' && x.zip === y.zip) || (x.city !== '' && x.city === y.city);

  // Each candidate pair is scored once. Place blocks: record i pairs with the members after it.
  // Name-key blocks: a partial record pairs with every member after it, and with the complete
  // members before it that it does not share a place with (those never visit name-key blocks).
  // `stamp[j] === i` marks j as already seen from i.
  const stamp = new Int32Array(n).fill(-1);
  const pairs: MatchPair[] = [];
  let pairsScored = 0;
  for (let i = 0; i < n; i++) {
    const a = recs[i] as Prepared;
    for (let e = first[i] as number; e < (first[i + 1] as number); e++) {
      const k = at[e] as number;
      const byName = nameKey[k] === 1;
      if (byName && !partial[i]) continue;
      const end = runEnd[k] as number;
      for (let q = byName ? (runStart[k] as number) : k + 1; q < end; q++) {
        const j = member[q] as number;
        if (j === i || stamp[j] === i || org[j] === org[i]) continue;
        const b = recs[j] as Prepared;
        if (j < i && (partial[j] || samePlace(a, b))) continue;
        stamp[j] = i;
        pairsScored++;
        // Vetoes first: a pair they decide scores 0 and is not kept, so skip its reasons.
        if (a.number && b.number && a.number !== b.number) continue;
        if (a.unit && b.unit && a.unit !== b.unit) continue;
        const pair = scorePair(a, b, ctx, autoLink, reviewAt);
        if (pair.decision !== 'non_match' || pair.score > 0) pairs.push(pair);
      }
    }
  }

  const clusters = clusterPairs(
    records.map((r) => r.id),
    pairs,
  );
  let autoLinks = 0;
  let reviews = 0;
  for (const p of pairs) {
    if (p.decision === 'auto_link') autoLinks++;
    else if (p.decision === 'review') reviews++;
  }
  return {
    pairs,
    clusters,
    stats: { records: n, blocks, cappedBlocks, pairsScored, autoLinks, reviews, aliases },
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
  // A name whose last word is a suffix word, written once with its real suffix and once without
  // ("GLASS MILL DR" / "GLASS MILL", parsed as GLASS + ML), is one street with a suffix missing.
  let suffixA = a.addr.suffix;
  let suffixB = b.addr.suffix;
  let sameStreet = a.name === b.name;
  if (a.name && b.name) {
    let sim = streetSimilarity(a.name, b.name);
    // One keyboard slip (swap, drop, extra or wrong letter) in a name of 5+ letters keeps the
    // weight of a 0.9 match even where Jaro-Winkler, tuned for transpositions, scores it lower.
    if (sim > 0 && sim < 0.9 && oneEdit(a.name, b.name)) sim = 0.9;
    const shown = `${a.name} ~ ${b.name} (sim ${sim.toFixed(3)})`;
    if (a.name === b.name && (a.aliased || b.aliased)) {
      const via = [a.aliased, b.aliased].filter(Boolean).join(', ');
      add('street_alias', `${via} = ${a.name}`, WEIGHTS.alias);
    } else if (sim < 0.7 && suffixWordMatch(a, b)) {
      add(
        'street_name',
        `${a.name} ${suffixA} ~ ${b.name} ${suffixB} (suffix word)`,
        WEIGHTS.street,
      );
      // The side whose suffix is a name word has no real suffix.
      if (a.withSuffix === b.lastAsSuffix) suffixA = '';
      else suffixB = '';
      sameStreet = true;
    } else if (sim >= 0.7) {
      add('street_name', shown, streetWeight(sim));
      // A typo is written by one organization; two names each written by several are two streets
      // ("RIVER ST" and "RIVERSIDE ST" in one ZIP), however alike they look.
      if (sim < 1 && bothEstablished(ctx, a, b)) {
        add('street_name', `${a.name} and ${b.name} are both streets here`, 0);
        lower('review');
      }
    } else add('street_name', shown, WEIGHTS.streetMismatch);
  } else add('street_name', 'missing', 0);

  // Suffix or directional written on one side only: what the data knows about the street name in
  // that place decides. One suffix known → implied; several ("WINTER RD", "WINTER LN") → the
  // record could be either street, so at most review. Same for directionals ("N/S MAIN ST").
  if (suffixA && suffixB) {
    if (suffixA === suffixB) add('suffix', suffixA, WEIGHTS.suffixAgree);
    else add('suffix', `${suffixA} ≠ ${suffixB}`, WEIGHTS.suffixConflict);
  } else if (suffixA || suffixB) {
    const full = suffixA ? a : b;
    const known = sameStreet ? variantsOf(ctx, full).suffixes : undefined;
    if (known && known.length > 1) {
      add('suffix', `missing on one side; ${full.name} has ${known.join(', ')}`, 0);
      lower('review');
    } else if (known && known.length === 1)
      add('suffix', `missing on one side; only ${suffixA || suffixB} known`, WEIGHTS.suffixAgree);
    else add('suffix', 'missing on one side', 0);
  }
  const dirA = a.dirs;
  const dirB = b.dirs;
  if (dirA !== '/' && dirB !== '/') {
    if (dirA === dirB) add('directional', dirA, WEIGHTS.directionalAgree);
    else add('directional', `${dirA} ≠ ${dirB}`, WEIGHTS.directionalConflict);
  } else if (dirA !== dirB) {
    const known = a.name === b.name ? variantsOf(ctx, dirA !== '/' ? a : b).dirs : undefined;
    if (known && known.length > 1) {
      add('directional', `one side missing; ${a.name} has ${known.join(', ')}`, 0);
      lower('review');
    } else add('directional', 'one side missing', 0);
  }

  // One organization wrote this address on two premises: they cannot both be the other side's
  // premise (a unit written without its unit number, most often), so no automatic link.
  for (const p of [a, b])
    if (ctx.duplicates?.has(dupKey(p))) {
      add('duplicate', `${p.rec.org} has several premises at ${p.addr.streetKey}`, 0);
      lower('review');
    }

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
  } else if (!a.zip !== !b.zip && !a.city !== !b.city) {
    // One side has only a city, the other only a ZIP: agreement if the data writes them together.
    const city = a.city || b.city;
    const zip = a.zip || b.zip;
    if (ctx.zipsByCity.get(city)?.has(zip))
      add('city', `${city} written with ${zip} elsewhere`, WEIGHTS.cityAgree);
  }

  const d = distanceMeters(a.rec, b.rec);
  if (d !== undefined) {
    const shown = `${Math.round(d)} m`;
    if (d <= 50) add('distance', shown, WEIGHTS.near);
    else if (d <= 150) add('distance', shown, WEIGHTS.close);
    else if (d <= 500) add('distance', shown, 0);
    // Identical number, street, unit and ZIP name one delivery point: coordinates that far apart
    // are more likely a geocode off (ZIP centroid, parcel corner) than another premise.
    else if (exactAddress(a, b)) add('distance', `${shown}, address identical`, WEIGHTS.farExact);
    else add('distance', shown, WEIGHTS.far);
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

function exactAddress(a: Prepared, b: Prepared): boolean {
  return (
    a.number !== '' &&
    a.number === b.number &&
    a.name === b.name &&
    a.addr.suffix === b.addr.suffix &&
    a.dirs === b.dirs &&
    a.unit === b.unit &&
    a.zip !== '' &&
    a.zip === b.zip
  );
}

function suffixWordMatch(a: Prepared, b: Prepared): boolean {
  return (
    (a.withSuffix !== '' && a.withSuffix === b.lastAsSuffix) ||
    (b.withSuffix !== '' && b.withSuffix === a.lastAsSuffix)
  );
}

/** Damerau one edit apart (swap, drop, insert or replace one letter), both at least 5 long. */
export function oneEdit(s: string, t: string): boolean {
  if (s === t) return false;
  const ls = s.length;
  const lt = t.length;
  if (Math.min(ls, lt) < 5 || Math.abs(ls - lt) > 1) return false;
  let i = 0;
  while (i < ls && i < lt && s[i] === t[i]) i++;
  if (ls === lt) {
    if (s.slice(i + 1) === t.slice(i + 1)) return true; // one letter replaced
    return s[i] === t[i + 1] && s[i + 1] === t[i] && s.slice(i + 2) === t.slice(i + 2); // swap
  }
  return ls > lt ? s.slice(i + 1) === t.slice(i) : s.slice(i) === t.slice(i + 1); // drop / add
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
  // Ids → dense indexes (ids first, then pair ids not among them), parents in a typed array.
  const index = new Map<number, number>();
  const idOf: number[] = [];
  const indexOf = (id: number): number => {
    let x = index.get(id);
    if (x === undefined) {
      index.set(id, (x = idOf.length));
      idOf.push(id);
    }
    return x;
  };
  for (const id of ids) indexOf(id);
  for (const p of pairs) {
    if (p.decision !== 'auto_link') continue;
    indexOf(p.left);
    indexOf(p.right);
  }
  const n = idOf.length;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[x] !== r) {
      const next = parent[x] as number;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  for (const p of pairs) {
    if (p.decision !== 'auto_link') continue;
    const a = find(index.get(p.left) as number);
    const b = find(index.get(p.right) as number);
    if (a === b) continue;
    // The root is the smaller id, as before: cluster order does not depend on pair order.
    if ((idOf[a] as number) < (idOf[b] as number)) parent[b] = a;
    else parent[a] = b;
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(idOf[i] as number);
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
