import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CORE03 } from '../../../fixtures/demo/seedPlan';
import { demoCopy } from '../../testing/demoTemplate';
import { tmpDir } from '../../testing/tmp';
import { BlockWriter } from '../../metering/intervals';
import { QUALITY } from '../../metering/quality';
import { isoToDay, localDay } from '../../time/zone';
import { Workspace } from '../../workspace/workspace';
import { exportRows, scenario, type ScenarioCustomer } from './testkit';

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

const DAY = '2018-07-02'; // a Monday, 24 hours (EDT)

/** Customer i uses 1 kWh every hour and 2 kWh in hour i. */
const flat = (peakHour: number, peak = 2): number[] =>
  Array.from({ length: 24 }, (_, h) => (h === peakHour ? peak : 1));

function classScenario(extra: ScenarioCustomer[] = []): Workspace {
  const w = Workspace.create(path.join(tmpDir(), 'demand.edw'));
  scenario(w, [
    ...Array.from({ length: 16 }, (_, i) => ({ rateClass: 'R', days: { [DAY]: flat(i) } })),
    ...Array.from({ length: 3 }, () => ({ rateClass: 'G', days: { [DAY]: flat(12, 5) } })),
    ...extra,
  ]);
  return w;
}

describe('core-03-demand', () => {
  it('reproduces PremiseID 1602 "KW Daily" rows of the seed', async () => {
    ws = (await demoCopy()).ws;
    const { rows, run } = await exportRows(ws, 'core-03-demand', {
      premise: '1602',
      from: '2018-07-17',
      to: '2018-08-16',
    });
    // Every day of the window (the seed numbers its 8/16 row 24 but prints 8 of 31 rows).
    expect(run.rowCount).toBe(31);
    const byDate = new Map(rows.map((r) => [r.period, r]));
    for (const seed of CORE03.rows) {
      expect(byDate.get(seed.date)).toMatchObject({
        level: 'daily',
        premise_id: '1602',
        usage_point_id: '1002',
        meter_id: '1222',
        program: 'KW Daily',
        class: 'R',
        time_start: `${seed.date}T00:00-04:00`,
        read_value: String(seed.value),
        uom: 'KW',
        quality: '9',
        quality_normalized: 'valid',
        source: 'demand',
      });
    }
    expect(rows.every((r) => Math.abs(Number(r.read_value) - 6.85) < 0.15)).toBe(true);
  });

  it('monthly peaks are the largest daily peak of each month', async () => {
    ws = (await demoCopy()).ws;
    const params = { premise: '1602', from: '2018-07-17', to: '2018-08-16' };
    const daily = (await exportRows(ws, 'core-03-demand', params)).rows;
    const { rows } = await exportRows(ws, 'core-03-demand', { ...params, level: 'monthly' });
    const max = (m: string) =>
      Math.max(...daily.filter((r) => r.period?.startsWith(m)).map((r) => Number(r.read_value)));
    expect(rows.map((r) => [r.period, Number(r.read_value), r.time_start])).toEqual([
      ['2018-07', max('2018-07'), '2018-07-01T00:00-04:00'],
      ['2018-08', max('2018-08'), '2018-08-01T00:00-04:00'],
    ]);
  });

  it('derives daily peaks from hourly kWh where there is no demand series', async () => {
    ws = (await demoCopy()).ws;
    const hours = await exportRows(ws, 'core-02-tou', {
      usage_point: '110002',
      from: '2018-06-13',
      to: '2018-06-13',
    });
    const top = hours.rows.reduce((a, r) => (Number(r.read_value) > Number(a.read_value) ? r : a));
    const { rows } = await exportRows(ws, 'core-03-demand', {
      usage_point: '110002',
      from: '2018-06-13',
      to: '2018-06-13',
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      source: 'interval',
      read_value: top.read_value,
      peak_time: top.time_start,
      class: 'D',
      premise_id: '16002',
    });
  });

  it('rate class cells: coincident and non-coincident peaks, hand-computed; 15/15 applied', async () => {
    ws = classScenario();
    const { rows, run } = await exportRows(ws, 'core-03-demand', { level: 'rate_class_daily' });
    const pick = (r: Record<string, string>) => ({
      class: r.class,
      period: r.period,
      customers: r.customers,
      usage_points: r.usage_points,
      cp: r.coincident_peak_kw,
      cpAt: r.coincident_peak_time,
      ncp: r.non_coincident_peak_kw,
      suppressed: r.suppressed,
      reason: r.suppression_reason,
    });
    // G: 3 customers (suppressed). R: 16 customers; each hour 0-15 sums 16 + 1 = 17 kW (the
    // earliest, 00:00, is the CP); NCP = 16 × 2 kW = 32.
    expect(rows.map(pick)).toEqual([
      {
        class: 'G',
        period: DAY,
        customers: '',
        usage_points: '',
        cp: '',
        cpAt: '',
        ncp: '',
        suppressed: 'true',
        reason: 'too_few_customers',
      },
      {
        class: 'R',
        period: DAY,
        customers: '16',
        usage_points: '16',
        cp: '17',
        cpAt: `${DAY}T00:00-04:00`,
        ncp: '32',
        suppressed: 'false',
        reason: '',
      },
    ]);
    expect(run.suppressedCells).toBe(1);
    const monthly = await exportRows(ws, 'core-03-demand', { level: 'rate_class_monthly' });
    expect(monthly.rows.map((r) => [r.class, r.period, r.coincident_peak_kw])).toEqual([
      ['G', '2018-07', ''],
      ['R', '2018-07', '17'],
    ]);
    // The public may not run the dataset (its per-usage-point columns are customer usage).
    await expect(
      exportRows(ws, 'core-03-demand', { level: 'rate_class_daily' }, 'public'),
    ).rejects.toThrow(/role public may not see customer_usage data/);
  });

  it('rate class month: a move-in adds a customer, not a usage point; NCP counts the usage point once', async () => {
    const DAY2 = '2018-07-03';
    const w = Workspace.create(path.join(tmpDir(), 'movein.edw'));
    ws = w;
    const ups = scenario(
      w,
      Array.from({ length: 16 }, (_, i) => ({
        rateClass: 'R',
        days: { [DAY]: flat(i), [DAY2]: flat(i) },
      })),
    );
    // Usage point 0 changes hands on DAY2: a new customer and account, same rate class.
    const db = w.db;
    const old = db
      .prepare(
        'SELECT id, account_id, rate_class_id FROM service_agreement WHERE usage_point_id = ?',
      )
      .get(ups[0]) as { id: number; account_id: number; rate_class_id: number };
    const org = db.prepare('SELECT org_id FROM account WHERE id = ?').pluck().get(old.account_id);
    const cust = db
      .prepare(
        "INSERT INTO customer (org_id, source_key, customer_class) VALUES (?, 'NEW', 'residential')",
      )
      .run(org).lastInsertRowid;
    const acct = db
      .prepare("INSERT INTO account (org_id, account_number, customer_id) VALUES (?, 'NEW-A', ?)")
      .run(org, cust).lastInsertRowid;
    db.prepare('UPDATE service_agreement SET end_date = ? WHERE id = ?').run(DAY2, old.id);
    db.prepare(
      'INSERT INTO service_agreement (account_id, usage_point_id, rate_class_id, start_date) VALUES (?, ?, ?, ?)',
    ).run(acct, ups[0], old.rate_class_id, DAY2);
    const { rows } = await exportRows(w, 'core-03-demand', { level: 'rate_class_monthly' });
    // 16 usage points, 17 customers; each usage point's own peak is 2 kW on both days, so
    // NCP = 16 × 2 = 32 (not 34); CP: hour 0 of DAY sums 2 + 15 × 1 = 17 kW.
    expect(
      rows.map((r) => [
        r.period,
        r.customers,
        r.usage_points,
        r.non_coincident_peak_kw,
        r.coincident_peak_kw,
        r.coincident_peak_time,
      ]),
    ).toEqual([['2018-07', '17', '16', '32', '17', `${DAY}T00:00-04:00`]]);
    // Daily cells: DAY2 has the new customer in place of the old one (16 each).
    const daily = await exportRows(w, 'core-03-demand', { level: 'rate_class_daily' });
    expect(daily.rows.map((r) => [r.period, r.customers, r.usage_points])).toEqual([
      [DAY, '16', '16'],
      [DAY2, '16', '16'],
    ]);
  });

  it('a customer above 15 % of the non-coincident peak suppresses the cell', async () => {
    // A 17th customer peaking at 10 kW: NCP 32 + 10 = 42, 10 / 42 = 23.8 % > 15 %.
    ws = classScenario([{ rateClass: 'R', days: { [DAY]: flat(20, 10) } }]);
    const { rows, run } = await exportRows(ws, 'core-03-demand', {
      level: 'rate_class_daily',
      rate_class: 'UES:R',
    });
    expect(
      rows.map((r) => [r.class, r.suppressed, r.suppression_reason, r.non_coincident_peak_kw]),
    ).toEqual([['R', 'true', 'dominant_customer', '']]);
    expect(run.suppressedCells).toBe(1);
  });

  it('a customer above 15 % at the coincident hour suppresses the cell too', async () => {
    // 17th customer: 2.9 kW in every hour (its NCP 2.9 of 34.9 = 8.3 %) — but at the CP hour
    // (00:00, 17 + 2.9 = 19.9) customer 0 has 2 kW (10 %) and it has 2.9 (14.6 %): released.
    ws = classScenario([{ rateClass: 'R', days: { [DAY]: Array(24).fill(2.9) } }]);
    const ok = await exportRows(ws, 'core-03-demand', {
      level: 'rate_class_daily',
      rate_class: 'R',
    });
    expect(
      ok.rows.map((r) => [r.coincident_peak_kw, r.non_coincident_peak_kw, r.suppressed]),
    ).toEqual([['19.9', '34.9', 'false']]);
    ws.close();
    // 3.1 kW: NCP share 3.1 / 35.1 = 8.8 %, CP share 3.1 / 20.1 = 15.4 % → dominant.
    ws = classScenario([{ rateClass: 'R', days: { [DAY]: Array(24).fill(3.1) } }]);
    const bad = await exportRows(ws, 'core-03-demand', {
      level: 'rate_class_daily',
      rate_class: 'R',
    });
    expect(bad.rows.map((r) => [r.suppressed, r.suppression_reason])).toEqual([
      ['true', 'dominant_customer'],
    ]);
  });

  it('usage point peaks skip missing and failed hours; a month keeps its earliest largest day', async () => {
    const w = Workspace.create(path.join(tmpDir(), 'peaks.edw'));
    ws = w;
    const [up] = scenario(w, [{ rateClass: 'R', days: { '2018-07-01': flat(0) } }]);
    const series = w.db.prepare('SELECT id FROM series WHERE usage_point_id = ?').pluck().get(up);
    const { valid, estimated, missing, failed } = QUALITY;
    const writer = new BlockWriter(w.db, 'replace');
    const put = (iso: string, values: number[], quality?: number[]) => {
      const day = isoToDay(iso);
      const { start } = localDay(day, 'America/New_York');
      writer.put({ seriesId: series as number, day, start, seconds: 3600, values, quality });
    };
    const hours = (set: Record<number, number>) =>
      Array.from({ length: 24 }, (_, h) => set[h] ?? 1);
    const q = (set: Record<number, number>) =>
      Array.from({ length: 24 }, (_, h) => set[h] ?? valid);
    // 7/1: 2 kWh at 00:00. 7/2: 9 (missing) and 5 (failed) do not count; 4 kWh at 10:00
    // (estimated) and 11:00: the first. 7/3: every hour missing, no row. 7/4: 4 kWh at 20:00.
    put(
      '2018-07-02',
      hours({ 3: 5, 5: 9, 10: 4, 11: 4 }),
      q({ 3: failed, 5: missing, 10: estimated }),
    );
    put(
      '2018-07-03',
      hours({}),
      q(Object.fromEntries(Array.from({ length: 24 }, (_, h) => [h, missing]))),
    );
    put('2018-07-04', hours({ 20: 4 }));
    put('2018-08-01', hours({ 0: 3 }));
    const pick = (r: Record<string, string>) => [
      r.period,
      r.read_value,
      r.peak_time,
      r.quality_normalized,
    ];
    const daily = await exportRows(w, 'core-03-demand', { level: 'daily' });
    expect(daily.rows.map(pick)).toEqual([
      ['2018-07-01', '2', '2018-07-01T00:00-04:00', 'valid'],
      ['2018-07-02', '4', '2018-07-02T10:00-04:00', 'estimated'],
      ['2018-07-04', '4', '2018-07-04T20:00-04:00', 'valid'],
      ['2018-08-01', '3', '2018-08-01T00:00-04:00', 'valid'],
    ]);
    const months = [
      ['2018-07', '4', '2018-07-02T10:00-04:00', 'estimated'],
      ['2018-08', '3', '2018-08-01T00:00-04:00', 'valid'],
    ];
    // Without a per-day filter the months come from SQL; with rate_class day by day.
    const monthly = await exportRows(w, 'core-03-demand', { level: 'monthly' });
    expect(monthly.rows.map(pick)).toEqual(months);
    const byDay = await exportRows(w, 'core-03-demand', { level: 'monthly', rate_class: 'R' });
    expect(byDay.rows.map(pick)).toEqual(months);
    const from = await exportRows(w, 'core-03-demand', { level: 'monthly', from: '2018-07-03' });
    expect(from.rows.map(pick)).toEqual([
      ['2018-07', '4', '2018-07-04T20:00-04:00', 'valid'],
      months[1],
    ]);
  });

  it('refuses unknown rate classes and reversed date ranges', async () => {
    ws = classScenario();
    await expect(exportRows(ws, 'core-03-demand', { rate_class: 'X' })).rejects.toThrow(
      /unknown rate class "X"; rate classes: UES:G, UES:R/,
    );
    await expect(
      exportRows(ws, 'core-03-demand', { from: '2018-07-03', to: '2018-07-02' }),
    ).rejects.toThrow(/to \(2018-07-02\) is before from \(2018-07-03\)/);
  });
});
