import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from '../../workspace/workspace';
import { count, csvFile, demoWorkspace, importFile } from './meteringTestKit';

const HEADER = 'usage_point,meter,read_date,reading,unit,multiplier,estimated';

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

/** Two usage points of an organization with the meter installed at each. */
function metered(w: Workspace, org: string, commodity: string): [string, string][] {
  return (
    w.db
      .prepare(
        `SELECT u.source_key AS up, m.serial AS meter FROM meter_usage_point mu
         JOIN meter m ON m.id = mu.meter_id JOIN usage_point u ON u.id = mu.usage_point_id
         JOIN organization o ON o.id = u.org_id
         WHERE o.code = ? AND u.commodity = ? ORDER BY u.id LIMIT 2`,
      )
      .all(org, commodity) as { up: string; meter: string }[]
  ).map((r) => [r.up, r.meter]);
}

interface Read {
  read_date: string;
  reading: string;
  multiplier: string;
  estimated: number;
  quality: number;
  rt: string;
}

function reads(w: Workspace, up: string): Read[] {
  return w.db
    .prepare(
      `SELECT r.read_date, r.reading, r.multiplier, r.estimated, r.quality, rt.name AS rt
       FROM register_read r JOIN usage_point u ON u.id = r.usage_point_id
       JOIN reading_type rt ON rt.id = r.reading_type_id
       WHERE u.source_key = ? AND r.read_date >= '2019-01-01' ORDER BY r.read_date`,
    )
    .all(up) as Read[];
}

describe('reads importer', () => {
  it('imports register reads as exact decimal text and rejects unknown or foreign meters', async () => {
    ws = await demoWorkspace();
    const [[a, m], [b, mb]] = metered(ws, 'UES', 'electricity') as [
      [string, string],
      [string, string],
    ];
    ws.db
      .prepare(
        "INSERT INTO meter (org_id, serial) SELECT id, 'NEW-1' FROM organization WHERE code = 'UES'",
      )
      .run();
    const rows = [
      HEADER,
      `${a},${m},2019-01-15,12345.6,kWh,1,N`,
      `${a},${m},02/15/2019,12500,kWh,,Y`,
      `${a},${m},2019-03-15,12700500,Wh,1,N`,
      `${a},NOPE,2019-03-15,1,kWh,1,N`,
      `${a},${mb},2019-03-15,1,kWh,1,N`,
      `ZZZ,${m},2019-03-15,1,kWh,1,N`,
      `${a},${m},2019-01-15,12345.60,kWh,1,no`,
      `${b},NEW-1,2019-01-20,0.5,kWh,2,N`,
      `${b},${mb},2019-01-20,-3,kWh,1,N`,
    ];
    const r = await importFile(ws, 'reads', csvFile('reads.csv', rows), { org: 'UES' });
    expect(r.status).toBe('committed');
    expect(r.rowsTotal).toBe(9);
    expect(r.written).toMatchObject({ register_read: 4, meter_usage_point: 1 });
    expect(r.rejects.map((x) => [x.line, x.column])).toEqual([
      [5, 'meter'],
      [6, 'meter'],
      [7, 'usage_point'],
      [10, 'reading'],
    ]);
    expect(r.rejects[0]!.reason).toBe('unknown meter NOPE for UES');
    expect(r.rejects[1]!.reason).toBe(`meter ${mb} is installed at usage point ${b}, not ${a}`);
    expect(r.rejects[2]!.reason).toMatch(/unknown usage point ZZZ for UES/);
    expect(r.findings.find((f) => f.kind === 'duplicate')).toMatchObject({ count: 1 });
    expect(
      r.findings.find((f) => f.kind === 'note' && /installed/.test(f.message))?.message,
    ).toContain(`NEW-1 at ${b}`);
    expect(reads(ws, a)).toEqual([
      {
        read_date: '2019-01-15',
        reading: '12345.6',
        multiplier: '1',
        estimated: 0,
        quality: 0,
        rt: 'Electricity kWh register',
      },
      {
        read_date: '2019-02-15',
        reading: '12500',
        multiplier: '1',
        estimated: 1,
        quality: 1,
        rt: 'Electricity kWh register',
      },
      {
        read_date: '2019-03-15',
        reading: '12700.500',
        multiplier: '1',
        estimated: 0,
        quality: 0,
        rt: 'Electricity kWh register',
      },
    ]);
    expect(reads(ws, b)).toEqual([
      {
        read_date: '2019-01-20',
        reading: '0.5',
        multiplier: '2',
        estimated: 0,
        quality: 0,
        rt: 'Electricity kWh register',
      },
    ]);

    // A changed re-import: the conflicting read is rejected and the stored one kept.
    const v2 = [HEADER, `${a},${m},2019-01-15,12346,kWh,1,N`, `${a},${m},2019-04-15,12900,kWh,1,N`];
    const r2 = await importFile(ws, 'reads', csvFile('reads2.csv', v2), { org: 'UES' });
    expect(r2.status).toBe('committed');
    expect(r2.rejects).toEqual([
      expect.objectContaining({
        line: 2,
        column: 'reading',
        value: '12346',
        reason: expect.stringMatching(
          /conflicts with the stored 12345.6 kWh .* from import batch \d+; the stored read is kept/,
        ),
      }),
    ]);
    expect(r2.findings.find((f) => f.kind === 'conflict')).toMatchObject({ count: 1 });
    expect(reads(ws, a).map((x) => x.reading)).toEqual(['12345.6', '12500', '12700.500', '12900']);
  });

  it('gas reads in CCF and MCF go to the CCF register; a strict file with a bad row changes nothing', async () => {
    ws = await demoWorkspace();
    const [[g, m]] = metered(ws, 'LIBERTY', 'gas') as [[string, string]];
    const r = await importFile(
      ws,
      'reads',
      csvFile('gas.csv', [
        HEADER,
        `${g},${m},2019-01-10,4521,CCF,1,N`,
        `${g},${m},2019-02-10,0.4603,MCF,1,N`,
      ]),
      { org: 'LIBERTY' },
    );
    expect(r.status).toBe('committed');
    expect(reads(ws, g).map((x) => [x.reading, x.rt])).toEqual([
      ['4521', 'Gas CCF register'],
      ['4.603', 'Gas CCF register'],
    ]);
    const before = count(ws, 'SELECT count(*) AS n FROM register_read');
    const strict = await importFile(
      ws,
      'reads',
      csvFile('gas-strict.csv', [
        HEADER,
        `${g},${m},2019-03-10,4700,CCF,1,N`,
        `${g},${m},2019-03-11,x,CCF,1,N`,
      ]),
      { org: 'LIBERTY', mode: 'strict' },
    );
    expect(strict.status).toBe('rejected');
    expect(strict.rejects[0]).toMatchObject({
      line: 3,
      column: 'reading',
      reason: 'reading is not a number',
    });
    expect(count(ws, 'SELECT count(*) AS n FROM register_read')).toBe(before);
  });
});
