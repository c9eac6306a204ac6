// edw's own tariff JSON: one tariff (or an array of them) with its versions, each version with
// its time periods, block definitions, TOU schedule and charge components (tiers by block).
// Rates are exact decimal text ("0.06175"); JSON numbers are accepted and kept in their
// shortest exact form. `exportTariffJson` writes a workspace tariff back in the same form, so a
// file round-trips through the workspace unchanged.
//
//   { "org": "UES", "code": "D", "name": "D1 Residential", "commodity": "electricity",
//     "rate_class": "D",
//     "versions": [{ "from": "2018-05-01", "to": "2018-10-31", "rounding_rule": "line_half_up",
//       "time_periods": [{ "code": "on_peak", "name": "On-Peak" }],
//       "block_definitions": [{ "code": "07", "name": "All kWh" }],
//       "schedule": [{ "season": "all", "months": "1-12", "day_type": "weekday",
//                      "start_hour": 8, "end_hour": 20, "time_period": "on_peak" }],
//       "components": [{ "code": "delivery", "name": "Delivery Charge", "kind": "energy",
//                        "section": "delivery", "unit": "kWh", "rate": "0.06175",
//                        "time_period": "on_peak", "block": "07",
//                        "tiers": [{ "upto": "500", "rate": "0.05" }, { "upto": null, "rate": "0.07" }] }] }] }
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { IsoDate } from './parse';
import { compareDec, decText, parseDec } from './decimal';

const Decimal = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const t = decText(v);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a decimal number` });
    return z.NEVER;
  }
  return t;
});

const MONTH = '(?:1[0-2]|[1-9])';
export const MONTHS_RE = new RegExp(`^${MONTH}(?:-${MONTH})?(?:,${MONTH}(?:-${MONTH})?)*$`);

export const COMPONENT_KINDS = [
  'fixed_bill',
  'fixed_day',
  'energy',
  'demand',
  'minimum',
  'rider',
  'tax',
] as const;
export const ROUNDING_RULES = [
  'line_half_up',
  'line_half_even',
  'line_truncate',
  'total_half_up',
] as const;
export const DAY_TYPES = ['weekday', 'weekend', 'holiday', 'all'] as const;
export const COMMODITIES = ['electricity', 'gas', 'water', 'steam', 'propane', 'oil'] as const;

export const TariffTier = z.object({ upto: Decimal.nullable(), rate: Decimal }).strict();

export const TariffComponent = z
  .object({
    code: z.string().min(1),
    name: z.string().min(1),
    kind: z.enum(COMPONENT_KINDS),
    section: z.enum(['delivery', 'supply', 'other']).default('delivery'),
    unit: z.string().min(1).optional(),
    rate: Decimal,
    time_period: z.string().min(1).optional(),
    /** Block definition code (e.g. the seed BlockDefinitionID "07"). */
    block: z.string().min(1).optional(),
    season: z.string().min(1).optional(),
    ratchet_percent: Decimal.optional(),
    tiers: z.array(TariffTier).min(1).optional(),
  })
  .strict();

export const TariffVersion = z
  .object({
    from: IsoDate,
    to: IsoDate.nullable().default(null),
    rounding_rule: z.enum(ROUNDING_RULES).default('line_half_up'),
    time_periods: z
      .array(z.object({ code: z.string().min(1), name: z.string().min(1) }).strict())
      .default([]),
    block_definitions: z
      .array(z.object({ code: z.string().min(1), name: z.string().min(1).optional() }).strict())
      .default([]),
    schedule: z
      .array(
        z
          .object({
            season: z.string().min(1).default('all'),
            months: z
              .string()
              .regex(MONTHS_RE, 'must be months like "1-12" or "6-9" or "1-5,10-12"')
              .default('1-12'),
            day_type: z.enum(DAY_TYPES),
            start_hour: z.number().int().min(0).max(23),
            end_hour: z.number().int().min(1).max(24),
            time_period: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    components: z.array(TariffComponent).min(1),
  })
  .strict();

export const TariffJson = z
  .object({
    org: z.string().min(1),
    code: z.string().min(1),
    name: z.string().min(1),
    commodity: z.enum(COMMODITIES),
    rate_class: z.string().min(1).optional(),
    versions: z.array(TariffVersion).min(1),
  })
  .strict();
export type TariffJson = z.infer<typeof TariffJson>;
export type TariffVersionJson = z.infer<typeof TariffVersion>;
export type TariffComponentJson = z.infer<typeof TariffComponent>;

/** A file: one tariff or an array of tariffs. */
export const TariffFile = z.union([TariffJson, z.array(TariffJson).min(1)]);

/** Months of a months text ("1-5,10-12" → {1..5, 10..12}). */
export function monthSet(text: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    const end = b ?? a;
    // A range may wrap the year end ("11-2").
    for (let m = a, n = 0; n < 12; m = (m % 12) + 1, n++) {
      out.add(m);
      if (m === end) break;
    }
  }
  return out;
}

/** Sorted months → text: [1,2,3,4,5,10,11,12] → "1-5,10-12". */
export function monthsText(months: Iterable<number>): string {
  const ms = [...new Set(months)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < ms.length;) {
    let j = i;
    while (j + 1 < ms.length && ms[j + 1] === (ms[j] as number) + 1) j++;
    parts.push(i === j ? String(ms[i]) : `${ms[i]}-${ms[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Tier bounds must increase; only the last tier may be unbounded. */
export function tierProblems(
  tiers: readonly { upto: string | null }[],
  where: string,
  word = 'upto',
): string[] {
  const out: string[] = [];
  let prev: { i: number; text: string } | null = null;
  tiers.forEach((t, i) => {
    if (t.upto === null) {
      if (i < tiers.length - 1)
        out.push(`tier ${i + 1} has no ${word} but is not the last tier ${where}`);
      return;
    }
    const d = parseDec(t.upto);
    if (!d) return;
    if (compareDec(d, { digits: 0n, scale: 0 }) <= 0)
      out.push(`tier ${i + 1} ${word} ${t.upto} is not above 0 ${where}`);
    if (prev) {
      const p = parseDec(prev.text);
      if (p && compareDec(d, p) <= 0)
        out.push(
          `tier ${i + 1} ${word} ${t.upto} is not above tier ${prev.i + 1} ${word} ${prev.text} ${where}`,
        );
    }
    prev = { i, text: t.upto };
  });
  return out;
}

/** Consistency a schema cannot express: references, tiers, schedule overlaps, dates. */
export function tariffProblems(t: TariffJson): string[] {
  const out: string[] = [];
  const versions = [...t.versions].sort((a, b) => a.from.localeCompare(b.from));
  versions.forEach((v, i) => {
    const at = `(version ${v.from})`;
    if (v.to !== null && v.to < v.from) out.push(`${at} ends ${v.to}, before it starts`);
    const next = versions[i + 1];
    if (next && (v.to === null || v.to >= next.from))
      out.push(`${at} overlaps version ${next.from}: a version must end before the next starts`);
    const dup = (what: string, codes: string[]) => {
      const seen = new Set<string>();
      for (const c of codes) {
        if (seen.has(c)) out.push(`${at} ${what} "${c}" appears twice`);
        seen.add(c);
      }
    };
    dup(
      'component',
      v.components.map((c) => c.code),
    );
    dup(
      'time period',
      v.time_periods.map((p) => p.code),
    );
    dup(
      'block definition',
      v.block_definitions.map((b) => b.code),
    );
    const periods = new Set(v.time_periods.map((p) => p.code));
    const blocks = new Set(v.block_definitions.map((b) => b.code));
    // The kind of charge each period prices, to check overlaps within one family of periods
    // (energy periods and demand periods may each cover every hour).
    const family = new Map<string, string>();
    for (const c of v.components) {
      const w = `${at} component ${c.code}`;
      if (c.time_period !== undefined) {
        if (!periods.has(c.time_period))
          out.push(`${w} names time period "${c.time_period}", which the version does not define`);
        family.set(c.time_period, c.kind === 'demand' ? 'demand' : 'energy');
      }
      if (c.block !== undefined && !blocks.has(c.block))
        out.push(`${w} names block definition "${c.block}", which the version does not define`);
      if (c.tiers) out.push(...tierProblems(c.tiers, `in ${w}`));
    }
    v.schedule.forEach((s, k) => {
      const w = `${at} schedule row ${k + 1}`;
      if (!periods.has(s.time_period))
        out.push(`${w} names time period "${s.time_period}", which the version does not define`);
      if (s.end_hour <= s.start_hour)
        out.push(`${w} ends at hour ${s.end_hour}, not after its start ${s.start_hour}`);
    });
    for (let a = 0; a < v.schedule.length; a++)
      for (let b = a + 1; b < v.schedule.length; b++) {
        const x = v.schedule[a] as TariffVersionJson['schedule'][number];
        const y = v.schedule[b] as TariffVersionJson['schedule'][number];
        if ((family.get(x.time_period) ?? 'energy') !== (family.get(y.time_period) ?? 'energy'))
          continue;
        const days = x.day_type === y.day_type || x.day_type === 'all' || y.day_type === 'all';
        const mx = monthSet(x.months);
        const months = [...monthSet(y.months)].some((m) => mx.has(m));
        const hours = x.start_hour < y.end_hour && y.start_hour < x.end_hour;
        if (days && months && hours)
          out.push(
            `${at} schedule rows ${a + 1} and ${b + 1} overlap (${x.day_type} ${x.start_hour}-${x.end_hour} in months ${x.months}, ${y.day_type} ${y.start_hour}-${y.end_hour} in months ${y.months})`,
          );
      }
  });
  return out;
}

// ───────────── export ─────────────

interface VersionRow {
  id: number;
  effective_from: string;
  effective_to: string | null;
  rounding_rule: TariffVersionJson['rounding_rule'];
}

/** One stored tariff version in the JSON form (what the file would hold). */
export function exportTariffVersion(db: Database, versionId: number): TariffVersionJson {
  const v = db
    .prepare(
      'SELECT id, effective_from, effective_to, rounding_rule FROM tariff_version WHERE id = ?',
    )
    .get(versionId) as VersionRow;
  const periods = db
    .prepare('SELECT id, code, name FROM time_period WHERE tariff_version_id = ? ORDER BY id')
    .all(v.id) as { id: number; code: string; name: string }[];
  const blocks = db
    .prepare('SELECT id, code, name FROM block_definition WHERE tariff_version_id = ? ORDER BY id')
    .all(v.id) as { id: number; code: string; name: string | null }[];
  const periodCode = new Map(periods.map((p) => [p.id, p.code]));
  const blockCode = new Map(blocks.map((b) => [b.id, b.code]));
  const schedule = (
    db
      .prepare(
        'SELECT season, months, day_type, start_hour, end_hour, time_period_id FROM tou_schedule WHERE tariff_version_id = ? ORDER BY id',
      )
      .all(v.id) as {
      season: string;
      months: string;
      day_type: TariffVersionJson['schedule'][number]['day_type'];
      start_hour: number;
      end_hour: number;
      time_period_id: number;
    }[]
  ).map((s) => ({
    season: s.season,
    months: s.months,
    day_type: s.day_type,
    start_hour: s.start_hour,
    end_hour: s.end_hour,
    time_period: periodCode.get(s.time_period_id) as string,
  }));
  const tiers = db.prepare(
    'SELECT upto, rate FROM charge_tier WHERE charge_id = ? ORDER BY tier_index',
  );
  const components = (
    db
      .prepare(
        `SELECT id, code, name, kind, section, unit, rate, time_period_id, block_definition_id, season, ratchet_percent
         FROM charge_component WHERE tariff_version_id = ? ORDER BY line_order, id`,
      )
      .all(v.id) as {
      id: number;
      code: string;
      name: string;
      kind: TariffComponentJson['kind'];
      section: TariffComponentJson['section'];
      unit: string | null;
      rate: string;
      time_period_id: number | null;
      block_definition_id: number | null;
      season: string | null;
      ratchet_percent: string | null;
    }[]
  ).map((c) => {
    const out: TariffComponentJson = {
      code: c.code,
      name: c.name,
      kind: c.kind,
      section: c.section,
      rate: c.rate,
    };
    if (c.unit !== null) out.unit = c.unit;
    if (c.time_period_id !== null) out.time_period = periodCode.get(c.time_period_id) as string;
    if (c.block_definition_id !== null) out.block = blockCode.get(c.block_definition_id) as string;
    if (c.season !== null) out.season = c.season;
    if (c.ratchet_percent !== null) out.ratchet_percent = c.ratchet_percent;
    const t = tiers.all(c.id) as { upto: string | null; rate: string }[];
    if (t.length > 0) out.tiers = t;
    return out;
  });
  return {
    from: v.effective_from,
    to: v.effective_to,
    rounding_rule: v.rounding_rule,
    time_periods: periods.map((p) => ({ code: p.code, name: p.name })),
    block_definitions: blocks.map((b) =>
      b.name === null ? { code: b.code } : { code: b.code, name: b.name },
    ),
    schedule,
    components,
  };
}

/** A workspace tariff, all its versions, in edw tariff JSON. */
export function exportTariffJson(db: Database, org: string, code: string): TariffJson | null {
  const t = db
    .prepare(
      `SELECT t.id, o.code AS org, t.code, t.name, t.commodity, rc.code AS rate_class
       FROM tariff t JOIN organization o ON o.id = t.org_id LEFT JOIN rate_class rc ON rc.id = t.rate_class_id
       WHERE o.code = ? COLLATE NOCASE AND t.code = ?`,
    )
    .get(org, code) as
    | {
        id: number;
        org: string;
        code: string;
        name: string;
        commodity: TariffJson['commodity'];
        rate_class: string | null;
      }
    | undefined;
  if (!t) return null;
  const versions = (
    db
      .prepare('SELECT id FROM tariff_version WHERE tariff_id = ? ORDER BY effective_from')
      .all(t.id) as { id: number }[]
  ).map((v) => exportTariffVersion(db, v.id));
  return {
    org: t.org,
    code: t.code,
    name: t.name,
    commodity: t.commodity,
    ...(t.rate_class === null ? {} : { rate_class: t.rate_class }),
    versions,
  };
}
