// Local-time arithmetic for IANA zones, built on Intl (no tz database of our own).
// Billing days, TOU periods and interval blocks are local-calendar concepts; storage is UTC.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isValidZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(epochSeconds: number, zone: string): LocalParts {
  const parts = formatter(zone).formatToParts(new Date(epochSeconds * 1000));
  const get = (t: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === t)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** Offset of `zone` from UTC at an instant, in seconds (New York in July: -14400). */
export function offsetSeconds(epochSeconds: number, zone: string): number {
  const p = localParts(epochSeconds, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000;
  return asUtc - Math.floor(epochSeconds);
}

/** Days since 1970-01-01 of a calendar date. */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

export function dayToIso(dayNo: number): string {
  return new Date(dayNo * 86_400_000).toISOString().slice(0, 10);
}

export function isoToDay(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`not an ISO date: ${iso}`);
  return dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * UTC instant of a local wall-clock time. For a time that occurs twice (fall back) the first
 * (daylight) occurrence is returned unless `preferLater`; a time that does not exist (spring
 * forward gap) resolves to the instant after the gap.
 */
export function localToEpoch(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  preferLater = false,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  const candidates = new Set<number>();
  for (const probe of [wall - 86_400, wall, wall + 86_400]) {
    candidates.add(wall - offsetSeconds(probe, zone));
  }
  const exact = [...candidates]
    .filter((t) => t + offsetSeconds(t, zone) === wall)
    .sort((a, b) => a - b);
  if (exact.length > 0) return (preferLater ? exact[exact.length - 1] : exact[0]) as number;
  // In a gap: take the offset before the gap, which lands after it.
  return wall - offsetSeconds(wall - 86_400, zone);
}

const dayCache = new Map<string, { start: number; seconds: number }>();

/** Start of local day `dayNo` in `zone`, and its length in seconds (82800/86400/90000). */
export function localDay(dayNo: number, zone: string): { start: number; seconds: number } {
  const key = `${zone}|${dayNo}`;
  let hit = dayCache.get(key);
  if (!hit) {
    hit = computeLocalDay(dayNo, zone);
    if (dayCache.size > 100_000) dayCache.clear();
    dayCache.set(key, hit);
  }
  return hit;
}

function computeLocalDay(dayNo: number, zone: string): { start: number; seconds: number } {
  const d = new Date(dayNo * 86_400_000);
  const n = new Date((dayNo + 1) * 86_400_000);
  const start = localToEpoch(zone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  const end = localToEpoch(zone, n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate());
  return { start, seconds: end - start };
}

/** Local calendar day number of an instant. */
export function localDayOf(epochSeconds: number, zone: string): number {
  const p = localParts(epochSeconds, zone);
  return dayNumber(p.year, p.month, p.day);
}
