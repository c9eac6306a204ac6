// What a dataset definition is (docs/datasets.md): a name and version, a title and
// description, parameters as a zod object (types, defaults, descriptions), a column dictionary
// whose every column names a data class, the dataset's privacy class, and a row producer.
// Rows are produced lazily (an iterable), so a dataset of any size streams to its CSV.
import type { Database } from 'better-sqlite3';
import type { z } from 'zod';
import type { Subject } from '../privacy/consent';
import type { CellValue } from '../privacy/redact';
import type { DataClass, Role } from '../privacy/roles';
import type { ColumnInfo } from './schema';

export type { CellValue };
export type ColumnDef = ColumnInfo;

/** A column of the dictionary, positionally (the definitions list dozens of them). */
export const col = (
  name: string,
  type: ColumnDef['type'],
  unit: string | null,
  dataClass: ColumnDef['dataClass'],
  description: string,
): ColumnDef => ({ name, type, unit, description, dataClass });

export interface DatasetRow {
  /** Values by column name; a missing name is null. */
  values: Readonly<Record<string, CellValue>>;
  /** Whose data the row carries (for consent); empty for aggregate and system rows. */
  subjects?: readonly Subject[];
  /** The row is an aggregate cell suppressed by the 15/15 rule (its values already nulled). */
  suppressed?: boolean;
  /**
   * How many suppressed cells this row adds to the run's count (default: 1 when `suppressed`).
   * A row that repeats an aggregate already counted (e.g. a circuit's load on each asset row
   * of the circuit) is marked `suppressed` but adds 0.
   */
  suppressedCells?: number;
}

export interface DatasetContext {
  db: Database;
  role: Role;
  /** The instant of the run (consent validity, "as of" defaults). */
  now: Date;
  /** What the rows are for: an export (recorded) or a preview (nothing is recorded). */
  purpose?: 'export' | 'preview';
  /** Per-run scratch space: filled by rows(), read by afterExport() of the same run. */
  scratch?: Map<string, unknown>;
}

export interface DatasetDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Stable name from DESIGN.md, e.g. `core-06-index`. */
  name: string;
  /** Raised whenever columns, parameters or semantics change. */
  version: number;
  title: string;
  description: string;
  /** The most sensitive class the dataset can contain. */
  privacyClass: DataClass;
  /** Parameters: a strict zod object; `.describe()` each field and give defaults. */
  params: S;
  columns: readonly ColumnDef[];
  /** The rows, lazily. May throw EdwError('usage') for a parameter value it cannot use. */
  rows(ctx: DatasetContext, params: z.output<S>): Iterable<DatasetRow>;
  /** How many rows to expect (before privacy filtering), for progress; optional. */
  count?(ctx: DatasetContext, params: z.output<S>): number;
  /**
   * Called inside the export's transaction, after its dataset_run row is written (never for
   * previews, cancelled or failed exports): where a dataset keeps state between runs, e.g. the
   * baseline of a delta feed.
   */
  afterExport?(ctx: DatasetContext, params: z.output<S>, runId: number): void;
}

/** A definition with its parameter type erased, as the registry holds it. */
export interface AnyDataset {
  name: string;
  version: number;
  title: string;
  description: string;
  privacyClass: DataClass;
  params: z.ZodObject;
  columns: readonly ColumnDef[];
  /** `params` must be the output of `params.parse`. */
  rows(ctx: DatasetContext, params: Readonly<Record<string, unknown>>): Iterable<DatasetRow>;
  count?(ctx: DatasetContext, params: Readonly<Record<string, unknown>>): number;
  afterExport?(ctx: DatasetContext, params: Readonly<Record<string, unknown>>, runId: number): void;
}

/** Declare a dataset (typed parameters inside, erased for the registry). */
export function defineDataset<S extends z.ZodObject>(d: DatasetDefinition<S>): AnyDataset {
  const count = d.count;
  const after = d.afterExport;
  return {
    name: d.name,
    version: d.version,
    title: d.title,
    description: d.description,
    privacyClass: d.privacyClass,
    params: d.params,
    columns: d.columns,
    rows: (ctx, p) => d.rows(ctx, p as z.output<S>),
    ...(count
      ? {
          count: (ctx: DatasetContext, p: Readonly<Record<string, unknown>>) =>
            count(ctx, p as z.output<S>),
        }
      : {}),
    ...(after
      ? {
          afterExport: (ctx: DatasetContext, p: Readonly<Record<string, unknown>>, runId: number) =>
            after(ctx, p as z.output<S>, runId),
        }
      : {}),
  };
}
