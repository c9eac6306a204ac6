// t-09-system (T-09, seed 004 "Use Case 09 System Data and Customer Data Integration"): the
// grid path premise → asset → node → section → circuit of every asset placed on the grid, as
// the seed's illustrative dataset (columns A–J), with the load of the asset's circuit: electric
// consumption of the circuit's usage points over a period of months, released under the
// 15/15 rule per circuit (docs/datasets.md "t-09-system").
//
// Read one circuit at a time (circuits in owner, code order): its load (one query over the
// interval_month roll-up of its usage points), the 15/15 verdict, then its assets. Memory is
// one circuit; no statement stays open between circuits.
import { z } from 'zod';
import { FifteenFifteen } from '../../privacy/fifteen';
import { defineDataset, type DatasetRow } from '../types';
import {
  ASSET_PATH_SQL,
  GRID_COLUMNS,
  MonthParam,
  checkRange,
  circuits,
  col,
  contributor,
  gridValues,
  monthlyUsage,
  orgId,
  round6,
  type AssetPathRow,
} from './regulator';

const CATEGORIES = [
  'meter',
  'pv',
  'storage',
  'ev_charger',
  'thermostat',
  'generator',
  'transformer',
  'other',
] as const;

const Params = z
  .object({
    org: z
      .string()
      .min(1)
      .optional()
      .describe('Only circuits of this organization (its code, e.g. PSNH).'),
    circuit: z.string().min(1).optional().describe('Only this circuit (its code, e.g. 22233).'),
    category: z.enum(CATEGORIES).optional().describe('Only assets of this category.'),
    from: MonthParam.optional().describe(
      'First month (YYYY-MM) of the load period; default: all data.',
    ),
    to: MonthParam.optional().describe(
      'Last month (YYYY-MM) of the load period, inclusive; default: all data.',
    ),
  })
  .strict();

const COLUMNS = [
  ...GRID_COLUMNS,
  col('substation', 'text', null, 'system', 'Code of the substation feeding the circuit.'),
  col(
    'transformer_kva',
    'number',
    'kVA',
    'system',
    "Rating of the node's distribution transformer(s), summed.",
  ),
  col(
    'circuit_customers',
    'integer',
    'customers',
    'aggregate',
    'Distinct customers with metered electric consumption on the circuit in the period (the 15/15 count; released even when the load is suppressed).',
  ),
  col(
    'circuit_load_kwh',
    'number',
    'kWh',
    'aggregate',
    "Electric consumption (forward energy) of the circuit's usage points in the period; null when the 15/15 rule suppresses it.",
  ),
  col(
    'circuit_load_suppressed',
    'boolean',
    null,
    'system',
    "True when the circuit's load failed the 15/15 rule (fewer than 15 customers or one above 15 %).",
  ),
];

export const t09System = defineDataset({
  name: 't-09-system',
  version: 1,
  title: 'T-09 customer and system data',
  description:
    'Every asset placed on the grid with its path premise → asset → node → section → circuit (the seed columns A–J), and the electric load of its circuit in a period under the 15/15 rule.',
  privacyClass: 'aggregate',
  params: Params,
  columns: COLUMNS,

  count(ctx, p) {
    const owner = p.org === undefined ? null : orgId(ctx.db, p.org, 'org');
    const row = ctx.db
      .prepare(
        `SELECT count(*) AS n FROM asset a JOIN node n ON n.id = a.node_id
         JOIN section s ON s.id = n.section_id JOIN circuit c ON c.id = s.circuit_id
         WHERE (? IS NULL OR c.org_id = ?) AND (? IS NULL OR c.code = ?) AND (? IS NULL OR a.category = ?)`,
      )
      .get(
        owner,
        owner,
        p.circuit ?? null,
        p.circuit ?? null,
        p.category ?? null,
        p.category ?? null,
      ) as { n: number };
    return row.n;
  },

  *rows(ctx, p): Generator<DatasetRow> {
    const db = ctx.db;
    checkRange(p.from, p.to, 'load months');
    const owner = p.org === undefined ? null : orgId(db, p.org, 'org');
    const assets = db.prepare(
      `${ASSET_PATH_SQL}
       WHERE c.id = ? AND (? IS NULL OR a.category = ?)
       ORDER BY s.code, n.code, a.id`,
    );
    const kva = db.prepare(
      `SELECT n.code AS node, sum(t.kva) AS kva FROM section s JOIN node n ON n.section_id = s.id
       JOIN transformer t ON t.node_id = n.id WHERE s.circuit_id = ? GROUP BY n.id`,
    );
    for (const c of circuits(db, owner, p.circuit)) {
      const list = assets.all(c.id, p.category ?? null, p.category ?? null) as AssetPathRow[];
      if (list.length === 0) continue;
      const use = monthlyUsage(
        db,
        `SELECT DISTINCT a.usage_point_id FROM section s JOIN node n ON n.section_id = s.id
         JOIN asset a ON a.node_id = n.id WHERE s.circuit_id = ? AND a.usage_point_id IS NOT NULL`,
        [c.id],
        p.from,
        p.to,
      ).filter((u) => u.commodity === 'electricity');
      const rule = new FifteenFifteen();
      for (const u of use) rule.add(c.id, contributor(u), u.value);
      const verdict = rule.verdict(c.id);
      const kvaByNode = new Map(
        (kva.all(c.id) as { node: string; kva: number | null }[]).map((r) => [r.node, r.kva]),
      );
      let first = true;
      for (const a of list) {
        yield {
          values: {
            ...gridValues(a),
            substation: c.substation,
            transformer_kva: kvaByNode.get(a.node_id) ?? null,
            circuit_customers: verdict.customers,
            circuit_load_kwh: verdict.released ? round6(verdict.total) : null,
            circuit_load_suppressed: !verdict.released,
          },
          ...(verdict.released ? {} : { suppressed: true, suppressedCells: first ? 1 : 0 }),
        };
        first = false;
      }
    }
  },
});
