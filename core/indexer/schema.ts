// zod schemas of the indexer's API (index.* methods). No Node imports: the renderer uses them.
import { z } from 'zod';

export const PlatformKind = z.enum([
  'PremiseID',
  'AddressID',
  'UsagePointID',
  'PersonID',
  'OrgID',
  'SensorID',
  'AccountID',
  'AssetID',
  'InstanceID',
  'TimePeriodID',
  'ProgramID',
  'BlockDefinitionID',
  'RateClassID',
]);
export type PlatformKind = z.infer<typeof PlatformKind>;

export const KindCounts = z.object({
  kind: PlatformKind,
  /** Source rows carrying an ID of this kind. */
  links: z.number(),
  /** Live (not retired) platform IDs of this kind. */
  ids: z.number(),
  created: z.number(),
  merged: z.number(),
  split: z.number(),
});
export type KindCounts = z.infer<typeof KindCounts>;

export const Evaluation = z.object({
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  truePairs: z.number(),
  predictedPairs: z.number(),
  correctPairs: z.number(),
  /** Premise records with ground truth that were evaluated. */
  records: z.number(),
});

export const IndexResult = z.object({
  runId: z.number(),
  seconds: z.number(),
  premises: z.number(),
  pairsScored: z.number(),
  autoLinks: z.number(),
  /** Unit records related to their multi-unit building instead of queued for review. */
  buildingRelations: z.number(),
  /** Pairs waiting for a reviewer (review pairs without a decision). */
  reviewQueue: z.number(),
  /** Reviewer decisions applied in this run. */
  decisionsApplied: z.number(),
  /** Accepted pairs that contradict a reject, split or seed ID and were not joined. */
  decisionConflicts: z.number(),
  kinds: z.array(KindCounts),
  /** Precision / recall / F1 of premise matching against fixture_premise_truth, when present. */
  evaluation: Evaluation.nullable(),
});
export type IndexResult = z.infer<typeof IndexResult>;

/** The last finished index run (null before the first): its result and when it ran. */
export const LastRun = z.object({
  run: z
    .object({
      /** Unix seconds. A decision made at or after finishedAt applies at the next run. */
      startedAt: z.number(),
      finishedAt: z.number(),
      result: IndexResult,
    })
    .nullable(),
});
export type LastRun = z.infer<typeof LastRun>;

export const ReviewSide = z.object({
  premiseId: z.number(),
  org: z.string(),
  sourceKey: z.string(),
  kind: z.string(),
  /** The address as the organization wrote it (PII: "[redacted]" when the role may not see it). */
  raw: z.string(),
  normalized: z.string(),
  platformId: z.string().nullable(),
});

export const Reason = z.object({ feature: z.string(), value: z.string(), weight: z.number() });

export const MatchDecision = z.enum(['accept', 'reject', 'split']);
export type MatchDecision = z.infer<typeof MatchDecision>;

export const ReviewItem = z.object({
  left: ReviewSide,
  right: ReviewSide,
  score: z.number(),
  status: z.enum(['auto_link', 'review', 'non_match']),
  reasons: z.array(Reason),
  decision: MatchDecision.nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.number().nullable(),
  note: z.string().nullable(),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

export const ReviewQuery = z.object({
  /** open: review pairs without a decision; decided: every decided pair; linked: auto links. */
  filter: z.enum(['open', 'decided', 'linked']).default('open'),
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).default(0),
});

export const ReviewPage = z.object({ total: z.number(), items: z.array(ReviewItem) });

export const DecideRequest = z.object({
  left: z.number().int(),
  right: z.number().int(),
  /** null clears an earlier decision (the matcher decides again). */
  decision: MatchDecision.nullable(),
  note: z.string().max(2000).optional(),
});
