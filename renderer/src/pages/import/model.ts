// Pure shaping for the import wizard: the kinds, profile selection and editing, preview rows
// as the run will map them, and progress → rates. No React here.
import type { Input, Output, Progress } from '../../api';
import { formatBytes, formatInt, formatNumber } from '../../lib/format';

export type ImportKind = Input<'import.run'>['kind'];
export type ImportMode = 'lenient' | 'strict';
export type Profile = Output<'import.profiles'>[number];
export type ProfileInput = Exclude<Input<'import.preview'>['profile'], string | undefined>;
export type Preview = Output<'import.preview'>;
export type PreviewField = Preview['fields'][number];
export type ImportResult = Output<'import.run'>;
export type FileOutcome = ImportResult['files'][number];
export type Reject = FileOutcome['rejects'][number];
export type Batch = Output<'import.batches'>[number];
export type DateFormat = Profile['dateFormat'];

export interface KindInfo {
  label: string;
  description: string;
  /** CSV kinds with native fields: a column mapping and a preview. */
  tabular: boolean;
  /** Timestamps are local to an organization: the import needs one. */
  needsOrg: boolean;
}

/** The ten kinds of `edw import`, in the order of the CLI contract. */
export const KINDS: Record<ImportKind, KindInfo> = {
  cis: {
    label: 'CIS (customers, accounts, premises)',
    description:
      'Customers, accounts, premises, addresses, usage points, meters and service agreements, one row per agreement.',
    tabular: true,
    needsOrg: false,
  },
  intervals: {
    label: 'Interval data',
    description: 'Interval readings, long format or wide (one row per day with 24 or 96 values).',
    tabular: true,
    needsOrg: true,
  },
  reads: {
    label: 'Register reads',
    description: 'Meter register reads with multiplier and estimated flag.',
    tabular: true,
    needsOrg: true,
  },
  greenbutton: {
    label: 'Green Button',
    description: 'ESPI Atom XML or the Green Button “Download My Data” CSV.',
    tabular: false,
    needsOrg: true,
  },
  tariff: {
    label: 'Tariff',
    description: 'URDB JSON (as the OpenEI API returns it) or edw tariff JSON.',
    tabular: false,
    needsOrg: false,
  },
  topology: {
    label: 'Grid topology',
    description: 'Substations, circuits, sections, nodes and premise/asset connections.',
    tabular: true,
    needsOrg: false,
  },
  der: {
    label: 'DER assets',
    description: 'DER assets and interconnection applications with status history.',
    tabular: true,
    needsOrg: false,
  },
  programs: {
    label: 'Program enrolments',
    description: 'Program enrolments and the nightly delta feed (add, update, end).',
    tabular: true,
    needsOrg: false,
  },
  submeter: {
    label: 'Sub-meter data',
    description: 'Non-utility sensor readings keyed by address or premise.',
    tabular: true,
    needsOrg: false,
  },
  bill: {
    label: 'Bills',
    description: 'Bill headers and lines as billed.',
    tabular: false,
    needsOrg: false,
  },
};

export const KIND_IDS = Object.keys(KINDS) as ImportKind[];

export function isKind(v: string): v is ImportKind {
  return Object.prototype.hasOwnProperty.call(KINDS, v);
}

export const DATE_FORMAT_LABELS: Record<DateFormat, string> = {
  iso: 'ISO (YYYY-MM-DD)',
  mdy: 'Month/day/year',
  dmy: 'Day/month/year',
  ymd: 'Year/month/day',
};

// ---------------------------------------------------------------------------------------------
// Profiles

/** Value of the profile select meaning "no saved profile: map from the file's headers". */
export const SUGGESTED = '';
export const SUGGESTED_NAME = 'from headers';

/** Saved profiles share names across organizations: the select keys them by both. */
export function profileKey(p: Pick<Profile, 'name' | 'org'>): string {
  return `${p.org ?? ''}\u0000${p.name}`;
}

export function profileLabel(p: Profile): string {
  const base = p.name === 'native' ? 'native (edw layout)' : p.name;
  return p.org ? `${base} · ${p.org}` : base;
}

/** The profile the wizard starts from: a saved one, or an empty one the suggestion fills. */
export function baseProfile(kind: ImportKind, selected: Profile | undefined): ProfileInput {
  return selected ?? { name: SUGGESTED_NAME, kind, columns: {} };
}

/** What the user changed on top of the preview's effective profile. */
export interface MappingEdits {
  /** native field → source header, or null to leave the field unmapped. */
  columns: Record<string, string | null>;
  dateFormat?: DateFormat;
}

export const NO_EDITS: MappingEdits = { columns: {} };

export function hasEdits(e: MappingEdits): boolean {
  return Object.keys(e.columns).length > 0 || e.dateFormat !== undefined;
}

/** The effective profile with the user's edits: what the edited preview and the run use. */
export function applyEdits(effective: Profile, edits: MappingEdits): Profile {
  if (!hasEdits(edits)) return effective;
  const columns: Record<string, string> = { ...effective.columns };
  for (const [field, header] of Object.entries(edits.columns)) {
    if (header === null) delete columns[field];
    else columns[field] = header;
  }
  return {
    ...effective,
    name: effective.name.endsWith(' (edited)') ? effective.name : `${effective.name} (edited)`,
    columns,
    dateFormat: edits.dateFormat ?? effective.dateFormat,
  };
}

/** Required fields the profile maps to no column and gives no default. */
export function unmappedRequired(fields: readonly PreviewField[], profile: Profile): string[] {
  return fields
    .filter((f) => f.required && profile.columns[f.name] === undefined)
    .filter((f) => !(f.name in profile.defaults))
    .map((f) => f.name);
}

/** Headers mapped to more than one field (allowed, but usually a slip). */
export function sharedHeaders(profile: Profile): string[] {
  const seen = new Map<string, number>();
  for (const h of Object.values(profile.columns)) {
    const k = h.toLowerCase();
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([h]) => h);
}

export interface PreviewRow extends Record<string, string | number> {
  '#': number;
}

/**
 * Preview rows as the run will map them. The preview fills fields the profile leaves
 * unmapped with the header suggestion; the run does not, so such fields show their default
 * (or nothing) here.
 */
export function previewRows(preview: Preview, profile: Profile): PreviewRow[] {
  return preview.rows.map((r, i) => {
    const out: PreviewRow = { '#': i + 1 };
    for (const f of preview.fields) {
      out[f.name] =
        profile.columns[f.name] === undefined
          ? (profile.defaults[f.name] ?? '')
          : (r[f.name] ?? '');
    }
    return out;
  });
}

const utf8 = new TextEncoder();

/**
 * Approximate bytes per source line, from the preview rows (their values plus separators;
 * columns no field maps are not in the preview, so this underestimates wide files).
 */
export function bytesPerRow(preview: Preview | undefined): number | null {
  if (!preview || preview.rows.length === 0) return null;
  const seps = Math.max(preview.headers.length, preview.fields.length);
  let total = 0;
  for (const r of preview.rows) {
    for (const v of Object.values(r)) total += utf8.encode(v).length;
    total += seps; // commas and the line break
  }
  return total / preview.rows.length;
}

// ---------------------------------------------------------------------------------------------
// Progress

export interface RunProgress {
  startedAt: number;
  /** Time of the last frame (ms). */
  at: number;
  phase: string;
  /** 0-based index of the file being worked on, and the number of files. */
  fileIndex: number;
  fileCount: number;
  /** Bytes read of the current file and its size (null until the first byte frame). */
  bytesDone: number;
  bytesTotal: number | null;
  /** Bytes of the files finished before the current one. */
  bytesBefore: number;
  /** Any other unit the host reports (e.g. rows), for the current file. */
  other: { done: number; total: number | null; unit: string } | null;
}

export function startProgress(fileCount: number, now: number): RunProgress {
  return {
    startedAt: now,
    at: now,
    phase: 'starting',
    fileIndex: 0,
    fileCount,
    bytesDone: 0,
    bytesTotal: null,
    bytesBefore: 0,
    other: null,
  };
}

/** Fold one progress frame into the run's progress. */
export function advance(s: RunProgress, p: Progress, now: number): RunProgress {
  const next: RunProgress = { ...s, at: now, phase: p.phase };
  if (p.unit === 'files') {
    const index = Math.max(0, Math.floor(p.done));
    if (index !== s.fileIndex) {
      // A new file: what was read of the previous one counts as finished.
      next.bytesBefore = s.bytesBefore + (s.bytesTotal ?? s.bytesDone);
      next.bytesDone = 0;
      next.bytesTotal = null;
      next.other = null;
      next.fileIndex = index;
    }
    if (p.total) next.fileCount = p.total;
  } else if (p.unit === 'bytes') {
    next.bytesDone = p.done;
    next.bytesTotal = p.total ?? null;
  } else {
    next.other = { done: p.done, total: p.total ?? null, unit: p.unit ?? '' };
  }
  return next;
}

export interface RunFigures {
  /** Fraction of the current file read, null when unknown. */
  fraction: number | null;
  elapsedSeconds: number;
  /** Bytes per second over the whole run so far (measured). */
  bytesPerSecond: number | null;
  /** Rows per second estimated from the bytes rate and the preview's row size. */
  rowsPerSecondEstimate: number | null;
}

const MIN_ELAPSED_FOR_RATE = 0.25;

export function figures(s: RunProgress, rowBytes: number | null): RunFigures {
  const elapsedSeconds = Math.max(0, (s.at - s.startedAt) / 1000);
  const bytes = s.bytesBefore + s.bytesDone;
  const bytesPerSecond =
    elapsedSeconds >= MIN_ELAPSED_FOR_RATE && bytes > 0 ? bytes / elapsedSeconds : null;
  return {
    fraction: s.bytesTotal ? Math.min(1, s.bytesDone / s.bytesTotal) : null,
    elapsedSeconds,
    bytesPerSecond,
    rowsPerSecondEstimate:
      bytesPerSecond !== null && rowBytes !== null && rowBytes > 0
        ? bytesPerSecond / rowBytes
        : null,
  };
}

export function formatRate(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? '—' : `${formatBytes(bytesPerSecond)}/s`;
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${formatNumber(s, 1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${formatInt(Math.round(s - m * 60))} s`;
}

// ---------------------------------------------------------------------------------------------
// Results

export type StatusTone = 'ok' | 'warn' | 'bad' | 'muted';

export function statusLabel(o: FileOutcome): { text: string; tone: StatusTone } {
  switch (o.status) {
    case 'committed':
      return o.rowsRejected > 0
        ? { text: 'imported with rejects', tone: 'warn' }
        : { text: 'imported', tone: 'ok' };
    case 'duplicate':
      return { text: 'already imported', tone: 'muted' };
    case 'rejected':
      return { text: 'rejected', tone: 'bad' };
    case 'cancelled':
      return { text: 'cancelled', tone: 'muted' };
  }
}

export interface ResultTotals {
  files: number;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
}

export function totals(r: ImportResult): ResultTotals {
  return r.files.reduce<ResultTotals>(
    (t, f) => ({
      files: t.files + 1,
      rowsTotal: t.rowsTotal + f.rowsTotal,
      rowsAccepted: t.rowsAccepted + f.rowsAccepted,
      rowsRejected: t.rowsRejected + f.rowsRejected,
    }),
    { files: 0, rowsTotal: 0, rowsAccepted: 0, rowsRejected: 0 },
  );
}

/** "customer: 5 · account: 5 …" for the tables a file wrote to. */
export function writtenSummary(written: Record<string, number>): string {
  const parts = Object.entries(written)
    .filter(([, n]) => n > 0)
    .map(
      ([t, n]) =>
        `${t
          .replace(/([a-z])([A-Z])/g, '$1 $2')
          .replace(/_/g, ' ')
          .toLowerCase()} ${formatInt(n)}`,
    );
  return parts.join(' · ');
}
