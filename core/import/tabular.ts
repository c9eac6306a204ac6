// Mapped CSV reading shared by the CSV kinds: header → native field through the profile,
// missing required columns refuse the file with the headers it does have, each row reaches the
// importer as a typed accessor, and unmapped columns are returned as attributes to keep.
import { EdwError } from '../workspace/errors';
import { NATIVE_FIELDS, suggestMapping, type FieldSpec } from './profile';
import { readCsv } from './source';
import { guardRow } from './run';
import type { ImportContext } from './types';

export interface MappedRow {
  line: number;
  /** Trimmed value of a native field (from its column or the profile default); '' if absent. */
  get(field: string): string;
  has(field: string): boolean;
  /** Columns the profile does not map: kept as attributes of the rows they create. */
  extras(): Record<string, string>;
}

export interface TabularStats {
  rowsTotal: number;
  rowsAccepted: number;
}

/**
 * Stream the file's rows through `onRow` (which throws RowError to reject a row).
 * `onBatch` runs after each batch of rows (for flushing staged work).
 */
export async function readMapped(
  ctx: ImportContext,
  onRow: (row: MappedRow) => void,
  onBatch?: () => void | Promise<void>,
): Promise<TabularStats> {
  let index: Map<string, number> | null = null;
  let headers: string[] = [];
  let extraIdx: [string, number][] = [];
  const stats: TabularStats = { rowsTotal: 0, rowsAccepted: 0 };
  const defaults = ctx.profile.defaults;
  // Rejects name the column as the file spells it: "ZIP5", not the native "zip".
  const sourceColumn = (field: string): string => {
    const header = ctx.profile.columns[field];
    return header !== undefined && header !== field ? header : field;
  };

  await readCsv(ctx.path, {
    fileName: ctx.file,
    signal: ctx.signal,
    onProgress: (done, total) => ctx.progress(done, total, 'bytes'),
    onRecords: async (records) => {
      for (const rec of records) {
        if (!index) {
          headers = rec.fields.map((h) => h.trim());
          index = mapHeaders(ctx, headers);
          const mapped = new Set(index.values());
          extraIdx = headers
            .map((h, i) => [h, i] as [string, number])
            .filter(([h, i]) => h !== '' && !mapped.has(i));
          continue;
        }
        if (rec.fields.length === 1 && rec.fields[0]?.trim() === '') continue; // blank line
        stats.rowsTotal++;
        const f = rec.fields;
        const idx: Map<string, number> = index;
        if (f.length !== headers.length) {
          ctx.reject({
            line: rec.line,
            column: null,
            value: null,
            reason: `expected ${headers.length} columns, found ${f.length} (truncated or malformed line)`,
          });
          continue;
        }
        const row: MappedRow = {
          line: rec.line,
          get: (field) => {
            const i = idx.get(field);
            return (i === undefined ? (defaults[field] ?? '') : (f[i] ?? '')).trim();
          },
          has: (field) => idx.has(field) || field in defaults,
          extras: () => Object.fromEntries(extraIdx.map(([h, i]) => [h, f[i] ?? ''])),
        };
        if (guardRow(ctx, rec.line, () => onRow(row), sourceColumn)) stats.rowsAccepted++;
      }
      await onBatch?.();
      await ctx.breathe();
    },
  });
  if (!index)
    throw new EdwError('input_rejected', `${ctx.file}: the file is empty (no header line)`, {
      line: 1,
    });
  return stats;
}

/**
 * Native field → column index through the profile. A required field that is neither mapped nor
 * defaulted (nor in `notRequired`) refuses the file, naming the header it has and a suggestion.
 */
export function mapHeaders(
  ctx: ImportContext,
  headers: readonly string[],
  fields: readonly FieldSpec[] = NATIVE_FIELDS[ctx.kind] ?? [],
  notRequired: ReadonlySet<string> = new Set(),
): Map<string, number> {
  const pos = new Map(headers.map((h, i) => [h.toLowerCase(), i]));
  const index = new Map<string, number>();
  const missing: string[] = [];
  for (const f of fields) {
    const header = ctx.profile.columns[f.name];
    const i = header === undefined ? undefined : pos.get(header.toLowerCase());
    if (i !== undefined) index.set(f.name, i);
    else if (f.required && !notRequired.has(f.name) && !(f.name in ctx.profile.defaults))
      missing.push(header && header !== f.name ? `${f.name} (column "${header}")` : f.name);
  }
  if (missing.length > 0) {
    const suggestion = suggestMapping(ctx.kind, headers);
    const hint = Object.keys(suggestion).length
      ? ` A profile mapping ${Object.entries(suggestion)
          .map(([k, v]) => `${k}←"${v}"`)
          .join(', ')} may fit.`
      : '';
    throw new EdwError(
      'input_rejected',
      `${ctx.file}: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for ${ctx.kind} (profile "${ctx.profile.name}"); the file's header is: ${headers.join(', ')}.${hint}`,
      { line: 1, missing },
    );
  }
  return index;
}
