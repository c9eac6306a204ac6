import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoCopy } from '../../testing/demoTemplate';
import { tmpDir } from '../../testing/tmp';
import { Workspace } from '../../workspace/workspace';
import { exportRows, scenario, type ScenarioCustomer } from './testkit';

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

const hourly = (kwh: number) => ({
  '2018-07-02': Array(24).fill(kwh),
  '2018-07-03': Array(24).fill(kwh),
});

function town(extra: ScenarioCustomer[] = []): Workspace {
  const w = Workspace.create(path.join(tmpDir(), 'community.edw'));
  scenario(w, [
    // Pembroke: 16 residential customers, 48 kWh each in July.
    ...Array.from({ length: 16 }, () => ({ rateClass: 'D', days: hourly(1) })),
    // 3 commercial customers: too few.
    ...Array.from({ length: 3 }, () => ({
      rateClass: 'G',
      customerClass: 'commercial',
      days: hourly(4),
    })),
    // Concord: exactly 15 gas customers, 2 CCF a day on two days.
    ...Array.from({ length: 15 }, () => ({
      org: 'LIBERTY',
      rateClass: 'R-3',
      commodity: 'gas' as const,
      readingType: 'Gas CCF daily',
      town: 'Concord',
      days: { '2018-07-02': [2], '2018-07-03': [2] },
    })),
    // 2 water customers in Concord.
    ...Array.from({ length: 2 }, () => ({
      org: 'CWD',
      rateClass: 'W',
      commodity: 'water' as const,
      readingType: 'Water gallons daily',
      town: 'Concord',
      days: { '2018-07-02': [100], '2018-08-01': [50] },
    })),
    ...extra,
  ]);
  return w;
}

const pick = (r: Record<string, string>) => [
  r.town,
  r.month,
  r.customer_class,
  r.fuel,
  r.customers,
  r.quantity,
  r.unit,
  r.kwh,
  r.mmbtu,
  r.suppressed,
  r.suppression_reason,
];

describe('t-04-community', () => {
  it('town × month × class × fuel totals, hand-computed, with the 15/15 rule', async () => {
    ws = town();
    const { rows, run } = await exportRows(ws, 't-04-community', {}, 'public');
    // Concord gas: 15 × 4 CCF = 6000 ft³ × 1037 Btu = 6.222 MMBtu = 62.22 therm = 1823.487762 kWh.
    // Pembroke residential: 16 × 48 kWh = 768 kWh = 768 ÷ 293.071 = 2.620525 MMBtu.
    expect(rows.map(pick)).toEqual([
      [
        'Concord',
        '2018-07',
        'residential',
        'gas',
        '15',
        '62.22',
        'therm',
        '1823.487762',
        '6.222',
        'false',
        '',
      ],
      [
        'Concord',
        '2018-07',
        'residential',
        'water',
        '',
        '',
        'gal',
        '',
        '',
        'true',
        'too_few_customers',
      ],
      [
        'Concord',
        '2018-08',
        'residential',
        'water',
        '',
        '',
        'gal',
        '',
        '',
        'true',
        'too_few_customers',
      ],
      [
        'Pembroke',
        '2018-07',
        'commercial',
        'electricity',
        '',
        '',
        'kWh',
        '',
        '',
        'true',
        'too_few_customers',
      ],
      [
        'Pembroke',
        '2018-07',
        'residential',
        'electricity',
        '16',
        '768',
        'kWh',
        '768',
        '2.620525',
        'false',
        '',
      ],
    ]);
    expect(run.suppressedCells).toBe(3);
  });

  it('a dominant customer suppresses the cell; filters by town, fuel and month', async () => {
    // A 17th Pembroke household using 10 kWh an hour: 480 of 1248 kWh = 38 % > 15 %.
    ws = town([{ rateClass: 'D', days: hourly(10) }]);
    const { rows } = await exportRows(ws, 't-04-community', {
      town: 'pembroke',
      fuel: 'electricity',
      from: '2018-07',
      to: '2018-07',
    });
    expect(rows.map((r) => [r.customer_class, r.suppressed, r.suppression_reason])).toEqual([
      ['commercial', 'true', 'too_few_customers'],
      ['residential', 'true', 'dominant_customer'],
    ]);
    await expect(exportRows(ws, 't-04-community', { fuel: 'steam!' })).rejects.toThrow(
      /unknown fuel "steam!"; fuels: electricity, gas, oil, propane, steam, water/,
    );
  });

  it('on the demo: every released cell has ≥ 15 customers, suppressed cells are empty and counted', async () => {
    ws = (await demoCopy()).ws;
    const { rows, run } = await exportRows(ws, 't-04-community', {}, 'public');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      if (r.suppressed === 'true') expect([r.customers, r.quantity, r.kwh]).toEqual(['', '', '']);
      else expect(Number(r.customers)).toBeGreaterThanOrEqual(15);
    }
    expect(run.suppressedCells).toBe(rows.filter((r) => r.suppressed === 'true').length);
    expect(new Set(rows.map((r) => r.town))).toContain('Pembroke');
  });
});
