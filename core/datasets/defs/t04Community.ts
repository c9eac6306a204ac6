// t-04-community (T-04): town-level usage totals by month, customer class and fuel, for a
// community energy dashboard's nightly feed. An aggregate: every cell (town × month × customer
// class × fuel) passes the 15/15 rule or is suppressed (values empty, `suppressed` true,
// counted in the run record).
//
// Method (docs/datasets.md "t-04-community"):
// - town: the town and state of the usage point's premise record (usage points without a
//   premise are left out);
// - usage: per usage point one forward (delivered) energy or volume interval series — the one
//   with the most blocks in the period — summed per local day from block totals (missing
//   slots excluded); each day goes to the month, customer and customer class of the service
//   agreement in force that day (a usage point without one counts as its own customer, class
//   'unknown');
// - units: electricity kWh, gas therm (volume via `gas_btu_per_cf`), water gallons; kWh and
//   MMBtu for every energy fuel (energyUnits.ts);
// - 15/15: each customer's quantity in the cell (kWh or gallons) is its contribution.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { FifteenFifteen } from '../../privacy/fifteen';
import { DEFAULT_GAS_BTU_PER_CF, energyConversion, round6, round9 } from '../energyUnits';
import { Agreements, type Agreement, MonthParam, badParam, monthOfDay, orgByCode } from '../meter';
import { defineDataset, type ColumnDef, type DatasetRow, col } from '../types';

const COLUMNS: ColumnDef[] = [
  col('town', 'text', null, 'system', 'Town of the premises.'),
  col('state', 'text', null, 'system', 'State of the town.'),
  col('month', 'text', null, 'system', 'Local calendar month, YYYY-MM.'),
  col(
    'customer_class',
    'text',
    null,
    'system',
    'residential, commercial, industrial, municipal, other (unknown: no service agreement).',
  ),
  col('fuel', 'text', null, 'system', 'electricity, gas, water …'),
  col('customers', 'integer', null, 'aggregate', 'Distinct customers in the cell.'),
  col('usage_points', 'integer', null, 'aggregate', 'Usage points in the cell.'),
  col(
    'quantity',
    'number',
    null,
    'aggregate',
    'Total usage in unit (kWh electricity, therm gas, gal water).',
  ),
  col('unit', 'text', null, 'system', 'Unit of quantity.'),
  col('kwh', 'number', 'kWh', 'aggregate', 'Total energy in kWh (empty for water).'),
  col('mmbtu', 'number', 'MMBtu', 'aggregate', 'Total energy in MMBtu (empty for water).'),
  col(
    'suppressed',
    'boolean',
    null,
    'system',
    'The cell failed the 15/15 rule: its values are empty.',
  ),
  col(
    'suppression_reason',
    'text',
    null,
    'system',
    'too_few_customers, dominant_customer or zero_total.',
  ),
];

const Params = z
  .object({
    town: z
      .string()
      .min(1)
      .optional()
      .describe('Only this town (case-insensitive); default every town.'),
    state: z.string().min(2).optional().describe('Only towns of this state (NH, MA).'),
    fuel: z.string().min(1).optional().describe('Only this commodity: electricity, gas, water …'),
    org: z
      .string()
      .min(1)
      .optional()
      .describe("Only this organization's usage points (default every utility's)."),
    from: MonthParam.optional().describe(
      'First month included (YYYY-MM); default the first reading.',
    ),
    to: MonthParam.optional().describe('Last month included (YYYY-MM); default the last reading.'),
    gas_btu_per_cf: z
      .number()
      .positive()
      .max(5000)
      .default(DEFAULT_GAS_BTU_PER_CF)
      .describe(
        'Heat content of gas volume in Btu per cubic foot; default 1037 (EIA 2018 average).',
      ),
  })
  .strict();

type P = z.output<typeof Params>;

/** The unit a fuel is reported in, and how one native unit converts to it. */
function reportUnit(
  commodity: string,
  unit: string,
  units: Map<string, { quantity: string; factor: number }>,
  btu: number,
): { unit: string; per: number; kwh: number | null; mmbtu: number | null } | null {
  const e = energyConversion(unit, commodity, btu);
  if (e) {
    if (commodity === 'gas')
      return { unit: 'therm', per: e.mmbtuPerUnit * 10, kwh: e.kwhPerUnit, mmbtu: e.mmbtuPerUnit };
    return { unit: 'kWh', per: e.kwhPerUnit, kwh: e.kwhPerUnit, mmbtu: e.mmbtuPerUnit };
  }
  const u = units.get(unit);
  const gal = units.get('gal');
  if (u?.quantity === 'volume' && gal)
    return { unit: 'gal', per: u.factor / gal.factor, kwh: null, mmbtu: null };
  return null;
}

interface Cell {
  town: string;
  state: string;
  month: string;
  cls: string;
  fuel: string;
  unit: string;
  quantity: number;
  kwh: number | null;
  mmbtu: number | null;
  customers: Set<string>;
  usagePoints: Set<number>;
}

/** Whether the same agreement (or none) is in force on every day from `first` to `last`. */
function sameAgreement(agreements: Agreements, up: number, first: number, last: number): boolean {
  const during = agreements.during(up, first, last);
  if (during.length === 0) return true;
  if (during.length > 1) return false;
  const a = during[0] as Agreement;
  return a.firstDay <= first && last <= a.lastDay;
}

function* communityRows(db: Database, p: P): Generator<DatasetRow> {
  if (p.from !== undefined && p.to !== undefined && p.from > p.to)
    throw badParam('to', `to (${p.to}) is before from (${p.from})`);
  const conds = ['p.town IS NOT NULL'];
  const args: (string | number)[] = [];
  if (p.town !== undefined) {
    conds.push('p.town = ? COLLATE NOCASE');
    args.push(p.town.trim());
  }
  if (p.state !== undefined) {
    conds.push('p.state = ? COLLATE NOCASE');
    args.push(p.state.trim());
  }
  if (p.fuel !== undefined) {
    const known = db.prepare('SELECT code FROM commodity ORDER BY code').pluck().all() as string[];
    if (!known.includes(p.fuel))
      throw badParam('fuel', `unknown fuel "${p.fuel}"; fuels: ${known.join(', ')}`);
    conds.push('u.commodity = ?');
    args.push(p.fuel);
  }
  if (p.org !== undefined) {
    conds.push('u.org_id = ?');
    args.push(orgByCode(db, p.org, 'org').id);
  }
  const units = new Map(
    (
      db.prepare('SELECT code, quantity, factor FROM unit').all() as {
        code: string;
        quantity: string;
        factor: number;
      }[]
    ).map((r) => [r.code, r]),
  );
  const ups = db
    .prepare(
      `SELECT u.id, u.commodity, p.town, coalesce(p.state, '') AS state FROM usage_point u
       JOIN premise p ON p.id = u.premise_id WHERE ${conds.join(' AND ')} ORDER BY u.id`,
    )
    .all(...args) as { id: number; commodity: string; town: string; state: string }[];
  // The interval_month roll-up (kept exact by triggers) gives each series' block count and
  // monthly totals without reading blocks; from/to are whole months, so its rows are either
  // wholly in or wholly out of the period.
  const fromMonth = p.from ?? '0000-00';
  const toMonth = p.to ?? '9999-99';
  const seriesOf = db.prepare(
    `SELECT s.id, rt.unit,
       (SELECT coalesce(sum(m.days), 0) FROM interval_month m
        WHERE m.series_id = s.id AND m.month BETWEEN ? AND ?) AS blocks
     FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id
     WHERE s.usage_point_id = ? AND rt.accumulation = 'delta' AND rt.interval_seconds IS NOT NULL
       AND rt.flow_direction IN ('forward', 'total') AND rt.measure IN ('energy', 'volume')
     ORDER BY blocks DESC, rt.interval_seconds, s.id LIMIT 1`,
  );
  const months = db.prepare(
    `SELECT total, first_day AS firstDay, last_day AS lastDay FROM interval_month
     WHERE series_id = ? AND month BETWEEN ? AND ? ORDER BY month`,
  );
  const days = db.prepare(
    'SELECT day, total FROM interval_block WHERE series_id = ? AND day BETWEEN ? AND ? ORDER BY day',
  );
  const agreements = new Agreements(db);
  const rule = new FifteenFifteen();
  const cells = new Map<string, Cell>();
  const add = (
    up: { id: number; commodity: string; town: string; state: string },
    conv: NonNullable<ReturnType<typeof reportUnit>>,
    day: number,
    total: number,
  ): void => {
    const a = agreements.at(up.id, day);
    const cls = a?.customerClass ?? 'unknown';
    const customer = a?.customerId != null ? `c:${a.customerId}` : `up:${up.id}`;
    const month = monthOfDay(day);
    const key = `${up.town}|${up.state}|${month}|${cls}|${up.commodity}|${conv.unit}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = {
        town: up.town,
        state: up.state,
        month,
        cls,
        fuel: up.commodity,
        unit: conv.unit,
        quantity: 0,
        kwh: conv.kwh === null ? null : 0,
        mmbtu: conv.mmbtu === null ? null : 0,
        customers: new Set(),
        usagePoints: new Set(),
      };
      cells.set(key, cell);
    }
    const q = total * conv.per;
    cell.quantity += q;
    if (cell.kwh !== null && conv.kwh !== null) cell.kwh += total * conv.kwh;
    if (cell.mmbtu !== null && conv.mmbtu !== null) cell.mmbtu += total * conv.mmbtu;
    cell.customers.add(customer);
    cell.usagePoints.add(up.id);
    rule.add(key, customer, conv.kwh !== null ? total * conv.kwh : q);
  };
  for (const up of ups) {
    const s = seriesOf.get(fromMonth, toMonth, up.id) as
      { id: number; unit: string; blocks: number } | undefined;
    if (!s || s.blocks === 0) continue;
    const conv = reportUnit(up.commodity, s.unit, units, p.gas_btu_per_cf);
    if (!conv) continue;
    for (const m of months.iterate(s.id, fromMonth, toMonth) as IterableIterator<{
      total: number;
      firstDay: number;
      lastDay: number;
    }>) {
      // One agreement (or none) in force on every day of the month's blocks: the month's
      // total goes to one cell, as its days would. Otherwise (an agreement starts or ends in
      // the month) the month's days are read one by one.
      if (sameAgreement(agreements, up.id, m.firstDay, m.lastDay)) {
        add(up, conv, m.firstDay, m.total);
        continue;
      }
      for (const b of days.iterate(s.id, m.firstDay, m.lastDay) as IterableIterator<{
        day: number;
        total: number;
      }>)
        add(up, conv, b.day, b.total);
    }
  }
  const order = [...cells.entries()].sort(([, a], [, b]) => {
    const ka = [a.state, a.town, a.month, a.cls, a.fuel, a.unit];
    const kb = [b.state, b.town, b.month, b.cls, b.fuel, b.unit];
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i] as string;
      const y = kb[i] as string;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  for (const [key, c] of order) {
    const v = rule.verdict(key);
    const ok = v.released;
    yield {
      values: {
        town: c.town,
        state: c.state || null,
        month: c.month,
        customer_class: c.cls,
        fuel: c.fuel,
        customers: ok ? c.customers.size : null,
        usage_points: ok ? c.usagePoints.size : null,
        quantity: ok ? round9(c.quantity) : null,
        unit: c.unit,
        kwh: ok && c.kwh !== null ? round6(c.kwh) : null,
        mmbtu: ok && c.mmbtu !== null ? round6(c.mmbtu) : null,
        suppressed: !ok,
        suppression_reason: v.reason,
      },
      subjects: [],
      suppressed: !ok,
    };
  }
}

export const t04Community = defineDataset({
  name: 't-04-community',
  version: 1,
  title: 'T-04 community energy dashboard',
  description:
    'Town-level usage totals by month, customer class and fuel (kWh, therms, gallons; kWh and MMBtu), every cell under the 15/15 rule.',
  privacyClass: 'aggregate',
  params: Params,
  columns: COLUMNS,
  rows: (ctx, params) => communityRows(ctx.db, params),
});
