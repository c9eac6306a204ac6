import { afterEach, describe, expect, it } from 'vitest';
import { demoCopy } from '../../testing/demoTemplate';
import type { Workspace } from '../../workspace/workspace';
import { decimalSum, exportRows } from './testkit';

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

const count = (w: Workspace, org: string) =>
  w.db
    .prepare(
      `SELECT count(*) FROM service_agreement sa JOIN usage_point u ON u.id = sa.usage_point_id
       JOIN organization o ON o.id = u.org_id WHERE o.code = ?`,
    )
    .pluck()
    .get(org) as number;

describe('core-04-multi-utility', () => {
  it('UES (NH) and Fitchburg (MA) side by side with the seed platform IDs', async () => {
    ws = (await demoCopy()).ws;
    const { rows, run } = await exportRows(
      ws,
      'core-04-multi-utility',
      { tenant: 'UES,FGE' },
      'oca',
    );
    expect(new Set(rows.map((r) => r.tenant))).toEqual(new Set(['FGE', 'UES']));
    expect(run.rowCount).toBe(count(ws, 'UES') + count(ws, 'FGE'));
    // Tenants in code order: FGE first.
    expect(rows[0]?.tenant).toBe('FGE');
    const ues = rows.find((r) => r.usage_point_id === '110002');
    expect(ues).toMatchObject({
      utility: 'Unitil Energy Systems',
      tenant: 'UES',
      state: 'NH',
      account_id: '120002',
      commodity: 'electricity',
      rate_class: 'D',
      // No consent from the CORE-01 customer: oca sees PII redacted.
      account_number: '[redacted]',
      meter_address: '[redacted]',
    });
    const fge = rows.find((r) => r.usage_point_id === '110004');
    expect(fge).toMatchObject({
      utility: 'Unitil (Fitchburg Gas and Electric)',
      tenant: 'FGE',
      state: 'MA',
      account_id: '12003',
    });
    expect(rows.filter((r) => r.state === 'MA').every((r) => r.tenant === 'FGE')).toBe(true);
  });

  it('utility staff see one tenant: all its agreements, no other tenant’s row', async () => {
    ws = (await demoCopy()).ws;
    const { rows } = await exportRows(ws, 'core-04-multi-utility', { tenant: 'ues' });
    expect(rows).toHaveLength(count(ws, 'UES'));
    expect(rows.every((r) => r.tenant === 'UES' && r.state === 'NH')).toBe(true);
    const core01 = rows.find((r) => r.usage_point_id === '110002');
    expect(core01?.account_number).toBe('108999999');
    expect(core01?.meter_address).toBe('74 N Sing Street, Concord, NH 03301');
    await expect(
      exportRows(ws, 'core-04-multi-utility', { tenant: 'UES,FGE' }, 'utility-staff'),
    ).rejects.toThrow(/role utility-staff sees one tenant's data at a time/);
  });

  it('usage of the period equals the hourly readings of those days', async () => {
    ws = (await demoCopy()).ws;
    const { rows } = await exportRows(ws, 'core-04-multi-utility', {
      tenant: 'UES',
      from: '2018-06',
      to: '2018-06',
    });
    const core01 = rows.find((r) => r.usage_point_id === '110002');
    const hours = await exportRows(ws, 'core-02-tou', {
      usage_point: '110002',
      from: '2018-06-01',
      to: '2018-06-30',
    });
    expect(hours.rows).toHaveLength(48);
    expect(core01).toMatchObject({
      usage_unit: 'kWh',
      readings: '48',
      first_day: '2018-06-12',
      last_day: '2018-06-13',
    });
    expect(Number(core01?.usage).toFixed(4)).toBe(
      decimalSum(
        hours.rows.map((r) => r.read_value as string),
        4,
      ),
    );
  });

  it('refuses missing, unknown and non-utility tenants, naming the valid ones', async () => {
    ws = (await demoCopy()).ws;
    await expect(exportRows(ws, 'core-04-multi-utility', {})).rejects.toThrow(
      /core-04-multi-utility needs tenant=<utility codes, comma-separated>; utilities: FGE, GSEC, LIBERTY, PSNH, UES/,
    );
    await expect(exportRows(ws, 'core-04-multi-utility', { tenant: 'UES,NOPE' })).rejects.toThrow(
      /unknown organization "NOPE" for parameter tenant; organizations: EK, FGE, GSEC/,
    );
    await expect(
      exportRows(ws, 'core-04-multi-utility', { tenant: 'PEMBROKE-CCA' }),
    ).rejects.toThrow(
      /PEMBROKE-CCA is a cca, not a utility tenant; utilities: FGE, GSEC, LIBERTY, PSNH, UES/,
    );
    await expect(
      exportRows(ws, 'core-04-multi-utility', { tenant: 'UES', state: 'MA' }),
    ).rejects.toThrow(/none of the tenants \(UES\) is in MA/);
  });
});
