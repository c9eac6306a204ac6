import { describe, expect, it } from 'vitest';
import { relateUnitsToBuildings, type PlaceKey } from './buildings';
import type { MatchPair } from './match';

const review = (left: number, right: number): MatchPair => ({
  left,
  right,
  score: 0.75,
  decision: 'review',
  reasons: [],
});

describe('relateUnitsToBuildings', () => {
  const B = '22 MAIN ST|03275';
  it('relates a unit to a building with two or more known units', () => {
    const places = new Map<number, PlaceKey>([
      [1, { building: B, unit: '' }],
      [2, { building: B, unit: 'UNIT 7' }],
      [3, { building: B, unit: 'APT 2' }],
    ]);
    const pairs = [review(1, 2), review(1, 3)];
    expect(relateUnitsToBuildings(pairs, places)).toBe(2);
    expect(pairs.map((p) => p.decision)).toEqual(['non_match', 'non_match']);
    expect(pairs[0]?.reasons[0]?.feature).toBe('building');
    expect(pairs[0]?.reasons[0]?.value).toContain('2 units');
  });

  it('keeps the pair in review when only one unit is known (the unit may just be missing)', () => {
    const places = new Map<number, PlaceKey>([
      [1, { building: B, unit: '' }],
      [2, { building: B, unit: 'APT 3' }],
    ]);
    const pairs = [review(1, 2)];
    expect(relateUnitsToBuildings(pairs, places)).toBe(0);
    expect(pairs[0]?.decision).toBe('review');
  });

  it('counts units under the unit side’s key when the building side writes the street otherwise', () => {
    const places = new Map<number, PlaceKey>([
      [1, { building: '802 ROUTE 3|03275', unit: '' }],
      [2, { building: '802 PEMBROKE ST|03275', unit: 'APT A' }],
      [3, { building: '802 PEMBROKE ST|03275', unit: 'APT B' }],
    ]);
    const pairs = [review(1, 2)];
    expect(relateUnitsToBuildings(pairs, places)).toBe(1);
  });

  it('leaves unit–unit, building–building and auto-linked pairs alone', () => {
    const places = new Map<number, PlaceKey>([
      [1, { building: B, unit: 'APT 1' }],
      [2, { building: B, unit: 'APT 2' }],
      [3, { building: B, unit: '' }],
      [4, { building: B, unit: '' }],
    ]);
    const linked: MatchPair = { ...review(2, 3), decision: 'auto_link' };
    const pairs = [review(1, 2), review(3, 4), linked];
    expect(relateUnitsToBuildings(pairs, places)).toBe(0);
  });
});
