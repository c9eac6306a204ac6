import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { afterEach, describe, expect, it } from 'vitest';
import { Workspace } from '../../workspace/workspace';
import { tmpDir } from '../../testing/tmp';
import { demoCopy } from '../../testing/demoTemplate';
import type { Role } from '../../privacy/roles';
import { exportDataset, previewDataset } from '../run';

const NOW = new Date('2020-06-15T12:00:00Z');

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

/**
 * A hand-made workspace. PremiseID P-1 ties Unitil's house (U-100), Liberty's gas premise
 * (key "L;7") and the sub-meter vendor's premise together; P-2 is a Unitil unit of the house;
 * P-OLD is retired; P-EMPTY has no links.
 */
function scenario(): Workspace {
  const w = Workspace.create(path.join(tmpDir(), 'idx.edw'));
  w.db.exec(`
    INSERT INTO organization (id, code, name, kind) VALUES
      (1, 'UES', 'Unitil', 'utility'), (2, 'LIBERTY', 'Liberty', 'utility'),
      (3, 'EK', 'EK vendor', 'vendor'), (4, 'OSI', 'OSI', 'agency');
    INSERT INTO premise (id, org_id, source_key, kind, parent_premise_id, town, state) VALUES
      (1, 1, 'U-100', 'building', NULL, 'Pembroke', 'NH'),
      (2, 2, 'L;7', 'building', NULL, 'Pembroke', 'NH'),
      (3, 1, 'U-101', 'unit', 1, 'Pembroke', 'NH'),
      (4, 3, 'EK-1', 'building', NULL, 'Pembroke', 'NH'),
      (5, 1, 'U-200', 'building', NULL, 'Concord', 'NH');
    INSERT INTO address (id, org_id, raw, normalized) VALUES
      (1, 1, '10 Main St, Pembroke, NH 03275', '10 MAIN ST PEMBROKE NH 03275'),
      (2, 2, '10 MAIN STREET PEMBROKE', NULL),
      (3, 1, 'PO Box 5, Concord NH', NULL),
      (4, 1, '10 Main St Apt 2', NULL),
      (5, 3, '10 Main', NULL),
      (6, 1, '1 Old Rd', NULL);
    INSERT INTO premise_address (premise_id, address_id, role) VALUES
      (1, 1, 'service'), (1, 3, 'mailing'), (2, 2, 'service'), (3, 4, 'service'),
      (4, 5, 'service'), (5, 6, 'service');
    INSERT INTO customer (id, org_id, source_key) VALUES
      (1, 1, 'C1'), (2, 1, 'C2'), (3, 2, 'C3'), (4, 1, 'C4'), (5, 1, 'C5');
    INSERT INTO account (id, org_id, account_number, customer_id, status) VALUES
      (1, 1, '111', 1, 'closed'), (2, 1, '112', 2, 'active'), (3, 2, '900', 3, 'active'),
      (4, 1, '113', 4, 'active'), (5, 1, '114', 5, 'active');
    INSERT INTO usage_point (id, org_id, source_key, premise_id, commodity) VALUES
      (1, 1, 'UP-1', 1, 'electricity'), (2, 2, 'G-1', 2, 'gas'),
      (3, 1, 'UP-2', 3, 'electricity'), (4, 1, 'UP-3', 5, 'electricity');
    INSERT INTO service_agreement (account_id, usage_point_id, start_date, end_date) VALUES
      (1, 1, '2010-01-01', '2017-12-31'), (2, 1, '2018-01-01', NULL),
      (3, 2, '2012-05-01', NULL), (4, 3, '2015-01-01', NULL), (5, 4, '2015-01-01', NULL);
    INSERT INTO meter (id, org_id, serial) VALUES
      (1, 1, 'M-1'), (2, 1, 'M-2'), (3, 2, 'GM-1'), (4, 1, 'M-3');
    INSERT INTO meter_usage_point (meter_id, usage_point_id, installed_on, removed_on) VALUES
      (1, 1, '2009-01-01', '2016-03-01'), (2, 1, '2016-03-01', NULL),
      (3, 2, '2012-05-01', NULL), (4, 3, '2015-01-01', NULL);
    INSERT INTO sensor (id, org_id, source_key, premise_id, address_id) VALUES
      (1, 3, 'EK-S1', 4, NULL), (2, 3, 'EK-S2', NULL, 1);
    INSERT INTO asset (id, org_id, source_key, category, premise_id, usage_point_id) VALUES
      (1, 1, 'PV-1', 'pv', 1, NULL), (2, 1, 'BAT-1', 'storage', NULL, 1);
    INSERT INTO program (id, org_id, code, name, kind) VALUES
      (1, 1, 'TOU', 'Time of use', 'tou'), (2, 4, 'WAP', 'Weatherization', 'wap');
    INSERT INTO program_enrolment (program_id, account_id, premise_id, status, effective_date) VALUES
      (1, 2, 1, 'enrolled', '2018-02-01'), (2, 3, NULL, 'completed', '2018-03-01');
    INSERT INTO platform_id (kind, id, created_at, retired_at, merged_into) VALUES
      ('PremiseID', 'P-1', 1, NULL, NULL), ('PremiseID', 'P-2', 1, NULL, NULL),
      ('PremiseID', 'P-OLD', 1, 5, 'P-1'), ('PremiseID', 'P-EMPTY', 1, NULL, NULL),
      ('AccountID', 'A-1', 1, NULL, NULL), ('UsagePointID', 'UP-X', 1, NULL, NULL),
      ('SensorID', 'S-9', 1, NULL, NULL), ('SensorID', 'S-10', 1, NULL, NULL),
      ('AssetID', 'AS-1', 1, NULL, NULL), ('ProgramID', 'PR-1', 1, NULL, NULL),
      ('AddressID', 'AD-1', 1, NULL, NULL);
    INSERT INTO platform_link (kind, platform_id, source_table, source_id, method, linked_at) VALUES
      ('PremiseID', 'P-1', 'premise', 1, 'manual', 1), ('PremiseID', 'P-1', 'premise', 2, 'manual', 1),
      ('PremiseID', 'P-1', 'premise', 4, 'manual', 1), ('PremiseID', 'P-2', 'premise', 3, 'manual', 1),
      ('PremiseID', 'P-OLD', 'premise', 5, 'manual', 1),
      ('AccountID', 'A-1', 'account', 2, 'manual', 1),
      ('UsagePointID', 'UP-X', 'usage_point', 1, 'manual', 1),
      ('SensorID', 'S-9', 'meter', 2, 'manual', 1), ('SensorID', 'S-10', 'sensor', 1, 'manual', 1),
      ('AssetID', 'AS-1', 'asset', 1, 'manual', 1), ('ProgramID', 'PR-1', 'program', 1, 'manual', 1),
      ('AddressID', 'AD-1', 'address', 1, 'manual', 1), ('AddressID', 'AD-1', 'address', 2, 'manual', 1);
  `);
  return w;
}

const P1 = {
  premise_id: 'P-1',
  premise_kind: 'building',
  parent_premise_ids: '',
  organizations: 'EK;LIBERTY;OSI;UES',
  fuels: 'LIBERTY:gas;UES:electricity',
  towns: 'Pembroke NH',
  premise_keys: 'EK:EK-1;LIBERTY:L\\;7;UES:U-100',
  addresses_raw:
    'EK:10 Main;LIBERTY:10 MAIN STREET PEMBROKE;UES(mailing):PO Box 5, Concord NH;UES:10 Main St, Pembroke, NH 03275',
  addresses_normalized: 'UES:10 MAIN ST PEMBROKE NH 03275',
  address_ids: 'AD-1',
  accounts: 'LIBERTY:900;UES:111;UES:112',
  account_ids: 'A-1',
  usage_points: 'LIBERTY:G-1;UES:UP-1',
  usage_point_ids: 'UP-X',
  meters: 'LIBERTY:GM-1;UES:M-1;UES:M-2',
  meter_ids: 'S-9',
  sensors: 'EK:EK-S1;EK:EK-S2',
  sensor_ids: 'S-10',
  assets: 'UES:BAT-1;UES:PV-1',
  asset_ids: 'AS-1',
  programs: 'OSI:WAP;UES:TOU',
  program_ids: 'PR-1',
};

const EMPTY = Object.fromEntries(Object.keys(P1).map((k) => [k, ''])) as typeof P1;

const P2: typeof P1 = {
  ...EMPTY,
  premise_id: 'P-2',
  premise_kind: 'unit',
  parent_premise_ids: 'P-1',
  organizations: 'UES',
  fuels: 'UES:electricity',
  towns: 'Pembroke NH',
  premise_keys: 'UES:U-101',
  addresses_raw: 'UES:10 Main St Apt 2',
  accounts: 'UES:113',
  usage_points: 'UES:UP-2',
  meters: 'UES:M-3',
};

const PEMPTY: typeof P1 = { ...EMPTY, premise_id: 'P-EMPTY' };

async function exportRows(w: Workspace, role: Role, params: Record<string, string> = {}) {
  const out = path.join(tmpDir(), 'index.csv');
  const run = await exportDataset(w, { name: 'core-06-index', params, out }, { role, now: NOW });
  const rows = Papa.parse<Record<string, string>>(fs.readFileSync(out, 'utf8').trimEnd(), {
    header: true,
    newline: '\r\n',
  }).data;
  return { run, rows, out };
}

function consent(w: Workspace, customers: number[], classes: string[]): void {
  const ins = w.db.prepare(
    `INSERT INTO consent (customer_id, grantee_org_id, scope, valid_from) VALUES (?, 1, ?, '2020-01-01')`,
  );
  for (const c of customers) ins.run(c, JSON.stringify({ dataClasses: classes }));
}

describe('core-06-index', () => {
  it('one row per live PremiseID with every linked record, exactly (utility staff)', async () => {
    ws = scenario();
    const { run, rows } = await exportRows(ws, 'utility-staff');
    expect(rows).toEqual([P1, P2, PEMPTY]);
    expect(run).toMatchObject({
      rowCount: 3,
      redactedCells: 0,
      withheldRows: 0,
      suppressedCells: 0,
    });
  });

  it('analyst: PII only where every customer of the premise consented', async () => {
    ws = scenario();
    // Customers 1, 2 (Unitil, before and after the move) and 3 (Liberty) consent; 4 does not.
    consent(ws, [1, 2, 3], ['pii']);
    const { run, rows } = await exportRows(ws, 'analyst');
    expect(rows).toEqual([
      P1,
      { ...P2, addresses_raw: '[redacted]', accounts: '[redacted]' },
      PEMPTY,
    ]);
    expect(run).toMatchObject({ redactedCells: 2, withheldRows: 0, consentAsOf: '2020-06-15' });
    // Without customer 1 (the closed account) P-1 is redacted too.
    ws.db.exec('DELETE FROM consent WHERE customer_id = 1');
    const again = await exportRows(ws, 'analyst');
    expect(again.rows[0]).toMatchObject({
      addresses_raw: '[redacted]',
      addresses_normalized: '[redacted]',
      accounts: '[redacted]',
      account_ids: 'A-1',
    });
    expect(again.run.redactedCells).toBe(5);
  });

  it('consultant: only premises whose customers all consented to usage data', async () => {
    ws = scenario();
    consent(ws, [1, 2, 3], ['pii', 'customer_usage']);
    const { run, rows } = await exportRows(ws, 'consultant');
    expect(rows).toEqual([P1]);
    expect(run).toMatchObject({ rowCount: 1, withheldRows: 2, redactedCells: 0 });
  });

  it('public: refused, naming the role and the class', async () => {
    ws = scenario();
    await expect(exportRows(ws, 'public')).rejects.toThrow(
      /role public may not see customer_usage data, and core-06-index has customer_usage columns \(programs, program_ids\)/,
    );
  });

  it('org parameter: premises with a record of that organization; unknown org lists them', async () => {
    ws = scenario();
    expect((await exportRows(ws, 'utility-staff', { org: 'liberty' })).rows).toEqual([P1]);
    expect((await exportRows(ws, 'utility-staff', { org: 'UES' })).rows).toEqual([P1, P2]);
    await expect(exportRows(ws, 'utility-staff', { org: 'NOPE' })).rejects.toThrow(
      /unknown organization "NOPE" for parameter org; organizations: EK, LIBERTY, OSI, UES/,
    );
  });

  it('pages across more PremiseIDs than one query page, in PremiseID order', async () => {
    ws = scenario();
    const ins = ws.db.prepare(
      `INSERT INTO platform_id (kind, id, created_at) VALUES ('PremiseID', ?, 1)`,
    );
    for (let i = 0; i < 1203; i++) ins.run(`Q-${String(i).padStart(4, '0')}`);
    const page = previewDataset(
      ws,
      { name: 'core-06-index', params: {}, offset: 1198, limit: 10 },
      { role: 'utility-staff' },
    );
    expect(page.rows.map((r) => r.values[0])).toEqual([
      'Q-1195',
      'Q-1196',
      'Q-1197',
      'Q-1198',
      'Q-1199',
      'Q-1200',
      'Q-1201',
      'Q-1202',
    ]);
    expect(page.done).toBe(true);
    expect((await exportRows(ws, 'utility-staff')).run.rowCount).toBe(1206);
  });

  it('on the demo: every seed PremiseID, the EK sub-meter once its premise is linked to 980', async () => {
    const c = await demoCopy();
    ws = c.ws;
    const db = ws.db;
    const ek = db
      .prepare(
        `SELECT p.id, s.source_key AS sensor FROM premise p JOIN organization o ON o.id = p.org_id
         JOIN sensor s ON s.premise_id = p.id WHERE o.code = 'EK'`,
      )
      .get() as { id: number; sensor: string };
    db.prepare(
      `INSERT INTO platform_link (kind, platform_id, source_table, source_id, method, linked_at)
       VALUES ('PremiseID', '980', 'premise', ?, 'manual', 1)`,
    ).run(ek.id);
    const live = db
      .prepare(
        `SELECT id FROM platform_id WHERE kind = 'PremiseID' AND retired_at IS NULL ORDER BY id`,
      )
      .pluck()
      .all();
    const { rows, run } = await exportRows(ws, 'utility-staff');
    expect(rows.map((r) => r.premise_id)).toEqual(live);
    expect(live).toHaveLength(12);
    const p980 = rows.find((r) => r.premise_id === '980');
    expect(p980?.sensors).toBe(`EK:${ek.sensor}`);
    expect(p980?.organizations).toBe('EK;PEMBROKE-CCA;PSNH');
    expect(p980?.fuels).toBe('PSNH:electricity');
    expect(p980?.addresses_raw).toMatch(/^EK:.*;PSNH:5 MAPLE ST SUNCOOK NH 03275$/);
    // Seed 16002 (CORE-01) carries the seed IDs of its usage point, meter, account and address.
    expect(rows.find((r) => r.premise_id === '16002')).toMatchObject({
      address_ids: '40007',
      account_ids: '120002',
      usage_point_ids: '110002',
      meter_ids: '10002',
    });
    expect(run.rowCount).toBe(12);
    // The demo's consents expired in 2019: an analyst sees every address redacted.
    const analyst = await exportRows(ws, 'analyst');
    expect(analyst.rows.every((r) => r.addresses_raw === '[redacted]')).toBe(true);
    expect(analyst.rows.every((r) => r.accounts === '[redacted]')).toBe(true);
  });
});
