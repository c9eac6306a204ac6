// RFC 4180 CSV: CRLF line ends; a field is quoted when it contains a comma, a double quote,
// CR or LF, and quotes inside are doubled. null is an empty field, the empty string a quoted
// empty field (""), so the two stay distinguishable. Numbers use JavaScript's shortest
// round-trip form, booleans `true`/`false`.
import type { CellValue } from './types';

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(v: CellValue | undefined): string {
  // Numbers first: they never need quotes (the common cell of large exports).
  if (typeof v === 'number') return String(v);
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  if (s === '') return '""';
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly (CellValue | undefined)[]): string {
  let line = values.length > 0 ? csvField(values[0]) : '';
  for (let i = 1; i < values.length; i++) line += ',' + csvField(values[i]);
  return line + '\r\n';
}
