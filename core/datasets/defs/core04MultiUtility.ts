// core-04-multi-utility (CORE-04): the account relationship summary of several utilities
// ("tenants") side by side — one row per service agreement (account × usage point) with the
// seed table's columns (Utility Name, Usage Point (utility ID), UsagePoint (energy database
// system ID), Meter address, State, Account Number (utility), Account Number (energy database
// system ID)) and the usage of the period.
//
// Tenant scoping (docs/datasets.md "core-04-multi-utility"): a session has a role but no
// organization, so the tenants are declared per run in the required `tenant` parameter (one or
// more utility codes), validated against the workspace's utilities and recorded with the run's
// parameters and audit entry. Every query is restricted to the tenants' organization ids, so
// records of another tenant are never read. The utility-staff role may name one tenant only (a
// utility's staff see their own company's customers); the other roles may put several side by
// side.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { dayToIso, isoToDay } from '../../time/zone';
import {
  Agreements,
  MonthParam,
  PlatformIds,
  badParam,
  monthDays,
  orgByCode,
  subjectsOf,
} from '../meter';
import { defineDataset, type ColumnDef, type DatasetContext, type DatasetRow, col } from '../types';

const COLUMNS: ColumnDef[] = [
  col('utility', 'text', null, 'system', 'Utility Name: the tenant organization’s name.'),
  col('tenant', 'text', null, 'system', 'Organization code of the tenant (UES, FGE …).'),
  col('state', 'text', null, 'system', 'State: the tenant’s jurisdiction (NH, MA).'),
  col(
    'usage_point',
    'text',
    null,
    'system',
    "Usage Point (utility ID): the utility's own usage point id.",
  ),
  col(
    'usage_point_id',
    'text',
    null,
    'system',
    'UsagePoint (energy database system ID): platform UsagePointID.',
  ),
  col(
    'meter_address',
    'text',
    null,
    'pii',
    'Meter address: the service address of the usage point’s premise as the utility wrote it.',
  ),
  col('account_number', 'text', null, 'pii', 'Account Number (utility).'),
  col(
    'account_id',
    'text',
    null,
    'system',
    'Account Number (energy database system ID): platform AccountID.',
  ),
  col('premise_id', 'text', null, 'system', 'Platform PremiseID of the premise.'),
  col('commodity', 'text', null, 'system', 'electricity, gas or water.'),
  col('rate_class', 'text', null, 'system', 'Rate class code of the agreement.'),
  col('agreement_start', 'date', null, 'customer_usage', 'First day of the service agreement.'),
  col(
    'agreement_end',
    'date',
    null,
    'customer_usage',
    'Last day of the service agreement; empty while open.',
  ),
  col(
    'usage',
    'number',
    null,
    'customer_usage',
    'Usage of the usage point in the months of the period (unit in usage_unit), from its interval series with the most readings.',
  ),
  col('usage_unit', 'text', null, 'system', 'Unit of usage (kWh, therm, gal …).'),
  col('readings', 'integer', null, 'customer_usage', 'Interval readings behind usage.'),
  col('first_day', 'date', null, 'customer_usage', 'First local day with readings in the period.'),
  col('last_day', 'date', null, 'customer_usage', 'Last local day with readings in the period.'),
];

const Params = z
  .object({
    // Optional in the schema so the definition parses its defaults (the dataset list and page
    // need that); rows() refuses to run without it, listing the utilities.
    tenant: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Required: the tenant utilities, comma-separated organization codes (e.g. UES,FGE). Only their records are read. utility-staff may name one.',
      ),
    state: z.string().min(2).optional().describe('Only tenants of this jurisdiction (NH, MA).'),
    commodity: z
      .enum(['electricity', 'gas', 'water'])
      .optional()
      .describe('Only usage points of this commodity.'),
    from: MonthParam.optional().describe(
      'First month (YYYY-MM) of the usage period; agreements ending before it are left out.',
    ),
    to: MonthParam.optional().describe(
      'Last month (YYYY-MM) of the usage period; agreements starting after it are left out.',
    ),
  })
  .strict();

type P = z.output<typeof Params>;

interface Tenant {
  id: number;
  code: string;
  name: string;
  jurisdiction: string | null;
}

/** The tenants named by the parameter, checked against the role. */
export function resolveTenants(ctx: DatasetContext, p: P): Tenant[] {
  const utilities = ctx.db
    .prepare(`SELECT code FROM organization WHERE kind = 'utility' ORDER BY code`)
    .pluck()
    .all() as string[];
  const codes = [
    ...new Set(
      (p.tenant ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  if (codes.length === 0)
    throw badParam(
      'tenant',
      `core-04-multi-utility needs tenant=<utility codes, comma-separated>; utilities: ${utilities.join(', ') || '(none)'}`,
    );
  const tenants = codes.map((c) => {
    const org = orgByCode(ctx.db, c, 'tenant');
    if (org.kind !== 'utility')
      throw badParam(
        'tenant',
        `${org.code} is a ${org.kind}, not a utility tenant; utilities: ${utilities.join(', ')}`,
      );
    return { id: org.id, code: org.code, name: org.name, jurisdiction: org.jurisdiction };
  });
  if (ctx.role === 'utility-staff' && tenants.length > 1)
    throw badParam(
      'tenant',
      `role utility-staff sees one tenant's data at a time; tenant names ${tenants.map((t) => t.code).join(', ')}`,
    );
  if (p.state !== undefined) {
    const state = p.state.toUpperCase();
    const other = tenants.filter((t) => t.jurisdiction !== state);
    if (other.length === tenants.length)
      throw badParam('state', `none of the tenants (${codes.join(', ')}) is in ${state}`);
    return tenants
      .filter((t) => t.jurisdiction === state)
      .sort((a, b) => (a.code < b.code ? -1 : 1));
  }
  return tenants.sort((a, b) => (a.code < b.code ? -1 : 1));
}

interface AgreementRow {
  usagePointId: number;
  usagePoint: string;
  premiseId: number | null;
  commodity: string;
  accountId: number;
  accountNumber: string;
  rateClass: string | null;
  start: string;
  end: string | null;
}

/**
 * Usage of a usage point over local days [fromDay, toDay]: the block totals of its forward
 * energy or volume interval series with the most blocks in those days.
 */
function usageOf(
  db: Database,
  usagePointId: number,
  fromDay: number,
  toDay: number,
): { usage: number; unit: string; readings: number; first: number; last: number } | null {
  const row = db
    .prepare(
      `SELECT rt.unit, sum(b.total) AS usage, sum(b.count) AS readings, min(b.day) AS first,
              max(b.day) AS last, count(*) AS blocks
       FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id
       JOIN interval_block b ON b.series_id = s.id AND b.day BETWEEN ? AND ?
       WHERE s.usage_point_id = ? AND rt.accumulation = 'delta' AND rt.interval_seconds IS NOT NULL
         AND rt.flow_direction IN ('forward', 'total') AND rt.measure IN ('energy', 'volume')
       GROUP BY s.id ORDER BY blocks DESC, rt.interval_seconds, s.id LIMIT 1`,
    )
    .get(fromDay, toDay, usagePointId) as
    { unit: string; usage: number; readings: number; first: number; last: number } | undefined;
  return row ?? null;
}

function* rows(ctx: DatasetContext, p: P): Generator<DatasetRow> {
  const db = ctx.db;
  const tenants = resolveTenants(ctx, p);
  const ids = new PlatformIds(db);
  const agreements = new Agreements(db);
  if (p.from !== undefined && p.to !== undefined && p.from > p.to)
    throw badParam('to', `to (${p.to}) is before from (${p.from})`);
  const fromDay = p.from === undefined ? -1e9 : monthDays(p.from).first;
  const toDay = p.to === undefined ? 1e9 : monthDays(p.to).last;
  const fromIso = p.from === undefined ? '0000-01-01' : dayToIso(monthDays(p.from).first);
  const toIso = p.to === undefined ? '9999-12-31' : dayToIso(monthDays(p.to).last);
  const address = db
    .prepare(
      `SELECT a.raw FROM premise_address pa JOIN address a ON a.id = pa.address_id
       WHERE pa.premise_id = ? AND pa.role = 'service' ORDER BY a.id LIMIT 1`,
    )
    .pluck();
  const stmt = db.prepare(
    `SELECT u.id AS usagePointId, u.source_key AS usagePoint, u.premise_id AS premiseId, u.commodity,
            a.id AS accountId, a.account_number AS accountNumber, rc.code AS rateClass,
            sa.start_date AS start, sa.end_date AS "end"
     FROM usage_point u JOIN service_agreement sa ON sa.usage_point_id = u.id
     JOIN account a ON a.id = sa.account_id AND a.org_id = u.org_id
     LEFT JOIN rate_class rc ON rc.id = sa.rate_class_id
     WHERE u.org_id = ? AND (? IS NULL OR u.commodity = ?)
       AND sa.start_date <= ? AND (sa.end_date IS NULL OR sa.end_date >= ?)
     ORDER BY u.id, sa.start_date, sa.id`,
  );
  for (const t of tenants) {
    const c = p.commodity ?? null;
    for (const r of stmt.iterate(t.id, c, c, toIso, fromIso) as IterableIterator<AgreementRow>) {
      // Usage only of the agreement's own days: another customer's usage never shows.
      const own = agreements
        .of(r.usagePointId)
        .filter((a) => a.accountId === r.accountId && a.firstDay === isoToDay(r.start));
      const first = Math.max(fromDay, own[0]?.firstDay ?? fromDay);
      const last = Math.min(toDay, own[0]?.lastDay ?? toDay);
      const usage = first <= last ? usageOf(db, r.usagePointId, first, last) : null;
      yield {
        values: {
          utility: t.name,
          tenant: t.code,
          state: t.jurisdiction,
          usage_point: r.usagePoint,
          usage_point_id: ids.get('UsagePointID', 'usage_point', r.usagePointId),
          meter_address:
            r.premiseId === null
              ? null
              : ((address.get(r.premiseId) as string | undefined) ?? null),
          account_number: r.accountNumber,
          account_id: ids.get('AccountID', 'account', r.accountId),
          premise_id: ids.get('PremiseID', 'premise', r.premiseId),
          commodity: r.commodity,
          rate_class: r.rateClass,
          agreement_start: r.start,
          agreement_end: r.end,
          usage: usage?.usage ?? null,
          usage_unit: usage?.unit ?? null,
          readings: usage?.readings ?? null,
          first_day: usage ? dayToIso(usage.first) : null,
          last_day: usage ? dayToIso(usage.last) : null,
        },
        subjects: subjectsOf(r.usagePointId, own),
      };
    }
  }
}

export const core04MultiUtility = defineDataset({
  name: 'core-04-multi-utility',
  version: 1,
  title: 'CORE-04 multi-utility / multi-state',
  description:
    'The account relationship summary of one or more tenant utilities (e.g. Unitil-UES in NH and Unitil-Fitchburg in MA) side by side: usage points, accounts and platform IDs with the usage of the period; only the named tenants’ records are read.',
  privacyClass: 'pii',
  params: Params,
  columns: COLUMNS,
  rows: (ctx, params) => rows(ctx, params),
});
