// ESPI LocalTimeParameters from an IANA time zone: the standard offset (tzOffset), the daylight
// saving shift (dstOffset) and the two DST transitions as ESPI DstRuleType words.
//
// DstRuleType (NAESB REQ.21, TimeConfiguration) packs a yearly rule into 32 bits:
//   bits 28–31 month (1–12)          bits 25–27 operator        bits 20–24 day of month (0: n/a)
//   bits 17–19 day of week (1 Monday … 7 Sunday, 0: n/a)     bits 12–16 hour     bits 0–11 seconds
// operator 0: on the day of month; 1: the day of week on or after the day of month; 2–6: the
// first … fifth such day of week in the month; 7: the last one. The time is the local wall-clock
// time just before the change (US: 02:00 on the second Sunday of March → 360E2000; 02:00 daylight
// time on the first Sunday of November → B40E2000).
//
// Transitions come from the runtime's tz database (Intl), found by a daily scan and a bisection
// to the second; the encoding chosen is the one that holds for the given year and the four
// following years with the same transition month (so "last Sunday" is told from "fourth Sunday").
import { offsetSeconds } from '../time/zone';

export interface LocalTimeParams {
  zone: string;
  /** Standard time offset from UTC, seconds. */
  tzOffset: number;
  /** Daylight saving shift, seconds (0: no DST). */
  dstOffset: number;
  /** Hex DstRuleType words; 00000000 when the zone keeps no DST. */
  dstStartRule: string;
  dstEndRule: string;
}

interface Transition {
  at: number;
  before: number;
  after: number;
}

const WEEK = 7 * 86400;

/** The offset changes of `zone` during UTC calendar year `year`. */
export function transitions(zone: string, year: number): Transition[] {
  const out: Transition[] = [];
  const t0 = Date.UTC(year, 0, 1) / 1000;
  const t1 = Date.UTC(year + 1, 0, 1) / 1000;
  let prevT = t0;
  let prevOff = offsetSeconds(t0, zone);
  // Weekly steps: a zone's offset never changes twice within a week.
  for (let t = Math.min(t0 + WEEK, t1); prevT < t1; t = Math.min(t + WEEK, t1)) {
    const off = offsetSeconds(t, zone);
    if (off !== prevOff) {
      // Bisect to the first second with the new offset.
      let lo = prevT;
      let hi = t;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetSeconds(mid, zone) === prevOff) lo = mid;
        else hi = mid;
      }
      out.push({ at: hi, before: prevOff, after: offsetSeconds(hi, zone) });
    }
    prevT = t;
    prevOff = off;
  }
  return out;
}

interface Wall {
  month: number;
  day: number;
  dow: number;
  hour: number;
  seconds: number;
  daysInMonth: number;
}

function wallBefore(t: Transition): Wall {
  const d = new Date((t.at + t.before) * 1000);
  const month = d.getUTCMonth() + 1;
  return {
    month,
    day: d.getUTCDate(),
    dow: ((d.getUTCDay() + 6) % 7) + 1,
    hour: d.getUTCHours(),
    seconds: d.getUTCMinutes() * 60 + d.getUTCSeconds(),
    daysInMonth: new Date(Date.UTC(d.getUTCFullYear(), month, 0)).getUTCDate(),
  };
}

/** Pack a rule word. */
export function dstRule(
  month: number,
  operator: number,
  dayOfMonth: number,
  dayOfWeek: number,
  hour: number,
  seconds: number,
): string {
  const w =
    ((month & 15) << 28) |
    ((operator & 7) << 25) |
    ((dayOfMonth & 31) << 20) |
    ((dayOfWeek & 7) << 17) |
    ((hour & 31) << 12) |
    (seconds & 4095);
  return (w >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** The rule word of one kind of transition, consistent over the years given. */
function ruleFor(walls: Wall[]): string {
  const w = walls[0] as Wall;
  const nth = (x: Wall) => Math.ceil(x.day / 7);
  const isLast = (x: Wall) => x.day + 7 > x.daysInMonth;
  if (walls.every((x) => nth(x) === nth(w) && x.dow === w.dow) && nth(w) <= 4)
    return dstRule(w.month, nth(w) + 1, 0, w.dow, w.hour, w.seconds);
  if (walls.every((x) => isLast(x) && x.dow === w.dow))
    return dstRule(w.month, 7, 0, w.dow, w.hour, w.seconds);
  if (walls.every((x) => x.day === w.day)) return dstRule(w.month, 0, w.day, 0, w.hour, w.seconds);
  return dstRule(w.month, Math.min(6, nth(w) + 1), 0, w.dow, w.hour, w.seconds);
}

const cache = new Map<string, LocalTimeParams>();

/** LocalTimeParameters of `zone` for calendar year `year`. */
export function localTimeParameters(zone: string, year: number): LocalTimeParams {
  const key = `${zone}|${year}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = compute(zone, year);
    if (cache.size > 1000) cache.clear();
    cache.set(key, hit);
  }
  return hit;
}

function compute(zone: string, year: number): LocalTimeParams {
  const tr = transitions(zone, year);
  const start = tr.find((t) => t.after > t.before);
  const end = tr.find((t) => t.after < t.before);
  if (!start || !end) {
    return {
      zone,
      tzOffset: offsetSeconds(Date.UTC(year, 6, 1) / 1000, zone),
      dstOffset: 0,
      dstStartRule: '00000000',
      dstEndRule: '00000000',
    };
  }
  const startWalls = [wallBefore(start)];
  const endWalls = [wallBefore(end)];
  for (let y = year + 1; y <= year + 4; y++) {
    const t = transitions(zone, y);
    const s = t.find((x) => x.after > x.before);
    const e = t.find((x) => x.after < x.before);
    if (!s || !e) break;
    const sw = wallBefore(s);
    const ew = wallBefore(e);
    if (sw.month !== startWalls[0]?.month || ew.month !== endWalls[0]?.month) break;
    startWalls.push(sw);
    endWalls.push(ew);
  }
  return {
    zone,
    tzOffset: start.before,
    dstOffset: start.after - start.before,
    dstStartRule: ruleFor(startWalls),
    dstEndRule: ruleFor(endWalls),
  };
}
