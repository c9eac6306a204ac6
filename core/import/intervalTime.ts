// Fast time and number parsing for interval rows: timestamps and decimals are read straight
// from the bytes of a CSV field, and local days come from a per-zone table of local midnights,
// so a row costs no Date, Intl or string work. Only days whose length is not 24 hours (DST
// changes) go through Intl (core/time/zone.ts), once per zone × day × wall-clock time.
import { localDay, localToEpoch, offsetSeconds } from '../time/zone';
import type { Profile } from './profile';

/** Days since 1970-01-01 of a proleptic Gregorian date (no Date object). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Calendar date of a day number: [year, month 1-12, day]. */
export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const SPAN = 1 << 16; // day numbers 0…65535 (1970–2149) are tabled; others are computed

/**
 * Local days of one IANA zone: start (UTC epoch of local midnight) and length in seconds,
 * filled lazily from core/time/zone.ts and then read from typed arrays.
 */
export class ZoneDays {
  private readonly starts = new Float64Array(SPAN).fill(NaN);
  private readonly lens = new Int32Array(SPAN);
  private readonly dst = new Map<number, readonly [number, number, boolean]>();
  /** After local(): epoch of the later occurrence of an ambiguous (fall-back) time, else NaN. */
  later = NaN;
  /** After local(): the wall-clock time does not exist (spring-forward gap). */
  nonexistent = false;

  constructor(readonly zone: string) {}

  private fill(day: number): void {
    const d = localDay(day, this.zone);
    this.starts[day] = d.start;
    this.lens[day] = d.seconds;
  }

  start(day: number): number {
    if (day < 0 || day >= SPAN) return localDay(day, this.zone).start;
    const s = this.starts[day] as number;
    if (s === s) return s;
    this.fill(day);
    return this.starts[day] as number;
  }

  len(day: number): number {
    if (day < 0 || day >= SPAN) return localDay(day, this.zone).seconds;
    if ((this.starts[day] as number) !== (this.starts[day] as number)) this.fill(day);
    return this.lens[day] as number;
  }

  /** Local day holding `epoch`, searched from a guess (usually exact). */
  dayOf(epoch: number, guess: number): number {
    let d = guess;
    for (let i = 0; i < 8; i++) {
      const s = this.start(d);
      if (epoch < s) d--;
      else if (epoch >= s + this.len(d)) d++;
      else return d;
    }
    return d;
  }

  /**
   * UTC epoch of wall-clock second `wall` of local day `day`: the first occurrence when the
   * time occurs twice (then `later` holds the second), the instant after the gap when it does
   * not exist (then `nonexistent` is set).
   */
  local(day: number, wall: number): number {
    if (wall >= 86400 || wall < 0) {
      const shift = Math.floor(wall / 86400);
      day += shift;
      wall -= shift * 86400;
    }
    if (this.len(day) === 86400) {
      this.later = NaN;
      this.nonexistent = false;
      return this.start(day) + wall;
    }
    const key = day * 100000 + wall;
    let hit = this.dst.get(key);
    if (!hit) {
      const [y, m, d] = civilFromDays(day);
      const h = Math.floor(wall / 3600);
      const mi = Math.floor((wall % 3600) / 60);
      const s = wall % 60;
      const first = localToEpoch(this.zone, y, m, d, h, mi, s, false);
      const later = localToEpoch(this.zone, y, m, d, h, mi, s, true);
      const exists = first + offsetSeconds(first, this.zone) === day * 86400 + wall;
      hit = [first, later, exists] as const;
      this.dst.set(key, hit);
    }
    this.later = hit[1] !== hit[0] ? hit[1] : NaN;
    this.nonexistent = !hit[2];
    return hit[0];
  }
}

const zones = new Map<string, ZoneDays>();

export function zoneDays(zone: string): ZoneDays {
  let z = zones.get(zone);
  if (!z) {
    z = new ZoneDays(zone);
    zones.set(zone, z);
  }
  return z;
}

// ───────────── timestamps from bytes ─────────────

export const STAMP_NONE = 0; // not in a form this parser knows: use parse.instant()
export const STAMP_EXACT = 1; // stamp.epoch is exact (Z or an offset)
export const STAMP_LOCAL = 2; // stamp.day / stamp.wall are local wall-clock time
export const STAMP_BAD = 3; // recognisably a timestamp but invalid (stamp.problem says why)

const SPACE_CODE = 32;

/** Result of parseStamp (reused: no allocation per row). */
export const stamp = {
  epoch: 0,
  day: 0,
  wall: 0,
  offset: 0,
  dateOnly: false,
  problem: '',
  /** Day/month-ambiguous dates read in US order (no dateFormat given); the caller resets it. */
  usOrder: 0,
};

function digitsAt(buf: Buffer, p: number, end: number): number {
  let q = p;
  while (q < end) {
    const c = buf[q] as number;
    if (c < 48 || c > 57) break;
    q++;
  }
  return q - p;
}

function num(buf: Buffer, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 10 + ((buf[p + i] as number) - 48);
  return v;
}

const d2 = (buf: Buffer, p: number): number => {
  const a = (buf[p] as number) - 48;
  const b = (buf[p + 1] as number) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
};

let lastDate = -1; // yyyymmdd of the last ISO date parsed, and its day number
let lastDay = 0;

/** The common exact form YYYY-MM-DD(T| )HH:MM:SS(Z|±HH:MM), else STAMP_NONE. */
function isoFast(buf: Buffer, s: number, e: number): number {
  const n = e - s;
  if (n !== 20 && n !== 25) return STAMP_NONE;
  if (buf[s + 4] !== 45 || buf[s + 7] !== 45 || buf[s + 13] !== 58 || buf[s + 16] !== 58)
    return STAMP_NONE;
  const t = buf[s + 10];
  if (t !== 84 && t !== SPACE_CODE) return STAMP_NONE;
  const y1 = d2(buf, s);
  const y2 = d2(buf, s + 2);
  const mo = d2(buf, s + 5);
  const da = d2(buf, s + 8);
  const hh = d2(buf, s + 11);
  const mi = d2(buf, s + 14);
  const ss = d2(buf, s + 17);
  if ((y1 | y2 | mo | da | hh | mi | ss) < 0) return STAMP_NONE;
  let offset = 0;
  if (n === 25) {
    const sign = buf[s + 19];
    const oh = d2(buf, s + 20);
    const om = d2(buf, s + 23);
    if ((sign !== 43 && sign !== 45) || buf[s + 22] !== 58 || (oh | om) < 0) return STAMP_NONE;
    if (oh > 18 || om > 59) return STAMP_NONE;
    offset = (sign === 45 ? -1 : 1) * (oh * 3600 + om * 60);
  } else if (buf[s + 19] !== 90) return STAMP_NONE;
  if (hh > 23 || mi > 59 || ss > 59) return STAMP_NONE;
  const key = (y1 * 100 + y2) * 10000 + mo * 100 + da;
  let day: number;
  if (key === lastDate) day = lastDay;
  else {
    const y = y1 * 100 + y2;
    if (mo < 1 || mo > 12 || da < 1 || da > daysInMonth(y, mo)) return STAMP_NONE;
    day = daysFromCivil(y, mo, da);
    lastDate = key;
    lastDay = day;
  }
  const wall = hh * 3600 + mi * 60 + ss;
  stamp.day = day;
  stamp.wall = wall;
  stamp.dateOnly = false;
  stamp.offset = offset;
  stamp.epoch = day * 86400 + wall - offset;
  return STAMP_EXACT;
}

/**
 * Parse a timestamp in buf[s, e): `date[(T| )time[ AM|PM][offset]]` where date is
 * YYYY-MM-DD (or /, .) or two-part-first dates in the profile's order (mdy by default),
 * time is H:MM[:SS[.000]], offset is Z, ±HH, ±HHMM or ±HH:MM. A date alone is local midnight.
 */
export function parseStamp(
  buf: Buffer,
  s: number,
  e: number,
  format: Profile['dateFormat'],
): number {
  const fast = isoFast(buf, s, e);
  if (fast !== STAMP_NONE) return fast;
  let p = s;
  const n1 = digitsAt(buf, p, e);
  if (n1 > 4) return numericStamp(buf, s, e, n1);
  if (n1 < 1) return STAMP_NONE;
  const a = num(buf, p, n1);
  p += n1;
  const sep = buf[p];
  if (sep !== 45 && sep !== 47 && sep !== 46) return STAMP_NONE;
  p++;
  const n2 = digitsAt(buf, p, e);
  if (n2 < 1 || n2 > 2) return STAMP_NONE;
  const b = num(buf, p, n2);
  p += n2;
  if (buf[p] !== sep) return STAMP_NONE;
  p++;
  const n3 = digitsAt(buf, p, e);
  if (n3 < 1 || n3 > 4) return STAMP_NONE;
  const c = num(buf, p, n3);
  p += n3;
  let y: number, m: number, d: number;
  if (n1 === 4) [y, m, d] = [a, b, c];
  else if (format === 'dmy') [d, m, y] = [a, b, c];
  else if (format === 'ymd') [y, m, d] = [a, b, c];
  else if (format === 'mdy') [m, d, y] = [a, b, c];
  else if (a > 12 && b <= 12) {
    // No dateFormat: month/day is the default, so a day-first date is refused, never mixed
    // (reading 13/06 as day-first but 05/06 as month-first would scramble a file).
    stamp.problem = `is not month/day (${a}/${b}: day first?); set the profile's dateFormat to dmy`;
    return STAMP_BAD;
  } else {
    // No dateFormat: US order (the utilities edw serves write month/day); dates that could be
    // either are counted so the import says how they were read.
    [m, d, y] = [a, b, c];
    if (a <= 12 && b <= 12 && a !== b) stamp.usOrder++;
  }
  if (n1 !== 4 && y < 100) y += y < 70 ? 2000 : 1900;
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    stamp.problem = 'is not a valid calendar date';
    return STAMP_BAD;
  }
  const day = daysFromCivil(y, m, d);
  stamp.day = day;
  stamp.wall = 0;
  stamp.dateOnly = true;
  if (p >= e) return STAMP_LOCAL;
  stamp.dateOnly = false;
  if (buf[p] === 84 || buf[p] === 116) p++;
  else if (buf[p] === SPACE_CODE) while (p < e && buf[p] === SPACE_CODE) p++;
  else return STAMP_NONE;
  const nh = digitsAt(buf, p, e);
  if (nh < 1 || nh > 2 || buf[p + nh] !== 58) return STAMP_NONE;
  let hour = num(buf, p, nh);
  p += nh + 1;
  if (digitsAt(buf, p, e) !== 2) return STAMP_NONE;
  const minute = num(buf, p, 2);
  p += 2;
  let second = 0;
  if (p < e && buf[p] === 58) {
    p++;
    if (digitsAt(buf, p, e) !== 2) return STAMP_NONE;
    second = num(buf, p, 2);
    p += 2;
    if (p < e && buf[p] === 46) {
      p++;
      const nf = digitsAt(buf, p, e);
      if (nf === 0) return STAMP_NONE;
      for (let i = 0; i < nf; i++)
        if (buf[p + i] !== 48) {
          stamp.problem = 'has fractional seconds (interval starts are whole seconds)';
          return STAMP_BAD;
        }
      p += nf;
    }
  }
  while (p < e && buf[p] === SPACE_CODE) p++;
  if (p + 1 < e && (buf[p + 1] === 77 || buf[p + 1] === 109)) {
    const ap = (buf[p] as number) | 0x20;
    if (ap !== 97 && ap !== 112) return STAMP_NONE;
    if (hour < 1 || hour > 12) {
      stamp.problem = `has an hour outside 1–12 with ${ap === 97 ? 'AM' : 'PM'}`;
      return STAMP_BAD;
    }
    hour = (hour % 12) + (ap === 112 ? 12 : 0);
    p += 2;
    while (p < e && buf[p] === SPACE_CODE) p++;
  }
  if (minute > 59 || second > 59 || hour > 24 || (hour === 24 && (minute > 0 || second > 0))) {
    stamp.problem = 'has an invalid time of day';
    return STAMP_BAD;
  }
  const wall = hour * 3600 + minute * 60 + second;
  stamp.wall = wall;
  if (p >= e) return STAMP_LOCAL;
  let offset: number;
  const z = buf[p];
  if (z === 90 || z === 122) {
    offset = 0;
    p++;
  } else if (z === 43 || z === 45) {
    p++;
    if (digitsAt(buf, p, e) < 2) return STAMP_NONE;
    const oh = num(buf, p, 2);
    p += 2;
    let om = 0;
    if (p < e && buf[p] === 58) p++;
    if (p < e) {
      if (digitsAt(buf, p, e) !== 2) return STAMP_NONE;
      om = num(buf, p, 2);
      p += 2;
    }
    if (oh > 18 || om > 59) {
      stamp.problem = 'has an invalid UTC offset';
      return STAMP_BAD;
    }
    offset = (z === 45 ? -1 : 1) * (oh * 3600 + om * 60);
  } else return STAMP_NONE;
  if (p !== e) return STAMP_NONE;
  stamp.offset = offset;
  stamp.epoch = day * 86400 + wall - offset;
  return STAMP_EXACT;
}

const EXCEL_EPOCH = 25569; // Excel serial day of 1970-01-01 (1900 date system)

/**
 * A timestamp of digits only: YYYYMMDD (local date), YYYYMMDDHHMM[SS] (local time), epoch
 * seconds (9–10 digits, exact), epoch milliseconds (13 digits, exact) or an Excel serial date
 * with a fraction of a day (5 digits, 20000–80000: 1954–2119, local time, to the second).
 */
function numericStamp(buf: Buffer, s: number, e: number, n: number): number {
  const dot = s + n < e && buf[s + n] === 46;
  if (!dot && s + n !== e) return STAMP_NONE;
  if (dot) {
    if (n !== 5) return STAMP_NONE;
    const nf = digitsAt(buf, s + n + 1, e);
    if (nf === 0 || s + n + 1 + nf !== e) return STAMP_NONE;
    const whole = num(buf, s, n);
    if (whole < 20000 || whole > 80000) return STAMP_NONE;
    const frac = Number(buf.toString('latin1', s + n, e));
    let wall = Math.round(frac * 86400);
    let day = whole - EXCEL_EPOCH;
    if (wall >= 86400) {
      day++;
      wall -= 86400;
    }
    stamp.day = day;
    stamp.wall = wall;
    stamp.dateOnly = false;
    return STAMP_LOCAL;
  }
  if (n === 5) {
    const whole = num(buf, s, n);
    if (whole < 20000 || whole > 80000) return STAMP_NONE;
    stamp.day = whole - EXCEL_EPOCH;
    stamp.wall = 0;
    stamp.dateOnly = true;
    return STAMP_LOCAL;
  }
  if (n === 8 || n === 12 || n === 14) {
    const y = num(buf, s, 4);
    const m = num(buf, s + 4, 2);
    const d = num(buf, s + 6, 2);
    if (y < 1900 || y > 2149) return STAMP_NONE;
    if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
      stamp.problem = 'is not a valid calendar date (read as YYYYMMDD)';
      return STAMP_BAD;
    }
    const hh = n > 8 ? num(buf, s + 8, 2) : 0;
    const mi = n > 8 ? num(buf, s + 10, 2) : 0;
    const ss = n > 12 ? num(buf, s + 12, 2) : 0;
    if (mi > 59 || ss > 59 || hh > 24 || (hh === 24 && (mi > 0 || ss > 0))) {
      stamp.problem = 'has an invalid time of day (read as YYYYMMDDHHMM)';
      return STAMP_BAD;
    }
    stamp.day = daysFromCivil(y, m, d);
    stamp.wall = hh * 3600 + mi * 60 + ss;
    stamp.dateOnly = n === 8;
    return STAMP_LOCAL;
  }
  if (n === 9 || n === 10 || n === 13) {
    let t = num(buf, s, n);
    if (n === 13) {
      if (t % 1000 !== 0) {
        stamp.problem = 'has fractional seconds (interval starts are whole seconds)';
        return STAMP_BAD;
      }
      t /= 1000;
    }
    stamp.epoch = t;
    stamp.offset = 0;
    stamp.day = Math.floor(t / 86400);
    stamp.wall = t - stamp.day * 86400;
    stamp.dateOnly = false;
    return STAMP_EXACT;
  }
  return STAMP_NONE;
}

// ───────────── decimals from bytes ─────────────

export const NUM_NONE = 0; // not a plain decimal: use parse.decimal()
export const NUM_OK = 1;
export const NUM_EMPTY = 2;

/** Result of parseNumber (reused). value = ±mantissa / 10^decimals. */
export const numeric = { mantissa: 0, decimals: 0, negative: false };

/**
 * A plain decimal `[-+]digits[.digits]` of at most 15 significant digits; `sep` is the byte
 * of the decimal separator (46 '.', or 44 ',' for decimal-comma files).
 */
export function parseNumber(buf: Buffer, s: number, e: number, sep = 46): number {
  if (s >= e) return NUM_EMPTY;
  let p = s;
  let negative = false;
  if (buf[p] === 45 || buf[p] === 43) {
    negative = buf[p] === 45;
    p++;
  }
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  let point = false;
  let any = false;
  for (; p < e; p++) {
    const c = buf[p] as number;
    if (c >= 48 && c <= 57) {
      any = true;
      if (mantissa === 0 && c === 48) {
        if (point) decimals++;
        continue;
      }
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (point) decimals++;
    } else if (c === sep && !point) point = true;
    else return NUM_NONE;
  }
  if (!any || digits > 15) return NUM_NONE;
  numeric.mantissa = mantissa;
  numeric.decimals = decimals;
  numeric.negative = negative && mantissa !== 0;
  return NUM_OK;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** mantissa × 10^(exp − decimals), exactly rounded like Number() of the shifted decimal. */
export function scaled(mantissa: number, decimals: number, exp: number): number {
  const k = exp - decimals;
  if (k >= 0) return k < 23 ? mantissa * (POW10[k] as number) : mantissa * 10 ** k;
  return -k < 23 ? mantissa / (POW10[-k] as number) : Number(`${mantissa}e${k}`);
}

/** An unsigned integer field (e.g. seconds); -1 if not one. */
export function parseUint(buf: Buffer, s: number, e: number): number {
  if (s >= e || e - s > 9) return -1;
  let v = 0;
  for (let p = s; p < e; p++) {
    const c = buf[p] as number;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}
