// zod schemas of the dataset API (dataset.* methods). No Node imports: the renderer uses them.
import { z } from 'zod';
import { DataClass, Role } from '../privacy/roles';

export const ColumnType = z.enum(['text', 'integer', 'number', 'boolean', 'date', 'list']);
export type ColumnType = z.infer<typeof ColumnType>;

/** One column of a dataset's data dictionary. */
export const ColumnInfo = z.object({
  name: z.string(),
  type: ColumnType,
  unit: z.string().nullable(),
  description: z.string(),
  dataClass: DataClass,
});
export type ColumnInfo = z.infer<typeof ColumnInfo>;

/** One parameter of a dataset definition (derived from its zod schema). */
export const ParamInfo = z.object({
  name: z.string(),
  type: z.string(),
  required: z.boolean(),
  default: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  description: z.string().nullable(),
  values: z.array(z.string()).optional(),
});
export type ParamInfo = z.infer<typeof ParamInfo>;

export const DatasetInfo = z.object({
  name: z.string(),
  version: z.number().int(),
  title: z.string(),
  description: z.string(),
  privacyClass: DataClass,
  params: z.array(ParamInfo),
  columns: z.array(ColumnInfo),
});
export type DatasetInfo = z.infer<typeof DatasetInfo>;

/** Parameter values as given: typed (API) or strings (CLI `--param k=v`), coerced per type. */
export const ParamValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type ParamValues = z.infer<typeof ParamValues>;

export const CellValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** What one run (an export) recorded; also the `run` part of the sidecar JSON. */
export const RunRecord = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.number().int(),
  parameters: z.record(z.string(), z.unknown()),
  workspaceFingerprint: z.string(),
  rowCount: z.number().int(),
  suppressedCells: z.number().int(),
  redactedCells: z.number().int(),
  withheldRows: z.number().int(),
  role: Role,
  outputPath: z.string(),
  dictionaryPath: z.string(),
  /** UTC epoch seconds. */
  createdAt: z.number().int(),
  /** The UTC date consents were evaluated at; null when the role needed no consent check. */
  consentAsOf: z.string().nullable(),
  seconds: z.number(),
});
export type RunRecord = z.infer<typeof RunRecord>;

export const ExportRequest = z.object({
  name: z.string().min(1),
  params: ParamValues.default({}),
  out: z.string().min(1),
});
export type ExportRequest = z.infer<typeof ExportRequest>;

export const PreviewRequest = z.object({
  name: z.string().min(1),
  params: ParamValues.default({}),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type PreviewRequest = z.infer<typeof PreviewRequest>;

export const PreviewPage = z.object({
  name: z.string(),
  version: z.number().int(),
  columns: z.array(ColumnInfo),
  offset: z.number().int(),
  /** Rows as the session's role may see them; `suppressed` marks a 15/15-suppressed cell. */
  rows: z.array(z.object({ values: z.array(CellValue), suppressed: z.boolean() })),
  /** True when the page reaches the last row (the grid then knows the row count). */
  done: z.boolean(),
  /** Rows withheld (no consent) and cells redacted up to the end of this page. */
  withheldRows: z.number().int(),
  redactedCells: z.number().int(),
  /** Suppressed (15/15) cells up to the end of this page. */
  suppressedCells: z.number().int(),
  /** The session role the page was produced for. */
  role: Role,
});
export type PreviewPage = z.infer<typeof PreviewPage>;
