// core-06-index (CORE-06, issue 5 item 6): one row per platform premise — every live
// PremiseID — with each organization's premise records and addresses and every account,
// usage point, meter, sensor, asset and program linked to it across organizations and fuels.
//
// How records reach a PremiseID (docs/datasets.md "core-06-index"):
// - premise rows: platform_link(kind 'PremiseID', source_table 'premise');
// - addresses: premise_address of those premises (every role; non-service roles are tagged);
// - usage points: usage_point.premise_id; accounts: service_agreement of those usage points
//   (current and past); meters: meter_usage_point history of those usage points;
// - sensors: sensor.premise_id, or sensor.address_id among the premises' addresses;
// - assets: asset.premise_id, or asset.usage_point_id among the premises' usage points;
// - programs: program_enrolment.premise_id, or (enrolments without a premise) the account of
//   one of the premises' service agreements.
// Multi-valued cells are lists (core/datasets/lists.ts): `ORG:key` items, sorted, unique,
// `;`-separated. Platform IDs of the linked rows are in separate `*_ids` columns, so a
// redacted account number does not take its AccountID with it.
// Premises are read in pages of PremiseIDs (keyset over the platform_id primary key), so
// memory stays bounded and no statement is left open between pages.
import { z } from 'zod';
import type { Subject } from '../../privacy/consent';
import { EdwError } from '../../workspace/errors';
import { ListBag } from '../lists';
import { defineDataset, type ColumnDef, type DatasetContext, type DatasetRow } from '../types';

const PAGE = 500;

const system = (name: string, description: string): ColumnDef => ({
  name,
  type: 'list',
  unit: null,
  description,
  dataClass: 'system',
});

const COLUMNS: ColumnDef[] = [
  {
    name: 'premise_id',
    type: 'text',
    unit: null,
    description: 'Platform PremiseID (live, not retired).',
    dataClass: 'system',
  },
  system('premise_kind', 'Kinds of the linked premise records: building, unit, site.'),
  system('parent_premise_ids', 'PremiseIDs of the buildings the linked unit records belong to.'),
  system('organizations', 'Codes of the organizations with any record linked to the premise.'),
  system('fuels', 'ORG:commodity of the usage points at the premise.'),
  system('towns', 'Town and state of the linked premise records ("Pembroke NH").'),
  system('premise_keys', "ORG:key — each organization's own premise / service-location key."),
  {
    name: 'addresses_raw',
    type: 'list',
    unit: null,
    description:
      'ORG:address exactly as each organization wrote it; non-service roles as ORG(mailing): / ORG(billing):.',
    dataClass: 'pii',
  },
  {
    name: 'addresses_normalized',
    type: 'list',
    unit: null,
    description: 'ORG:USPS Publication 28 normalised address, where the indexer filled it.',
    dataClass: 'pii',
  },
  system('address_ids', 'Platform AddressIDs of those addresses.'),
  {
    name: 'accounts',
    type: 'list',
    unit: null,
    description: 'ORG:account number of every account with a service agreement at the premise.',
    dataClass: 'pii',
  },
  system('account_ids', 'Platform AccountIDs of those accounts.'),
  system('usage_points', "ORG:key — each utility's service delivery point id."),
  system('usage_point_ids', 'Platform UsagePointIDs of those usage points.'),
  system('meters', 'ORG:serial of every meter ever installed at those usage points.'),
  system('meter_ids', 'Platform SensorIDs of those meters.'),
  system(
    'sensors',
    'ORG:key of the non-utility devices (sub-meters, thermostats …) at the premise.',
  ),
  system('sensor_ids', 'Platform SensorIDs of those sensors.'),
  system('assets', 'ORG:key of the assets (PV, storage, meters …) at the premise.'),
  system('asset_ids', 'Platform AssetIDs of those assets.'),
  {
    name: 'programs',
    type: 'list',
    unit: null,
    description:
      'ORG:code of every program the premise or its accounts were enrolled in (any status).',
    dataClass: 'customer_usage',
  },
  {
    name: 'program_ids',
    type: 'list',
    unit: null,
    description: 'Platform ProgramIDs of those programs.',
    dataClass: 'customer_usage',
  },
];

const LIST_COLUMNS = COLUMNS.slice(1).map((c) => c.name);

const Params = z
  .object({
    org: z
      .string()
      .min(1)
      .optional()
      .describe('Only premises with a premise record of this organization (its code, e.g. UES).'),
  })
  .strict();

/**
 * The linked premise rows of the PremiseIDs in the JSON array parameter. CROSS JOIN pins the
 * page's IDs as the outer loop (SQLite would otherwise scan every PremiseID link and the JSON
 * array inside it).
 */
const PP = `pp AS (
  SELECT l.platform_id AS pid, l.source_id AS premise_id
  FROM json_each(?) j
  CROSS JOIN platform_link l ON l.kind = 'PremiseID' AND l.platform_id = j.value AND l.source_table = 'premise'
)`;

const link = (alias: string, kind: string, table: string, id: string) =>
  `LEFT JOIN platform_link ${alias} ON ${alias}.kind = '${kind}' AND ${alias}.source_table = '${table}' AND ${alias}.source_id = ${id}`;

const SQL = {
  premises: `WITH ${PP}
    SELECT pp.pid, o.code AS org, p.source_key AS key, p.kind, p.town, p.state, par.platform_id AS parent
    FROM pp JOIN premise p ON p.id = pp.premise_id JOIN organization o ON o.id = p.org_id
    ${link('par', 'PremiseID', 'premise', 'p.parent_premise_id')}`,
  addresses: `WITH ${PP}
    SELECT pp.pid, o.code AS org, pa.role, a.raw, a.normalized, al.platform_id AS id
    FROM pp JOIN premise_address pa ON pa.premise_id = pp.premise_id
    JOIN address a ON a.id = pa.address_id JOIN organization o ON o.id = a.org_id
    ${link('al', 'AddressID', 'address', 'a.id')}`,
  usagePoints: `WITH ${PP}
    SELECT pp.pid, o.code AS org, up.source_key AS key, up.commodity, ul.platform_id AS id
    FROM pp JOIN usage_point up ON up.premise_id = pp.premise_id JOIN organization o ON o.id = up.org_id
    ${link('ul', 'UsagePointID', 'usage_point', 'up.id')}`,
  accounts: `WITH ${PP}
    SELECT pp.pid, o.code AS org, a.account_number AS key, al.platform_id AS id,
           a.customer_id AS customerId, up.id AS usagePointId
    FROM pp JOIN usage_point up ON up.premise_id = pp.premise_id
    JOIN service_agreement sa ON sa.usage_point_id = up.id
    JOIN account a ON a.id = sa.account_id JOIN organization o ON o.id = a.org_id
    ${link('al', 'AccountID', 'account', 'a.id')}`,
  meters: `WITH ${PP}
    SELECT pp.pid, o.code AS org, m.serial AS key, ml.platform_id AS id
    FROM pp JOIN usage_point up ON up.premise_id = pp.premise_id
    JOIN meter_usage_point mu ON mu.usage_point_id = up.id
    JOIN meter m ON m.id = mu.meter_id JOIN organization o ON o.id = m.org_id
    ${link('ml', 'SensorID', 'meter', 'm.id')}`,
  sensors: `WITH ${PP}, s AS (
      SELECT pp.pid, s.id FROM pp JOIN sensor s ON s.premise_id = pp.premise_id
      UNION
      SELECT pp.pid, s.id FROM pp JOIN premise_address pa ON pa.premise_id = pp.premise_id
      JOIN sensor s ON s.address_id = pa.address_id)
    SELECT s.pid, o.code AS org, x.source_key AS key, sl.platform_id AS id
    FROM s JOIN sensor x ON x.id = s.id JOIN organization o ON o.id = x.org_id
    ${link('sl', 'SensorID', 'sensor', 'x.id')}`,
  assets: `WITH ${PP}, s AS (
      SELECT pp.pid, a.id FROM pp JOIN asset a ON a.premise_id = pp.premise_id
      UNION
      SELECT pp.pid, a.id FROM pp JOIN usage_point up ON up.premise_id = pp.premise_id
      JOIN asset a ON a.usage_point_id = up.id)
    SELECT s.pid, o.code AS org, x.source_key AS key, al.platform_id AS id
    FROM s JOIN asset x ON x.id = s.id JOIN organization o ON o.id = x.org_id
    ${link('al', 'AssetID', 'asset', 'x.id')}`,
  programs: `WITH ${PP}, e AS (
      SELECT pp.pid, e.id FROM pp JOIN program_enrolment e ON e.premise_id = pp.premise_id
      UNION
      SELECT pp.pid, e.id FROM pp JOIN usage_point up ON up.premise_id = pp.premise_id
      JOIN service_agreement sa ON sa.usage_point_id = up.id
      JOIN program_enrolment e ON e.account_id = sa.account_id AND e.premise_id IS NULL)
    SELECT e.pid, o.code AS org, pr.code AS key, pl.platform_id AS id, acc.customer_id AS customerId
    FROM e JOIN program_enrolment x ON x.id = e.id JOIN program pr ON pr.id = x.program_id
    JOIN organization o ON o.id = pr.org_id LEFT JOIN account acc ON acc.id = x.account_id
    ${link('pl', 'ProgramID', 'program', 'pr.id')}`,
} as const;

interface Keyed {
  pid: string;
  org: string;
  key: string;
  id: string | null;
}

/** One premise's collected lists and subjects. */
class PremiseAcc {
  readonly lists = new ListBag();
  readonly subjects = new Map<string, Subject>();

  item(column: string, org: string, key: string | null, idColumn?: string, id?: string | null) {
    if (key !== null && key !== '') {
      this.lists.add(column, `${org}:${key}`);
      this.lists.add('organizations', org);
    }
    if (idColumn) this.lists.add(idColumn, id);
  }

  subject(customerId: number | null, usagePointId: number | null): void {
    this.subjects.set(`${customerId}|${usagePointId}`, { customerId, usagePointId });
  }
}

function orgFilter(ctx: DatasetContext, org: string | undefined): number | null {
  if (org === undefined) return null;
  const row = ctx.db
    .prepare('SELECT id FROM organization WHERE code = ? COLLATE NOCASE')
    .get(org) as { id: number } | undefined;
  if (row) return row.id;
  const codes = (
    ctx.db.prepare('SELECT code FROM organization ORDER BY code').all() as { code: string }[]
  ).map((r) => r.code);
  throw new EdwError(
    'usage',
    `unknown organization "${org}" for parameter org; organizations: ${codes.join(', ') || '(none)'}`,
    { reason: 'bad_param', param: 'org' },
  );
}

const ORG_EXISTS = `AND EXISTS (SELECT 1 FROM platform_link l JOIN premise p ON p.id = l.source_id
  WHERE l.kind = 'PremiseID' AND l.platform_id = platform_id.id AND l.source_table = 'premise' AND p.org_id = ?)`;

export const core06Index = defineDataset({
  name: 'core-06-index',
  version: 1,
  title: 'CORE-06 statewide premise index',
  description:
    'One row per platform PremiseID with the addresses each organization wrote and every linked account, usage point, meter, sensor, asset and program across organizations and fuels.',
  privacyClass: 'pii',
  params: Params,
  columns: COLUMNS,

  count(ctx, params) {
    const orgId = orgFilter(ctx, params.org);
    const row = ctx.db
      .prepare(
        `SELECT count(*) AS n FROM platform_id WHERE kind = 'PremiseID' AND retired_at IS NULL
         ${orgId === null ? '' : ORG_EXISTS}`,
      )
      .get(...(orgId === null ? [] : [orgId])) as { n: number };
    return row.n;
  },

  *rows(ctx, params): Generator<DatasetRow> {
    const db = ctx.db;
    const orgId = orgFilter(ctx, params.org);
    const page = db
      .prepare(
        `SELECT id FROM platform_id WHERE kind = 'PremiseID' AND retired_at IS NULL AND id > ?
         ${orgId === null ? '' : ORG_EXISTS} ORDER BY id LIMIT ${PAGE}`,
      )
      .pluck();
    const stmts = Object.fromEntries(
      Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)]),
    ) as Record<keyof typeof SQL, ReturnType<typeof db.prepare>>;
    let after = '';
    for (;;) {
      const ids = (orgId === null ? page.all(after) : page.all(after, orgId)) as string[];
      if (ids.length === 0) return;
      after = ids[ids.length - 1] as string;
      const json = JSON.stringify(ids);
      const acc = new Map(ids.map((id) => [id, new PremiseAcc()]));
      const each = <T extends { pid: string }>(
        stmt: keyof typeof SQL,
        fn: (a: PremiseAcc, r: T) => void,
      ) => {
        for (const r of stmts[stmt].all(json) as T[]) {
          const a = acc.get(r.pid);
          if (a) fn(a, r);
        }
      };
      each<{
        pid: string;
        org: string;
        key: string;
        kind: string;
        town: string | null;
        state: string | null;
        parent: string | null;
      }>('premises', (a, r) => {
        a.item('premise_keys', r.org, r.key);
        a.lists.add('premise_kind', r.kind);
        a.lists.add('parent_premise_ids', r.parent);
        if (r.town) a.lists.add('towns', r.state ? `${r.town} ${r.state}` : r.town);
      });
      each<{
        pid: string;
        org: string;
        role: string;
        raw: string;
        normalized: string | null;
        id: string | null;
      }>('addresses', (a, r) => {
        const tag = r.role === 'service' ? r.org : `${r.org}(${r.role})`;
        a.lists.add('addresses_raw', `${tag}:${r.raw}`);
        if (r.normalized) a.lists.add('addresses_normalized', `${tag}:${r.normalized}`);
        a.lists.add('address_ids', r.id);
        a.lists.add('organizations', r.org);
      });
      each<Keyed & { commodity: string }>('usagePoints', (a, r) => {
        a.item('usage_points', r.org, r.key, 'usage_point_ids', r.id);
        a.lists.add('fuels', `${r.org}:${r.commodity}`);
      });
      each<Keyed & { customerId: number | null; usagePointId: number }>('accounts', (a, r) => {
        a.item('accounts', r.org, r.key, 'account_ids', r.id);
        a.subject(r.customerId, r.usagePointId);
      });
      each<Keyed>('meters', (a, r) => a.item('meters', r.org, r.key, 'meter_ids', r.id));
      each<Keyed>('sensors', (a, r) => a.item('sensors', r.org, r.key, 'sensor_ids', r.id));
      each<Keyed>('assets', (a, r) => a.item('assets', r.org, r.key, 'asset_ids', r.id));
      each<Keyed & { customerId: number | null }>('programs', (a, r) => {
        a.item('programs', r.org, r.key, 'program_ids', r.id);
        // A program account's customer, unless the premise's agreements already name them.
        if (
          r.customerId !== null &&
          ![...a.subjects.values()].some((s) => s.customerId === r.customerId)
        )
          a.subject(r.customerId, null);
      });
      for (const id of ids) {
        const a = acc.get(id) as PremiseAcc;
        const values: Record<string, string | null> = { premise_id: id };
        for (const c of LIST_COLUMNS) values[c] = a.lists.join(c);
        yield { values, subjects: [...a.subjects.values()] };
      }
      if (ids.length < PAGE) return;
    }
  },
});
