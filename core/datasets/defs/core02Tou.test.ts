import { afterEach, describe, expect, it } from 'vitest';
import { CORE02 } from '../../../fixtures/demo/seedPlan';
import { demoCopy } from '../../testing/demoTemplate';
import type { Workspace } from '../../workspace/workspace';
import { decimalSum, exportRows } from './testkit';

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

const SEED_PARAMS = {
  program: 'UES TOU-RES',
  usage_point: '110002',
  from: '2018-06-12T08:00',
  to: '2018-06-13T08:00',
};

describe('core-02-tou', () => {
  it('reproduces the seed table: 24 hourly readings, blocks, sums and quality', async () => {
    ws = (await demoCopy()).ws;
    const { rows, run } = await exportRows(ws, 'core-02-tou', SEED_PARAMS);
    expect(run.rowCount).toBe(24);
    expect(rows.map((r) => [r.program, r.tou_block, r.read_value, r.uom, r.quality])).toEqual(
      CORE02.readings.map((s) => ['UES TOU-RES', s.block, String(s.value), 'KWH', 'Passed Val']),
    );
    expect(rows[0]).toMatchObject({
      time_start: '2018-06-12T08:00-04:00',
      time_start_utc: String(Date.UTC(2018, 5, 12, 12) / 1000),
      tou_period: 'mid_peak',
      quality_normalized: 'valid',
      premise_id: '16002',
      usage_point_id: '110002',
      account_id: '120002',
      rate_class_id: '102',
    });
    expect(rows[16]?.time_start).toBe('2018-06-13T00:00-04:00');
    expect(rows[23]?.time_start).toBe('2018-06-13T07:00-04:00');
    const sum = (block: string) =>
      decimalSum(
        rows.filter((r) => r.tou_block === block).map((r) => r.read_value as string),
        4,
      );
    expect(sum('Mid-Peak Hourly')).toBe('5.4688');
    expect(sum('CriticalPeak')).toBe('3.5626');
    expect(sum('Off-Peak')).toBe('10.2344');
    expect(
      decimalSum(
        rows.map((r) => r.read_value as string),
        4,
      ),
    ).toBe('19.2658');
    expect(rows.filter((r) => r.tou_block === 'Mid-Peak Hourly')).toHaveLength(7);
    expect(rows.filter((r) => r.tou_block === 'CriticalPeak')).toHaveLength(5);
  });

  it('numeric quality codes on request; whole days by date', async () => {
    ws = (await demoCopy()).ws;
    const { rows } = await exportRows(ws, 'core-02-tou', {
      usage_point: '110002',
      from: '2018-06-12',
      to: '2018-06-12',
      quality: 'code',
    });
    expect(rows).toHaveLength(24);
    expect(rows.every((r) => r.quality === '9')).toBe(true);
    expect(rows[0]?.time_start).toBe('2018-06-12T00:00-04:00');
  });

  it('labels the hours of DST days by local time: 23 on 2018-03-11, 25 on 2018-11-04', async () => {
    ws = (await demoCopy()).ws;
    const spring = await exportRows(ws, 'core-02-tou', {
      usage_point: '110002',
      from: '2018-03-11',
      to: '2018-03-11',
    });
    // Enrolled from 2018-05-01: no rows in March.
    expect(spring.rows).toHaveLength(0);
    // Move the enrolment back to January: March 11 (a Sunday) is all off-peak, 23 hours.
    ws.db.exec(`UPDATE program_enrolment_change SET effective_date = '2018-01-01'`);
    const again = await exportRows(ws, 'core-02-tou', {
      usage_point: '110002',
      from: '2018-03-11',
      to: '2018-03-11',
    });
    expect(again.rows.map((r) => (r.time_start ?? '').slice(11))).toEqual([
      '00:00-05:00',
      '01:00-05:00',
      ...Array.from({ length: 21 }, (_, i) => `${String(i + 3).padStart(2, '0')}:00-04:00`),
    ]);
    expect(new Set(again.rows.map((r) => r.tou_block))).toEqual(new Set(['Off-Peak']));
    const fall = await exportRows(ws, 'core-02-tou', {
      usage_point: '110002',
      from: '2018-11-04',
      to: '2018-11-04',
    });
    expect(fall.rows).toHaveLength(25);
    expect(fall.rows.slice(1, 3).map((r) => (r.time_start ?? '').slice(11))).toEqual([
      '01:00-04:00',
      '01:00-05:00',
    ]);
  });

  it('refuses an unknown program, usage point or tariff, naming the valid ones', async () => {
    ws = (await demoCopy()).ws;
    await expect(exportRows(ws, 'core-02-tou', { program: 'NOPE' })).rejects.toThrow(
      /unknown program "NOPE" for parameter program; programs: UES:UES TOU-RES/,
    );
    await expect(exportRows(ws, 'core-02-tou', { usage_point: '999999' })).rejects.toThrow(
      /no usage point with platform UsagePointID "999999"/,
    );
    await expect(exportRows(ws, 'core-02-tou', { tariff: 'UES:NOPE' })).rejects.toThrow(
      /UES has no tariff "NOPE"/,
    );
    await expect(exportRows(ws, 'core-02-tou', { from: '2018-13-01' })).rejects.toThrow(
      /expected a local date/,
    );
  });

  it('public is refused; consultant sees only consented customers', async () => {
    ws = (await demoCopy()).ws;
    await expect(exportRows(ws, 'core-02-tou', SEED_PARAMS, 'public')).rejects.toThrow(
      /role public may not see customer_usage data/,
    );
    // The CORE-01 customer gave no consent: every reading is withheld.
    const c = await exportRows(ws, 'core-02-tou', SEED_PARAMS, 'consultant');
    expect(c.rows).toHaveLength(0);
    expect(c.run.withheldRows).toBe(24);
    // With a consent to usage data at that usage point, the 24 readings are released.
    ws.db.exec(`INSERT INTO consent (customer_id, grantee_org_id, scope, valid_from)
      SELECT a.customer_id, a.org_id, json_object('dataClasses', json_array('customer_usage')), '2018-01-01'
      FROM account a WHERE a.account_number = '108999999'`);
    const d = await exportRows(ws, 'core-02-tou', SEED_PARAMS, 'consultant');
    expect(d.rows).toHaveLength(24);
    expect(d.run.withheldRows).toBe(0);
  });
});
