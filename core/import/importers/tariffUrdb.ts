// OpenEI Utility Rate Database (URDB) rates, as the URDB API returns them
// ({"items": [ … ]}, API version 7/8 field names), → edw tariff JSON (core/import/tariffJson.ts).
//
// One URDB item is one revision of a rate: it becomes one tariff version (effective from
// `startdate`; `enddate` is the first day the revision no longer applies, so the version ends
// the day before). The tariff is identified by the rate's `name` under the organization.
//   energyratestructure[p][t] {max, rate, adj, unit} → time period energy_p{p+1}, an energy
//       component per period, tiers (rate + adj, exact) under a block definition when tiered;
//   energyweekdayschedule / energyweekendschedule (12 × 24 period indexes) → tou_schedule rows
//       compressed to month sets × hour runs per day type ('all' when both are the same);
//   demandratestructure + demand schedules → demand_p{p+1} periods and demand components;
//   flatdemandstructure + flatdemandmonths → monthly demand components (season = months);
//   fixedchargefirstmeter / fixedchargeunits ($/month, $/day) → fixed_bill / fixed_day;
//   mincharge / minchargeunits → minimum.
// Fields edw does not model are kept in the version's source_json and listed in a finding.
import { addDecText, decText } from '../decimal';
import { monthsText, tierProblems, type TariffJson, type TariffVersionJson } from '../tariffJson';

export interface UrdbItem {
  label?: string;
  utility?: string;
  name?: string;
  startdate?: number;
  enddate?: number | null;
  [k: string]: unknown;
}

export interface UrdbConversion {
  tariff: TariffJson | null;
  problems: string[];
  notes: string[];
}

type Tier = { max?: unknown; rate?: unknown; adj?: unknown; unit?: unknown; sell?: unknown };

const IGNORED_FIELDS = [
  'fixedchargeeachaddl',
  'fixedmonthlycharge_each_addl',
  'coincidentratestructure',
  'coincidentrateschedule',
  'demandratchetpercentage',
  'demandwindow',
  'demandreactivepowercharge',
  'fueladjustmentsmonthly',
  'dgrules',
  'annualmincharge',
  'energyattrs',
  'demandattrs',
  'fixedattrs',
  'lookbackpercent',
  'lookbackrange',
  'lookbackmonths',
];

function isoDay(epoch: number): string {
  return new Date(epoch * 1000).toISOString().slice(0, 10);
}

function dayBefore(iso: string): string {
  const t = Date.parse(`${iso}T00:00:00Z`) - 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

function present(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0) return false;
  if (Array.isArray(v)) return v.length > 0 && v.some(present);
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** A 12 × 24 schedule of period indexes, or a problem. */
function schedule(
  item: UrdbItem,
  field: string,
  periods: number,
  structure: string,
  problems: string[],
): number[][] | null {
  const s = item[field];
  if (s === undefined || s === null) return null;
  if (!Array.isArray(s) || s.length !== 12) {
    problems.push(
      `${field} must be 12 months × 24 hours; it has ${Array.isArray(s) ? `${s.length} months` : 'no month rows'}`,
    );
    return null;
  }
  const out: number[][] = [];
  for (let m = 0; m < 12; m++) {
    const row = s[m] as unknown;
    if (!Array.isArray(row) || row.length !== 24) {
      problems.push(
        `${field} must be 12 months × 24 hours; month ${m + 1} has ${Array.isArray(row) ? row.length : 0} hours`,
      );
      return null;
    }
    for (let h = 0; h < 24; h++) {
      const p = row[h] as unknown;
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 0) {
        problems.push(
          `${field} month ${m + 1} hour ${h} is ${JSON.stringify(p)}, not a period index`,
        );
        return null;
      }
      if (p >= periods) {
        problems.push(
          `${field} month ${m + 1} hour ${h} refers to period ${p + 1}, but ${structure} has ${periods} period${periods === 1 ? '' : 's'}`,
        );
        return null;
      }
    }
    out.push(row as number[]);
  }
  return out;
}

/** Tiers of one period → exact rates (rate + adj) and bounds. */
function tiers(
  tiersIn: unknown,
  structure: string,
  period: number,
  unitOk: (u: string) => boolean,
  problems: string[],
): { upto: string | null; rate: string }[] | null {
  if (!Array.isArray(tiersIn) || tiersIn.length === 0) {
    problems.push(`${structure} period ${period} has no tiers`);
    return null;
  }
  const out: { upto: string | null; rate: string }[] = [];
  for (const [i, raw] of (tiersIn as Tier[]).entries()) {
    const where = `tier ${i + 1} in period ${period} of ${structure}`;
    if (raw === null || typeof raw !== 'object') {
      problems.push(`${where} is not an object`);
      return null;
    }
    if (raw.unit !== undefined && raw.unit !== null && !unitOk(String(raw.unit))) {
      problems.push(`${where} has unit "${String(raw.unit)}", which edw does not support`);
      return null;
    }
    const rate = raw.rate === undefined || raw.rate === null ? '0' : decText(raw.rate as number);
    const adj = raw.adj === undefined || raw.adj === null ? '0' : decText(raw.adj as number);
    if (rate === null || adj === null) {
      problems.push(`${where} has a rate or adj that is not a number`);
      return null;
    }
    if (raw.rate === undefined && raw.adj === undefined) {
      problems.push(`${where} has neither rate nor adj`);
      return null;
    }
    const max = raw.max === undefined || raw.max === null ? null : decText(raw.max as number);
    if (raw.max !== undefined && raw.max !== null && max === null) {
      problems.push(`${where} has a max that is not a number`);
      return null;
    }
    out.push({
      upto: max,
      rate: raw.adj === undefined || raw.adj === null ? rate : addDecText(rate, adj),
    });
  }
  const bad = tierProblems(out, `in period ${period}`, 'max');
  if (bad.length) {
    problems.push(...bad.map((b) => `${structure}: ${b}`));
    return null;
  }
  return out;
}

/** Compress 12 × 24 schedules of one family into rows by day type, month set and hour run. */
export function compressSchedules(
  weekday: number[][],
  weekend: number[][],
  code: (p: number) => string,
): TariffVersionJson['schedule'] {
  const same = weekday.every((r, m) => r.join() === weekend[m]?.join());
  const days: [TariffVersionJson['schedule'][number]['day_type'], number[][]][] = same
    ? [['all', weekday]]
    : [
        ['weekday', weekday],
        ['weekend', weekend],
      ];
  const rows: TariffVersionJson['schedule'] = [];
  for (const [dayType, matrix] of days) {
    // Months with identical hour rows form one group (in order of their first month).
    const groups = new Map<string, number[]>();
    matrix.forEach((r, m) => {
      const k = r.join();
      const g = groups.get(k) ?? [];
      g.push(m + 1);
      groups.set(k, g);
    });
    for (const [k, months] of groups) {
      const hours = k.split(',').map(Number);
      const text = monthsText(months);
      const season = months.length === 12 ? 'all' : text;
      let h = 0;
      while (h < 24) {
        let e = h;
        while (e + 1 < 24 && hours[e + 1] === hours[h]) e++;
        rows.push({
          season,
          months: text,
          day_type: dayType,
          start_hour: h,
          end_hour: e + 1,
          time_period: code(hours[h] as number),
        });
        h = e + 1;
      }
    }
  }
  return rows;
}

export function urdbToTariff(item: UrdbItem, org: string): UrdbConversion {
  const problems: string[] = [];
  const notes: string[] = [];
  const name = typeof item.name === 'string' ? item.name.trim() : '';
  if (!name) problems.push('the rate has no name');
  if (typeof item.startdate !== 'number')
    problems.push('the rate has no startdate (epoch seconds): its effective date is unknown');
  const from = typeof item.startdate === 'number' ? isoDay(item.startdate) : '1970-01-01';
  const to =
    typeof item.enddate === 'number' && item.enddate > 0 ? dayBefore(isoDay(item.enddate)) : null;

  const version: TariffVersionJson = {
    from,
    to,
    rounding_rule: 'line_half_up',
    time_periods: [],
    block_definitions: [],
    schedule: [],
    components: [],
  };

  // Fixed charge.
  const fixed = item.fixedchargefirstmeter ?? item.fixedmonthlycharge;
  if (fixed !== undefined && fixed !== null && Number(fixed) !== 0) {
    const units = String(item.fixedchargeunits ?? '$/month');
    const rate = decText(fixed as number);
    if (rate === null) problems.push('fixedchargefirstmeter is not a number');
    else if (units === '$/month')
      version.components.push({
        code: 'fixed_charge',
        name: 'Fixed monthly charge',
        kind: 'fixed_bill',
        section: 'delivery',
        unit: 'bill',
        rate,
      });
    else if (units === '$/day')
      version.components.push({
        code: 'fixed_charge',
        name: 'Fixed daily charge',
        kind: 'fixed_day',
        section: 'delivery',
        unit: 'day',
        rate,
      });
    else problems.push(`fixedchargeunits "${units}" is not supported ($/month or $/day)`);
  }

  // Energy charges by period, with the TOU schedule.
  const energy = item.energyratestructure;
  if (energy !== undefined && energy !== null) {
    if (!Array.isArray(energy) || energy.length === 0)
      problems.push('energyratestructure must be a list of periods, each a list of tiers');
    else {
      const n = energy.length;
      const wd = schedule(item, 'energyweekdayschedule', n, 'energyratestructure', problems);
      const we = schedule(item, 'energyweekendschedule', n, 'energyratestructure', problems);
      energy.forEach((p, i) => {
        const t = tiers(p, 'energyratestructure', i + 1, (u) => u === 'kWh', problems);
        if (!t) return;
        const code = `energy_p${i + 1}`;
        version.time_periods.push({ code, name: `Energy period ${i + 1}` });
        const tiered = t.length > 1 || t[0]?.upto !== null;
        if (tiered)
          version.block_definitions.push({
            code: `${code}_tiers`,
            name: `Energy period ${i + 1} tiers (kWh per month)`,
          });
        version.components.push({
          code,
          name: n === 1 ? 'Energy charge' : `Energy charge, period ${i + 1}`,
          kind: 'energy',
          section: 'delivery',
          unit: 'kWh',
          rate: t[0]?.rate as string,
          time_period: code,
          ...(tiered ? { block: `${code}_tiers`, tiers: t } : {}),
        });
      });
      if (wd && we) version.schedule.push(...compressSchedules(wd, we, (p) => `energy_p${p + 1}`));
      else if ((wd === null) !== (we === null))
        problems.push(
          'energy schedules: both energyweekdayschedule and energyweekendschedule are needed',
        );
      else if (!wd && !we && n === 1 && problems.length === 0) {
        version.schedule.push(...compressSchedules(flat(), flat(), () => 'energy_p1'));
        notes.push('no energy schedule: the single energy period applies at all hours');
      } else if (!wd && !we && n > 1)
        problems.push(
          `energyratestructure has ${n} periods but there is no energyweekdayschedule / energyweekendschedule to say when they apply`,
        );
    }
  }

  // Demand charges by TOU period.
  const demand = item.demandratestructure;
  const demandUnit = String(item.demandrateunit ?? 'kW');
  if (demand !== undefined && demand !== null && present(demand)) {
    if (demandUnit !== 'kW') problems.push(`demandrateunit "${demandUnit}" is not supported (kW)`);
    else if (!Array.isArray(demand)) problems.push('demandratestructure must be a list of periods');
    else {
      const n = demand.length;
      const wd = schedule(item, 'demandweekdayschedule', n, 'demandratestructure', problems);
      const we = schedule(item, 'demandweekendschedule', n, 'demandratestructure', problems);
      demand.forEach((p, i) => {
        const t = tiers(p, 'demandratestructure', i + 1, (u) => u === 'kW', problems);
        if (!t) return;
        const code = `demand_p${i + 1}`;
        version.time_periods.push({ code, name: `Demand period ${i + 1}` });
        const tiered = t.length > 1 || t[0]?.upto !== null;
        if (tiered)
          version.block_definitions.push({
            code: `${code}_tiers`,
            name: `Demand period ${i + 1} tiers (kW)`,
          });
        version.components.push({
          code,
          name: n === 1 ? 'Demand charge' : `Demand charge, period ${i + 1}`,
          kind: 'demand',
          section: 'delivery',
          unit: 'kW',
          rate: t[0]?.rate as string,
          time_period: code,
          ...(tiered ? { block: `${code}_tiers`, tiers: t } : {}),
        });
      });
      if (wd && we) version.schedule.push(...compressSchedules(wd, we, (p) => `demand_p${p + 1}`));
      else if (!wd && !we && n === 1 && problems.length === 0)
        version.schedule.push(...compressSchedules(flat(), flat(), () => 'demand_p1'));
      else if (!(wd && we))
        problems.push(
          'demandratestructure needs demandweekdayschedule and demandweekendschedule (12 × 24)',
        );
    }
  }

  // Flat (monthly) demand charges.
  const flatDemand = item.flatdemandstructure;
  if (flatDemand !== undefined && flatDemand !== null && present(flatDemand)) {
    const months = item.flatdemandmonths;
    const unit = String(item.flatdemandunit ?? 'kW');
    if (unit !== 'kW') problems.push(`flatdemandunit "${unit}" is not supported (kW)`);
    else if (!Array.isArray(flatDemand))
      problems.push('flatdemandstructure must be a list of periods');
    else if (!Array.isArray(months) || months.length !== 12)
      problems.push('flatdemandmonths must list the flat-demand period of each of the 12 months');
    else {
      const bad = months.findIndex(
        (p) => typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p >= flatDemand.length,
      );
      if (bad >= 0)
        problems.push(
          `flatdemandmonths month ${bad + 1} refers to period ${Number(months[bad]) + 1}, but flatdemandstructure has ${flatDemand.length} period${flatDemand.length === 1 ? '' : 's'}`,
        );
      else
        flatDemand.forEach((p, i) => {
          const t = tiers(p, 'flatdemandstructure', i + 1, (u) => u === 'kW', problems);
          if (!t) return;
          const ms = months.flatMap((x, m) => (x === i ? [m + 1] : []));
          if (ms.length === 0) {
            notes.push(`flat demand period ${i + 1} applies in no month: not imported`);
            return;
          }
          const code = `flat_demand_p${i + 1}`;
          const tiered = t.length > 1 || t[0]?.upto !== null;
          if (tiered)
            version.block_definitions.push({
              code: `${code}_tiers`,
              name: `Flat demand period ${i + 1} tiers (kW)`,
            });
          version.components.push({
            code,
            name:
              flatDemand.length === 1
                ? 'Demand charge (monthly maximum)'
                : `Demand charge (monthly maximum), months ${monthsText(ms)}`,
            kind: 'demand',
            section: 'delivery',
            unit: 'kW',
            rate: t[0]?.rate as string,
            season: monthsText(ms),
            ...(tiered ? { block: `${code}_tiers`, tiers: t } : {}),
          });
        });
    }
  }

  // Minimum charge.
  if (item.mincharge !== undefined && item.mincharge !== null && Number(item.mincharge) !== 0) {
    const units = String(item.minchargeunits ?? '$/month');
    const rate = decText(item.mincharge as number);
    if (rate === null) problems.push('mincharge is not a number');
    else if (units === '$/month' || units === '$/day')
      version.components.push({
        code: 'minimum_charge',
        name: 'Minimum charge',
        kind: 'minimum',
        section: 'delivery',
        unit: units === '$/day' ? 'day' : 'bill',
        rate,
      });
    else problems.push(`minchargeunits "${units}" is not supported ($/month or $/day)`);
  }

  if (version.components.length === 0 && problems.length === 0)
    problems.push(
      'the rate has no charges edw can import (no fixed, energy, demand or minimum charge)',
    );
  const ignored = IGNORED_FIELDS.filter((f) => present(item[f]));
  const sells = [energy].some(
    (s) =>
      Array.isArray(s) &&
      s.some((p) => Array.isArray(p) && (p as Tier[]).some((t) => present(t?.sell))),
  );
  if (sells) ignored.push('energyratestructure sell rates');
  if (ignored.length)
    notes.push(`URDB fields kept in source_json only (not modelled): ${ignored.join(', ')}`);
  if (problems.length) return { tariff: null, problems, notes };
  return {
    tariff: { org, code: name, name, commodity: 'electricity', versions: [version] },
    problems,
    notes,
  };
}

function flat(): number[][] {
  return Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => 0));
}
