// greenbutton.candidates: search (keys with LIKE wildcards taken literally, every term must
// match, exact account numbers only for roles that may see PII), filters, paging, customers per
// usage point (current first), data span, and names only as each role may see them.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../api/server';
import { BlockWriter, ensureSeries } from '../metering/intervals';
import { dayNumber, localDay } from '../time/zone';
import { Workspace } from '../workspace/workspace';
import { tmpDir } from '../testing/tmp';
import { listCandidates } from './candidates';
import { GreenButtonCandidatesRequest } from './schema';

const AT = new Date('2024-06-01T12:00:00Z');
let ws: Workspace;
let file: string;

/**
 * Organizations TST (usage points A_1, AX1, A%2 electricity, G-9 gas) and OTH (usage point Z-1).
 * Customer C-OLD (Old Owner) held A_1 until 2020-12-31; C-NEW (New Owner) holds A_1 since
 * 2021-01-01 and G-9 since 2022-05-01 through account 99-ACCT-1. C-Z (no name) holds Z-1.
 * A_1 has hourly data on 2024-03-10 and 2024-03-12.
 */
beforeAll(() => {
  file = path.join(tmpDir('edw-gb-cand-'), 'ws.edw');
  ws = Workspace.create(file);
  const db = ws.db;
  db.exec(`
    INSERT INTO organization (id, code, name, kind) VALUES (1, 'TST', 'Test Utility', 'utility'), (2, 'OTH', 'Other', 'utility');
    INSERT INTO premise (id, org_id, source_key, town, state) VALUES (1, 1, 'P-1', 'Pembroke', 'NH'), (2, 1, 'P-2', 'Concord', 'NH');
    INSERT INTO usage_point (id, org_id, source_key, commodity, premise_id) VALUES
      (1, 1, 'A_1', 'electricity', 1), (2, 1, 'AX1', 'electricity', 2), (3, 1, 'A%2', 'electricity', NULL),
      (4, 1, 'G-9', 'gas', 1), (5, 2, 'Z-1', 'electricity', NULL);
    INSERT INTO customer (id, org_id, source_key, name) VALUES
      (1, 1, 'C-OLD', 'Old Owner'), (2, 1, 'C-NEW', 'New Owner'), (3, 2, 'C-Z', NULL);
    INSERT INTO account (id, org_id, account_number, customer_id) VALUES
      (1, 1, '11-ACCT-0', 1), (2, 1, '99-ACCT-1', 2), (3, 2, '55-ACCT-Z', 3);
    INSERT INTO service_agreement (account_id, usage_point_id, start_date, end_date) VALUES
      (1, 1, '2015-03-01', '2020-12-31'), (2, 1, '2021-01-01', NULL), (2, 4, '2022-05-01', NULL),
      (3, 5, '2019-01-01', NULL);
  `);
  const rt = (
    db.prepare("SELECT id FROM reading_type WHERE name = 'Electricity kWh hourly'").get() as {
      id: number;
    }
  ).id;
  const sid = ensureSeries(db, { usagePointId: 1, readingTypeId: rt });
  const w = new BlockWriter(db);
  for (const day of [dayNumber(2024, 3, 10), dayNumber(2024, 3, 12)]) {
    const d = localDay(day, 'America/New_York');
    const n = d.seconds / 3600;
    w.put({
      seriesId: sid,
      day,
      start: d.start,
      seconds: 3600,
      values: Array.from({ length: n }, () => 1),
      quality: Array.from({ length: n }, () => 0),
    });
  }
});
afterAll(() => ws.close());

const list = (
  role: Parameters<typeof listCandidates>[1],
  req: Partial<GreenButtonCandidatesRequest>,
) => listCandidates(ws.db, role, GreenButtonCandidatesRequest.parse(req), AT);
const keys = (r: ReturnType<typeof list>) => r.usagePoints.map((u) => `${u.org}:${u.key}`);

describe('greenbutton.candidates', () => {
  it('lists usage points by organization and key, with filters, facets and paging', () => {
    const all = list('analyst', {});
    expect(all.total).toBe(5);
    expect(keys(all)).toEqual(['OTH:Z-1', 'TST:A%2', 'TST:AX1', 'TST:A_1', 'TST:G-9']);
    expect(all.orgs).toEqual(['OTH', 'TST']);
    expect(all.commodities).toEqual(['electricity', 'gas']);
    expect(keys(list('analyst', { org: 'tst', commodity: 'electricity' }))).toEqual([
      'TST:A%2',
      'TST:AX1',
      'TST:A_1',
    ]);
    const page = list('analyst', { limit: 2, offset: 2 });
    expect(page.total).toBe(5);
    expect(page.offset).toBe(2);
    expect(keys(page)).toEqual(['TST:AX1', 'TST:A_1']);
  });

  it('takes LIKE wildcards in the search literally and ANDs the terms', () => {
    expect(keys(list('analyst', { search: 'A_1' }))).toEqual(['TST:A_1']);
    expect(keys(list('analyst', { search: 'A%' }))).toEqual(['TST:A%2']);
    // Substring of a usage point key; an organization code; a commodity; a town prefix.
    expect(keys(list('analyst', { search: 'x1' }))).toEqual(['TST:AX1']);
    expect(keys(list('analyst', { search: 'oth' }))).toEqual(['OTH:Z-1']);
    expect(keys(list('analyst', { search: 'tst gas' }))).toEqual(['TST:G-9']);
    expect(keys(list('analyst', { search: 'pemb' }))).toEqual(['TST:A_1', 'TST:G-9']);
    expect(keys(list('analyst', { search: 'pemb electricity' }))).toEqual(['TST:A_1']);
    // A customer key (substring) finds the usage points it was ever served at.
    expect(keys(list('analyst', { search: 'c-old' }))).toEqual(['TST:A_1']);
    expect(list('analyst', { search: 'nothing-like-this' }).total).toBe(0);
  });

  it('matches account numbers exactly, and never for a role denied PII', () => {
    expect(keys(list('analyst', { search: '99-ACCT-1' }))).toEqual(['TST:A_1', 'TST:G-9']);
    expect(list('analyst', { search: '99-ACCT' }).total).toBe(0);
    expect(list('public', { search: '99-ACCT-1' }).total).toBe(0);
    expect(list('public', { of: 'customers', search: '99-ACCT-1' }).total).toBe(0);
    expect(list('analyst', { of: 'customers', search: '99-ACCT-1' }).customers).toMatchObject([
      { key: 'C-NEW' },
    ]);
  });

  it('gives each usage point its customers (current first), town and data span', () => {
    const [a1] = list('utility-staff', { search: 'A_1' }).usagePoints;
    expect(a1).toEqual({
      key: 'A_1',
      org: 'TST',
      commodity: 'electricity',
      status: 'active',
      town: 'Pembroke',
      customers: [
        {
          key: 'C-NEW',
          org: 'TST',
          name: 'New Owner',
          nameRedacted: false,
          from: '2021-01-01',
          to: null,
        },
        {
          key: 'C-OLD',
          org: 'TST',
          name: 'Old Owner',
          nameRedacted: false,
          from: '2015-03-01',
          to: '2020-12-31',
        },
      ],
      firstDay: '2024-03-10',
      lastDay: '2024-03-12',
    });
    const [z1] = list('utility-staff', { search: 'Z-1' }).usagePoints;
    expect(z1).toMatchObject({ town: null, firstDay: null, lastDay: null });
    // A customer without a name is not "redacted": there is nothing to hide.
    expect(z1?.customers).toEqual([
      { key: 'C-Z', org: 'OTH', name: null, nameRedacted: false, from: '2019-01-01', to: null },
    ]);
  });

  it('shows names as the role may see them: allow, consent, deny', () => {
    const names = (role: Parameters<typeof listCandidates>[1]) =>
      list(role, { search: 'A_1' }).usagePoints[0]?.customers.map((c) => [c.name, c.nameRedacted]);
    expect(list('public', {}).piiAccess).toBe('deny');
    expect(names('public')).toEqual([
      [null, true],
      [null, true],
    ]);
    expect(list('analyst', {}).piiAccess).toBe('consent');
    expect(names('analyst')).toEqual([
      [null, true],
      [null, true],
    ]);
    // C-NEW consents to pii at A_1 (usage point 1): its name shows there, C-OLD's does not.
    ws.db
      .prepare(
        "INSERT INTO consent (id, customer_id, grantee_org_id, scope, valid_from, valid_to) VALUES (50, 2, 2, ?, '2024-01-01', NULL)",
      )
      .run(JSON.stringify({ dataClasses: ['pii'], usagePointIds: [1] }));
    expect(names('analyst')).toEqual([
      ['New Owner', false],
      [null, true],
    ]);
    expect(names('consultant')).toEqual([
      ['New Owner', false],
      [null, true],
    ]);
    // In customer mode the row lists A_1 and G-9: the consent covers only A_1, so the name stays
    // hidden (every usage point of the row must be covered).
    const cust = list('analyst', { of: 'customers', search: 'C-NEW' });
    expect(cust.customers).toEqual([
      {
        key: 'C-NEW',
        org: 'TST',
        name: null,
        nameRedacted: true,
        customerClass: 'residential',
        usagePoints: ['A_1', 'G-9'],
      },
    ]);
    ws.db.prepare('DELETE FROM consent WHERE id = 50').run();
  });

  it('lists customers with their usage points, filtered by commodity', () => {
    const r = list('utility-staff', { of: 'customers' });
    expect(r.total).toBe(3);
    expect(r.usagePoints).toEqual([]);
    expect(r.customers.map((c) => [c.org, c.key, c.name, c.usagePoints])).toEqual([
      ['OTH', 'C-Z', null, ['Z-1']],
      ['TST', 'C-NEW', 'New Owner', ['A_1', 'G-9']],
      ['TST', 'C-OLD', 'Old Owner', ['A_1']],
    ]);
    expect(
      list('utility-staff', { of: 'customers', commodity: 'gas' }).customers.map((c) => c.key),
    ).toEqual(['C-NEW']);
    // A usage point key in the search finds the customers served there.
    expect(list('analyst', { of: 'customers', search: 'A_1' }).customers.map((c) => c.key)).toEqual(
      ['C-NEW', 'C-OLD'],
    );
  });

  it('is reachable through the API and validates its input', async () => {
    const wb = new Workbench({ role: 'consultant' });
    try {
      await wb.call('workspace.open', { path: file });
      const r = (await wb.call('greenbutton.candidates', { search: 'G-9' })) as ReturnType<
        typeof list
      >;
      expect(r).toMatchObject({ role: 'consultant', usageAccess: 'consent', total: 1 });
      await expect(wb.call('greenbutton.candidates', { limit: 0 })).rejects.toMatchObject({
        code: 'usage',
      });
    } finally {
      wb.close();
    }
  });
});
