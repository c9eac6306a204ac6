// Pure shaping for the Green Button page: what the selection sends, the default output file
// name, refusals told apart from other errors, export progress → figures. No React here.
import { ApiCallError, type Input, type Output, type Progress } from '../../api';
import { dirName } from '../../lib/download';
import { joinPath } from '../import/FileDialog';

export type Candidates = Output<'greenbutton.candidates'>;
export type CandidateUp = Candidates['usagePoints'][number];
export type CandidateCustomer = Candidates['customers'][number];
export type ConsentResult = Output<'greenbutton.consent'>;
export type ExportResult = Output<'greenbutton.export'>;
export type Selection = Input<'greenbutton.consent'>;
export type EspiVersion = '3.3' | '4.0';

export type Mode = 'usagePoints' | 'customer';

/** A picked usage point: what the export request and the chips need. */
export interface PickedUp {
  key: string;
  org: string;
  commodity: string;
  firstDay: string | null;
  lastDay: string | null;
}

export interface PickedCustomer {
  key: string;
  org: string;
  usagePoints: string[];
}

export function upId(u: { org: string; key: string }): string {
  return `${u.org}:${u.key}`;
}

/**
 * The selection the API gets, or null when nothing is picked. Usage point keys of one
 * organization carry it as `org` (a key may exist under several); keys of several
 * organizations go without it and the backend refuses a key it cannot tell apart.
 */
export function toSelection(
  mode: Mode,
  ups: readonly PickedUp[],
  customer: PickedCustomer | null,
  range: { from: string; to: string },
  grantee: string,
): Selection | null {
  const extra = {
    ...(range.from ? { from: range.from } : {}),
    ...(range.to ? { to: range.to } : {}),
    ...(grantee ? { grantee } : {}),
  };
  if (mode === 'customer') {
    if (!customer) return null;
    return { usagePoints: [], customer: customer.key, org: customer.org, ...extra };
  }
  if (ups.length === 0) return null;
  const orgs = new Set(ups.map((u) => u.org));
  return {
    usagePoints: ups.map((u) => u.key),
    ...(orgs.size === 1 ? { org: ups[0]!.org } : {}),
    ...extra,
  };
}

/** Problems with the range that the user should fix before asking the backend. */
export function rangeProblem(from: string, to: string): string | null {
  const iso = /^\d{4}-\d{2}-\d{2}$/;
  if (from && !iso.test(from)) return 'The first day must be a date (YYYY-MM-DD).';
  if (to && !iso.test(to)) return 'The last day must be a date (YYYY-MM-DD).';
  if (from && to && from > to) return `The range is empty: ${from} is after ${to}.`;
  return null;
}

/** The data span of the picked usage points (first and last stored day), for the range hint. */
export function dataSpan(ups: readonly PickedUp[]): { first: string; last: string } | null {
  const firsts = ups.map((u) => u.firstDay).filter((d): d is string => d !== null);
  const lasts = ups.map((u) => u.lastDay).filter((d): d is string => d !== null);
  if (!firsts.length || !lasts.length) return null;
  return { first: firsts.sort()[0]!, last: lasts.sort()[lasts.length - 1]! };
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
}

/** greenbutton-<what>[-<from>_<to>].xml beside the workspace (or bare, without one). */
export function defaultOutput(
  workspacePath: string | null | undefined,
  sel: Selection | null,
): string {
  let what = 'export';
  if (sel?.customer) what = `customer-${safe(sel.customer)}`;
  else if (sel && sel.usagePoints && sel.usagePoints.length > 0) {
    const first = safe(sel.usagePoints[0]!);
    what = sel.usagePoints.length === 1 ? first : `${first}-and-${sel.usagePoints.length - 1}-more`;
  }
  const range = sel?.from || sel?.to ? `-${sel.from ?? 'start'}_${sel.to ?? 'end'}` : '';
  const name = `greenbutton-${what}${range}.xml`;
  const dir = workspacePath ? dirName(workspacePath) : null;
  return dir ? joinPath(dir, name) : name;
}

/** An export refused by role or consent: the backend's message and what is missing. */
export interface Refusal {
  reason: 'consent_missing' | 'privacy_denied';
  message: string;
  missing: string[];
}

export function asRefusal(e: unknown): Refusal | null {
  if (!(e instanceof ApiCallError) || e.code !== 'usage') return null;
  const reason = e.details?.reason;
  if (reason !== 'consent_missing' && reason !== 'privacy_denied') return null;
  const missing = Array.isArray(e.details?.missing)
    ? e.details.missing.filter((m): m is string => typeof m === 'string')
    : [];
  return { reason, message: e.message, missing };
}

export interface ExportJob {
  started: number;
  /** Last progress frame (readings written of the total slots planned). */
  done: number;
  total: number | null;
  phase: string;
  now: number;
}

export function startJob(now: number): ExportJob {
  return { started: now, done: 0, total: null, phase: 'starting', now };
}

export function advanceJob(j: ExportJob, p: Progress, now: number): ExportJob {
  return { ...j, done: p.done, total: p.total ?? j.total, phase: p.phase, now };
}

/** Fraction done (null before the first frame with a total) and readings per second. */
export function jobFigures(j: ExportJob): { fraction: number | null; perSecond: number | null } {
  const seconds = (j.now - j.started) / 1000;
  return {
    fraction: j.total ? Math.min(1, j.done / j.total) : null,
    perSecond: seconds > 0.2 && j.done > 0 ? j.done / seconds : null,
  };
}

/** ESPI UnitSymbolKind codes edw writes (core/greenbutton/espi.ts UOM), for display. */
const UOM_NAMES: Record<number, string> = {
  29: 'V',
  38: 'W',
  42: 'm³',
  72: 'Wh',
  73: 'VArh',
  119: 'ft³',
  128: 'gal',
  132: 'BTU',
  169: 'therm',
};

/** "Wh × 10^-1 (uom 72)": how the file's integers are to be read. */
export function espiUnit(uom: number, powerOfTenMultiplier: number): string {
  const name = UOM_NAMES[uom] ?? `uom ${uom}`;
  return `${name} × 10^${powerOfTenMultiplier} (uom ${uom})`;
}
