// OpenEI Utility Rate Database (URDB) rates, as the URDB API (versions 3 to 8: {"items": [ … ]},
// a bare list or one object) or its bulk download returns them → edw tariff JSON
// (core/import/tariffJson.ts). What is supported, what is refused and why: docs/tariff-and-bill-import.md.
//
// One URDB item is one revision of a rate: it becomes one tariff version, effective from
// `startdate` to `enddate` inclusive (the last day the revision applies; open-ended without one).
// Dates are epoch seconds (midnight in some US zone, or UTC: the nearest UTC midnight is the day)
// or "YYYY-MM-DD[ hh:mm:ss]" text (bulk download). The tariff is the rate's `name` under the
// organization.
//   energyratestructure[p][t] {max, rate, adj, unit} → time period energy_p{p+1}, an energy
//       component per period, tiers (rate + adj, exact) under a block definition when tiered;
//       tier unit "kWh" (monthly bounds) or "kWh daily" (bounds × days billed);
//   energyweekdayschedule / energyweekendschedule (12 × 24 period indexes) → tou_schedule rows
//       compressed to month sets × hour runs per day type ('all' when both are the same);
//   demandratestructure + demand schedules → demand_p{p+1} periods and demand components (kW);
//   flatdemandstructure + flatdemandmonths → monthly demand components (season = months), with
//       demandratchetpercentage as their ratchet;
//   fixedchargefirstmeter / fixedmonthlycharge + fixedchargeunits ($/month, $/day) →
//       fixed_bill / fixed_day;  mincharge / minmonthlycharge + minchargeunits → minimum;
//   fueladjustmentsmonthly ($/kWh by month) → rider components by month group.
// A construct edw cannot bill as the URDB defines it refuses the rate, naming the field and why
// (never dropped, never approximated). Descriptive fields are kept in source_json; those that
// could matter (sell rates, attrs, demandwindow, unknown fields) are listed in a note.
import { addDecText, decText, formatDec, parseDec } from '../decimal';
import { monthsText, tierProblems, type TariffJson, type TariffVersionJson } from '../tariffJson';

export interface UrdbItem {
  label?: string;
  utility?: string;
  name?: string;
  startdate?: number | string;
  enddate?: number | string | null;
  [k: string]: unknown;
}

export interface UrdbConversion {
  tariff: TariffJson | null;
  problems: string[];
  notes: string[];
}

type Tier = { max?: unknown; rate?: unknown; adj?: unknown; unit?: unknown; sell?: unknown };

/** Fields that describe the rate (kept in source_json; they do not change a bill). */
const DESCRIPTIVE = new Set([
  'label',
  'uri',
  'name',
  'utility',
  'utility_name',
  'eiaid',
  'sector',
  'servicetype',
  'description',
  'source',
  'sourceparent',
  'approved',
  'is_default',
  'country',
  'startdate',
  'enddate',
  'supersedes',
  'revisions',
  'latest_update',
  'phasewiring',
  'voltagecategory',
  'voltageminimum',
  'voltagemaximum',
  'peakkwcapacitymin',
  'peakkwcapacitymax',
  'peakkwcapacityhistory',
  'peakkwhusagemin',
  'peakkwhusagemax',
  'peakkwhusagehistory',
  'energycomments',
  'demandcomments',
  'basicinformationcomments',
  'fixedchargecomments',
  'demandunits',
  'demandrateunit',
  'flatdemandunit',
  'coincidentrateunit',
  'dgrules',
  'usenetmetering',
  'energyweekdayschedule',
  'energyweekendschedule',
  'demandweekdayschedule',
  'demandweekendschedule',
  'coincidentschedule',
  'coincidentrateschedule',
  'energyratestructure',
  'demandratestructure',
  'flatdemandstructure',
  'flatdemandmonths',
  'fixedchargefirstmeter',
  'fixedmonthlycharge',
  'fixedchargeunits',
  'mincharge',
  'minchargeunits',
  'minmonthlycharge',
  'annualmincharge',
  'fueladjustmentsmonthly',
  'demandratchetpercentage',
  'lookbackpercent',
  'lookbackrange',
  'lookbackmonths',
  'coincidentratestructure',
  'demandreactivepowercharge',
  'demandwindow',
  'fixedchargeeachaddl',
  'fixedmonthlycharge_each_addl',
  'energyattrs',
  'demandattrs',
  'fixedattrs',
  'demandmin',
  'demandmax',
  'iscurrent',
  'isverified',
  'ratesforutility',
  'owner',
  'utility_id',
  'state',
]);

const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];

/**
 * A URDB date → ISO day. Epoch seconds: URDB stores midnight of the day in a US zone (06:00Z or
 * 07:00Z) or UTC midnight, sometimes an hour off; the nearest UTC midnight is that day. Text:
 * "YYYY-MM-DD" with an optional time (bulk download).
 */
function urdbDay(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    const days = Math.round(v / 86_400);
    return new Date(days * 86_400_000).toISOString().slice(0, 10);
  }
  if (typeof v === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?.*)?$/.exec(v.trim());
    if (!m) return null;
    const iso = `${m[1]}-${m[2]}-${m[3]}`;
    const t = Date.parse(`${iso}T00:00:00Z`);
    return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== iso ? null : iso;
  }
  return null;
}

/** Present in the sense of "says something": not absent, null, empty, zero, or all zeros. */
function present(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === '0') return false;
  if (Array.isArray(v)) return v.length > 0 && v.some(present);
  if (typeof v === 'object') return Object.values(v as object).some(present);
  return true;
}

/** A number or numeric text as exact decimal text; null otherwise. */
function num(v: unknown): string | null {
  if (typeof v === 'number') return decText(v);
  if (typeof v === 'string' && v.trim() !== '') return decText(v.trim());
  return null;
}

/** Exact fraction × 100 (0.35 → "35"). */
function percentOf(fraction: string): string {
  const d = parseDec(fraction);
  if (!d) throw new RangeError(`not decimal: ${fraction}`);
  const scale = d.scale - 2;
  return scale >= 0
    ? formatDec({ digits: d.digits, scale })
    : formatDec({ digits: d.digits * 10n ** BigInt(-scale), scale: 0 });
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

/**
 * Tiers of one period → exact rates (rate + adj) and bounds, and the unit of the period (the
 * tiers' explicit unit, all the same; `defaultUnit` when none is given).
 */
function tiers(
  tiersIn: unknown,
  structure: string,
  period: number,
  defaultUnit: string,
  unitProblem: (u: string) => string | null,
  problems: string[],
): { unit: string; tiers: { upto: string | null; rate: string }[] } | null {
  if (!Array.isArray(tiersIn) || tiersIn.length === 0) {
    problems.push(`${structure} period ${period} has no tiers`);
    return null;
  }
  const out: { upto: string | null; rate: string }[] = [];
  const units = new Set<string>();
  for (const [i, raw] of (tiersIn as Tier[]).entries()) {
    const where = `${structure} period ${period} tier ${i + 1}`;
    if (raw === null || typeof raw !== 'object') {
      problems.push(`${where} is not an object`);
      return null;
    }
    if (raw.unit !== undefined && raw.unit !== null && raw.unit !== '') units.add(String(raw.unit));
    const noRate = raw.rate === undefined || raw.rate === null;
    const noAdj = raw.adj === undefined || raw.adj === null;
    if (noRate && noAdj) {
      problems.push(`${where} has neither rate nor adj: its price is unknown`);
      return null;
    }
    const rate = noRate ? '0' : num(raw.rate);
    const adj = noAdj ? '0' : num(raw.adj);
    if (rate === null || adj === null) {
      problems.push(
        `${where} has ${rate === null ? `rate ${JSON.stringify(raw.rate)}` : `adj ${JSON.stringify(raw.adj)}`}, not a number`,
      );
      return null;
    }
    const max = raw.max === undefined || raw.max === null ? null : num(raw.max);
    if (raw.max !== undefined && raw.max !== null && max === null) {
      problems.push(`${where} has max ${JSON.stringify(raw.max)}, not a number`);
      return null;
    }
    out.push({ upto: max, rate: noAdj ? rate : noRate ? adj : addDecText(rate, adj) });
  }
  if (units.size > 1) {
    problems.push(
      `${structure} period ${period} mixes tier units ${[...units].map((u) => `"${u}"`).join(' and ')}`,
    );
    return null;
  }
  const unit = [...units][0] ?? defaultUnit;
  const why = unitProblem(unit);
  if (why) {
    problems.push(`${structure} period ${period}: unit "${unit}" ${why}`);
    return null;
  }
  // Usage above the last tier's max is billed at the last tier's rate (as REopt and SAM read
  // the URDB): the last tier is unbounded.
  const last = out[out.length - 1] as { upto: string | null };
  if (last.upto !== null) last.upto = null;
  const bad = tierProblems(out, `in period ${period}`, 'max');
  if (bad.length) {
    problems.push(...bad.map((x) => `${structure}: ${x}`));
    return null;
  }
  return { unit, tiers: out };
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
  if (!name) problems.push('name: the rate has no name');
  const from = urdbDay(item.startdate);
  if (from === null)
    problems.push(
      item.startdate === undefined || item.startdate === null
        ? 'startdate: the rate has none, so its effective date is unknown'
        : `startdate ${JSON.stringify(item.startdate)} is neither epoch seconds nor a "YYYY-MM-DD" date`,
    );
  let to: string | null = null;
  if (present(item.enddate)) {
    to = urdbDay(item.enddate);
    if (to === null)
      problems.push(
        `enddate ${JSON.stringify(item.enddate)} is neither epoch seconds nor a "YYYY-MM-DD" date`,
      );
    else if (from !== null && to < from) problems.push(`enddate ${to} is before startdate ${from}`);
  }

  const version: TariffVersionJson = {
    from: from ?? '1970-01-01',
    to,
    rounding_rule: 'line_half_up',
    time_periods: [],
    block_definitions: [],
    schedule: [],
    components: [],
  };

  // ── Fixed charge (first meter; additional meters are not billed by edw) ──
  const fixedField =
    item.fixedchargefirstmeter !== undefined && item.fixedchargefirstmeter !== null
      ? 'fixedchargefirstmeter'
      : 'fixedmonthlycharge';
  const fixed = item[fixedField];
  if (present(fixed)) {
    // fixedmonthlycharge (API v3) is $/month by its name; fixedchargeunits qualifies the v7 field.
    const units =
      fixedField === 'fixedmonthlycharge' ? '$/month' : String(item.fixedchargeunits ?? '$/month');
    const rate = num(fixed);
    if (rate === null) problems.push(`${fixedField} ${JSON.stringify(fixed)} is not a number`);
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
    else
      problems.push(
        `fixedchargeunits "${units}" is not supported: edw bills fixed charges per month or per day ($/month, $/day)`,
      );
  }

  // ── Energy charges by period, with the TOU schedule ──
  const energy = item.energyratestructure;
  const tieredEnergy = new Set<number>();
  if (energy !== undefined && energy !== null) {
    if (!Array.isArray(energy) || energy.length === 0)
      problems.push('energyratestructure must be a list of periods, each a list of tiers');
    else {
      const n = energy.length;
      const energyWd = schedule(item, 'energyweekdayschedule', n, 'energyratestructure', problems);
      const energyWe = schedule(item, 'energyweekendschedule', n, 'energyratestructure', problems);
      energy.forEach((p, i) => {
        const t = tiers(p, 'energyratestructure', i + 1, 'kWh', energyUnitProblem, problems);
        if (!t) return;
        const code = `energy_p${i + 1}`;
        version.time_periods.push({ code, name: `Energy period ${i + 1}` });
        const tiered = t.tiers.length > 1;
        const daily = t.unit === 'kWh daily';
        if (tiered) {
          tieredEnergy.add(i);
          version.block_definitions.push({
            code: `${code}_tiers`,
            name: `Energy period ${i + 1} tiers (kWh per ${daily ? 'day billed' : 'month'})`,
          });
        }
        version.components.push({
          code,
          name: n === 1 ? 'Energy charge' : `Energy charge, period ${i + 1}`,
          kind: 'energy',
          section: 'delivery',
          // "kWh daily": the engine multiplies the tier bounds by the days billed.
          unit: tiered && daily ? 'kWh daily' : 'kWh',
          rate: t.tiers[0]?.rate as string,
          time_period: code,
          ...(tiered ? { block: `${code}_tiers`, tiers: t.tiers } : {}),
        });
      });
      if (energyWd && energyWe)
        version.schedule.push(...compressSchedules(energyWd, energyWe, (p) => `energy_p${p + 1}`));
      else if ((energyWd === null) !== (energyWe === null))
        problems.push(
          `${energyWd ? 'energyweekendschedule' : 'energyweekdayschedule'} is missing: both energy schedules are needed`,
        );
      else if (!energyWd && !energyWe && n === 1 && problems.length === 0) {
        version.schedule.push(...compressSchedules(flat(), flat(), () => 'energy_p1'));
        notes.push('no energy schedule: the single energy period applies at all hours');
      } else if (!energyWd && !energyWe && n > 1)
        problems.push(
          `energyratestructure has ${n} periods but there is no energyweekdayschedule / energyweekendschedule to say when they apply`,
        );
      // URDB tier limits count the month's whole consumption (REopt and SAM read them so); edw
      // counts a tiered component's own period. Both agree only when the tiered period is the
      // only energy period in force in its months.
      if (energyWd && energyWe && tieredEnergy.size > 0) {
        const clash = tierClash(energyWd, energyWe, tieredEnergy);
        if (clash)
          problems.push(
            `energyratestructure period ${clash.tiered + 1} has tiers while ${MONTH_NAMES[clash.month]} also bills period ${clash.other + 1}: URDB tier limits count the month's total kWh across periods, edw's count one period's kWh, so the rate would be mis-billed (not supported)`,
          );
      }
    }
  }

  // ── Demand units: edw measures kW from interval energy ──
  const demandUnitWhy = (field: string): string | null => {
    const u = item[field];
    if (u === undefined || u === null || u === '' || u === 'kW') return null;
    return `${field} "${String(u)}" is not supported: edw bills demand in kW measured from interval energy (${String(u) === 'hp' ? 'horsepower is connected load, not metered' : String(u) === 'kVA' ? 'kVA needs reactive power data' : 'no such meter quantity'})`;
  };

  // ── Demand charges by TOU period ──
  const demand = item.demandratestructure;
  const demandComponents: string[] = [];
  if (present(demand)) {
    const why = demandUnitWhy('demandrateunit') ?? demandUnitWhy('demandunits');
    if (why) problems.push(why);
    else if (!Array.isArray(demand)) problems.push('demandratestructure must be a list of periods');
    else {
      const n = demand.length;
      const wd = schedule(item, 'demandweekdayschedule', n, 'demandratestructure', problems);
      const we = schedule(item, 'demandweekendschedule', n, 'demandratestructure', problems);
      demand.forEach((p, i) => {
        const t = tiers(p, 'demandratestructure', i + 1, 'kW', demandTierUnitProblem, problems);
        if (!t) return;
        const code = `demand_p${i + 1}`;
        version.time_periods.push({ code, name: `Demand period ${i + 1}` });
        const tiered = t.tiers.length > 1;
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
          rate: t.tiers[0]?.rate as string,
          time_period: code,
          ...(tiered ? { block: `${code}_tiers`, tiers: t.tiers } : {}),
        });
        if (t.tiers.some((x) => Number(x.rate) !== 0)) demandComponents.push(code);
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

  // ── Flat (monthly maximum) demand charges, with the ratchet ──
  const flatDemand = item.flatdemandstructure;
  const ratchets = item.demandratchetpercentage;
  let ratchetByMonth: (string | null)[] | null = null;
  if (present(ratchets)) {
    if (!Array.isArray(ratchets) || ratchets.length !== 12)
      problems.push('demandratchetpercentage must give the ratchet of each of the 12 months');
    else {
      ratchetByMonth = ratchets.map((r) => (present(r) ? num(r) : null));
      const bad = ratchets.findIndex((r, m) => present(r) && ratchetByMonth?.[m] === null);
      if (bad >= 0)
        problems.push(
          `demandratchetpercentage month ${bad + 1} is ${JSON.stringify(ratchets[bad])}, not a number`,
        );
    }
  }
  let ratcheted = false;
  if (present(flatDemand)) {
    const months = item.flatdemandmonths;
    const why = demandUnitWhy('flatdemandunit') ?? demandUnitWhy('demandunits');
    if (why) problems.push(why);
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
          const t = tiers(p, 'flatdemandstructure', i + 1, 'kW', demandTierUnitProblem, problems);
          if (!t) return;
          const ms = months.flatMap((x, m) => (x === i ? [m + 1] : []));
          if (ms.length === 0) {
            notes.push(`flatdemandstructure period ${i + 1} applies in no month: not imported`);
            return;
          }
          let ratchet: string | undefined;
          if (ratchetByMonth) {
            const values = new Set(ms.map((m) => ratchetByMonth?.[m - 1] ?? '0'));
            if (values.size > 1) {
              problems.push(
                `demandratchetpercentage differs between months ${monthsText(ms)} of flatdemandstructure period ${i + 1}: edw holds one ratchet per demand charge`,
              );
              return;
            }
            const v = [...values][0] as string;
            if (Number(v) !== 0) {
              ratchet = percentOf(v);
              ratcheted = true;
            }
          }
          const code = `flat_demand_p${i + 1}`;
          const tiered = t.tiers.length > 1;
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
            rate: t.tiers[0]?.rate as string,
            season: monthsText(ms),
            ...(ratchet !== undefined ? { ratchet_percent: ratchet } : {}),
            ...(tiered ? { block: `${code}_tiers`, tiers: t.tiers } : {}),
          });
        });
    }
  }
  if (ratchetByMonth && ratchetByMonth.some((r) => r !== null && Number(r) !== 0) && !ratcheted)
    problems.push(
      `demandratchetpercentage is set but the rate has no flat (monthly maximum) demand charge in those months: edw applies ratchets to the monthly maximum demand only${demandComponents.length ? ` (not to TOU demand ${demandComponents.join(', ')})` : ''}`,
    );
  else if (ratcheted && demandComponents.length)
    notes.push(
      `demandratchetpercentage applied to the flat (monthly maximum) demand charges, not to TOU demand ${demandComponents.join(', ')}`,
    );

  // ── Fuel adjustments ($/kWh by month) → riders by month group ──
  const fuel = item.fueladjustmentsmonthly;
  if (present(fuel)) {
    if (!Array.isArray(fuel) || fuel.length !== 12)
      problems.push(
        'fueladjustmentsmonthly must give the $/kWh adjustment of each of the 12 months',
      );
    else {
      const groups = new Map<string, number[]>();
      fuel.forEach((f, m) => {
        const r = present(f) ? num(f) : '0';
        if (r === null) {
          problems.push(
            `fueladjustmentsmonthly month ${m + 1} is ${JSON.stringify(f)}, not a number`,
          );
          return;
        }
        if (Number(r) === 0) return;
        const g = groups.get(r) ?? [];
        g.push(m + 1);
        groups.set(r, g);
      });
      let k = 0;
      for (const [rate, ms] of groups) {
        k++;
        version.components.push({
          code: groups.size === 1 ? 'fuel_adjustment' : `fuel_adjustment_${k}`,
          name: `Fuel adjustment${ms.length === 12 ? '' : `, months ${monthsText(ms)}`}`,
          kind: 'rider',
          section: 'delivery',
          unit: 'kWh',
          rate,
          ...(ms.length === 12 ? {} : { season: monthsText(ms) }),
        });
      }
    }
  }

  // ── Minimum charge ──
  const minField = present(item.mincharge) ? 'mincharge' : 'minmonthlycharge';
  const minimum = item[minField];
  if (present(minimum)) {
    const units = minField === 'mincharge' ? String(item.minchargeunits ?? '$/month') : '$/month';
    const rate = num(minimum);
    if (rate === null) problems.push(`${minField} ${JSON.stringify(minimum)} is not a number`);
    else if (units === '$/month' || units === '$/day')
      version.components.push({
        code: 'minimum_charge',
        name: 'Minimum charge',
        kind: 'minimum',
        section: 'delivery',
        unit: units === '$/day' ? 'day' : 'bill',
        rate,
      });
    else
      problems.push(
        `minchargeunits "${units}" is not supported: edw lifts each bill to a monthly or daily minimum ($/month, $/day); a ${units} minimum depends on bills edw does not see together`,
      );
  }

  // ── Charges edw cannot bill as the URDB defines them: refuse, naming the field and why ──
  if (present(item.annualmincharge))
    problems.push(
      `annualmincharge ${String(item.annualmincharge)}: an annual minimum is settled over a year of bills; edw bills one period at a time (not supported)`,
    );
  if (present(item.coincidentratestructure))
    problems.push(
      "coincidentratestructure: coincident (system-peak) demand charges need the utility's coincident peak hours, which edw does not have (not supported)",
    );
  if (present(item.demandreactivepowercharge))
    problems.push(
      `demandreactivepowercharge ${String(item.demandreactivepowercharge)} $/kVAR: edw has no reactive power data (not supported)`,
    );
  if (present(item.lookbackpercent))
    problems.push(
      `lookbackpercent ${String(item.lookbackpercent)} (lookbackrange ${String(item.lookbackrange ?? 0)}, lookbackmonths ${JSON.stringify(item.lookbackmonths ?? [])}): lookback demand minimums are not supported (edw's ratchet looks back over the prior 11 months, from demandratchetpercentage)`,
    );

  if (version.components.length === 0 && problems.length === 0)
    problems.push(
      'the rate has no charges edw can import (no fixed, energy, demand, fuel adjustment or minimum charge)',
    );

  // ── Notes: what is kept in source_json only ──
  const listed: string[] = [];
  const sells = Array.isArray(energy)
    ? energy.some((p) => Array.isArray(p) && (p as Tier[]).some((t) => present(t?.sell)))
    : false;
  if (sells)
    listed.push('energyratestructure sell rates (export credit; edw bills delivered energy)');
  if (present(item.demandwindow))
    listed.push(
      `demandwindow ${String(item.demandwindow)} min (edw measures demand over each meter interval)`,
    );
  for (const f of ['energyattrs', 'demandattrs', 'fixedattrs'])
    if (present(item[f])) listed.push(`${f} (descriptive adjustments, not billed)`);
  for (const f of ['fixedchargeeachaddl', 'fixedmonthlycharge_each_addl'])
    if (present(item[f])) listed.push(`${f} (additional meters)`);
  if (present(item.dgrules)) listed.push(`dgrules "${String(item.dgrules)}"`);
  const unknown = Object.keys(item).filter((k) => !DESCRIPTIVE.has(k) && present(item[k]));
  if (unknown.length) listed.push(`fields edw does not know: ${unknown.join(', ')}`);
  if (listed.length) notes.push(`kept in source_json only, not billed: ${listed.join('; ')}`);
  if (problems.length) return { tariff: null, problems, notes };
  return {
    tariff: { org, code: name, name, commodity: 'electricity', versions: [version] },
    problems,
    notes,
  };
}

function energyUnitProblem(u: string): string | null {
  if (u === 'kWh' || u === 'kWh daily') return null;
  if (u === 'kWh/kW' || u === 'kWh/kW daily')
    return 'is not supported: tier limits per kW of demand (hours-use blocks) are not modelled';
  return 'is not supported (kWh or kWh daily)';
}

function demandTierUnitProblem(u: string): string | null {
  if (u === 'kW') return null;
  return `is not supported: edw bills demand in kW measured from interval energy`;
}

/** A month where a tiered energy period shares the month with another period, if any. */
function tierClash(
  wd: number[][],
  we: number[][],
  tiered: Set<number>,
): { month: number; tiered: number; other: number } | null {
  for (let m = 0; m < 12; m++) {
    const used = new Set([...(wd[m] ?? []), ...(we[m] ?? [])]);
    if (used.size < 2) continue;
    for (const p of used)
      if (tiered.has(p)) {
        const other = [...used].find((q) => q !== p) as number;
        return { month: m, tiered: p, other };
      }
  }
  return null;
}

function flat(): number[][] {
  return Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => 0));
}
