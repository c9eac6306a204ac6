// Shared pieces of the regulator datasets (t-09-system, t-14-cca, t-23-der, p-24-submeter,
// t-32-wap): parameter types, organization lookup, platform-ID joins, the grid path of an
// asset (asset → node → section → circuit) and monthly energy per usage point from the
// interval_month roll-up, attributed to the customer whose service agreement covers the month.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { thermFactor } from '../../metering/energy';
import { EdwError } from '../../workspace/errors';
import type { ColumnDef } from '../types';

export const MonthParam = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM');
export const DateParam = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'expected a date YYYY-MM-DD');

/** A column of the dictionary (shorthand). */
export function col(
  name: string,
  type: ColumnDef['type'],
  unit: string | null,
  dataClass: ColumnDef['dataClass'],
  description: string,
): ColumnDef {
  return { name, type, unit, description, dataClass };
}

/** The id of the organization `code` (case-insensitive), or a usage error listing the codes. */
export function orgId(db: Database, code: string, param: string): number {
  const row = db.prepare('SELECT id FROM organization WHERE code = ? COLLATE NOCASE').get(code) as
    { id: number } | undefined;
  if (row) return row.id;
  const codes = (
    db.prepare('SELECT code FROM organization ORDER BY code').all() as { code: string }[]
  ).map((r) => r.code);
  throw new EdwError(
    'usage',
    `unknown organization "${code}" for parameter ${param}; organizations: ${codes.join(', ') || '(none)'}`,
    { reason: 'bad_param', param },
  );
}

/** A usage error when `from` is after `to`. */
export function checkRange(from: string | undefined, to: string | undefined, what: string): void {
  if (from !== undefined && to !== undefined && from > to)
    throw new EdwError('usage', `bad parameters: from ${from} is after to ${to} (${what})`, {
      reason: 'bad_param',
      param: 'from',
    });
}

/** `LEFT JOIN platform_link <alias>` giving the platform ID of kind `kind` of `table` row `id`. */
export const linkJoin = (alias: string, kind: string, table: string, id: string) =>
  `LEFT JOIN platform_link ${alias} ON ${alias}.kind = '${kind}' AND ${alias}.source_table = '${table}' AND ${alias}.source_id = ${id}`;

/** The unit each fuel is reported in by the regulator datasets. */
export function fuelUnit(commodity: string, seriesUnit: string): string {
  if (commodity === 'electricity') return 'kWh';
  if (commodity === 'gas') return 'therm';
  return seriesUnit;
}

/**
 * Factor from a series unit to its fuel's reporting unit (fuelUnit), or null when the quantity
 * cannot be converted (then the series is skipped). Electricity: Wh/kWh/MWh → kWh. Gas:
 * therm, MMBtu, CCF, MCF, ft³ → therm (CCF at 1.037 therm, core/metering/energy.ts). Others:
 * the series unit as it is.
 */
export function toFuelUnit(
  db: Database,
  commodity: string,
  unit: string,
  cache: Map<string, number | null>,
): number | null {
  const key = `${commodity}|${unit}`;
  if (cache.has(key)) return cache.get(key) ?? null;
  let f: number | null;
  if (commodity === 'electricity') {
    const row = db.prepare('SELECT quantity, factor FROM unit WHERE code = ?').get(unit) as
      { quantity: string; factor: number } | undefined;
    f = row && row.quantity === 'energy' ? row.factor : null; // canonical energy unit is kWh
  } else if (commodity === 'gas') {
    f = thermFactor(unit, commodity);
  } else {
    f = 1;
  }
  cache.set(key, f);
  return f;
}

/** One usage point's consumption in one local month, in its fuel's reporting unit. */
export interface MonthlyUse {
  usagePointId: number;
  month: string;
  commodity: string;
  unit: string;
  value: number;
  days: number;
  /** Customer of the service agreement covering the month (latest start), or null. */
  customerId: number | null;
  customerClass: string | null;
}

/**
 * Monthly consumption of the usage points selected by `upSql` (a SELECT of usage point ids
 * taking `args`), between two months inclusive. Per usage point and month one series is used:
 * forward-flow interval series of energy or volume (register reads and demand are not load);
 * where several cover the same month (e.g. hourly and daily imports of the same meter), the
 * one with the most days, then the finest interval. Values are converted with toFuelUnit.
 */
export function monthlyUsage(
  db: Database,
  upSql: string,
  args: readonly unknown[],
  from = '0000-01',
  to = '9999-12',
): MonthlyUse[] {
  const rows = db
    .prepare(
      `WITH ups(id) AS (${upSql}),
       m AS (
         SELECT s.usage_point_id AS up, m.month, rt.commodity, rt.unit, rt.interval_seconds AS secs,
                m.days, m.total,
                (SELECT sa.account_id FROM service_agreement sa
                  WHERE sa.usage_point_id = s.usage_point_id AND sa.start_date <= m.month || '-31'
                    AND (sa.end_date IS NULL OR sa.end_date >= m.month || '-01')
                  ORDER BY sa.start_date DESC LIMIT 1) AS account
         FROM ups JOIN series s ON s.usage_point_id = ups.id
         JOIN reading_type rt ON rt.id = s.reading_type_id AND rt.flow_direction = 'forward'
           AND rt.interval_seconds IS NOT NULL AND rt.measure IN ('energy', 'volume')
         JOIN interval_month m ON m.series_id = s.id AND m.month BETWEEN ? AND ?)
       SELECT m.up, m.month, m.commodity, m.unit, m.secs, m.days, m.total,
              c.id AS customer, c.customer_class AS cls
       FROM m LEFT JOIN account a ON a.id = m.account LEFT JOIN customer c ON c.id = a.customer_id
       ORDER BY m.up, m.month, m.days DESC, m.secs`,
    )
    .all(...args, from, to) as {
    up: number;
    month: string;
    commodity: string;
    unit: string;
    secs: number;
    days: number;
    total: number;
    customer: number | null;
    cls: string | null;
  }[];
  const cache = new Map<string, number | null>();
  const out: MonthlyUse[] = [];
  let last = '';
  for (const r of rows) {
    const key = `${r.up}|${r.month}|${r.commodity}`;
    if (key === last) continue; // a coarser or shorter series of the same month
    const f = toFuelUnit(db, r.commodity, r.unit, cache);
    if (f === null) continue;
    last = key;
    out.push({
      usagePointId: r.up,
      month: r.month,
      commodity: r.commodity,
      unit: fuelUnit(r.commodity, r.unit),
      value: r.total * f,
      days: r.days,
      customerId: r.customer,
      customerClass: r.cls,
    });
  }
  return out;
}

/** The 15/15 contributor key of a usage: its customer, else the usage point itself. */
export const contributor = (u: { customerId: number | null; usagePointId: number }) =>
  u.customerId !== null ? `c${u.customerId}` : `u${u.usagePointId}`;

/** Round a reported quantity to 6 decimals (named rule: binary noise of summed readings). */
export const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Grid columns of the seed tables T-09 and T-23 (columns A–J), in seed order. */
export const GRID_COLUMNS: ColumnDef[] = [
  col(
    'premise_id',
    'text',
    null,
    'system',
    'Platform PremiseID of the premise the asset serves (A).',
  ),
  col(
    'usage_point_id',
    'text',
    null,
    'system',
    "Platform UsagePointID of the asset's usage point (B).",
  ),
  col(
    'asset_id',
    'text',
    null,
    'system',
    'Platform AssetID; ORG:key when the asset has none yet (C).',
  ),
  col(
    'category',
    'text',
    null,
    'system',
    "Asset category as the source names it: 'Meter R', 'Storage-R', 'PV roof-R' (D).",
  ),
  col(
    'owner',
    'text',
    null,
    'system',
    'Asset owner as the source names it: Cust, UES, PSNH, OrgX, Util (E).',
  ),
  col('node_id', 'text', null, 'system', 'Node (point on the circuit) code (F).'),
  col('section_id', 'text', null, 'system', 'Section of the circuit code (G).'),
  col('circuit_id', 'text', null, 'system', "Circuit code, the utility's feeder id (H)."),
  col('circuit_type', 'text', null, 'system', 'Circuit type id (I).'),
  col(
    'circuit_owner',
    'text',
    null,
    'system',
    'Code of the organization that owns the circuit (J).',
  ),
];

/**
 * The grid path of assets: a SELECT of every column of GRID_COLUMNS plus `aid` (asset row id),
 * `circuit` (circuit row id), `kind` (asset.category) and the asset's nameplate; FROM asset a
 * joined through its node, section and circuit. Append WHERE / ORDER BY.
 */
export const ASSET_PATH_SQL = `
  SELECT a.id AS aid, c.id AS circuit, a.category AS kind,
         pl.platform_id AS premise_id, ul.platform_id AS usage_point_id,
         coalesce(al.platform_id, ao.code || ':' || a.source_key) AS asset_id,
         coalesce(a.category_label, a.category) AS category, a.owner,
         n.code AS node_id, s.code AS section_id, c.code AS circuit_id, c.circuit_type,
         co.code AS circuit_owner, a.nameplate_kw, a.nameplate_kwh, a.installed_on,
         a.premise_id AS premise_row, a.usage_point_id AS up_row
  FROM asset a
  JOIN organization ao ON ao.id = a.org_id
  JOIN node n ON n.id = a.node_id
  JOIN section s ON s.id = n.section_id
  JOIN circuit c ON c.id = s.circuit_id
  JOIN organization co ON co.id = c.org_id
  ${linkJoin('pl', 'PremiseID', 'premise', 'a.premise_id')}
  ${linkJoin('ul', 'UsagePointID', 'usage_point', 'a.usage_point_id')}
  ${linkJoin('al', 'AssetID', 'asset', 'a.id')}`;

export interface AssetPathRow {
  aid: number;
  circuit: number;
  kind: string;
  premise_id: string | null;
  usage_point_id: string | null;
  asset_id: string;
  category: string;
  owner: string | null;
  node_id: string;
  section_id: string;
  circuit_id: string;
  circuit_type: string | null;
  circuit_owner: string;
  nameplate_kw: number | null;
  nameplate_kwh: number | null;
  installed_on: string | null;
  premise_row: number | null;
  up_row: number | null;
}

/** The seed columns of an asset path row. */
export function gridValues(r: AssetPathRow): Record<string, string | null> {
  return {
    premise_id: r.premise_id,
    usage_point_id: r.usage_point_id,
    asset_id: r.asset_id,
    category: r.category,
    owner: r.owner,
    node_id: r.node_id,
    section_id: r.section_id,
    circuit_id: r.circuit_id,
    circuit_type: r.circuit_type,
    circuit_owner: r.circuit_owner,
  };
}

/**
 * Circuits (row id, owner code, code) in report order — owner code, then circuit code —
 * optionally only one owner's and one code.
 */
export function circuits(
  db: Database,
  ownerId: number | null,
  code: string | undefined,
): CircuitRow[] {
  return db
    .prepare(
      `SELECT c.id, o.code AS org, c.code, c.circuit_type AS type, c.hosting_limit_kw AS hosting,
              ss.code AS substation
       FROM circuit c JOIN organization o ON o.id = c.org_id
       LEFT JOIN substation ss ON ss.id = c.substation_id
       WHERE (? IS NULL OR c.org_id = ?) AND (? IS NULL OR c.code = ?)
       ORDER BY o.code, c.code`,
    )
    .all(ownerId, ownerId, code ?? null, code ?? null) as CircuitRow[];
}

export interface CircuitRow {
  id: number;
  org: string;
  code: string;
  type: string | null;
  hosting: number | null;
  substation: string | null;
}

/** Subjects (customer, usage point) of the service agreements of usage points, for consent. */
export function agreementSubjects(
  db: Database,
  usagePointIds: readonly number[],
): { customerId: number | null; usagePointId: number | null }[] {
  if (usagePointIds.length === 0) return [];
  const rows = db
    .prepare(
      `SELECT DISTINCT a.customer_id AS customerId, sa.usage_point_id AS usagePointId
       FROM json_each(?) j CROSS JOIN service_agreement sa ON sa.usage_point_id = j.value
       JOIN account a ON a.id = sa.account_id`,
    )
    .all(JSON.stringify(usagePointIds)) as { customerId: number | null; usagePointId: number }[];
  return rows;
}
