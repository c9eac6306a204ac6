import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runIndex } from '../../indexer/run';
import { demoCopy } from '../../testing/demoTemplate';
import { tmpDir } from '../../testing/tmp';
import { Workspace } from '../../workspace/workspace';
import { energyConversion } from '../energyUnits';
import { exportRows, scenario } from './testkit';

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

const JULY = { '2018-07-02': Array(24).fill(0.5), '2018-07-03': Array(24).fill(0.5) };

function threeFuels(): Workspace {
  const w = Workspace.create(path.join(tmpDir(), 'fuels.edw'));
  scenario(w, [
    { org: 'UES', rateClass: 'D', premiseId: 'P-9', days: JULY },
    {
      org: 'LIBERTY',
      rateClass: 'R-3',
      commodity: 'gas',
      readingType: 'Gas CCF daily',
      premiseId: 'P-9',
      days: { '2018-07-02': [2.5], '2018-07-03': [3] },
    },
    {
      org: 'PWW',
      rateClass: 'W',
      commodity: 'water',
      readingType: 'Water gallons daily',
      premiseId: 'P-9',
      days: { '2018-07-02': [120], '2018-07-03': [80] },
    },
  ]);
  return w;
}

const pick = (r: Record<string, string>) => [
  r.premise_id,
  r.fuel,
  r.org,
  r.period,
  r.quantity,
  r.unit,
  r.kwh,
  r.mmbtu,
];

describe('core-05-multi-fuel', () => {
  it('electric, gas and water of one PremiseID in native units, kWh and MMBtu (hand-computed)', async () => {
    ws = threeFuels();
    const { rows } = await exportRows(ws, 'core-05-multi-fuel', { premise: 'P-9' });
    // Electricity 48 h × 0.5 = 24 kWh = 24 / 293.071 MMBtu; gas 5.5 CCF = 550 ft³ × 1037 Btu =
    // 0.57035 MMBtu = 167.153045 kWh; water 200 gal (no energy value).
    expect(rows.map(pick)).toEqual([
      ['P-9', 'gas', 'LIBERTY', '2018-07', '5.5', 'CCF', '167.153045', '0.57035'],
      ['P-9', 'water', 'PWW', '2018-07', '200', 'gal', '', ''],
      ['P-9', 'electricity', 'UES', '2018-07', '24', 'kWh', '24', '0.081891'],
      ['P-9', 'all', '', '2018-07', '', '', '191.153045', '0.652241'],
    ]);
    expect(rows[0]?.conversion).toBe('CCF gas = 100 ft³ × 1037 Btu/ft³; MMBtu × 293.071 kWh');
    expect(rows[1]?.conversion).toBe('not energy');
    expect(rows[2]?.readings).toBe('48');
  });

  it('per day, with another heat content, and without totals', async () => {
    ws = threeFuels();
    const { rows } = await exportRows(ws, 'core-05-multi-fuel', {
      premise: 'P-9',
      granularity: 'day',
      from: '2018-07-03',
      gas_btu_per_cf: '1000',
      totals: 'false',
    });
    // 3 CCF × 100 ft³ × 1000 Btu = 0.3 MMBtu = 87.9213 kWh.
    expect(rows.map(pick)).toEqual([
      ['P-9', 'gas', 'LIBERTY', '2018-07-03', '3', 'CCF', '87.9213', '0.3'],
      ['P-9', 'water', 'PWW', '2018-07-03', '80', 'gal', '', ''],
      ['P-9', 'electricity', 'UES', '2018-07-03', '12', 'kWh', '12', '0.040946'],
    ]);
    const total = await exportRows(ws, 'core-05-multi-fuel', {
      premise: 'P-9',
      granularity: 'total',
      org: 'LIBERTY',
    });
    expect(total.rows.map(pick)).toEqual([
      ['P-9', 'gas', 'LIBERTY', '../..', '5.5', 'CCF', '167.153045', '0.57035'],
      ['P-9', 'all', '', '../..', '', '', '167.153045', '0.57035'],
    ]);
  });

  it('on the demo after indexing: UES electric and Liberty gas of PremiseID 16002', async () => {
    const c = await demoCopy();
    ws = c.ws;
    await runIndex(ws);
    const { rows } = await exportRows(ws, 'core-05-multi-fuel', {
      premise: '16002',
      granularity: 'day',
      from: '2018-01-01',
      to: '2018-01-03',
    });
    expect(rows.map((r) => [r.fuel, r.org, r.period, r.unit])).toEqual([
      ['gas', 'LIBERTY', '2018-01-01', 'therm'],
      ['gas', 'LIBERTY', '2018-01-02', 'therm'],
      ['gas', 'LIBERTY', '2018-01-03', 'therm'],
      ['electricity', 'UES', '2018-01-01', 'kWh'],
      ['electricity', 'UES', '2018-01-02', 'kWh'],
      ['electricity', 'UES', '2018-01-03', 'kWh'],
      ['all', '', '2018-01-01', ''],
      ['all', '', '2018-01-02', ''],
      ['all', '', '2018-01-03', ''],
    ]);
    // The electric day equals the sum of the interval_reading view (SQL decoding of the blocks).
    const view = ws.db
      .prepare(
        `SELECT round(sum(r.value), 9) FROM interval_reading r JOIN series s ON s.id = r.series_id
         JOIN reading_type rt ON rt.id = s.reading_type_id JOIN platform_link l
           ON l.kind = 'UsagePointID' AND l.source_table = 'usage_point' AND l.source_id = r.usage_point_id
         WHERE l.platform_id = '110002' AND rt.name = 'Electricity kWh hourly' AND r.day = ?`,
      )
      .pluck();
    const day0 = Math.floor(Date.UTC(2018, 0, 1) / 86_400_000);
    for (const [i, r] of rows.slice(3, 6).entries()) {
      expect(Number(r.quantity)).toBeCloseTo(view.get(day0 + i) as number, 9);
      expect(r.kwh).toBe(r.quantity);
    }
    for (const r of rows.slice(0, 3)) {
      const therms = Number(r.quantity);
      expect(Number(r.kwh)).toBeCloseTo(therms * 29.3071, 6);
      expect(Number(r.mmbtu)).toBeCloseTo(therms / 10, 6);
    }
    const all = rows[6] as Record<string, string>;
    expect(Number(all.kwh)).toBeCloseTo(Number(rows[0]?.kwh) + Number(rows[3]?.kwh), 5);
    expect(all.premise_id).toBe('16002');
  });

  it('conversion factors: electric units, therm, MMBtu, gas volumes; water is not energy', () => {
    expect(energyConversion('Wh', 'electricity')).toMatchObject({ kwhPerUnit: 0.001 });
    // 1000 kWh ÷ 293.071 kWh/MMBtu (3,412.14 Btu per kWh).
    expect(energyConversion('MWh', 'electricity')?.mmbtuPerUnit).toBeCloseTo(3.412142, 6);
    expect(energyConversion('therm', 'gas')).toMatchObject({
      kwhPerUnit: 29.3071,
      mmbtuPerUnit: 0.1,
    });
    expect(energyConversion('MMBtu', 'gas')).toMatchObject({
      kwhPerUnit: 293.071,
      mmbtuPerUnit: 1,
    });
    expect(energyConversion('MCF', 'gas')?.mmbtuPerUnit).toBeCloseTo(1.037, 12);
    expect(energyConversion('ft3', 'gas', 1000)?.mmbtuPerUnit).toBeCloseTo(0.001, 12);
    expect(energyConversion('m3', 'gas')?.mmbtuPerUnit).toBeCloseTo(0.036621, 6);
    expect(energyConversion('gal', 'water')).toBeNull();
    expect(energyConversion('CCF', 'water')).toBeNull();
    expect(energyConversion('kW', 'electricity')).toBeNull();
  });

  it('refuses an unknown premise and a reversed range', async () => {
    ws = threeFuels();
    await expect(exportRows(ws, 'core-05-multi-fuel', { premise: 'P-404' })).rejects.toThrow(
      /no premise with platform PremiseID "P-404"/,
    );
    await expect(
      exportRows(ws, 'core-05-multi-fuel', { from: '2018-07-03', to: '2018-07-01' }),
    ).rejects.toThrow(/before from/);
    await expect(exportRows(ws, 'core-05-multi-fuel', { gas_btu_per_cf: '-3' })).rejects.toThrow(
      /gas_btu_per_cf/,
    );
  });
});
