// Wire schemas of the import API (pure zod: the renderer imports them through the API
// definition). The profile schema lives in profile.ts.
import { z } from 'zod';
import { ImportKind, Profile } from './profile';

export { ImportKind, Profile };

const Reject = z.object({
  file: z.string(),
  line: z.number(),
  column: z.string().nullable(),
  value: z.string().nullable(),
  reason: z.string(),
});

export const ImportRequest = z.object({
  kind: ImportKind,
  files: z.array(z.string().min(1)).min(1),
  org: z.string().optional(),
  /** A saved profile's name, or a profile object. Default: the kind's native layout. */
  profile: z.union([z.string(), Profile]).optional(),
  mode: z.enum(['lenient', 'strict']).default('lenient'),
  /** Where rejects files go; default: `<workspace>.rejects/` beside the workspace. */
  rejectsDir: z.string().optional(),
});
export type ImportRequest = z.infer<typeof ImportRequest>;

export const FileOutcome = z.object({
  file: z.string(),
  status: z.enum(['committed', 'rejected', 'duplicate', 'cancelled']),
  batchId: z.number().nullable(),
  contentHash: z.string().nullable(),
  rowsTotal: z.number(),
  rowsAccepted: z.number(),
  rowsRejected: z.number(),
  rejectsFile: z.string().nullable(),
  /** The first rejects (all of them are in the rejects file). */
  rejects: z.array(Reject),
  findings: z.array(
    z.object({
      kind: z.string(),
      message: z.string(),
      count: z.number().optional(),
      subject: z.string().optional(),
    }),
  ),
  written: z.record(z.string(), z.number()),
  message: z.string(),
});
export type FileOutcome = z.infer<typeof FileOutcome>;

export const ImportResult = z.object({
  kind: ImportKind,
  ok: z.boolean(),
  files: z.array(FileOutcome),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const ImportPreview = z.object({
  kind: ImportKind,
  file: z.string(),
  encoding: z.string(),
  headers: z.array(z.string()),
  fields: z.array(z.object({ name: z.string(), required: z.boolean(), description: z.string() })),
  suggested: z.record(z.string(), z.string()),
  profile: Profile,
  /** The first rows mapped onto the native fields (at most 100). */
  rows: z.array(z.record(z.string(), z.string())),
  /** Problems the preview already sees (missing required mappings, unreadable file). */
  problems: z.array(z.string()),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const DirEntry = z.object({
  name: z.string(),
  path: z.string(),
  dir: z.boolean(),
  size: z.number(),
});
