import { describe, expect, it } from 'vitest';
import { bench } from './testkit';
import { assetCategory } from './common';

const HEADER = 'circuit,substation,section,node,premise,asset,asset_kind,transformer_kva';
const GOOD = [
  HEADER,
  '375X1,SUNCOOK,1,N1001,6100000001,,Meter R,25',
  '375X1,SUNCOOK,1,N1001,6100000002,,,25',
  '375X1,SUNCOOK,2,N1002,6100000003,M-P0000003,Meter R,50',
  '375X1,SUNCOOK,2,N1003,,TX-1003,Transfr LG,1500',
  '375X1,SUNCOOK,2,N1003,6100000004,M-P0000004,Meter C,',
  '375X2,SUNCOOK,1,N2001,,,,37.5',
];

describe('asset categories from source labels', () => {
  it('maps labels utilities use', () => {
    expect(assetCategory('Meter R')).toBe('meter');
    expect(assetCategory('Meter EV')).toBe('meter');
    expect(assetCategory('Transfr LG')).toBe('transformer');
    expect(assetCategory('PV roof-R')).toBe('pv');
    expect(assetCategory('Storage-R')).toBe('storage');
    expect(assetCategory('battery')).toBe('storage');
    expect(assetCategory('EVSE L2')).toBe('ev_charger');
    expect(assetCategory('ev_charger')).toBe('ev_charger');
    expect(assetCategory('EV charger')).toBe('ev_charger');
    expect(assetCategory('Smart thermostat')).toBe('thermostat');
    expect(assetCategory('Recloser')).toBeNull();
  });
});

describe('topology import', () => {
  it('builds substation → circuit → section → node, transformers and premise → asset → node', async () => {
    const b = await bench();
    const r = await b.run('topology', b.file('topo.csv', GOOD), { org: 'PSNH' });
    expect(r.status).toBe('committed');
    expect([r.rowsTotal, r.rowsAccepted, r.rowsRejected]).toEqual([6, 6, 0]);
    expect(r.written).toMatchObject({
      substation: 1,
      circuit: 2,
      section: 3,
      node: 4,
      transformer: 4,
      asset: 5,
    });
    const psnh = b.one("SELECT id FROM organization WHERE code = 'PSNH'");
    expect(
      b.rows(
        `SELECT c.code AS circuit, st.code AS substation, s.code AS section, n.code AS node
         FROM node n JOIN section s ON s.id = n.section_id JOIN circuit c ON c.id = s.circuit_id
         JOIN substation st ON st.id = c.substation_id WHERE c.org_id = ? AND c.code LIKE '375X%' ORDER BY n.code`,
        psnh,
      ),
    ).toEqual([
      { circuit: '375X1', substation: 'SUNCOOK', section: '1', node: 'N1001' },
      { circuit: '375X1', substation: 'SUNCOOK', section: '2', node: 'N1002' },
      { circuit: '375X1', substation: 'SUNCOOK', section: '2', node: 'N1003' },
      { circuit: '375X2', substation: 'SUNCOOK', section: '1', node: 'N2001' },
    ]);
    expect(
      b.rows(
        "SELECT t.code, t.kva FROM transformer t JOIN node n ON n.id = t.node_id WHERE n.code LIKE 'N_00_' ORDER BY t.code",
      ),
    ).toEqual([
      { code: 'TN1001', kva: 25 },
      { code: 'TN1002', kva: 50 },
      { code: 'TN1003', kva: 1500 },
      { code: 'TN2001', kva: 37.5 },
    ]);
    // premise → asset → node → section → circuit; the meter assets know their usage point.
    const assets = b.rows(
      `SELECT a.source_key AS asset, a.category, a.category_label AS label, p.source_key AS premise,
              n.code AS node, up.source_key AS up
       FROM asset a LEFT JOIN premise p ON p.id = a.premise_id JOIN node n ON n.id = a.node_id
       LEFT JOIN usage_point up ON up.id = a.usage_point_id
       WHERE a.org_id = ? AND n.code LIKE 'N_00_' ORDER BY a.source_key`,
      psnh,
    );
    expect(assets).toEqual([
      {
        asset: 'M-P0000003',
        category: 'meter',
        label: 'Meter R',
        premise: '6100000003',
        node: 'N1002',
        up: '900000003',
      },
      {
        asset: 'M-P0000004',
        category: 'meter',
        label: 'Meter C',
        premise: '6100000004',
        node: 'N1003',
        up: '900000004',
      },
      // No asset column: the premise's meter, keyed by its serial like the demo's meters.
      {
        asset: 'MP0000001',
        category: 'meter',
        label: 'Meter R',
        premise: '6100000001',
        node: 'N1001',
        up: '900000001',
      },
      {
        asset: 'MP0000002',
        category: 'meter',
        label: null,
        premise: '6100000002',
        node: 'N1001',
        up: '900000002',
      },
      {
        asset: 'TX-1003',
        category: 'transformer',
        label: 'Transfr LG',
        premise: null,
        node: 'N1003',
        up: null,
      },
    ]);
  });

  it('is idempotent: the same file is a duplicate, the same rows in another file change nothing', async () => {
    const b = await bench();
    const f = b.file('topo.csv', GOOD);
    await b.run('topology', f, { org: 'PSNH' });
    const count = () =>
      b.one<string>(
        `SELECT (SELECT count(*) FROM substation) || '/' || (SELECT count(*) FROM circuit) || '/' ||
         (SELECT count(*) FROM section) || '/' || (SELECT count(*) FROM node) || '/' ||
         (SELECT count(*) FROM transformer) || '/' || (SELECT count(*) FROM asset)`,
      );
    const before = count();
    const again = await b.run('topology', f, { org: 'PSNH' });
    expect(again.status).toBe('duplicate');
    const copy = await b.run('topology', b.file('topo-copy.csv', [...GOOD, '']), { org: 'PSNH' });
    expect(copy.status).toBe('committed');
    expect(copy.rowsAccepted).toBe(6);
    expect(copy.findings).toEqual([]);
    expect(count()).toBe(before);
  });

  it('rejects bad rows with their line, column and reason, and keeps the good ones', async () => {
    const b = await bench();
    const r = await b.run(
      'topology',
      b.file('bad.csv', [
        HEADER,
        '375X1,SUNCOOK,1,N1001,6100000001,,Meter R,25', // 2 good
        '375X1,SUNCOOK,1,N1001,6199999999,,Meter R,', // 3 unknown premise
        ',SUNCOOK,1,N1001,,,,', // 4 no circuit
        '375X1,SUNCOOK,,N1009,,,,', // 5 node without section
        '375X1,SUNCOOK,1,N1001,,,,-5', // 6 negative kVA
        '375X1,SUNCOOK,1,,6100000002,,,', // 7 premise without node
        '375X1,SUNCOOK,1,N1001,6100000002,,PV roof-R,', // 8 non-meter kind without asset key
        '375X1,SUNCOOK,1,N1001,,TX-1,Transfr PM,abc', // 9 kVA not a number
      ]),
      { org: 'PSNH' },
    );
    expect(r.status).toBe('committed');
    expect([r.rowsTotal, r.rowsAccepted, r.rowsRejected]).toEqual([8, 1, 7]);
    expect(r.rejects.map((x) => [x.line, x.column, x.value])).toEqual([
      [3, 'premise', '6199999999'],
      [4, 'circuit', ''],
      [5, 'section', ''],
      [6, 'transformer_kva', '-5'],
      [7, 'premise', '6100000002'],
      [8, 'asset', ''],
      [9, 'transformer_kva', 'abc'],
    ]);
    expect(r.rejects[0]!.reason).toBe(
      'unknown premise 6199999999 for PSNH; import the CIS file that has it first',
    );
    expect(r.rejects[3]!.reason).toBe('transformer_kva must be > 0');
    // The rejected rows wrote nothing: only the good row's node and transformer exist.
    expect(b.one("SELECT count(*) FROM node WHERE code LIKE 'N100_'")).toBe(1);
    expect(b.one("SELECT count(*) FROM asset WHERE source_key = 'TX-1'")).toBe(0);
    expect(b.one('SELECT count(*) FROM import_reject WHERE batch_id = ?', r.batchId)).toBe(7);
  });

  it('moves circuits and nodes that a later export places elsewhere, and reports it', async () => {
    const b = await bench();
    await b.run('topology', b.file('t1.csv', GOOD), { org: 'PSNH' });
    const r = await b.run(
      'topology',
      b.file('t2.csv', [
        HEADER,
        '375X2,PEMBROKE-2,1,N2001,,,,50',
        '375X2,PEMBROKE-2,1,N1001,6100000001,,,',
      ]),
      { org: 'PSNH' },
    );
    expect(r.rowsAccepted).toBe(2);
    expect(r.findings.map((f) => f.message)).toEqual([
      'circuit 375X2 moved to substation PEMBROKE-2',
      'transformer TN2001 changed from 37.5 to 50 kVA',
      'node N1001 moved to circuit 375X2 section 1',
    ]);
    expect(
      b.one(
        "SELECT c.code FROM node n JOIN section s ON s.id = n.section_id JOIN circuit c ON c.id = s.circuit_id WHERE n.code = 'N1001'",
      ),
    ).toBe('375X2');
    // The premise's meter stays on its node (which moved): one asset, not two.
    expect(
      b.one(
        "SELECT count(*) FROM asset a JOIN premise p ON p.id = a.premise_id WHERE p.source_key = '6100000001'",
      ),
    ).toBe(1);
  });

  it('refuses an asset whose kind contradicts what the workspace has', async () => {
    const b = await bench();
    await b.run('topology', b.file('t1.csv', GOOD), { org: 'PSNH' });
    const r = await b.run(
      'topology',
      b.file('t2.csv', [HEADER, '375X1,SUNCOOK,2,N1003,,TX-1003,Meter R,']),
      { org: 'PSNH' },
    );
    expect(r.status).toBe('rejected');
    expect(r.rejects[0]!.reason).toBe('asset TX-1003 is a transformer, not a meter');
  });

  it('keeps unmapped columns as attributes of the row they came with', async () => {
    const b = await bench();
    const r = await b.run(
      'topology',
      b.file('t.csv', [`${HEADER},PHASE`, '375X1,SUNCOOK,1,N1001,,TX-9,Transfr PM,25,ABC']),
      { org: 'PSNH' },
    );
    expect(r.rowsAccepted).toBe(1);
    expect(
      b.rows(
        "SELECT s.name, s.value FROM source_attribute s JOIN asset a ON a.id = s.source_id WHERE s.source_table = 'asset' AND a.source_key = 'TX-9'",
      ),
    ).toEqual([{ name: 'PHASE', value: 'ABC' }]);
  });

  it('needs --org', async () => {
    const b = await bench();
    await expect(b.run('topology', b.file('t.csv', GOOD))).rejects.toThrow(/need --org/);
    expect(b.one("SELECT count(*) FROM import_batch WHERE kind = 'topology'")).toBe(0);
  });
});
