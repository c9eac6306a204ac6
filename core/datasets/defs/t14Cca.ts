// t-14-cca (T-14, seed 004 "Use Case 14: Community Choice Aggregation – 3 utilities, 1
// dataset"): one town's energy across every utility serving it — for Pembroke, NH: Eversource
// (PSNH) and Unitil (UES) electric and Liberty gas — in one dataset, by month, utility, fuel
// and customer class, each cell released under the 15/15 rule (docs/datasets.md "t-14-cca").
//
// A usage point is in the town when its premise record says so (premise.town/state, as the
// utility wrote it, compared case-insensitively). Monthly totals come from the interval_month
// roll-up; a month's usage belongs to the customer whose service agreement covers it.
import { z } from 'zod';
import { KWH_PER_MMBTU } from '../../metering/energy';
import { FifteenFifteen, type CellVerdict } from '../../privacy/fifteen';
import { EdwError } from '../../workspace/errors';
import { defineDataset, type DatasetRow } from '../types';
import { MonthParam, checkRange, col, contributor, monthlyUsage, round6 } from './regulator';

const Params = z
  .object({
    town: z.string().min(1).default('Pembroke').describe('Town (as on the premise records).'),
    state: z.string().length(2).default('NH').describe('State code of the town.'),
    from: MonthParam.optional().describe('First month (YYYY-MM); default: all data.'),
    to: MonthParam.optional().describe('Last month (YYYY-MM), inclusive; default: all data.'),
  })
  .strict();

const COLUMNS = [
  col('town', 'text', null, 'system', 'Town.'),
  col('state', 'text', null, 'system', 'State code.'),
  col('month', 'text', null, 'system', 'Local calendar month, YYYY-MM.'),
  col(
    'utility',
    'text',
    null,
    'system',
    'Code of the utility serving the usage points (PSNH, UES, LIBERTY …).',
  ),
  col('utility_name', 'text', null, 'system', 'Name of the utility.'),
  col('commodity', 'text', null, 'system', 'Fuel: electricity, gas, water.'),
  col(
    'customer_class',
    'text',
    null,
    'system',
    'Customer class of the customers (residential, commercial …).',
  ),
  col(
    'customers',
    'integer',
    'customers',
    'aggregate',
    'Distinct customers with metered usage in the cell (the 15/15 count; released even when the cell is suppressed).',
  ),
  col(
    'cca_customers',
    'integer',
    'customers',
    'aggregate',
    "Of those, customers enrolled in a community choice aggregation program (program kind 'cca') during the month; null when suppressed.",
  ),
  col(
    'usage',
    'number',
    null,
    'aggregate',
    'Consumption in the unit of the `unit` column; null when suppressed.',
  ),
  col(
    'unit',
    'text',
    null,
    'system',
    'Unit of `usage`: kWh for electricity, therm for gas (CCF × 1.037).',
  ),
  col(
    'energy_mmbtu',
    'number',
    'MMBtu',
    'aggregate',
    'The same consumption in MMBtu (kWh ÷ 293.071, therm ÷ 10); null when suppressed or not energy.',
  ),
  col('suppressed', 'boolean', null, 'system', 'True when the cell failed the 15/15 rule.'),
];

interface Cell {
  month: string;
  utility: string;
  utilityName: string;
  commodity: string;
  cls: string;
  unit: string;
}

function mmbtu(unit: string, value: number): number | null {
  if (unit === 'kWh') return value / KWH_PER_MMBTU;
  if (unit === 'therm') return value / 10;
  return null;
}

export const t14Cca = defineDataset({
  name: 't-14-cca',
  version: 1,
  title: 'T-14 community choice aggregation: one town, every utility',
  description:
    'Monthly consumption of one town across all its electric and gas utilities (Pembroke, NH: Eversource and Unitil electric, Liberty gas) by customer class, with CCA enrolment, under the 15/15 rule.',
  privacyClass: 'aggregate',
  params: Params,
  columns: COLUMNS,

  *rows(ctx, p): Generator<DatasetRow> {
    const db = ctx.db;
    checkRange(p.from, p.to, 'months');
    const state = p.state.toUpperCase();
    const premises = db
      .prepare(
        'SELECT count(*) AS n FROM premise WHERE town = ? COLLATE NOCASE AND state = ? COLLATE NOCASE',
      )
      .get(p.town, state) as { n: number };
    if (premises.n === 0) {
      const towns = (
        db
          .prepare(
            "SELECT DISTINCT town || ' ' || state AS t FROM premise WHERE town IS NOT NULL ORDER BY 1",
          )
          .all() as { t: string }[]
      ).map((r) => r.t);
      throw new EdwError(
        'usage',
        `no premise in ${p.town}, ${state}; towns: ${towns.join(', ') || '(none)'}`,
        { reason: 'bad_param', param: 'town' },
      );
    }
    const uses = monthlyUsage(
      db,
      `SELECT up.id FROM premise pr JOIN usage_point up ON up.premise_id = pr.id
       WHERE pr.town = ? COLLATE NOCASE AND pr.state = ? COLLATE NOCASE`,
      [p.town, state],
      p.from,
      p.to,
    );
    const upOrg = new Map(
      (
        db
          .prepare(
            `SELECT up.id, o.code, o.name FROM premise pr JOIN usage_point up ON up.premise_id = pr.id
             JOIN organization o ON o.id = up.org_id
             WHERE pr.town = ? COLLATE NOCASE AND pr.state = ? COLLATE NOCASE`,
          )
          .all(p.town, state) as { id: number; code: string; name: string }[]
      ).map((r) => [r.id, r]),
    );
    // CCA enrolment spans per customer.
    const cca = new Map<number, { from: string; to: string | null }[]>();
    for (const r of db
      .prepare(
        `SELECT a.customer_id AS customer, e.effective_date AS f, e.end_date AS t
         FROM program_enrolment e JOIN program pg ON pg.id = e.program_id AND pg.kind = 'cca'
         JOIN account a ON a.id = e.account_id WHERE a.customer_id IS NOT NULL AND e.status <> 'pending'`,
      )
      .all() as { customer: number; f: string; t: string | null }[]) {
      const list = cca.get(r.customer) ?? [];
      list.push({ from: r.f, to: r.t });
      cca.set(r.customer, list);
    }
    const inCca = (customer: number | null, month: string) =>
      customer !== null &&
      (cca.get(customer) ?? []).some(
        (s) => s.from <= `${month}-31` && (s.to === null || s.to >= `${month}-01`),
      );

    const cells = new Map<string, Cell>();
    const enrolled = new Map<string, Set<string>>();
    const rule = new FifteenFifteen();
    for (const u of uses) {
      const org = upOrg.get(u.usagePointId);
      if (!org) continue;
      const cls = u.customerClass ?? 'unknown';
      const key = `${u.month}|${org.code}|${u.commodity}|${cls}|${u.unit}`;
      if (!cells.has(key))
        cells.set(key, {
          month: u.month,
          utility: org.code,
          utilityName: org.name,
          commodity: u.commodity,
          cls,
          unit: u.unit,
        });
      const who = contributor(u);
      rule.add(key, who, u.value);
      if (inCca(u.customerId, u.month)) {
        const s = enrolled.get(key) ?? new Set<string>();
        s.add(who);
        enrolled.set(key, s);
      }
    }
    const keys = [...cells.keys()].sort();
    for (const key of keys) {
      const c = cells.get(key) as Cell;
      const v: CellVerdict = rule.verdict(key);
      const released = v.released;
      const m = mmbtu(c.unit, v.total);
      yield {
        values: {
          town: p.town,
          state,
          month: c.month,
          utility: c.utility,
          utility_name: c.utilityName,
          commodity: c.commodity,
          customer_class: c.cls,
          customers: v.customers,
          cca_customers: released ? (enrolled.get(key)?.size ?? 0) : null,
          usage: released ? round6(v.total) : null,
          unit: c.unit,
          energy_mmbtu: released && m !== null ? round6(m) : null,
          suppressed: !released,
        },
        ...(released ? {} : { suppressed: true }),
      };
    }
  },
});
