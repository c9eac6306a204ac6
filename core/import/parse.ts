// Field parsers for imports. Each returns a clean value or throws RowError naming the column,
// the value and what was expected — the text a reject row shows the analyst.
import { z } from 'zod';
import { RowError } from './types';
import { localToEpoch, isValidZone } from '../time/zone';
import type { Profile } from './profile';

export function required(column: string, v: string): string {
  if (v === '') throw new RowError(column, v, `${column} is empty`);
  return v;
}

/** Exact decimal text (no float round trip): "0.06175", "-1.5", "1e3" → "1000". */
export function decimal(column: string, v: string, opts: { min?: number } = {}): string {
  const s = v.replace(/,/g, '').trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s))
    throw new RowError(column, v, `${column} is not a number`);
  const n = Number(s);
  if (!Number.isFinite(n)) throw new RowError(column, v, `${column} is out of range`);
  if (opts.min !== undefined && n < opts.min)
    throw new RowError(column, v, `${column} must be ≥ ${opts.min}`);
  return /[eE]/.test(s) ? String(n) : s.replace(/^\+/, '');
}

export function number(
  column: string,
  v: string,
  opts: { min?: number; integer?: boolean } = {},
): number {
  const n = Number(decimal(column, v, opts));
  if (opts.integer && !Number.isInteger(n))
    throw new RowError(column, v, `${column} must be a whole number`);
  return n;
}

export function bool(column: string, v: string): boolean {
  const s = v.trim().toLowerCase();
  if (['', '0', 'n', 'no', 'false', 'f', 'a', 'actual'].includes(s)) return false;
  if (['1', 'y', 'yes', 'true', 't', 'e', 'est', 'estimated'].includes(s)) return true;
  throw new RowError(column, v, `${column} is not a yes/no value`);
}

const pad = (n: number) => String(n).padStart(2, '0');

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** zod schema of an ISO calendar date in JSON inputs (tariffs, bills). */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    return validDate(y, m, d);
  }, 'is not a calendar date');

/** A calendar date as ISO 'YYYY-MM-DD', from ISO or the profile's day/month order. */
export function date(column: string, v: string, format: Profile['dateFormat'] = 'iso'): string {
  const s = v.trim();
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(s);
  const parts = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?:[T ].*)?$/.exec(s);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (parts) {
    const [a, b, c] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
    if (format === 'dmy') [d, m, y] = [a, b, c];
    else if (format === 'ymd') [y, m, d] = [a, b, c];
    else [m, d, y] = [a, b, c]; // mdy, and the US default for slashed dates
    if (y < 100) y += y < 70 ? 2000 : 1900;
  } else
    throw new RowError(
      column,
      v,
      `${column} is not a date (expected ${format === 'iso' ? 'YYYY-MM-DD' : format})`,
    );
  if (!validDate(y, m, d)) throw new RowError(column, v, `${column} is not a valid calendar date`);
  return `${y}-${pad(m)}-${pad(d)}`;
}

export interface Instant {
  epoch: number;
  /** The local time given occurs twice (fall back) and carried no offset. */
  ambiguous: boolean;
}

/**
 * A timestamp: ISO 8601 with Z or an offset is exact; a local time without one is read in
 * `zone`. A fall-back hour given without an offset is ambiguous: the first (daylight)
 * occurrence is returned and flagged, so the caller can resolve it by order or report it.
 */
export function instant(
  column: string,
  v: string,
  zone: string,
  format: Profile['dateFormat'] = 'iso',
): Instant {
  const s = v.trim();
  const m =
    /^(.+?)[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(AM|PM|am|pm)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      s,
    );
  if (!m) {
    if (/^\d{9,11}$/.test(s)) return { epoch: Number(s), ambiguous: false }; // epoch seconds
    throw new RowError(
      column,
      v,
      `${column} is not a timestamp (expected e.g. 2018-06-12T08:00:00-04:00)`,
    );
  }
  const day = date(column, m[1] as string, format);
  let hour = Number(m[2]);
  const minute = Number(m[3]);
  const second = Number(m[4] ?? 0);
  const ampm = m[5]?.toUpperCase();
  if (ampm) {
    if (hour < 1 || hour > 12)
      throw new RowError(column, v, `${column} has an hour outside 1–12 with ${ampm}`);
    hour = (hour % 12) + (ampm === 'PM' ? 12 : 0);
  }
  if (hour > 24 || minute > 59 || second > 60)
    throw new RowError(column, v, `${column} has an invalid time of day`);
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  const tz = m[6];
  if (tz) {
    const off =
      tz === 'Z'
        ? 0
        : (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 3600 + Number(tz.slice(-2)) * 60);
    return { epoch: Date.UTC(y, mo - 1, d, hour, minute, second) / 1000 - off, ambiguous: false };
  }
  if (!isValidZone(zone)) throw new RowError(column, v, `unknown time zone ${zone}`);
  const first = localToEpoch(zone, y, mo, d, hour, minute, second, false);
  const later = localToEpoch(zone, y, mo, d, hour, minute, second, true);
  return { epoch: first, ambiguous: first !== later };
}
