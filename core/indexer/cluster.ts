/**
 * Premise clusters from matcher links under reviewer decisions. Pure.
 *
 * Union-find, with two kinds of constraint that no link may break:
 * - cannot-link pairs (a reviewer rejected or split them): two components are never joined while
 *   one holds one side and the other the other side;
 * - labels (seed platform IDs): a component never holds two different labels.
 * Reviewer-accepted pairs are joined first, then auto links from the highest score down, so a weak
 * link can never pull apart what stronger evidence has joined.
 */
import type { MatchPair } from './match';

export interface Constraints {
  mustLink: readonly (readonly [number, number])[];
  cannotLink: readonly (readonly [number, number])[];
  /** Records carrying a fixed label (a seed ID); different labels never share a cluster. */
  label: ReadonlyMap<number, string>;
}

export interface Clustering {
  /** Every id in exactly one cluster; ids sorted within, clusters by first id. */
  clusters: number[][];
  /** Records joined to their cluster by a reviewer's acceptance. */
  reviewed: Set<number>;
  /** Reviewer decisions that were applied (accept joined, reject/split kept apart). */
  decisionsApplied: number;
  /** Accepted pairs that could not be joined: they contradict a reject, split or seed label. */
  conflicts: number;
}

export function clusterWithConstraints(
  ids: readonly number[],
  pairs: readonly MatchPair[],
  c: Constraints,
): Clustering {
  const known = new Set(ids);
  const parent = new Map<number, number>();
  for (const id of ids) parent.set(id, id);
  const find = (x: number): number => {
    let r = x;
    for (let p = parent.get(r); p !== undefined && p !== r; p = parent.get(r)) r = p;
    while (x !== r) {
      const next = parent.get(x) as number;
      parent.set(x, r);
      x = next;
    }
    return r;
  };

  // Per root: the records its component may never be joined with, and its label.
  const cannot = new Map<number, number[]>();
  const label = new Map<number, string>();
  for (const [id, l] of c.label) if (known.has(id)) label.set(id, l);
  const forbidden = new Set<string>();
  for (const [a, b] of c.cannotLink) {
    if (!known.has(a) || !known.has(b)) continue;
    forbidden.add(a < b ? `${a}|${b}` : `${b}|${a}`);
    push(cannot, a, b);
    push(cannot, b, a);
  }

  const canJoin = (ra: number, rb: number): boolean => {
    const la = label.get(ra);
    const lb = label.get(rb);
    if (la !== undefined && lb !== undefined && la !== lb) return false;
    const [small, other] =
      (cannot.get(ra)?.length ?? 0) <= (cannot.get(rb)?.length ?? 0) ? [ra, rb] : [rb, ra];
    for (const x of cannot.get(small) ?? []) if (find(x) === other) return false;
    return true;
  };
  const join = (ra: number, rb: number): void => {
    const [keep, gone] = ra < rb ? [ra, rb] : [rb, ra];
    parent.set(gone, keep);
    const cg = cannot.get(gone);
    if (cg) {
      const ck = cannot.get(keep);
      if (ck) ck.push(...cg);
      else cannot.set(keep, cg);
      cannot.delete(gone);
    }
    const lg = label.get(gone);
    if (lg !== undefined) {
      label.set(keep, lg);
      label.delete(gone);
    }
  };

  let decisionsApplied = 0;
  let conflicts = 0;
  const reviewed = new Set<number>();
  for (const [a, b] of c.mustLink) {
    if (!known.has(a) || !known.has(b)) continue;
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) {
      decisionsApplied++;
      reviewed.add(a).add(b);
      continue;
    }
    if (!canJoin(ra, rb)) {
      conflicts++;
      continue;
    }
    join(ra, rb);
    decisionsApplied++;
    reviewed.add(a).add(b);
  }

  const links = pairs
    .filter((p) => p.decision === 'auto_link' && known.has(p.left) && known.has(p.right))
    .sort((x, y) => y.score - x.score || x.left - y.left || x.right - y.right);
  for (const p of links) {
    const ra = find(p.left);
    const rb = find(p.right);
    if (ra !== rb && canJoin(ra, rb)) join(ra, rb);
  }
  // Every reject / split holds by construction: no join ever breaks one.
  decisionsApplied += forbidden.size;

  const groups = new Map<number, number[]>();
  for (const id of ids) {
    const r = find(id);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(id);
  }
  const clusters = [...groups.values()]
    .map((g) => g.sort((x, y) => x - y))
    .sort((x, y) => (x[0] as number) - (y[0] as number));
  return { clusters, reviewed, decisionsApplied, conflicts };
}

function push(m: Map<number, number[]>, k: number, v: number): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}
