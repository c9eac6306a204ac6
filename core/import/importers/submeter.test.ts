import { afterEach, describe, expect, it } from 'vitest';
import { readBlocks } from '../../metering/intervals';
import { QUALITY } from '../../metering/quality';
import { isoToDay } from '../../time/zone';
import type { Workspace } from '../../workspace/workspace';
import { FROM_DAY, csvFile, demoWorkspace, importFile } from './meteringTestKit';
import { normalizeAddressPart } from './submeter';

const HEADER = 'sensor,vendor,address,city,state,zip,start,seconds,value,unit';

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

interface PremiseAddress {
  premise: number;
  line1: string;
  city: string;
  state: string;
  zip: string;
}

/** An electric utility premise whose address no other premise shares. */
function electricPremise(w: Workspace): PremiseAddress {
  const rows = w.db
    .prepare(
      `SELECT pa.premise_id AS premise, a.line1, a.city, a.state, a.zip
       FROM premise_address pa JOIN address a ON a.id = pa.address_id
       JOIN premise p ON p.id = pa.premise_id JOIN organization o ON o.id = p.org_id
       WHERE o.kind = 'utility' AND a.city IS NOT NULL AND a.zip IS NOT NULL
         AND EXISTS (SELECT 1 FROM usage_point u WHERE u.premise_id = p.id AND u.commodity = 'electricity')
       ORDER BY pa.premise_id`,
    )
    .all() as PremiseAddress[];
  const all = w.db
    .prepare('SELECT a.line1 FROM premise_address pa JOIN address a ON a.id = pa.address_id')
    .all() as {
    line1: string;
  }[];
  const freq = new Map<string, number>();
  for (const r of all)
    freq.set(normalizeAddressPart(r.line1), (freq.get(normalizeAddressPart(r.line1)) ?? 0) + 1);
  const unique = rows.find((r) => freq.get(normalizeAddressPart(r.line1)) === 1);
  if (!unique) throw new Error('no premise with a unique address in the demo');
  return unique;
}

describe('submeter importer', () => {
  it('upserts sensors of a vendor, links premises by normalised address and stores 15-minute blocks', async () => {
    ws = await demoWorkspace();
    const p = electricPremise(ws);
    // Same address, other case and punctuation, ZIP+4.
    const street = `"${p.line1.toUpperCase().replace(/ /g, '  ')}."`;
    const city = p.city.toLowerCase();
    const rows = [HEADER];
    for (let q = 0; q < 8; q++) {
      const t = `2019-06-01T${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}:00-04:00`;
      rows.push(
        `S-1,EK,${street},${city},${p.state.toLowerCase()},${p.zip}-0001,${t},900,${(0.05 * (q + 1)).toFixed(2)},kWh`,
      );
    }
    rows.push('S-2,ek,1 Nowhere Lane,Pembroke,NH,03275,2019-06-01T00:00:00-04:00,900,0.125,Wh');
    rows.push('S-3,UES,1 Nowhere Lane,Pembroke,NH,03275,2019-06-01T00:00:00-04:00,900,1,kWh');
    rows.push('S-4,NOPE,1 Nowhere Lane,Pembroke,NH,03275,2019-06-01T00:00:00-04:00,900,1,kWh');
    const r = await importFile(ws, 'submeter', csvFile('ek.csv', rows));
    expect(r.status).toBe('committed');
    expect(r.rowsAccepted).toBe(9);
    expect(r.rejects.map((x) => [x.line, x.column, x.reason])).toEqual([
      [
        11,
        'vendor',
        'UES is an organization of kind utility, not a vendor: sub-meter data comes from vendors',
      ],
      [
        12,
        'vendor',
        'unknown vendor organization NOPE; add it to the workspace (kind vendor) first',
      ],
    ]);
    expect(r.written).toMatchObject({ sensor: 2, address: 2, readings: 9, series: 2 });
    const sensors = ws.db
      .prepare(
        `SELECT s.id, s.source_key, s.premise_id, a.raw FROM sensor s JOIN organization o ON o.id = s.org_id
         JOIN address a ON a.id = s.address_id WHERE o.code = 'EK' AND s.source_key LIKE 'S-%' ORDER BY s.source_key`,
      )
      .all() as { id: number; source_key: string; premise_id: number | null; raw: string }[];
    expect(sensors.map((s) => [s.source_key, s.premise_id])).toEqual([
      ['S-1', p.premise],
      ['S-2', null],
    ]);
    expect(sensors[0]!.raw).toBe(
      `${p.line1.toUpperCase().replace(/ /g, '  ')}., ${city}, ${p.state.toUpperCase()} ${p.zip}-0001`,
    );
    expect(r.findings.map((f) => f.message)).toContain(
      '1 sensor not matched to a premise (the indexer links them); e.g. S-2 (1 Nowhere Lane, Pembroke, NH 03275)',
    );

    const series = ws.db
      .prepare(
        `SELECT s.id FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id
         WHERE s.sensor_id = ? AND rt.name = 'Electricity kWh 15-minute'`,
      )
      .get(sensors[0]!.id) as { id: number };
    const [block] = [...readBlocks(ws.db, series.id, FROM_DAY)];
    expect(block!.day).toBe(isoToDay('2019-06-01'));
    expect(block!.values.length).toBe(96);
    expect(Array.from(block!.values.slice(0, 9))).toEqual([
      0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0,
    ]);
    expect(block!.quality[8]).toBe(QUALITY.missing);
    const s2 = ws.db
      .prepare(
        'SELECT b.vals IS NOT NULL AS ok, b.total FROM interval_block b JOIN series s ON s.id = b.series_id WHERE s.sensor_id = ?',
      )
      .get(sensors[1]!.id) as { ok: number; total: number };
    expect(s2.total).toBe(0.000125);

    // Importing more data of the same sensor updates it (no second sensor row).
    const more = await importFile(
      ws,
      'submeter',
      csvFile('ek2.csv', [
        HEADER,
        `S-1,EK,${street},${city},NH,${p.zip},2019-06-01T02:00:00-04:00,900,0.5,kWh`,
      ]),
    );
    expect(more.status).toBe('committed');
    expect(more.written.sensor).toBeUndefined();
    const [again] = [...readBlocks(ws.db, series.id, FROM_DAY)];
    expect(again!.values[8]).toBe(0.5);
    expect(again!.values[0]).toBe(0.05);
  });
});
