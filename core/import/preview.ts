// Preview of a CSV import: headers, the suggested mapping and the first rows as the profile
// maps them, without touching the workspace.
import { EdwError } from '../workspace/errors';
import { NATIVE_FIELDS, suggestMapping, type ImportKind, type Profile } from './profile';
import { readCsv } from './source';
import type { ImportPreview } from './schema';

const PREVIEW_ROWS = 100;

class Enough extends Error {}

export async function previewCsv(
  kind: ImportKind,
  file: string,
  profile: Profile,
): Promise<ImportPreview> {
  const fields = NATIVE_FIELDS[kind];
  if (!fields)
    throw new EdwError(
      'usage',
      `${kind} files are not tabular; they have no column mapping to preview`,
    );
  let headers: string[] | null = null;
  const raw: string[][] = [];
  let encoding = 'utf-8';
  const problems: string[] = [];
  try {
    const r = await readCsv(file, {
      onRecords: (records) => {
        for (const rec of records) {
          if (!headers) headers = rec.fields.map((h) => h.trim());
          else if (!(rec.fields.length === 1 && rec.fields[0] === '')) raw.push(rec.fields);
          if (raw.length >= PREVIEW_ROWS) throw new Enough();
        }
      },
    });
    encoding = r.encoding;
  } catch (e) {
    if (!(e instanceof Enough)) {
      if (e instanceof EdwError && e.code === 'input_rejected') problems.push(e.message);
      else throw e;
    }
  }
  const hs: string[] = headers ?? [];
  const suggested = suggestMapping(kind, hs);
  // Columns of the profile win; the suggestion fills fields the profile leaves unmapped.
  const columns: Record<string, string> = {};
  const lower = new Map(hs.map((h, i) => [h.toLowerCase(), i]));
  for (const f of fields) {
    const c = profile.columns[f.name];
    if (c !== undefined && lower.has(c.toLowerCase())) columns[f.name] = c;
    else if (suggested[f.name] !== undefined) columns[f.name] = suggested[f.name] as string;
  }
  const effective: Profile = { ...profile, columns };
  // Interval files may name the usage point by meter or account instead (intervals importer).
  const keyedOtherwise =
    kind === 'intervals' && (columns.meter !== undefined || columns.account !== undefined);
  for (const f of fields) {
    if (f.name === 'usage_point' && keyedOtherwise) continue;
    if (f.name === 'value' && kind === 'intervals' && profile.wide) continue;
    if (f.required && columns[f.name] === undefined && !(f.name in profile.defaults))
      problems.push(`required field ${f.name} is not mapped to any column`);
  }
  const rows = raw.map((r) => {
    const out: Record<string, string> = {};
    for (const f of fields) {
      const c = columns[f.name];
      const i = c === undefined ? undefined : lower.get(c.toLowerCase());
      out[f.name] = i === undefined ? (profile.defaults[f.name] ?? '') : (r[i] ?? '');
    }
    return out;
  });
  return {
    kind,
    file,
    encoding,
    headers: hs,
    fields: fields.map((f) => ({ name: f.name, required: f.required, description: f.description })),
    suggested,
    profile: effective,
    rows,
    problems,
  };
}
