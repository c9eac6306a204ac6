// The billing engine: determinants of a period measured under each tariff version, charges per
// version segment, proration, minimum bill, percentage taxes and the rounding rule. Pure (no
// SQLite): meter data comes in as integer micro-units per local day, money leaves as exact
// rationals and integer micro-dollars.
//
// The inner loop (one bill ≈ 720 hourly values) does one table lookup per interval: the slot →
// TOU period map of a local day is computed once per (version, day, interval length) and cached,
// DST days included (23 or 25 hourly slots map to their local hours).
import { localDay, offsetSeconds } from '../time/zone';
import type { DayData, Flag } from './meterData';
import {
  ONE,
  ZERO,
  add,
  cmp,
  isExactMicros,
  micro,
  min,
  mul,
  rat,
  ratText,
  sub,
  toCents,
  toMicrosExact,
  centsToMicros,
  type Rat,
  type RoundMode,
} from './money';
import {
  TariffError,
  dayTypeOf,
  isoDay,
  monthOf,
  segmentsOf,
  type ComponentModel,
  type HourTable,
  type RoundingRule,
  type TariffModel,
  type VersionModel,
} from './tariff';

export type Proration = 'days' | 'usage';

/** How amounts are rounded: per line (each segment of a line) or once at the total. */
export interface RuleSpec {
  per: 'line' | 'total';
  mode: RoundMode;
}

export function ruleSpec(r: RoundingRule): RuleSpec {
  switch (r) {
    case 'line_half_up':
      return { per: 'line', mode: 'half_up' };
    case 'line_half_even':
      return { per: 'line', mode: 'half_even' };
    case 'line_truncate':
      return { per: 'line', mode: 'truncate' };
    case 'total_half_up':
      return { per: 'total', mode: 'half_up' };
  }
}

export function ruleName(r: RuleSpec): string {
  return `${r.per === 'line' ? 'per line' : 'at the total'}, ${r.mode.replace('_', '-')}`;
}

/** Meter data of the bill period. */
export interface Usage {
  unit: string;
  fromDay: number;
  toDay: number;
  /** Interval days [fromDay, toDay) (null entries: no data that day); null: no intervals. */
  days: (DayData | null)[] | null;
  /** Energy total from register reads (micro-units), when reads exist on both dates. */
  readsMicro: number | null;
  /** Highest demand of the prior 11 months (micro-kW), for ratchets; null if unknown. */
  priorPeakMicroKw: number | null;
  /**
   * Bill energy from the reads, spread over days and TOU periods as the intervals are: the
   * interval quantities are scaled by readsMicro / intervalMicro (no TOU in force).
   */
  scaleToReads?: boolean;
  /** Sum of the interval data of the whole period (micro-units). */
  intervalMicro?: number;
  /** Daily peak demand in micro-kW from a demand series (when there are no intervals). */
  demandDays?: (number | null)[] | null;
  flags: Flag[];
}

/** Quantities measured over some days under one version. Index P = all hours. */
interface Measure {
  /** energy[(month) × (P + 1) + p], micro-units. */
  energy: Float64Array;
  /** peak[(month) × (P + 1) + p], micro-kW. */
  peak: Float64Array;
  /** Days per month in the range. */
  days: Float64Array;
  total: number;
  P: number;
}

// ───────────── slot → local hour → period ─────────────

const hourCache = new Map<string, Uint8Array>();

/** Local hour (0-23) of each slot of a day; DST days give 23/25 hourly slots. */
export function slotHours(zone: string, d: DayData): Uint8Array {
  const n = d.values.length;
  const len = n * d.seconds;
  if (len === 86_400) {
    const key = `${n}|${d.seconds}`;
    let h = hourCache.get(key);
    if (!h) {
      h = new Uint8Array(n);
      for (let i = 0; i < n; i++) h[i] = Math.floor((i * d.seconds) / 3600);
      hourCache.set(key, h);
    }
    return h;
  }
  const key = `${zone}|${d.day}|${n}|${d.seconds}`;
  let h = hourCache.get(key);
  if (!h) {
    h = new Uint8Array(n);
    const start = localDay(d.day, zone).start;
    const off0 = offsetSeconds(start, zone);
    for (let i = 0; i < n; i++) {
      const t = d.start + i * d.seconds;
      const wall = t - start + (offsetSeconds(t, zone) - off0);
      h[i] = Math.max(0, Math.min(23, Math.floor(wall / 3600)));
    }
    if (hourCache.size > 50_000) hourCache.clear();
    hourCache.set(key, h);
  }
  return h;
}

const periodCache = new WeakMap<HourTable & object, Map<number, Int16Array>>();

function slotPeriods(
  t: TariffModel,
  v: VersionModel,
  table: Int16Array[],
  d: DayData,
  month: number,
  allowGaps = false,
): Int16Array {
  let cache = periodCache.get(table);
  if (!cache) {
    cache = new Map();
    periodCache.set(table, cache);
  }
  const key = d.day * 200_000 + d.seconds * 2 + (d.values.length * d.seconds === 86_400 ? 0 : 1);
  let sp = cache.get(key);
  if (!sp) {
    const row = table[(month - 1) * 3 + dayTypeOf(v, t, d.day, month)] as Int16Array;
    const hours = slotHours(t.zone, d);
    sp = new Int16Array(hours.length);
    for (let i = 0; i < hours.length; i++) {
      const p = row[hours[i] as number] as number;
      if (p < 0 && !allowGaps)
        throw new TariffError(
          `tariff ${t.org} ${t.code} (version ${v.from}): hour ${hours[i]} of ${isoDay(d.day)} maps to no time period`,
        );
      sp[i] = p;
    }
    if (cache.size > 20_000) cache.clear();
    cache.set(key, sp);
  }
  return sp;
}

// Months of day numbers 1970-2109 from a table (Date is slow in the inner loop).
const MONTH_DAYS = 51_135;
let monthTable: Uint8Array | null = null;
function month(day: number): number {
  if (day < 0 || day >= MONTH_DAYS) return monthOf(day);
  if (!monthTable) {
    monthTable = new Uint8Array(MONTH_DAYS);
    for (let d = 0; d < MONTH_DAYS; d++) monthTable[d] = monthOf(d);
  }
  return monthTable[day] as number;
}

/** Peaks of a measure without demand charges (never read). */
const NO_PEAKS = new Float64Array(0);

/** Measure energy by (month, period) and peaks over [from, to) under version v. */
function measure(
  t: TariffModel,
  v: VersionModel,
  u: Usage,
  from: number,
  to: number,
  needPeak: boolean,
): Measure {
  const P = v.periods.length;
  const W = P + 1;
  // One allocation (typed arrays of this size get their own backing store: ~1 µs each).
  const cells = new Float64Array((needPeak ? 2 : 1) * 13 * W + 13);
  const energy = cells.subarray(0, 13 * W);
  const days = cells.subarray(13 * W, 13 * W + 13);
  const peak = needPeak ? cells.subarray(13 * W + 13) : NO_PEAKS;
  let total = 0;
  for (let day = from; day < to; day++) (days[month(day)] as number)++;
  if (u.days) {
    const et = v.energyHours;
    const dt = v.demandHours;
    for (let day = from; day < to; day++) {
      const d = u.days[day - u.fromDay];
      if (!d) continue;
      const m = month(day);
      const base = m * W;
      const vals = d.values;
      const n = vals.length;
      let sum = 0;
      if (et) {
        const sp = slotPeriods(t, v, et, d, m);
        for (let i = 0; i < n; i++) {
          const x = vals[i] as number;
          sum += x;
          (energy[base + (sp[i] as number)] as number) += x;
        }
      } else for (let i = 0; i < n; i++) sum += vals[i] as number;
      (energy[base + P] as number) += sum;
      total += sum;
      if (needPeak) {
        const k = 3600 / d.seconds;
        let top = peak[base + P] as number;
        for (let i = 0; i < n; i++) {
          const kw = (vals[i] as number) * k;
          if (kw > top) top = kw;
        }
        peak[base + P] = top;
        if (dt) {
          const sp = slotPeriods(t, v, dt, d, m, true);
          for (let i = 0; i < n; i++) {
            const p = sp[i] as number;
            if (p < 0) continue;
            const kw = (vals[i] as number) * k;
            const j = base + p;
            if (kw > (peak[j] as number)) peak[j] = kw;
          }
        }
      }
    }
  } else if (u.readsMicro !== null) {
    // Register reads: one total, spread over months by days (seasonal charges are flagged).
    const all = u.toDay - u.fromDay;
    const inRange = to - from;
    total = Math.round((u.readsMicro * inRange) / all);
    for (let m = 1; m <= 12; m++) energy[m * W + P] = ((days[m] as number) * u.readsMicro) / all;
  }
  if (u.days && u.scaleToReads && u.readsMicro !== null && u.intervalMicro) {
    const f = u.readsMicro / u.intervalMicro;
    if (f !== 1) {
      for (let i = 0; i < energy.length; i++) energy[i] = (energy[i] as number) * f;
      total = Math.round(total * f);
    }
  }
  if (needPeak && !u.days && u.demandDays)
    for (let day = from; day < to; day++) {
      const kw = u.demandDays[day - u.fromDay];
      if (kw === null || kw === undefined) continue;
      const j = month(day) * W + P;
      if (kw > (peak[j] as number)) peak[j] = kw;
    }
  return { energy, peak, days, total, P };
}

// ───────────── charges ─────────────

export interface SegmentLine {
  from: number;
  to: number;
  versionFrom: string;
  quantity: Rat;
  rateText: string;
  exact: Rat;
  cents: bigint;
}

export interface EngineLine {
  code: string;
  description: string;
  kind: string;
  section: string;
  unit: string | null;
  component: ComponentModel | null;
  quantity: Rat;
  rateText: string;
  exact: Rat;
  amountMicros: number;
  segments: SegmentLine[];
}

export interface EngineBill {
  segments: { version: VersionModel; fromDay: number; toDay: number }[];
  lines: EngineLine[];
  totalMicros: number;
  totalExact: Rat;
  /** Usage of the period (micro-units) and per energy period code of the last version. */
  usageMicro: number;
  usageByPeriod: Record<string, number>;
  peakMicroKw: number | null;
  flags: Flag[];
}

export interface EngineOptions {
  rule?: RuleSpec;
  proration?: Proration;
  /** Extra split days (a rate change the tariff tables do not hold). */
  splitDays?: number[];
}

function tiered(q: Rat, c: ComponentModel, scale: Rat): Rat {
  if (!c.tiers) return mul(q, c.rate);
  let rest = q;
  let prev = ZERO;
  let amount = ZERO;
  for (const tier of c.tiers) {
    if (cmp(rest, ZERO) <= 0) break;
    const bound = tier.upto === null ? null : mul(tier.upto, scale);
    const size = bound === null ? rest : min(rest, sub(bound, prev));
    if (cmp(size, ZERO) > 0) amount = add(amount, mul(size, tier.rate));
    rest = sub(rest, size);
    if (bound !== null) prev = bound;
  }
  return amount;
}

function monthsOf(c: ComponentModel, m: number): boolean {
  return c.months === null || c.months[m] === 1;
}

/** Sum of a month × period matrix over the component's months. */
function sumMonths(x: Float64Array, W: number, p: number, c: ComponentModel): number {
  let s = 0;
  for (let m = 1; m <= 12; m++) if (monthsOf(c, m)) s += x[m * W + p] as number;
  return s;
}
function maxMonths(x: Float64Array, W: number, p: number, c: ComponentModel): number {
  let s = 0;
  for (let m = 1; m <= 12; m++) if (monthsOf(c, m)) s = Math.max(s, x[m * W + p] as number);
  return s;
}

/** Compute the bill of [fromDay, toDay) on tariff t with the meter data u. */
export function computeEngine(t: TariffModel, u: Usage, opts: EngineOptions = {}): EngineBill {
  const flags: Flag[] = [...u.flags];
  let segs = segmentsOf(t, u.fromDay, u.toDay);
  for (const s of opts.splitDays ?? []) {
    const out: typeof segs = [];
    for (const g of segs)
      if (s > g.fromDay && s < g.toDay)
        out.push({ ...g, toDay: s }, { version: g.version, fromDay: s, toDay: g.toDay });
      else out.push(g);
    segs = out;
  }
  const D = u.toDay - u.fromDay;
  let proration = opts.proration ?? 'days';
  if (segs.length > 1 && proration === 'usage' && !u.days) {
    flags.push({
      code: 'proration_fallback',
      message:
        'proration by usage needs interval data (or a read on the change date); prorated by days',
    });
    proration = 'days';
  }
  const lastVersion = (segs[segs.length - 1] as (typeof segs)[number]).version;
  const rule = opts.rule ?? ruleSpec(lastVersion.rounding);
  const needPeak = segs.some((g) => g.version.hasDemand);
  for (const g of segs) {
    if (g.version.hasTou && !u.days)
      throw new TariffError(
        `tariff ${t.org} ${t.code} (version ${g.version.from}) has TOU charges: the period needs interval data, and there is none (register reads only)`,
      );
    if (g.version.hasDemand && !u.days && !u.demandDays)
      throw new TariffError(
        `tariff ${t.org} ${t.code} (version ${g.version.from}) has demand charges: the period needs interval or demand data, and there is none`,
      );
  }

  const lines = new Map<string, EngineLine>();
  const lineOf = (c: ComponentModel, label?: string): EngineLine => {
    const key = label ?? c.code;
    let l = lines.get(key);
    if (!l) {
      l = {
        code: key,
        description: c.name,
        kind: c.kind,
        section: c.section,
        unit: c.unit,
        component: c,
        quantity: ZERO,
        rateText: c.rateText,
        exact: ZERO,
        amountMicros: 0,
        segments: [],
      };
      lines.set(key, l);
    }
    return l;
  };
  const round = (x: Rat): bigint => (rule.per === 'line' ? toCents(x, rule.mode) : 0n);

  let usageMicro = 0;
  let usageByPeriod: Record<string, number> = {};
  let peakMicroKw: number | null = null;
  const full = new Map<VersionModel, Measure>();
  const minimums: { c: ComponentModel; amount: Rat }[] = [];
  const percents: { c: ComponentModel; rate: Rat; share: Rat }[] = [];

  for (const g of segs) {
    const v = g.version;
    const segDays = g.toDay - g.fromDay;
    const share = rat(BigInt(segDays), BigInt(D));
    let whole = full.get(v);
    if (!whole) {
      whole = measure(t, v, u, u.fromDay, u.toDay, needPeak);
      full.set(v, whole);
    }
    const byUsage = proration === 'usage' && segs.length > 1;
    const seg = byUsage ? measure(t, v, u, g.fromDay, g.toDay, false) : null;
    const W = whole.P + 1;
    // Quantities of this segment: by days, the whole period's quantity × share; by usage,
    // what the meter measured in the segment's days.
    const energyQty = (c: ComponentModel): Rat => {
      const p = c.period >= 0 ? c.period : whole.P;
      if (seg) return micro(Math.round(sumMonths(seg.energy, W, p, c)));
      const q = micro(Math.round(sumMonths(whole.energy, W, p, c)));
      return segs.length === 1 ? q : mul(q, share);
    };
    for (const c of v.components) {
      let q: Rat;
      let exact: Rat;
      switch (c.basis) {
        case 'bill': {
          // A fixed charge per bill: prorated by days when a period spans several segments or
          // only part of the season.
          if (c.months) {
            let seasonDays = 0;
            for (let d = g.fromDay; d < g.toDay; d++) if (monthsOf(c, month(d))) seasonDays++;
            q = rat(BigInt(seasonDays), BigInt(D));
          } else q = share;
          exact = mul(q, c.rate);
          break;
        }
        case 'day': {
          let n = 0;
          for (let d = g.fromDay; d < g.toDay; d++) if (monthsOf(c, month(d))) n++;
          q = rat(BigInt(n));
          exact = tiered(q, c, ONE);
          break;
        }
        case 'energy':
          q = energyQty(c);
          // Tier bounds are per month (scaled by the segment's share of the bill), or per day
          // billed for "kWh daily" tiers (URDB baseline allowances): bounds × the segment's days.
          exact = tiered(q, c, c.unit === 'kWh daily' ? rat(BigInt(segDays)) : share);
          break;
        case 'demand': {
          const p = c.period >= 0 ? c.period : whole.P;
          let pk = maxMonths(whole.peak, W, p, c);
          // A seasonal charge out of season bills nothing, ratchet or not.
          let inSeason = c.months === null;
          for (let d = g.fromDay; !inSeason && d < g.toDay; d++) inSeason = monthsOf(c, month(d));
          if (c.ratchet && inSeason && u.priorPeakMicroKw === null)
            flags.push({
              code: 'estimated',
              message: `${c.code}: ratchet ${c.ratchetText}% of the prior 11 months' peak not applied: no meter data of those months`,
            });
          if (c.ratchet && inSeason && u.priorPeakMicroKw !== null) {
            const r = mul(micro(Math.round(u.priorPeakMicroKw)), mul(c.ratchet, rat(1n, 100n)));
            const cur = micro(Math.round(pk));
            if (cmp(r, cur) > 0) {
              flags.push({
                code: 'estimated',
                message: `${c.code}: ratchet ${c.ratchetText}% of the prior peak (${ratText(micro(Math.round(u.priorPeakMicroKw)))} kW) exceeds this period's ${ratText(cur)} kW`,
              });
              pk = Number((r.n * 1_000_000n) / r.d);
            }
          }
          peakMicroKw = Math.max(peakMicroKw ?? 0, pk);
          q = mul(micro(Math.round(pk)), share);
          exact = tiered(q, c, share);
          break;
        }
        case 'minimum': {
          const amount =
            (c.unit ?? '').toLowerCase() === 'day'
              ? mul(c.rate, rat(BigInt(segDays)))
              : mul(c.rate, share);
          minimums.push({ c, amount });
          continue;
        }
        case 'percent':
          percents.push({ c, rate: c.rate, share });
          continue;
      }
      const l = lineOf(c);
      l.quantity = add(l.quantity, q);
      l.exact = add(l.exact, exact);
      l.segments.push({
        from: g.fromDay,
        to: g.toDay,
        versionFrom: v.from,
        quantity: q,
        rateText: c.tiers ? tierText(c) : c.rateText,
        exact,
        cents: round(exact),
      });
    }
    if (g === segs[segs.length - 1]) {
      usageMicro = u.days ? whole.total : (u.readsMicro ?? whole.total);
      usageByPeriod = {};
      if (v.hasTou)
        v.periods.forEach((p, i) => {
          let s = 0;
          for (let m = 1; m <= 12; m++) s += whole.energy[m * W + i] as number;
          if (s !== 0 || v.components.some((c) => c.period === i)) usageByPeriod[p.code] = s;
        });
    }
  }
  // Register reads are the billing basis for the total when they exist and there is no TOU.
  if (u.readsMicro !== null && u.days && segs.every((g) => !g.version.hasTou)) {
    const measured = u.intervalMicro ?? (full.get(lastVersion) as Measure).total;
    if (measured !== u.readsMicro)
      flags.push({
        code: 'reads_vs_intervals',
        message: `the intervals of the period add up to ${ratText(micro(measured))} ${u.unit}, the register reads to ${ratText(micro(u.readsMicro))}: the reads are billed`,
      });
  }

  // Line amounts by the rule.
  const out = [...lines.values()];
  for (const l of out) l.amountMicros = lineMicros(l, rule);
  // Minimum bill: lift the non-tax subtotal to the minimum.
  if (minimums.length > 0) {
    const minimum = minimums.reduce((a, m) => add(a, m.amount), ZERO);
    const sub0 = out
      .filter((l) => l.kind !== 'tax')
      .reduce((a, l) => add(a, rule.per === 'line' ? micro(l.amountMicros) : l.exact), ZERO);
    const gap = sub(minimum, sub0);
    const c = (minimums[minimums.length - 1] as { c: ComponentModel }).c;
    if (cmp(gap, ZERO) > 0) {
      const l: EngineLine = {
        code: c.code,
        description: `${c.name} (minimum ${ratText(minimum)})`,
        kind: 'minimum',
        section: c.section,
        unit: c.unit,
        component: c,
        quantity: ONE,
        rateText: ratText(minimum),
        exact: gap,
        amountMicros: 0,
        segments: [
          {
            from: u.fromDay,
            to: u.toDay,
            versionFrom: lastVersion.from,
            quantity: ONE,
            rateText: ratText(minimum),
            exact: gap,
            cents: round(gap),
          },
        ],
      };
      l.amountMicros = lineMicros(l, rule);
      out.push(l);
    }
  }
  // Percentage taxes on the non-tax subtotal (rates of the segments weighted by days).
  if (percents.length > 0) {
    const base = out
      .filter((l) => l.kind !== 'tax')
      .reduce((a, l) => add(a, rule.per === 'line' ? micro(l.amountMicros) : l.exact), ZERO);
    for (const p of percents) {
      const exact = mul(base, mul(mul(p.rate, p.share), rat(1n, 100n)));
      const l = lineOf(p.c);
      l.quantity = base;
      l.unit = '%';
      l.exact = add(l.exact, exact);
      l.segments.push({
        from: u.fromDay,
        to: u.toDay,
        versionFrom: lastVersion.from,
        quantity: base,
        rateText: p.c.rateText,
        exact,
        cents: round(exact),
      });
      if (!out.includes(l)) out.push(l);
      l.amountMicros = lineMicros(l, rule);
    }
  }
  const totalExact = out.reduce((a, l) => add(a, l.exact), ZERO);
  const totalMicros =
    rule.per === 'line'
      ? out.reduce((a, l) => a + l.amountMicros, 0)
      : centsToMicros(toCents(totalExact, rule.mode));
  return {
    segments: segs,
    lines: out,
    totalMicros,
    totalExact,
    usageMicro,
    usageByPeriod,
    peakMicroKw: needPeak ? peakMicroKw : null,
    flags,
  };
}

function lineMicros(l: EngineLine, rule: RuleSpec): number {
  if (rule.per === 'line') return centsToMicros(l.segments.reduce((a, s) => a + s.cents, 0n));
  return toMicrosExact(l.exact);
}

function tierText(c: ComponentModel): string {
  return (c.tiers ?? [])
    .map((t) => `${t.rateText}${t.uptoText === null ? '' : ` to ${t.uptoText}`}`)
    .join(', ');
}

/** Exact amount text: terminating decimals exactly, else with an ellipsis. */
export function exactText(x: Rat): string {
  return isExactMicros(x) ? ratText(x, 6) : ratText(x, 10);
}
