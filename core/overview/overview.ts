// Workspace overview queries: entity counts per organization, interval coverage per
// commodity, monthly consumption per utility and fuel. Interval figures come from the
// trigger-maintained interval_month roll-up, so no interval block is read.
import type { Database } from 'better-sqlite3';
import type { Workspace } from '../workspace/workspace';
import type { Overview, WorkspaceStatus } from '../api/definition';
import { dayToIso } from '../time/zone';

/** Entities counted per organization through the table's own org_id: [label, table]. */
const PER_ORG: readonly [string, string][] = [
  ['customers', 'customer'],
  ['accounts', 'account'],
  ['premises', 'premise'],
  ['addresses', 'address'],
  ['usage points', 'usage_point'],
  ['meters', 'meter'],
  ['sensors', 'sensor'],
  ['rate classes', 'rate_class'],
  ['tariffs', 'tariff'],
  ['bills', 'bill'],
  ['assets', 'asset'],
  ['circuits', 'circuit'],
  ['programs', 'program'],
  ['interconnection applications', 'interconnection_application'],
];

/** Entities without an organization column of their own, counted through a join. */
const JOINED: readonly [string, string][] = [
  [
    'service agreements',
    'SELECT o.code AS org, count(*) AS n FROM service_agreement sa JOIN account a ON a.id = sa.account_id JOIN organization o ON o.id = a.org_id GROUP BY o.code',
  ],
  [
    'program enrolments',
    'SELECT o.code AS org, count(*) AS n FROM program_enrolment e JOIN program p ON p.id = e.program_id JOIN organization o ON o.id = p.org_id GROUP BY o.code',
  ],
  [
    'register reads',
    'SELECT o.code AS org, count(*) AS n FROM register_read r JOIN usage_point u ON u.id = r.usage_point_id JOIN organization o ON o.id = u.org_id GROUP BY o.code',
  ],
  [
    'interval days',
    'SELECT o.code AS org, sum(m.days) AS n FROM interval_month m JOIN series s ON s.id = m.series_id JOIN usage_point u ON u.id = s.usage_point_id JOIN organization o ON o.id = u.org_id GROUP BY o.code',
  ],
];

const GLOBAL: readonly [string, string][] = [
  ['platform IDs', 'SELECT count(*) AS n FROM platform_id'],
  ['import batches', 'SELECT count(*) AS n FROM import_batch'],
  ['consents', 'SELECT count(*) AS n FROM consent'],
];

export function entityCounts(db: Database): Overview['entities'] {
  const out: Overview['entities'] = [];
  for (const [entity, table] of PER_ORG) {
    const rows = db
      .prepare(
        `SELECT o.code AS org, count(*) AS n FROM ${table} t JOIN organization o ON o.id = t.org_id GROUP BY o.code ORDER BY o.code`,
      )
      .all() as { org: string; n: number }[];
    for (const r of rows) out.push({ entity, org: r.org, count: r.n });
  }
  for (const [entity, sql] of JOINED) {
    for (const r of db.prepare(sql).all() as { org: string; n: number }[])
      out.push({ entity, org: r.org, count: r.n });
  }
  for (const [entity, sql] of GLOBAL) {
    out.push({ entity, org: null, count: (db.prepare(sql).get() as { n: number }).n });
  }
  return out;
}

interface CoverageRow {
  org: string;
  commodity: string;
  reading_type: string;
  unit: string;
  interval_seconds: number | null;
  series: number;
  first_day: number;
  last_day: number;
  days: number;
  readings: number;
}

export function coverage(db: Database): Overview['coverage'] {
  // Aggregate per series first (primary key order), then per org × reading type.
  const rows = db
    .prepare(
      `WITH per_series AS (
         SELECT series_id, min(first_day) AS first_day, max(last_day) AS last_day, sum(days) AS days,
                sum(readings) AS readings
         FROM interval_month GROUP BY series_id)
       SELECT o.code AS org, rt.commodity, rt.name AS reading_type, rt.unit, rt.interval_seconds,
              count(*) AS series, min(p.first_day) AS first_day, max(p.last_day) AS last_day,
              sum(p.days) AS days, sum(p.readings) AS readings
       FROM per_series p
       JOIN series s ON s.id = p.series_id
       JOIN reading_type rt ON rt.id = s.reading_type_id
       JOIN usage_point u ON u.id = s.usage_point_id
       JOIN organization o ON o.id = u.org_id
       GROUP BY o.code, rt.id
       ORDER BY rt.commodity, o.code, rt.name`,
    )
    .all() as CoverageRow[];
  return rows.map((r) => ({
    org: r.org,
    commodity: r.commodity,
    readingType: r.reading_type,
    unit: r.unit,
    intervalSeconds: r.interval_seconds,
    series: r.series,
    firstDay: dayToIso(r.first_day),
    lastDay: dayToIso(r.last_day),
    days: r.days,
    readings: r.readings,
  }));
}

export function monthlyConsumption(db: Database): Overview['monthly'] {
  // Energy and volume series only (demand in kW does not add up over a month).
  return db
    .prepare(
      `SELECT p.month, o.code AS org, rt.commodity, rt.unit, sum(p.total) AS total
       FROM interval_month p
       JOIN series s ON s.id = p.series_id
       JOIN reading_type rt ON rt.id = s.reading_type_id AND rt.measure IN ('energy', 'volume')
         AND rt.flow_direction IN ('forward', 'net', 'total')
       JOIN usage_point u ON u.id = s.usage_point_id
       JOIN organization o ON o.id = u.org_id
       GROUP BY p.month, o.code, rt.commodity, rt.unit
       ORDER BY p.month, o.code`,
    )
    .all() as Overview['monthly'];
}

export function organizations(db: Database): Overview['organizations'] {
  const rows = db
    .prepare(
      `SELECT o.code, o.name, o.kind, o.jurisdiction_code AS jurisdiction, o.regulated,
              group_concat(oc.commodity) AS commodities
       FROM organization o LEFT JOIN organization_commodity oc ON oc.org_id = o.id
       GROUP BY o.id ORDER BY o.kind DESC, o.code`,
    )
    .all() as {
    code: string;
    name: string;
    kind: string;
    jurisdiction: string | null;
    regulated: number;
    commodities: string | null;
  }[];
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    kind: r.kind,
    jurisdiction: r.jurisdiction,
    regulated: r.regulated === 1,
    commodities: r.commodities ? r.commodities.split(',').sort() : [],
  }));
}

export function getOverview(ws: Workspace, status: WorkspaceStatus): Overview {
  const db = ws.db;
  return {
    workspace: status,
    organizations: organizations(db),
    entities: entityCounts(db),
    coverage: coverage(db),
    monthly: monthlyConsumption(db),
  };
}
