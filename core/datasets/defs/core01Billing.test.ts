// core-01-billing on the demo's CORE-01 bill: one row per line with billed, recomputed,
// difference and explanation, a total row, the account number as PII.
import { afterEach, describe, expect, it } from 'vitest';
import { demoCopy } from '../../testing/demoTemplate';
import type { Workspace } from '../../workspace/workspace';
import { exportRows } from './testkit';

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

describe('core-01-billing', () => {
  it('gives every line of the seed bill billed vs recomputed, explained', async () => {
    ws = (await demoCopy()).ws;
    const { run, rows } = await exportRows(ws, 'core-01-billing', { account: '108999999' });
    expect(run.rowCount).toBe(7);
    expect(
      rows.map((r) => [
        r.line_no,
        r.charge_code,
        r.quantity,
        r.rate,
        r.billed,
        r.recomputed,
        r.difference,
        r.cause,
      ]),
    ).toEqual([
      ['1', 'customer_charge', '1', '16.12', '16.12', '16.12', '0.00', 'match'],
      ['2', 'delivery', '609', '0.06175', '37.60', '37.61', '-0.01', 'proration'],
      ['3', 'stranded_cost', '609', '-0.00080', '-0.49', '-0.49', '0.00', 'match'],
      ['4', 'system_benefits', '609', '0.00456', '2.77', '2.78', '-0.01', 'proration'],
      ['5', 'consumption_tax', '609', '0.00055', '0.34', '0.33', '0.01', 'proration'],
      ['6', 'energy_service', '609', '0.08238', '50.17', '50.17', '0.00', 'match'],
      ['', '', '', '', '106.51', '106.52', '-0.01', 'PASS'],
    ]);
    const r0 = rows[0] as Record<string, string>;
    expect([r0.org, r0.account, r0.tariff, r0.period_from, r0.period_to, r0.unit]).toEqual([
      'UES',
      '108999999',
      'D',
      '2018-07-17',
      '2018-08-16',
      'bill',
    ]);
    expect(r0.premise).not.toBe('');
    expect(rows[1]?.explanation).toContain('288 kWh × 0.06175 = 17.784 → 17.78');
    expect(rows[6]?.charge).toBe('Total');
    expect(rows[6]?.explanation).toMatch(/^PASS at tolerance 0.01/);
  });

  it('redacts the account number for roles without consent, refuses the public', async () => {
    ws = (await demoCopy()).ws;
    const { run, rows } = await exportRows(ws, 'core-01-billing', {}, 'analyst');
    expect(rows.every((r) => r.account === '[redacted]')).toBe(true);
    expect(run.redactedCells).toBe(rows.length);
    await expect(exportRows(ws, 'core-01-billing', {}, 'public')).rejects.toThrow(
      /role public may not see customer_usage data/,
    );
  });

  it('keeps the billed lines of a bill it cannot recompute, with the reason', async () => {
    ws = (await demoCopy()).ws;
    // Move the bill to a period without meter data or tariff version.
    ws.db.exec(`UPDATE bill SET period_from = '2016-01-01', period_to = '2016-02-01'`);
    const { rows } = await exportRows(ws, 'core-01-billing', { tolerance: '0.05' });
    expect(rows).toHaveLength(7);
    expect(rows[1]?.billed).toBe('37.60');
    expect(rows[1]?.recomputed).toBe('');
    expect(rows[1]?.cause).toBe('not_recomputed');
    expect(rows[1]?.explanation).toMatch(/^not recomputed: /);
    await expect(exportRows(ws, 'core-01-billing', { tolerance: 'abc' })).rejects.toThrow(
      /tolerance "abc" is not an amount of dollars/,
    );
  });
});
