// The rate-design comparison on hand-made customers with hand-computed bills, its statistics
// (percent, mean, median, histogram bins) and its privacy rules per role.
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { BlockWriter, ensureSeries } from '../metering/intervals';
import { isoToDay, localDay } from '../time/zone';
import type { Workspace } from '../workspace/workspace';
import { Workbench } from '../api/server';
import {
  binOf,
  binWidthCents,
  compareRates,
  meanMicros,
  medianMicros,
  niceCents,
  percentChange,
} from './compare';
import { bareWorkspace, insertTariff, ZONE } from './testkit';

let open: Workspace | null = null;
afterEach(() => {
  open?.close();
  open = null;
});

// FLAT: 10.00 a bill + 0.10/kWh + a 0.00456/kWh rider.
// TOU:  10.00 a bill + 0.25/kWh weekdays 14:00-20:00, 0.05/kWh other hours and weekends + rider.
function tariffs(db: Database, orgId: number): void {
  insertTariff(db, orgId, 'FLAT', [
    {
      from: '2018-01-01',
      components: [
        { code: 'customer_charge', kind: 'fixed_bill', rate: '10.00' },
        { code: 'energy', kind: 'energy', rate: '0.10' },
        { code: 'sbc', kind: 'rider', rate: '0.00456' },
      ],
    },
  ]);
  insertTariff(db, orgId, 'TOU', [
    {
      from: '2018-01-01',
      periods: ['peak', 'off'],
      schedule: [
        ['1-12', 'weekday', 0, 14, 'off'],
        ['1-12', 'weekday', 14, 20, 'peak'],
        ['1-12', 'weekday', 20, 24, 'off'],
        ['1-12', 'weekend', 0, 24, 'off'],
      ],
      components: [
        { code: 'customer_charge', kind: 'fixed_bill', rate: '10.00' },
        { code: 'energy_peak', kind: 'energy', rate: '0.25', period: 'peak' },
        { code: 'energy_off', kind: 'energy', rate: '0.05', period: 'off' },
        { code: 'sbc', kind: 'rider', rate: '0.00456' },
      ],
    },
  ]);
  db.prepare(
    `INSERT INTO rate_class (id, org_id, code, name, commodity) VALUES (1, ?, 'D', 'Residential', 'electricity')`,
  ).run(orgId);
  db.prepare(`UPDATE tariff SET rate_class_id = 1`).run();
}

interface Spec {
  account: string;
  /** kWh of a peak hour and of an off-peak hour. */
  peak: number;
  off: number;
  start?: string;
  /** Days of [2018-07-02, 2018-07-04) without data. */
  skipDays?: number[];
}

let nextId = 1;
function customer(db: Database, orgId: number, s: Spec): number {
  const id = nextId++;
  db.prepare(`INSERT INTO customer (id, org_id, source_key) VALUES (?, ?, ?)`).run(
    id,
    orgId,
    `C${id}`,
  );
  db.prepare(
    `INSERT INTO account (id, org_id, account_number, customer_id) VALUES (?, ?, ?, ?)`,
  ).run(id, orgId, s.account, id);
  db.prepare(
    `INSERT INTO usage_point (id, org_id, source_key, commodity) VALUES (?, ?, ?, 'electricity')`,
  ).run(id, orgId, `UP-${s.account}`);
  db.prepare(
    `INSERT INTO service_agreement (account_id, usage_point_id, rate_class_id, tariff_id, start_date)
     VALUES (?, ?, 1, (SELECT id FROM tariff WHERE code = 'FLAT'), ?)`,
  ).run(id, id, s.start ?? '2017-01-01');
  const rt = (
    db.prepare("SELECT id FROM reading_type WHERE name = 'Electricity kWh hourly'").get() as {
      id: number;
    }
  ).id;
  const sid = ensureSeries(db, { usagePointId: id, readingTypeId: rt });
  const w = new BlockWriter(db);
  const from = isoToDay('2018-07-02');
  for (let i = 0; i < 2; i++) {
    if (s.skipDays?.includes(i)) continue;
    const d = localDay(from + i, ZONE);
    const n = d.seconds / 3600;
    w.put({
      seriesId: sid,
      day: from + i,
      start: d.start,
      seconds: 3600,
      values: Array.from({ length: n }, (_, h) => (h >= 14 && h < 20 ? s.peak : s.off)),
    });
  }
  return id;
}

const REQ = { org: 'TST', tariffB: 'TOU', from: '2018-07-02', to: '2018-07-04' };

function population(extra: Spec[] = []): { db: Database; orgId: number } {
  const { ws, db, orgId } = bareWorkspace();
  open = ws;
  nextId = 1;
  tariffs(db, orgId);
  // 2018-07-02 (Mon) and 07-03 (Tue): 6 peak hours a day, 18 off-peak.
  customer(db, orgId, { account: 'A-1', peak: 1, off: 1 }); // 48 kWh, 12 peak
  customer(db, orgId, { account: 'A-2', peak: 2, off: 0.5 }); // 42 kWh, 24 peak
  customer(db, orgId, { account: 'A-3', peak: 0, off: 1.5 }); // 54 kWh, 0 peak
  customer(db, orgId, { account: 'A-4', peak: 1, off: 1, skipDays: [1] });
  customer(db, orgId, { account: 'A-5', peak: 1, off: 1, start: '2018-07-03' });
  for (const s of extra) customer(db, orgId, s);
  return { db, orgId };
}

describe('bill.compare on hand-computed bills', () => {
  it('bills each customer on both tariffs exactly', async () => {
    const { db } = population();
    const r = await compareRates(db, REQ, { role: 'utility-staff' });
    expect(r.rateClass).toBe('D');
    expect(r.candidates).toBe(5);
    expect(r.billed).toBe(3);
    expect(r.excluded).toEqual(
      expect.arrayContaining([
        { reason: 'interval data missing on some days of the period', count: 1 },
        {
          reason: 'service agreement does not cover the whole period (move in or out)',
          count: 1,
        },
      ]),
    );
    // FLAT 10 + 48 × 0.10 + 48 × 0.00456 (0.21888 → 0.22) = 15.02;
    //      TOU  10 + 12 × 0.25 + 36 × 0.05 + 0.22 = 15.02.
    // FLAT 10 + 4.20 + 42 × 0.00456 (0.19152 → 0.19) = 14.39;
    //      TOU  10 + 24 × 0.25 + 18 × 0.05 + 0.19 = 17.09; +2.70 = +18.76 % of 14.39.
    // FLAT 10 + 5.40 + 54 × 0.00456 (0.24624 → 0.25) = 15.65;
    //      TOU  10 + 0 + 54 × 0.05 + 0.25 = 12.95; −2.70 = −17.25 % of 15.65.
    expect(
      r.customers.map((c) => [c.account, c.usage, c.billA, c.billB, c.difference, c.percentChange]),
    ).toEqual([
      ['A-1', '48', '15.02', '15.02', '0.00', 0],
      ['A-2', '42', '14.39', '17.09', '2.70', 18.76],
      ['A-3', '54', '15.65', '12.95', '-2.70', -17.25],
    ]);
    expect(r.customers[1]?.billBMicros).toBe(17_090_000);
    const s = r.summary;
    expect([s.customers, s.winners, s.losers, s.unchanged]).toEqual([3, 1, 1, 1]);
    expect([s.totalA, s.totalB, s.meanChange, s.medianChange, s.totalPercent]).toEqual([
      '45.06',
      '45.06',
      '0.00',
      '0.00',
      0,
    ]);
    // Mean of the percents (0 + 18.76 − 17.25) / 3 = 0.5033… → 0.50.
    expect(s.meanPercent).toBe(0.5);
    expect([s.minChange, s.maxChange]).toEqual(['-2.70', '2.70']);
    // Changes −270, 0, 270 cents: IQR 270, FD 2·270·3^(−1/3) = 374 → kept ≤ range/8 = 67.5
    // → $1 bins from [−3, −2) to [2, 3).
    expect(r.histogram.binWidth).toBe('1.00');
    expect(r.histogram.bins.map((b) => [b.from, b.customers])).toEqual([
      ['-3.00', 1],
      ['-2.00', 0],
      ['-1.00', 0],
      ['0.00', 1],
      ['1.00', 0],
      ['2.00', 1],
    ]);
  });

  it('bills tariff A as named instead of each agreement’s tariff', async () => {
    const { db } = population();
    const r = await compareRates(
      db,
      { ...REQ, tariffA: 'TOU', rateClass: 'D' },
      {
        role: 'utility-staff',
      },
    );
    expect(r.customers.every((c) => c.differenceMicros === 0)).toBe(true);
    expect(r.summary.unchanged).toBe(3);
  });

  it('redacts account numbers and withholds rows per role', async () => {
    const { db } = population();
    const analyst = await compareRates(db, REQ, { role: 'analyst' });
    expect(analyst.rows).toBe('all');
    expect(analyst.customers.map((c) => c.account)).toEqual([
      '[redacted]',
      '[redacted]',
      '[redacted]',
    ]);
    expect(analyst.redactedCells).toBe(3);
    // Analysts see every row and every aggregate (no 15/15 for a role that sees the rows).
    expect(analyst.summary.customers).toBe(3);

    // A-2's customer consents to pii and customer_usage.
    db.prepare(
      `INSERT INTO consent (customer_id, grantee_org_id, scope, valid_from) VALUES (2, 1, ?, '2018-01-01')`,
    ).run(JSON.stringify({ dataClasses: ['pii', 'customer_usage'] }));
    const a2 = await compareRates(db, REQ, { role: 'analyst' });
    expect(a2.customers.map((c) => c.account)).toEqual(['[redacted]', 'A-2', '[redacted]']);
    const consultant = await compareRates(db, REQ, { role: 'consultant' });
    expect(consultant.rows).toBe('consented');
    expect(consultant.customers.map((c) => c.account)).toEqual(['A-2']);
    expect(consultant.withheldRows).toBe(2);
    // 3 customers < 15: every aggregate is withheld from roles that do not see all rows.
    expect(consultant.summary.suppressed).toBe(true);
    expect(consultant.summary.customers).toBeNull();
    expect(consultant.histogram.bins).toEqual([]);

    const pub = await compareRates(db, REQ, { role: 'public' });
    expect(pub.rows).toBe('none');
    expect(pub.customers).toEqual([]);
    expect(pub.withheldRows).toBe(3);
    expect(pub.summary.meanChange).toBeNull();
  });

  it('applies the 15/15 rule to the aggregates shown to the public', async () => {
    // 20 more customers like A-1 (unchanged, 48 kWh each): 23 customers, no one above 15 %.
    const extra = Array.from({ length: 20 }, (_, i) => ({
      account: `B-${i}`,
      peak: 1,
      off: 1,
    }));
    const { db } = population(extra);
    const r = await compareRates(db, REQ, { role: 'public' });
    expect(r.summary.suppressed).toBe(false);
    expect(r.summary.customers).toBe(23);
    expect(r.summary.unchanged).toBe(21);
    // One winner and one loser: cells of 1 customer are suppressed (two of them, so no
    // complement is needed: their sum 2 is known, not each).
    expect([r.summary.winners, r.summary.losers]).toEqual([null, null]);
    expect([r.summary.minChange, r.summary.maxChange]).toEqual([null, null]);
    // $1 bins [−3, −2) … [2, 3) hold A-3 | 0 | 0 | 21 unchanged | 0 | A-2. The low tail merges
    // inward until it passes (A-3 + 21 unchanged in [−3, 1)); the high tail [2, 3) and then
    // [1, 3) hold A-2 alone and merge into it: one released bin of 23 customers.
    expect(r.histogram.bins.map((b) => [b.from, b.to, b.customers, b.suppressed])).toEqual([
      ['-3.00', '3.00', 23, false],
    ]);
    expect(r.suppressedCells).toBe(2);
    expect(r.summary.meanChange).toBe('0.00');
  });

  it('refuses bad requests with clear messages', async () => {
    const { db } = population();
    await expect(
      compareRates(db, { ...REQ, tariffB: 'NOPE' }, { role: 'analyst' }),
    ).rejects.toThrow(/TST has no tariff NOPE in this workspace \(its tariffs: FLAT, TOU\)/);
    await expect(compareRates(db, { ...REQ, org: 'XX' }, { role: 'analyst' })).rejects.toThrow(
      /no organization XX/,
    );
    await expect(
      compareRates(db, { ...REQ, from: '2018-07-04', to: '2018-07-02' }, { role: 'analyst' }),
    ).rejects.toThrow(/is empty/);
    await expect(compareRates(db, { ...REQ, rateClass: 'Z' }, { role: 'analyst' })).rejects.toThrow(
      /TST has no rate class Z \(its rate classes: D\)/,
    );
    await expect(
      compareRates(db, { ...REQ, from: '2017-06-01', to: '2017-07-01' }, { role: 'analyst' }),
    ).rejects.toThrow(/no version in force/);
  });

  it('runs as an API job and stops when cancelled', async () => {
    const { db } = population();
    void db;
    const wb = new Workbench({ role: 'utility-staff' });
    const file = open?.file as string;
    open?.close();
    open = null;
    try {
      await wb.call('workspace.open', { path: file });
      const phases: string[] = [];
      const r = (await wb.call('bill.compare', REQ, {
        progress: (p) => phases.push(`${p.phase} ${p.done}/${p.total ?? ''}`),
      })) as { billed: number };
      expect(r.billed).toBe(3);
      // Progress counts the agreements that cover the period (A-4 is excluded later: no data).
      expect(phases).toContain('billing customers 4/4');
      const ctrl = new AbortController();
      const p = wb.call('bill.compare', REQ, { signal: ctrl.signal });
      ctrl.abort();
      await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    } finally {
      wb.close();
    }
  });
});

describe('comparison statistics', () => {
  it('percent change half-up to 0.01 %', () => {
    expect(percentChange(14_390_000, 17_090_000)).toBe(18.76);
    expect(percentChange(8_000_000, 8_001_000)).toBe(0.01); // 0.0125 → 0.01
    expect(percentChange(8_000_000, 8_000_400)).toBe(0.01); // 0.005 → 0.01 (half up)
    expect(percentChange(8_000_000, 7_999_600)).toBe(-0.01); // −0.005 → −0.01 (away from 0)
    expect(percentChange(0, 5)).toBeNull();
  });
  it('mean and median to the micro-dollar, half-up', () => {
    expect(meanMicros([1, 2])).toBe(2); // 1.5 → 2
    expect(meanMicros([-1, -2])).toBe(-2); // −1.5 → −2
    expect(meanMicros([])).toBeNull();
    expect(medianMicros([5, 1, 3])).toBe(3);
    expect(medianMicros([4, 1, 3, 10])).toBe(4); // (3 + 4) / 2 = 3.5 → 4
  });
  it('bins: nice widths, $0 an edge', () => {
    expect([niceCents(0.3), niceCents(1), niceCents(1.2), niceCents(3), niceCents(7)]).toEqual([
      1, 1, 2, 5, 10,
    ]);
    expect(niceCents(374)).toBe(500);
    expect(binWidthCents([-270, 0, 270])).toBe(100);
    // All equal: one-cent bins.
    expect(binWidthCents([120, 120, 120])).toBe(1);
    expect(binOf(0, 100)).toBe(0);
    expect(binOf(-1, 100)).toBe(-1); // −$0.000001 is a saving: [−1, 0)
    expect(binOf(999_999, 100)).toBe(0);
    expect(binOf(1_000_000, 100)).toBe(1);
  });
});
