import { describe, expect, it } from 'vitest';
import { clusterWithConstraints, type Constraints } from './cluster';
import type { MatchPair } from './match';

const link = (left: number, right: number, score = 0.9): MatchPair => ({
  left,
  right,
  score,
  decision: 'auto_link',
  reasons: [],
});
const none: Constraints = { mustLink: [], cannotLink: [], label: new Map() };

describe('clusterWithConstraints', () => {
  it('joins auto links transitively and keeps singletons', () => {
    const c = clusterWithConstraints([1, 2, 3, 4], [link(1, 2), link(2, 3)], none);
    expect(c.clusters).toEqual([[1, 2, 3], [4]]);
    expect(c.decisionsApplied).toBe(0);
  });

  it('never joins a rejected pair, not even through a third record', () => {
    // 1–2 strong, 2–3 weaker; a reviewer said 1 and 3 differ: the weaker link loses.
    const c = clusterWithConstraints([1, 2, 3], [link(1, 2, 0.95), link(2, 3, 0.85)], {
      ...none,
      cannotLink: [[1, 3]],
    });
    expect(c.clusters).toEqual([[1, 2], [3]]);
    expect(c.decisionsApplied).toBe(1);
  });

  it('joins accepted pairs the matcher did not link and marks them reviewed', () => {
    const c = clusterWithConstraints([1, 2, 3], [], { ...none, mustLink: [[1, 3]] });
    expect(c.clusters).toEqual([[1, 3], [2]]);
    expect([...c.reviewed].sort()).toEqual([1, 3]);
    expect(c.decisionsApplied).toBe(1);
  });

  it('counts an accept that contradicts a reject as a conflict and keeps the reject', () => {
    const c = clusterWithConstraints([1, 2, 3], [], {
      ...none,
      mustLink: [
        [1, 2],
        [2, 3],
      ],
      cannotLink: [[1, 3]],
    });
    expect(c.clusters).toEqual([[1, 2], [3]]);
    expect(c.conflicts).toBe(1);
  });

  it('never puts two different seed labels in one cluster', () => {
    const c = clusterWithConstraints([1, 2, 3], [link(1, 2), link(2, 3, 0.8)], {
      ...none,
      label: new Map([
        [1, '1602'],
        [3, '1611'],
      ]),
    });
    expect(c.clusters).toEqual([[1, 2], [3]]);
  });

  it('ignores review and non-match pairs and ids it was not given', () => {
    const review: MatchPair = { ...link(1, 2), decision: 'review' };
    const c = clusterWithConstraints([1, 2], [review, link(2, 9)], none);
    expect(c.clusters).toEqual([[1], [2]]);
  });
});
