// zod schemas of the search API (search.premises). No Node imports: the renderer uses them.
import { z } from 'zod';

export const SearchRequest = z.object({
  query: z.string().max(500),
  limit: z.number().int().min(1).max(200).default(20),
});

export const SearchHit = z.object({
  /** Platform PremiseID; null when the indexer has not linked the record yet. */
  platformId: z.string().nullable(),
  /** Every premise record (one per organization) under this platform premise. */
  premiseIds: z.array(z.number()),
  /** The records the query matched. */
  matchedPremiseIds: z.array(z.number()),
  orgs: z.array(z.string()),
  /** The normalised service address of the best-matching record. */
  address: z.string(),
  /** Higher is better (negated bm25). */
  score: z.number(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResult = z.object({
  query: z.string(),
  hits: z.array(SearchHit),
  /** True when no record matched every word and the hits match only some of them. */
  partial: z.boolean(),
  /** Words the index does not know and the known words searched instead. */
  corrections: z.array(z.object({ from: z.string(), to: z.array(z.string()) })),
  ms: z.number(),
});
export type SearchResult = z.infer<typeof SearchResult>;
