// Pure logic of the Datasets page: the parameter form (typed values from the parameter
// dictionary, validation), grid rows from preview pages, and the run-record figures.
import type { Output } from '../../api';

export type DatasetInfo = Output<'dataset.list'>[number];
export type ParamInfo = DatasetInfo['params'][number];
export type ColumnInfo = DatasetInfo['columns'][number];
export type PreviewPage = Output<'dataset.preview'>;
export type RunRecord = Output<'dataset.export'>;

/** What the form holds per parameter: the text typed (or the choice made). */
export type FormValues = Record<string, string>;

export const REDACTED = '[redacted]';

/** The form's starting values: each parameter's default, as text ('' when none). */
export function initialForm(params: readonly ParamInfo[]): FormValues {
  return Object.fromEntries(
    params.map((p) => [
      p.name,
      p.default === undefined || p.default === null ? '' : String(p.default),
    ]),
  );
}

export type ParamValue = string | number | boolean;

/**
 * Typed parameter values from the form, or the problems per parameter. Empty text leaves an
 * optional parameter out (its default applies); a required one must be given.
 */
export function formToParams(
  params: readonly ParamInfo[],
  form: FormValues,
): { values: Record<string, ParamValue>; problems: Record<string, string> } {
  const values: Record<string, ParamValue> = {};
  const problems: Record<string, string> = {};
  for (const p of params) {
    const raw = (form[p.name] ?? '').trim();
    if (raw === '') {
      if (p.required) problems[p.name] = 'required';
      continue;
    }
    if (p.values && !p.values.includes(raw)) {
      problems[p.name] = `one of ${p.values.join(', ')}`;
      continue;
    }
    if (p.type === 'integer' || p.type === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || (p.type === 'integer' && !Number.isInteger(n))) {
        problems[p.name] = p.type === 'integer' ? 'a whole number' : 'a number';
        continue;
      }
      values[p.name] = n;
    } else if (p.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') {
        problems[p.name] = 'true or false';
        continue;
      }
      values[p.name] = raw === 'true';
    } else {
      const hint = inputKind(p);
      if (hint === 'month' && !/^\d{4}-(0[1-9]|1[0-2])$/.test(raw)) {
        problems[p.name] = 'a month YYYY-MM';
        continue;
      }
      if (hint === 'date' && !/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(raw)) {
        problems[p.name] = 'a date YYYY-MM-DD';
        continue;
      }
      values[p.name] = raw;
    }
  }
  return { values, problems };
}

/** Which input a parameter gets: a select, a checkbox, a number, a month/date, or text. */
export function inputKind(
  p: ParamInfo,
): 'select' | 'boolean' | 'number' | 'month' | 'date' | 'text' {
  if (p.values) return 'select';
  if (p.type === 'boolean') return 'boolean';
  if (p.type === 'integer' || p.type === 'number') return 'number';
  const d = p.description ?? '';
  if (/\bYYYY-MM-DD\b/.test(d)) return 'date';
  if (/\bYYYY-MM\b/.test(d)) return 'month';
  return 'text';
}

/** A grid row: the values by column index key `c<i>`, plus the suppression flag. */
export interface GridRow {
  [key: string]: string | number | boolean | null;
  __suppressed: boolean;
}

export const fieldOf = (i: number) => `c${i}`;

export function toGridRows(page: PreviewPage): GridRow[] {
  return page.rows.map((r) => {
    const row: GridRow = { __suppressed: r.suppressed };
    r.values.forEach((v, i) => (row[fieldOf(i)] = v));
    return row;
  });
}

/** Rows as objects keyed by column name (for charts). */
export function toNamedRows(page: PreviewPage): Record<string, unknown>[] {
  const names = page.columns.map((c) => c.name);
  return page.rows.map((r) => ({
    ...Object.fromEntries(names.map((n, i) => [n, r.values[i] ?? null])),
    __suppressed: r.suppressed,
  }));
}

/** The grid's last row index for a page: known once the page reaches the end, else -1. */
export function lastRow(page: PreviewPage): number {
  return page.done ? page.offset + page.rows.length : -1;
}

/** Column header: name and unit. */
export function headerName(c: ColumnInfo): string {
  return c.unit ? `${c.name} (${c.unit})` : c.name;
}

export const DATA_CLASS_LABEL: Record<ColumnInfo['dataClass'], string> = {
  pii: 'PII — redacted unless the role may see it',
  customer_usage: 'customer usage — per customer, consent rules apply',
  aggregate: 'aggregate — released under the 15/15 rule',
  system: 'system — infrastructure and identifiers',
};

export function headerTooltip(c: ColumnInfo): string {
  return `${c.description}\nData class: ${DATA_CLASS_LABEL[c.dataClass]}\nType: ${c.type}${c.unit ? `, unit ${c.unit}` : ''}`;
}

/** A cell is suppressed-marked when its row failed 15/15 and it is an emptied value cell. */
export function isSuppressedCell(row: GridRow | undefined, c: ColumnInfo, value: unknown): boolean {
  return !!row?.__suppressed && value === null && c.dataClass === 'aggregate';
}

export function defaultOut(workspacePath: string | undefined, name: string): string {
  if (!workspacePath) return `${name}.csv`;
  const i = Math.max(workspacePath.lastIndexOf('/'), workspacePath.lastIndexOf('\\'));
  const dir = i >= 0 ? workspacePath.slice(0, i + 1) : '';
  return `${dir}${name}.csv`;
}
