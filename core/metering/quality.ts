// Normalised reading quality codes, stored in interval blocks and register reads.
// Pure (no Node APIs): the renderer and the API definition use it too.

export const QUALITY = { valid: 0, estimated: 1, edited: 2, missing: 3, failed: 4 } as const;
export type QualityName = keyof typeof QUALITY;
export type QualityCode = (typeof QUALITY)[QualityName];
export const QUALITY_NAMES: readonly QualityName[] = [
  'valid',
  'estimated',
  'edited',
  'missing',
  'failed',
];
