import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../testing/tmp';
import { Workspace } from '../workspace/workspace';
import { generateDemo } from '../../fixtures/demo/generate';
import { evaluate, jaroWinkler, matchPremises, type MatchPair, type PremiseRecord } from './match';

let nextId = 1;
function rec(org: string, line1: string, extra: Partial<PremiseRecord> = {}): PremiseRecord {
  return { id: nextId++, org, line1, city: 'Pembroke', state: 'NH', zip: '03275', ...extra };
}

function pairOf(pairs: MatchPair[], a: PremiseRecord, b: PremiseRecord): MatchPair | undefined {
  const [l, r] = a.id < b.id ? [a.id, b.id] : [b.id, a.id];
  return pairs.find((p) => p.left === l && p.right === r);
}

describe('jaroWinkler', () => {
  it('scores the textbook cases', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.813, 3);
    expect(jaroWinkler('ABC', 'ABC')).toBe(1);
    expect(jaroWinkler('', 'ABC')).toBe(0);
  });
});

describe('matchPremises', () => {
  it('links a typo in the street name across styles', () => {
    const a = rec('PSNH', '120 PEMBROKE ST');
    const b = rec('LIBERTY', '120 Pmebroke St.');
    const { pairs, clusters } = matchPremises([a, b]);
    const p = pairOf(pairs, a, b);
    expect(p?.decision).toBe('auto_link');
    expect(p?.reasons.find((r) => r.feature === 'street_name')?.value).toContain('PMEBROKE');
    expect(clusters).toContainEqual([a.id, b.id].sort((x, y) => x - y));
  });

  it('links when one side lacks the ZIP', () => {
    const a = rec('PSNH', '74 N SING ST', { city: 'Concord', zip: '03301' });
    const b = rec('UES', '74 North Sing Street', { city: 'Concord', zip: null });
    const p = pairOf(matchPremises([a, b]).pairs, a, b);
    expect(p?.decision).toBe('auto_link');
    expect(p?.reasons.find((r) => r.feature === 'zip')?.weight).toBe(0);
  });

  it('links when both lack ZIP and town (number + full name block)', () => {
    const a = rec('PSNH', '9 DONNA DR', { city: null, zip: null });
    const b = rec('UES', '9 Donna Drive', { city: null, zip: null });
    const r = matchPremises([a, b]);
    expect(r.stats.pairsScored).toBe(1);
    expect(pairOf(r.pairs, a, b)?.decision).not.toBe('non_match');
  });

  it('never links different units, and sends unit vs building to review at most', () => {
    const u2 = rec('PSNH', '12 KEITH AVE APT 2');
    const u3 = rec('UES', '12 Keith Avenue, Unit 3');
    const u2b = rec('LIBERTY', '12 Keith Ave. #2');
    const bldg = rec('EK', '12 Keith Ave');
    const { pairs, clusters } = matchPremises([u2, u3, u2b, bldg]);
    expect(pairOf(pairs, u2, u3)?.decision ?? 'non_match').toBe('non_match');
    expect(pairOf(pairs, u2, u2b)?.decision).toBe('auto_link');
    expect(pairOf(pairs, u3, bldg)?.decision).toBe('review');
    expect(pairOf(pairs, u2, bldg)?.decision).toBe('review');
    const withU3 = clusters.find((c) => c.includes(u3.id));
    expect(withU3).toEqual([u3.id]);
  });

  it('never links different house numbers', () => {
    const a = rec('PSNH', '10 BUCK ST');
    const b = rec('UES', '12 Buck Street');
    const r = matchPremises([a, b]);
    expect(pairOf(r.pairs, a, b)?.decision ?? 'non_match').toBe('non_match');
    expect(r.clusters).toHaveLength(2);
  });

  it('never pairs two records of the same organization', () => {
    const a = rec('PSNH', '5 ACADEMY RD');
    const b = rec('PSNH', '5 ACADEMY ROAD');
    const r = matchPremises([a, b]);
    expect(r.stats.pairsScored).toBe(0);
    expect(r.pairs).toHaveLength(0);
  });

  it('keeps different streets and numbered streets apart', () => {
    const a = rec('PSNH', '40 PEMBROKE ST');
    const b = rec('UES', '40 Pembroke Hill Road');
    const c = rec('PSNH', '7 THIRD RANGE RD');
    const d = rec('UES', '7 Fourth Range Road');
    const r = matchPremises([a, b, c, d]);
    for (const [x, y] of [
      [a, b],
      [c, d],
    ] as const)
      expect(pairOf(r.pairs, x, y)?.decision ?? 'non_match').toBe('non_match');
  });

  it('uses coordinates when both sides have them', () => {
    const a = rec('PSNH', '3 CHURCH RD', { lat: 43.1489, lon: -71.4402 });
    const b = rec('UES', '3 Church Road', { lat: 43.1489, lon: -71.4403 });
    const c = rec('FGE', '3 Church Road', { lat: 43.2, lon: -71.4402 });
    const r = matchPremises([a, b, c]);
    expect(pairOf(r.pairs, a, b)?.reasons.find((x) => x.feature === 'distance')?.weight).toBe(0.1);
    expect(pairOf(r.pairs, a, c)?.decision).not.toBe('auto_link');
  });

  it('learns a route alias from shared house numbers', () => {
    const recs = [
      rec('PSNH', '100 PEMBROKE ST'),
      rec('PSNH', '102 PEMBROKE ST'),
      rec('PSNH', '104 PEMBROKE ST'),
      rec('PSNH', '100 BUCK ST'),
      rec('LIBERTY', '100 Rte. 3'),
      rec('LIBERTY', '102 Rte. 3'),
    ];
    const r = matchPremises(recs);
    expect(r.stats.aliases).toEqual(['03275|ROUTE 3 → PEMBROKE']);
    expect(pairOf(r.pairs, recs[0]!, recs[4]!)?.decision).toBe('auto_link');
    expect(pairOf(r.pairs, recs[3]!, recs[4]!)?.decision ?? 'non_match').toBe('non_match');
  });

  it('evaluates pairwise precision and recall over clusters', () => {
    const truth = new Map<number, string>([
      [1, 'A'],
      [2, 'A'],
      [3, 'A'],
      [4, 'B'],
    ]);
    const e = evaluate(
      [
        [1, 2],
        [3, 4],
      ],
      truth,
    );
    expect(e.truePairs).toBe(3);
    expect(e.predictedPairs).toBe(2);
    expect(e.precision).toBe(0.5);
    expect(e.recall).toBeCloseTo(1 / 3);
  });
});

describe('matchPremises on the demo workspace', () => {
  it('meets precision ≥ 0.995 and recall ≥ 0.99 on auto_link clusters', async () => {
    const ws = Workspace.create(path.join(tmpDir(), 'm.edw'));
    try {
      await generateDemo(ws.db, { premises: 300, days: 1 });
      const rows = ws.db
        .prepare(
          `SELECT p.id, o.code AS org, a.line1, a.city, a.state, a.zip,
                  p.latitude AS lat, p.longitude AS lon
           FROM premise p JOIN organization o ON o.id = p.org_id
           JOIN premise_address pa ON pa.premise_id = p.id JOIN address a ON a.id = pa.address_id`,
        )
        .all() as PremiseRecord[];
      const truthRows = ws.db
        .prepare('SELECT premise_id, truth_key FROM fixture_premise_truth')
        .all() as { premise_id: number; truth_key: string }[];
      const truth = new Map(truthRows.map((t) => [t.premise_id, t.truth_key]));
      const t0 = performance.now();
      const result = matchPremises(rows);
      const ms = performance.now() - t0;
      const e = evaluate(result.clusters, truth);
      console.log(
        `demo matcher: ${rows.length} records, ${result.stats.pairsScored} pairs scored, ` +
          `${result.stats.autoLinks} auto_link, ${result.stats.reviews} review, ` +
          `${result.stats.cappedBlocks} capped blocks, aliases [${result.stats.aliases.join('; ')}], ` +
          `${ms.toFixed(0)} ms; P=${e.precision.toFixed(4)} R=${e.recall.toFixed(4)} ` +
          `F1=${e.f1.toFixed(4)} (true pairs ${e.truePairs}, predicted ${e.predictedPairs})`,
      );
      expect(result.stats.pairsScored).toBeLessThan(rows.length * 20);
      expect(e.precision).toBeGreaterThanOrEqual(0.995);
      expect(e.recall).toBeGreaterThanOrEqual(0.99);
    } finally {
      ws.close();
    }
  }, 120_000);
});

describe('matchPremises: variations found on the benchmark population', () => {
  it('reads state-qualified routes as one road (NH Rte 86 = Route 86 = State Route 86)', () => {
    const a = rec('PSNH', '600 NH Rte. 86');
    const b = rec('UES', '600 Route 86');
    const c = rec('LIBERTY', '600 State Route 86');
    const d = rec('EK', '600 US Route 86');
    const r = matchPremises([a, b, c, d]);
    expect(pairOf(r.pairs, a, b)?.decision).toBe('auto_link');
    expect(pairOf(r.pairs, b, c)?.decision).toBe('auto_link');
    // A US route is another road.
    expect(pairOf(r.pairs, b, d)?.decision ?? 'non_match').toBe('non_match');
  });

  it('links a name ending in a suffix word written without its suffix (Glass Mill / Glass Mill Dr)', () => {
    const a = rec('PSNH', '16 GLASS MILL DR APT A');
    const b = rec('LIBERTY', '16 Glass Mill Apt. #A');
    const p = pairOf(matchPremises([a, b]).pairs, a, b);
    expect(p?.decision).toBe('auto_link');
    expect(p?.reasons.find((x) => x.feature === 'street_name')?.value).toContain('suffix word');
  });

  it('implies a missing suffix when the address exists with one suffix only, else reviews', () => {
    const lane = rec('PSNH', '9 WINTER LN');
    const bare = rec('LIBERTY', '9 Winter', { zip: null });
    const r1 = matchPremises([lane, bare]);
    // 0.35 + 0.30 + 0.05 (implied LN) + 0.05 (no units) + 0.05 (city) = 0.80.
    expect(pairOf(r1.pairs, lane, bare)?.score).toBe(0.8);
    expect(pairOf(r1.pairs, lane, bare)?.decision).toBe('auto_link');
    const way = rec('UES', '9 Winter Way');
    const r2 = matchPremises([lane, bare, way]);
    const p = pairOf(r2.pairs, lane, bare);
    expect(p?.decision).toBe('review');
    expect(p?.reasons.find((x) => x.feature === 'suffix')?.value).toContain('LN, WAY');
  });

  it('reviews a missing directional when N and S versions of the address exist', () => {
    const n = rec('PSNH', '6 N BROOK ST');
    const s = rec('PSNH', '6 S BROOK ST');
    const bare = rec('LIBERTY', '6 Brook St.');
    const r = matchPremises([n, s, bare]);
    expect(pairOf(r.pairs, n, bare)?.decision).toBe('review');
    expect(pairOf(r.pairs, s, bare)?.decision).toBe('review');
  });

  it('keeps a one-letter slip in a short name linked (STAGE / SGAGE)', () => {
    const a = rec('PSNH', '18 STAGE RD');
    const b = rec('LIBERTY', '18 Sgage Rd.');
    const p = pairOf(matchPremises([a, b]).pairs, a, b);
    // Jaro-Winkler gives 0.88; one edit counts as 0.9: 0.35 + 0.22 + 0.05 + 0.05 + 0.10 + 0.05.
    expect(p?.score).toBe(0.82);
    expect(p?.decision).toBe('auto_link');
  });

  it('blocks a slip that breaks the first and last three letters (STRK / STARK)', () => {
    const a = rec('PSNH', '137 STRK LN');
    const b = rec('LIBERTY', '137 Stark Ln.');
    const r = matchPremises([a, b]);
    expect(r.stats.pairsScored).toBe(1);
    expect(pairOf(r.pairs, a, b)?.decision).toBe('auto_link');
  });

  it('credits a city-only record against a ZIP-only one when the data writes them together', () => {
    const ref = rec('UES', '1 Other Rd', { city: 'Allenstown', zip: '03105' });
    const a = rec('PSNH', '4 Chase Street', { city: 'Allenstown', zip: null });
    const b = rec('LIBERTY', '4 Chase St.', { city: null, zip: '03105' });
    const p = pairOf(matchPremises([ref, a, b]).pairs, a, b);
    expect(p?.reasons.find((x) => x.feature === 'city')?.value).toContain(
      'ALLENSTOWN written with 03105',
    );
    expect(p?.decision).toBe('auto_link');
  });

  it('never auto-links a record its organization wrote on two premises', () => {
    const meter = rec('PSNH', '13 OAK RD');
    const unitWithoutUnit = rec('PSNH', '13 OAK RD');
    const gas = rec('LIBERTY', '13 Oak Rd.');
    const r = matchPremises([meter, unitWithoutUnit, gas]);
    expect(pairOf(r.pairs, meter, gas)?.decision).toBe('review');
    expect(pairOf(r.pairs, meter, gas)?.reasons.map((x) => x.feature)).toContain('duplicate');
  });

  it('does not take one established street for a typo of another (RIVER / RIVERSIDE)', () => {
    const recs = [
      ...[1, 3, 5].flatMap((n) => [rec('PSNH', `${n} RIVER ST`), rec('LIBERTY', `${n} River St.`)]),
      ...[7, 9, 11].flatMap((n) => [
        rec('PSNH', `${n} RIVERSIDE ST`),
        rec('LIBERTY', `${n} Riverside St.`),
      ]),
    ];
    const river = rec('UES', '13 River Street');
    const riverside = rec('LIBERTY', '13 Riverside St.');
    const r = matchPremises([...recs, river, riverside]);
    expect(pairOf(r.pairs, river, riverside)?.decision).toBe('review');
  });

  it('weighs a far geocode less when number, street, unit and ZIP are identical', () => {
    const a = rec('PSNH', '37 OAK AVE', { lat: 43.15, lon: -71.45 });
    const b = rec('UES', '37 Oak Avenue', { lat: 43.16, lon: -71.45 });
    const p = pairOf(matchPremises([a, b]).pairs, a, b);
    // 0.35 + 0.30 + 0.05 + 0.05 + 0.10 + 0.05 − 0.15 = 0.75: review, not non_match.
    expect(p?.reasons.find((x) => x.feature === 'distance')?.weight).toBe(-0.15);
    expect(p?.decision).toBe('review');
  });

  it('pairs the same address in two towns only through a record lacking its place', () => {
    const a = rec('PSNH', '5 WINTER LN', { city: 'Concord', zip: '03301' });
    const b = rec('LIBERTY', '5 Winter Ln.', { city: 'Penacook', zip: '03303' });
    expect(matchPremises([a, b]).stats.pairsScored).toBe(0);
    const c = rec('UES', '5 Winter Lane', { city: null, zip: null });
    const r = matchPremises([a, b, c]);
    expect(r.stats.pairsScored).toBe(2);
    expect(pairOf(r.pairs, a, c)).toBeDefined();
    expect(pairOf(r.pairs, b, c)).toBeDefined();
  });

  it('links a glued unit (APT9) to the same unit written apart', () => {
    const a = rec('PSNH', '23 W BUCK AVE APT 9');
    const b = rec('LIBERTY', '23 W. Buck Ave. Apt9');
    expect(pairOf(matchPremises([a, b]).pairs, a, b)?.decision).toBe('auto_link');
  });
});
