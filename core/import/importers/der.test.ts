import { describe, expect, it } from 'vitest';
import { bench } from './testkit';

const HEADER = 'asset,premise,kind,kw,kwh,circuit,application,status,status_date';
// Circuit 26666 is a PSNH seed circuit of the demo (T-23).
const GOOD = [
  HEADER,
  'PV-1,6100000001,PV roof-R,7.6,,26666,NM-2018-90001,applied,2018-01-10',
  'PV-1,6100000001,PV roof-R,7.6,,26666,NM-2018-90001,studied,2018-02-01',
  'PV-1,6100000001,PV roof-R,7.6,,26666,NM-2018-90001,approved,2018-02-20',
  'PV-1,6100000001,PV roof-R,7.6,,26666,NM-2018-90001,installed,2018-04-02',
  'PV-1,6100000001,PV roof-R,7.6,,26666,NM-2018-90001,PTO,2018-04-20',
  'ST-1,6100000001,Storage-R,5,13.5,26666,NM-2018-90002,Applied,2018-03-01',
  'EV-1,6100000002,EVSE,7.2,,,,,',
  'TS-1,6100000003,Smart thermostat,,,,,,',
  'GEN-1,6100000004,generator,22,,,NM-2018-90003,applied,2018-05-05',
];

describe('der import', () => {
  it('writes assets, applications and status histories', async () => {
    const b = await bench();
    const r = await b.run('der', b.file('der.csv', GOOD), { org: 'PSNH' });
    expect(r.status).toBe('committed');
    expect([r.rowsTotal, r.rowsAccepted, r.rowsRejected]).toEqual([9, 9, 0]);
    expect(r.written).toEqual({
      asset: 5,
      interconnection_application: 3,
      interconnection_status: 7,
    });
    expect(r.findings).toEqual([]);
    expect(
      b.rows(
        `SELECT a.source_key AS asset, a.category, a.category_label AS label, p.source_key AS premise,
                a.nameplate_kw AS kw, a.nameplate_kwh AS kwh, a.installed_on AS installed,
                up.source_key AS up
         FROM asset a JOIN premise p ON p.id = a.premise_id LEFT JOIN usage_point up ON up.id = a.usage_point_id
         WHERE a.source_key IN ('PV-1','ST-1','EV-1','TS-1','GEN-1') ORDER BY a.source_key`,
      ),
    ).toEqual([
      {
        asset: 'EV-1',
        category: 'ev_charger',
        label: 'EVSE',
        premise: '6100000002',
        kw: 7.2,
        kwh: null,
        installed: null,
        up: '900000002',
      },
      {
        asset: 'GEN-1',
        category: 'generator',
        label: 'generator',
        premise: '6100000004',
        kw: 22,
        kwh: null,
        installed: null,
        up: '900000004',
      },
      {
        asset: 'PV-1',
        category: 'pv',
        label: 'PV roof-R',
        premise: '6100000001',
        kw: 7.6,
        kwh: null,
        installed: '2018-04-02',
        up: '900000001',
      },
      {
        asset: 'ST-1',
        category: 'storage',
        label: 'Storage-R',
        premise: '6100000001',
        kw: 5,
        kwh: 13.5,
        installed: null,
        up: '900000001',
      },
      {
        asset: 'TS-1',
        category: 'thermostat',
        label: 'Smart thermostat',
        premise: '6100000003',
        kw: null,
        kwh: null,
        installed: null,
        up: '900000003',
      },
    ]);
    expect(
      b.rows(
        `SELECT a.application_number AS app, x.source_key AS asset, c.code AS circuit, a.requested_kw AS kw
         FROM interconnection_application a JOIN asset x ON x.id = a.asset_id LEFT JOIN circuit c ON c.id = a.circuit_id
         WHERE a.application_number LIKE 'NM-2018-9%' ORDER BY 1`,
      ),
    ).toEqual([
      { app: 'NM-2018-90001', asset: 'PV-1', circuit: '26666', kw: 7.6 },
      { app: 'NM-2018-90002', asset: 'ST-1', circuit: '26666', kw: 5 },
      { app: 'NM-2018-90003', asset: 'GEN-1', circuit: null, kw: 22 },
    ]);
    expect(
      b.rows(
        `SELECT s.status, s.status_date AS day FROM interconnection_status s
         JOIN interconnection_application a ON a.id = s.application_id
         WHERE a.application_number = 'NM-2018-90001' ORDER BY s.status_date`,
      ),
    ).toEqual([
      { status: 'applied', day: '2018-01-10' },
      { status: 'studied', day: '2018-02-01' },
      { status: 'approved', day: '2018-02-20' },
      { status: 'installed', day: '2018-04-02' },
      { status: 'pto', day: '2018-04-20' },
    ]);
  });

  it('is idempotent and adds only new status rows from a later queue export', async () => {
    const b = await bench();
    const f = b.file('der.csv', GOOD);
    await b.run('der', f, { org: 'PSNH' });
    expect((await b.run('der', f, { org: 'PSNH' })).status).toBe('duplicate');
    const later = await b.run(
      'der',
      b.file('der-later.csv', [
        ...GOOD,
        'ST-1,6100000001,Storage-R,5,13.5,26666,NM-2018-90002,studied,2018-03-20',
      ]),
      { org: 'PSNH' },
    );
    expect(later.rowsAccepted).toBe(10);
    expect(later.written.interconnection_status).toBe(1);
    expect(
      b.one("SELECT count(*) FROM asset WHERE source_key IN ('PV-1','ST-1','EV-1','TS-1','GEN-1')"),
    ).toBe(5);
    expect(
      b.one(
        "SELECT count(*) FROM interconnection_status s JOIN interconnection_application a ON a.id = s.application_id WHERE a.application_number LIKE 'NM-2018-9%'",
      ),
    ).toBe(8);
  });

  it('reports status dates out of ladder order without rejecting them', async () => {
    const b = await bench();
    const r = await b.run(
      'der',
      b.file('der.csv', [
        HEADER,
        'PV-2,6100000002,solar,4,,,NM-2018-90010,applied,03/01/2018',
        'PV-2,6100000002,solar,4,,,NM-2018-90010,approved,03/05/2018',
        'PV-2,6100000002,solar,4,,,NM-2018-90010,studied,03/20/2018',
      ]),
      {
        org: 'PSNH',
        profile: {
          name: 'us-dates',
          kind: 'der',
          dateFormat: 'mdy',
          columns: Object.fromEntries(HEADER.split(',').map((h) => [h, h])),
        },
      },
    );
    expect(r.rowsAccepted).toBe(3);
    expect(r.findings).toEqual([
      {
        kind: 'tolerated',
        subject: 'NM-2018-90010',
        message:
          'application NM-2018-90010: status dates out of order (approved 2018-03-05 is before studied 2018-03-20); kept as given',
      },
    ]);
  });

  it('rejects bad rows with line, column and a reason that names what is allowed', async () => {
    const b = await bench();
    await b.run('der', b.file('der.csv', GOOD), { org: 'PSNH' });
    const r = await b.run(
      'der',
      b.file('bad.csv', [
        HEADER,
        'PV-3,6100000003,PV roof-R,-4,,,,,', // 2 negative kW
        'PV-3,6100000003,wind turbine,4,,,,,', // 3 unknown kind
        'PV-3,6199999999,PV roof-R,4,,,,,', // 4 unknown premise
        'PV-3,6100000003,PV roof-R,4,,99999,,,', // 5 unknown circuit
        'PV-3,6100000003,PV roof-R,4,,,NM-2018-90020,energized,2018-05-01', // 6 unknown status
        'PV-3,6100000003,PV roof-R,4,,,NM-2018-90020,applied,', // 7 status without date
        'PV-1,6100000002,PV roof-R,4,,,,,', // 8 PV-1 is at another premise
        'PV-1,6100000001,battery,4,,,,,', // 9 PV-1 is a pv
        'PV-3,6100000003,PV roof-R,4,,,NM-2018-90001,applied,2018-05-01', // 10 application of PV-1
        'PV-3,6100000003,PV roof-R,4,,,,applied,2018-05-01', // 11 status without application
        'PV-3,6100000003,PV roof-R,4,,,NM-2018-90020,applied,2018-05-01', // 12 good
      ]),
      { org: 'PSNH' },
    );
    expect([r.rowsTotal, r.rowsAccepted, r.rowsRejected]).toEqual([11, 1, 10]);
    expect(r.rejects.map((x) => [x.line, x.column])).toEqual([
      [2, 'kw'],
      [3, 'kind'],
      [4, 'premise'],
      [5, 'circuit'],
      [6, 'status'],
      [7, 'status_date'],
      [8, 'premise'],
      [9, 'kind'],
      [10, 'application'],
      [11, 'application'],
    ]);
    const reason = (line: number) => r.rejects.find((x) => x.line === line)!.reason;
    expect(reason(2)).toBe('kw must be ≥ 0');
    expect(reason(3)).toMatch(
      /^"wind turbine" is not a DER kind; expected pv, storage, ev_charger, thermostat, generator/,
    );
    expect(reason(5)).toBe(
      'unknown circuit 99999 for PSNH; import the topology file that has it first',
    );
    expect(reason(6)).toBe(
      'unknown interconnection status "energized"; expected one of applied, studied, approved, installed, pto, withdrawn',
    );
    expect(reason(9)).toBe('asset PV-1 is a pv, not storage');
    expect(reason(10)).toBe('application NM-2018-90001 is for asset PV-1, not PV-3');
    // Nothing of the rejected rows was written; the good row was.
    expect(b.one("SELECT count(*) FROM asset WHERE source_key = 'PV-3'")).toBe(1);
    expect(b.one("SELECT nameplate_kw FROM asset WHERE source_key = 'PV-1'")).toBe(7.6);
  });
});
