/**
 * Unit-level vs building-level premises. A record without a unit ("22 Main St") against one with a
 * unit ("22 Main St Unit 7") is either the same premise written without its unit, or the building
 * (house meter, common area, a whole-building gas account) that contains the unit. The data tells
 * which: when two or more distinct units are known at that building, in any organization's
 * records, a record without a unit cannot be any one of them, so it is the building — the pair is
 * a building/unit relation, not a match. Only when at most one unit is known does the pair stay in
 * the review queue. Pure.
 */
import type { MatchPair } from './match';

export interface PlaceKey {
  /** Building-level key: street key + ZIP (or city when the ZIP is missing); '' when unknown. */
  building: string;
  /** Unit designator and number ('' at building level). */
  unit: string;
}

/** Turns review pairs that are a unit and its multi-unit building into non_match with a reason. */
export function relateUnitsToBuildings(
  pairs: MatchPair[],
  places: ReadonlyMap<number, PlaceKey>,
): number {
  const units = new Map<string, Set<string>>();
  for (const p of places.values()) {
    if (!p.building || !p.unit) continue;
    let s = units.get(p.building);
    if (!s) units.set(p.building, (s = new Set()));
    s.add(p.unit);
  }
  let related = 0;
  for (const pair of pairs) {
    if (pair.decision !== 'review') continue;
    const a = places.get(pair.left);
    const b = places.get(pair.right);
    if (!a || !b || Boolean(a.unit) === Boolean(b.unit)) continue;
    // Either side's building key: the two may write the street differently (a route alias).
    const known = Math.max(units.get(a.building)?.size ?? 0, units.get(b.building)?.size ?? 0);
    if (known < 2) continue;
    pair.decision = 'non_match';
    pair.reasons.push({
      feature: 'building',
      value: `unit of a building with ${known} units known; the record without a unit is the building`,
      weight: 0,
    });
    related++;
  }
  return related;
}
