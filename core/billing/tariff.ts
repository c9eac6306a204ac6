// The tariff model the billing engine runs on, loaded from the workspace tables (tariff,
// tariff_version, time_period, tou_schedule, block_definition, charge_component, charge_tier)
// and checked once: tiers that overlap, TOU schedules with gaps or overlaps, seasons that are
// not months are refused with a message naming the tariff, version and row. Each version's
// schedule is compiled to an hour → period table per (month, day type), so the inner loop of
// a bill is one array lookup per interval.
import type { Database } from 'better-sqlite3';
import { EdwError } from '../workspace/errors';
import { isoToDay } from '../time/zone';
import { MONTHS_RE, ROUNDING_RULES, monthSet, tierProblems } from '../import/tariffJson';
import { parseDec } from '../import/decimal';
import { ratOf, type Rat } from './money';

export { ROUNDING_RULES };
export type RoundingRule = (typeof ROUNDING_RULES)[number];

export type ComponentKind =
  'fixed_bill' | 'fixed_day' | 'energy' | 'demand' | 'minimum' | 'rider' | 'tax';

/** What a component's quantity is measured in. */
export type Basis = 'bill' | 'day' | 'energy' | 'demand' | 'percent' | 'minimum';

export interface TierModel {
  /** Upper bound of the block in the billing unit (kWh, kW); null: no limit. */
  upto: Rat | null;
  uptoText: string | null;
  rate: Rat;
  rateText: string;
}

export interface ComponentModel {
  id: number;
  code: string;
  name: string;
  kind: ComponentKind;
  section: 'delivery' | 'supply' | 'other';
  unit: string | null;
  basis: Basis;
  rate: Rat;
  rateText: string;
  /** Index into the version's periods, or -1 (all hours). */
  period: number;
  tiers: TierModel[] | null;
  /** months[m] = 1 when the component applies in month m (1-12); null: every month. */
  months: Uint8Array | null;
  season: string | null;
  ratchet: Rat | null;
  ratchetText: string | null;
}

export interface PeriodModel {
  id: number;
  code: string;
  name: string;
}

export const DAY_WEEKDAY = 0;
export const DAY_WEEKEND = 1;
export const DAY_HOLIDAY = 2;
const DAY_TYPE_NAMES = ['weekday', 'weekend', 'holiday'] as const;

/** hour → period index (−1: none) for each month (1-12) × day type; null when no TOU rows. */
export type HourTable = Int16Array[] | null;

export interface VersionModel {
  id: number;
  from: string;
  to: string | null;
  fromDay: number;
  /** First day after the version (exclusive end); Infinity when open-ended. */
  endDay: number;
  rounding: RoundingRule;
  periods: PeriodModel[];
  /** Energy periods: tables[(month − 1) × 3 + dayType][hour]. */
  energyHours: HourTable;
  demandHours: HourTable;
  /** Months whose schedule has holiday rows (else holidays follow the calendar day). */
  holidayMonths: Uint8Array;
  components: ComponentModel[];
  hasTou: boolean;
  hasDemand: boolean;
}

export interface TariffModel {
  id: number;
  orgId: number;
  org: string;
  code: string;
  name: string;
  commodity: string;
  zone: string;
  jurisdiction: string | null;
  holidays: Set<number>;
  versions: VersionModel[];
}

/** A tariff that cannot be billed: the message says which row and why. */
export class TariffError extends EdwError {
  constructor(message: string) {
    super('input_rejected', message);
  }
}

/** Day of week of a day number: 0 Sunday … 6 Saturday (1970-01-01 was a Thursday). */
export function weekday(dayNo: number): number {
  return (((dayNo + 4) % 7) + 7) % 7;
}

/** Month 1-12 of a day number. */
export function monthOf(dayNo: number): number {
  return new Date(dayNo * 86_400_000).getUTCMonth() + 1;
}

export function dayTypeOf(v: VersionModel, t: TariffModel, dayNo: number, month: number): number {
  if (t.holidays.has(dayNo) && v.holidayMonths[month] === 1) return DAY_HOLIDAY;
  const w = weekday(dayNo);
  return w === 0 || w === 6 ? DAY_WEEKEND : DAY_WEEKDAY;
}

function basisOf(kind: ComponentKind, unit: string | null): Basis {
  switch (kind) {
    case 'fixed_bill':
      return 'bill';
    case 'fixed_day':
      return 'day';
    case 'demand':
      return 'demand';
    case 'minimum':
      return 'minimum';
    default: {
      const u = (unit ?? '').toLowerCase();
      if (u === 'kw' || u === 'kva') return 'demand';
      if (u === 'bill' || u === 'month') return 'bill';
      if (u === 'day') return 'day';
      if (u === '%' || u === 'percent') return 'percent';
      return 'energy';
    }
  }
}

interface ScheduleRow {
  id: number;
  months: string;
  day_type: 'weekday' | 'weekend' | 'holiday' | 'all';
  start_hour: number;
  end_hour: number;
  time_period_id: number;
}

function compileHours(
  rows: ScheduleRow[],
  periodIndex: Map<number, number>,
  periods: PeriodModel[],
  family: string,
  where: string,
  requireFull: boolean,
): { table: HourTable; holidayMonths: Uint8Array } {
  const holidayMonths = new Uint8Array(13);
  if (rows.length === 0) return { table: null, holidayMonths };
  const table: Int16Array[] = Array.from({ length: 36 }, () => new Int16Array(24).fill(-1));
  const problems: string[] = [];
  for (const r of rows) {
    const months = monthSet(r.months);
    const types =
      r.day_type === 'all'
        ? [DAY_WEEKDAY, DAY_WEEKEND, DAY_HOLIDAY]
        : [DAY_TYPE_NAMES.indexOf(r.day_type)];
    if (r.day_type === 'holiday') for (const m of months) holidayMonths[m] = 1;
    const p = periodIndex.get(r.time_period_id) ?? -1;
    for (const m of months)
      for (const dt of types)
        for (let h = r.start_hour; h < r.end_hour; h++) {
          const k = (m - 1) * 3 + dt;
          const cell = table[k] as Int16Array;
          const prev = cell[h] as number;
          if (prev !== -1 && prev !== p) {
            problems.push(
              `${where}: ${family} schedule rows overlap at ${DAY_TYPE_NAMES[dt]} hour ${h} in month ${m} (${periods[prev]?.code ?? '?'} and ${periods[p]?.code ?? '?'})`,
            );
            continue;
          }
          cell[h] = p;
        }
  }
  if (requireFull) {
    // Gaps: every hour of weekdays and weekends of every month, and of holidays in months
    // whose schedule names holidays, must map to a period. Reported as runs of hours.
    const gaps = new Map<string, number[]>();
    for (let m = 1; m <= 12; m++)
      for (const dt of [DAY_WEEKDAY, DAY_WEEKEND, DAY_HOLIDAY]) {
        if (dt === DAY_HOLIDAY && holidayMonths[m] !== 1) continue;
        const cell = table[(m - 1) * 3 + dt] as Int16Array;
        let h = 0;
        while (h < 24) {
          if (cell[h] !== -1) {
            h++;
            continue;
          }
          let e = h;
          while (e + 1 < 24 && cell[e + 1] === -1) e++;
          const key = `${DAY_TYPE_NAMES[dt]} hours ${h}-${e + 1}`;
          const ms = gaps.get(key) ?? [];
          ms.push(m);
          gaps.set(key, ms);
          h = e + 1;
        }
      }
    for (const [key, ms] of gaps)
      problems.push(
        `${where}: the ${family} TOU schedule has a gap: ${key} in months ${monthsLabel(ms)} map to no time period`,
      );
  }
  if (problems.length > 0) throw new TariffError(problems.slice(0, 6).join('; '));
  return { table, holidayMonths };
}

function monthsLabel(ms: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ms.length;) {
    let j = i;
    while (j + 1 < ms.length && ms[j + 1] === (ms[j] as number) + 1) j++;
    parts.push(i === j ? String(ms[i]) : `${ms[i]}-${ms[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function nextDay(iso: string): number {
  return isoToDay(iso) + 1;
}

/** Load and check a tariff with all its versions. Throws TariffError with the reasons. */
export function loadTariff(db: Database, tariffId: number): TariffModel {
  const t = db
    .prepare(
      `SELECT t.id, t.org_id, o.code AS org, t.code, t.name, t.commodity, o.time_zone, o.jurisdiction_code
       FROM tariff t JOIN organization o ON o.id = t.org_id WHERE t.id = ?`,
    )
    .get(tariffId) as
    | {
        id: number;
        org_id: number;
        org: string;
        code: string;
        name: string;
        commodity: string;
        time_zone: string;
        jurisdiction_code: string | null;
      }
    | undefined;
  if (!t) throw new EdwError('not_found', `no tariff with id ${tariffId}`);
  const holidays = new Set<number>();
  if (t.jurisdiction_code !== null)
    for (const h of db
      .prepare('SELECT date FROM holiday WHERE jurisdiction_code = ?')
      .all(t.jurisdiction_code) as { date: string }[])
      holidays.add(isoToDay(h.date));
  const versionRows = db
    .prepare(
      'SELECT id, effective_from, effective_to, rounding_rule FROM tariff_version WHERE tariff_id = ? ORDER BY effective_from',
    )
    .all(t.id) as {
    id: number;
    effective_from: string;
    effective_to: string | null;
    rounding_rule: string;
  }[];
  const label = `tariff ${t.org} ${t.code}`;
  const versions = versionRows.map((v) =>
    loadVersion(db, v, `${label} (version ${v.effective_from})`),
  );
  for (let i = 0; i + 1 < versions.length; i++) {
    const a = versions[i] as VersionModel;
    const b = versions[i + 1] as VersionModel;
    if (a.endDay > b.fromDay)
      throw new TariffError(
        `${label}: version ${a.from} (to ${a.to ?? 'open'}) overlaps version ${b.from}`,
      );
  }
  return {
    id: t.id,
    orgId: t.org_id,
    org: t.org,
    code: t.code,
    name: t.name,
    commodity: t.commodity,
    zone: t.time_zone,
    jurisdiction: t.jurisdiction_code,
    holidays,
    versions,
  };
}

function loadVersion(
  db: Database,
  v: { id: number; effective_from: string; effective_to: string | null; rounding_rule: string },
  where: string,
): VersionModel {
  if (!(ROUNDING_RULES as readonly string[]).includes(v.rounding_rule))
    throw new TariffError(`${where}: unknown rounding rule "${v.rounding_rule}"`);
  const periods = db
    .prepare('SELECT id, code, name FROM time_period WHERE tariff_version_id = ? ORDER BY id')
    .all(v.id) as PeriodModel[];
  const periodIndex = new Map(periods.map((p, i) => [p.id, i]));
  const comps = db
    .prepare(
      `SELECT id, code, name, kind, section, unit, rate, time_period_id, season, ratchet_percent
       FROM charge_component WHERE tariff_version_id = ? ORDER BY line_order, id`,
    )
    .all(v.id) as {
    id: number;
    code: string;
    name: string;
    kind: ComponentKind;
    section: ComponentModel['section'];
    unit: string | null;
    rate: string;
    time_period_id: number | null;
    season: string | null;
    ratchet_percent: string | null;
  }[];
  const tierStmt = db.prepare(
    'SELECT upto, rate FROM charge_tier WHERE charge_id = ? ORDER BY tier_index',
  );
  const problems: string[] = [];
  const demandPeriods = new Set<number>();
  const energyPeriods = new Set<number>();
  const components: ComponentModel[] = [];
  for (const c of comps) {
    const w = `${where} component ${c.code}`;
    if (!parseDec(c.rate)) {
      problems.push(`${w}: rate "${c.rate}" is not a decimal number`);
      continue;
    }
    const basis = basisOf(c.kind, c.unit);
    const tiersRaw = tierStmt.all(c.id) as { upto: string | null; rate: string }[];
    problems.push(...tierProblems(tiersRaw, `in ${w}`));
    for (const x of tiersRaw) {
      if (!parseDec(x.rate)) problems.push(`${w}: tier rate "${x.rate}" is not a decimal number`);
      if (x.upto !== null && !parseDec(x.upto))
        problems.push(`${w}: tier bound "${x.upto}" is not a decimal number`);
    }
    let months: Uint8Array | null = null;
    if (c.season !== null && c.season !== 'all') {
      if (!MONTHS_RE.test(c.season))
        problems.push(
          `${w}: season "${c.season}" is not a list of months such as "6-9" or "1-5,10-12"`,
        );
      else {
        months = new Uint8Array(13);
        for (const m of monthSet(c.season)) months[m] = 1;
      }
    }
    let ratchet: Rat | null = null;
    if (c.ratchet_percent !== null) {
      if (!parseDec(c.ratchet_percent))
        problems.push(`${w}: ratchet "${c.ratchet_percent}" is not a decimal number`);
      else ratchet = ratOf(c.ratchet_percent);
    }
    const period = c.time_period_id === null ? -1 : (periodIndex.get(c.time_period_id) ?? -1);
    if (c.time_period_id !== null && period === -1)
      problems.push(`${w}: names a time period that is not one of this version's`);
    if (period >= 0) (basis === 'demand' ? demandPeriods : energyPeriods).add(period);
    if (problems.length > 0) continue;
    const tiers =
      tiersRaw.length > 0
        ? tiersRaw.map((x) => ({
            upto: x.upto === null ? null : ratOf(x.upto),
            uptoText: x.upto,
            rate: ratOf(x.rate),
            rateText: x.rate,
          }))
        : null;
    components.push({
      id: c.id,
      code: c.code,
      name: c.name,
      kind: c.kind,
      section: c.section,
      unit: c.unit,
      basis,
      rate: ratOf(c.rate),
      rateText: c.rate,
      period,
      tiers,
      months,
      season: c.season,
      ratchet,
      ratchetText: c.ratchet_percent,
    });
  }
  if (problems.length > 0) throw new TariffError(problems.slice(0, 6).join('; '));
  const rows = db
    .prepare(
      'SELECT id, months, day_type, start_hour, end_hour, time_period_id FROM tou_schedule WHERE tariff_version_id = ? ORDER BY id',
    )
    .all(v.id) as ScheduleRow[];
  for (const r of rows) {
    if (!MONTHS_RE.test(r.months))
      throw new TariffError(`${where}: schedule row ${r.id} has months "${r.months}"`);
    if (r.end_hour <= r.start_hour)
      throw new TariffError(
        `${where}: schedule row ${r.id} ends at hour ${r.end_hour}, not after its start ${r.start_hour}`,
      );
  }
  const isDemand = (r: ScheduleRow) => demandPeriods.has(periodIndex.get(r.time_period_id) ?? -1);
  const energy = compileHours(
    rows.filter((r) => !isDemand(r)),
    periodIndex,
    periods,
    'energy',
    where,
    energyPeriods.size > 0,
  );
  const demand = compileHours(
    rows.filter(isDemand),
    periodIndex,
    periods,
    'demand',
    where,
    // Demand periods may cover only some hours (no TOU demand charge in the others).
    false,
  );
  const holidayMonths = new Uint8Array(13);
  for (let m = 1; m <= 12; m++)
    holidayMonths[m] = (energy.holidayMonths[m] as number) | (demand.holidayMonths[m] as number);
  if (energyPeriods.size > 0 && energy.table === null)
    throw new TariffError(`${where}: has TOU energy charges but no TOU schedule`);
  if (demandPeriods.size > 0 && demand.table === null)
    throw new TariffError(`${where}: has TOU demand charges but no demand schedule`);
  return {
    id: v.id,
    from: v.effective_from,
    to: v.effective_to,
    fromDay: isoToDay(v.effective_from),
    endDay: v.effective_to === null ? Infinity : nextDay(v.effective_to),
    rounding: v.rounding_rule as RoundingRule,
    periods,
    energyHours: energyPeriods.size > 0 ? energy.table : null,
    demandHours: demandPeriods.size > 0 ? demand.table : null,
    holidayMonths,
    components,
    hasTou: energyPeriods.size > 0,
    hasDemand: components.some((c) => c.basis === 'demand'),
  };
}

/** The tariff's versions in force over local days [fromDay, toDay), as contiguous segments. */
export function segmentsOf(
  t: TariffModel,
  fromDay: number,
  toDay: number,
): { version: VersionModel; fromDay: number; toDay: number }[] {
  const out: { version: VersionModel; fromDay: number; toDay: number }[] = [];
  let d = fromDay;
  for (const v of t.versions) {
    if (v.endDay <= d || v.fromDay >= toDay) continue;
    if (v.fromDay > d)
      throw new TariffError(
        `tariff ${t.org} ${t.code} has no version in force from ${isoDay(d)} to ${isoDay(v.fromDay - 1)}`,
      );
    const end = Math.min(v.endDay, toDay);
    out.push({ version: v, fromDay: d, toDay: end });
    d = end;
  }
  if (d < toDay)
    throw new TariffError(
      `tariff ${t.org} ${t.code} has no version in force from ${isoDay(d)} to ${isoDay(toDay - 1)}`,
    );
  return out;
}

export function isoDay(dayNo: number): string {
  return new Date(dayNo * 86_400_000).toISOString().slice(0, 10);
}
