// Billing engine: every charge type, TOU across DST, proration by days and by usage, and every
// rounding rule, each against amounts computed by hand (in the comments).
import { afterAll, describe, expect, it } from 'vitest';
import { computeEngine, type EngineOptions, type Usage } from './engine';
import { dollars } from './money';
import { loadTariff, TariffError } from './tariff';
import { bareWorkspace, insertTariff, intervalDays, usageOf, type VersionSpec } from './testkit';

const { ws, db, orgId } = bareWorkspace();
afterAll(() => ws.close());
let n = 0;

function run(versions: VersionSpec[], u: Usage, opts: EngineOptions = {}) {
  const id = insertTariff(db, orgId, `T${++n}`, versions);
  const e = computeEngine(loadTariff(db, id), u, opts);
  return {
    e,
    lines: Object.fromEntries(e.lines.map((l) => [l.code, dollars(l.amountMicros)])),
    total: dollars(e.totalMicros),
  };
}

const JULY = usageOf('2018-07-17', '2018-08-16', null, 609); // 30 days, 609 kWh by reads

describe('charge types', () => {
  it('fixed per bill and per day', () => {
    const r = run(
      [
        {
          from: '2018-01-01',
          components: [
            { code: 'customer', kind: 'fixed_bill', rate: '16.12' },
            { code: 'daily', kind: 'fixed_day', rate: '0.53' },
          ],
        },
      ],
      JULY,
    );
    // 16.12; 30 days × 0.53 = 15.90
    expect(r.lines).toEqual({ customer: '16.12', daily: '15.90' });
    expect(r.total).toBe('32.02');
  });

  it('flat energy, a per-kWh rider and a per-kWh tax', () => {
    const r = run(
      [
        {
          from: '2018-01-01',
          components: [
            { code: 'delivery', kind: 'energy', rate: '0.06175' },
            { code: 'sbc', kind: 'rider', rate: '0.00456' },
            { code: 'tax', kind: 'tax', rate: '0.00055' },
          ],
        },
      ],
      JULY,
    );
    // 609 × 0.06175 = 37.60575 → 37.61; × 0.00456 = 2.77704 → 2.78; × 0.00055 = 0.33495 → 0.33
    expect(r.lines).toEqual({ delivery: '37.61', sbc: '2.78', tax: '0.33' });
  });

  it('tiered energy by block', () => {
    const r = run(
      [
        {
          from: '2018-01-01',
          components: [
            {
              code: 'energy',
              kind: 'energy',
              rate: '0.05',
              tiers: [
                ['500', '0.05'],
                [null, '0.07'],
              ],
            },
          ],
        },
      ],
      JULY,
    );
    // 500 × 0.05 = 25.00 + 109 × 0.07 = 7.63 → 32.63
    expect(r.lines.energy).toBe('32.63');
  });

  it('TOU energy by season, day type and hour (weekday 8-20 on-peak, weekends off-peak)', () => {
    // 2018-06-04 is a Monday: 7 days, 1 kWh every hour.
    const days = intervalDays('2018-06-04', 7, () => 1);
    const r = run(
      [
        {
          from: '2018-01-01',
          periods: ['on', 'off'],
          schedule: [
            ['1-12', 'weekday', 8, 20, 'on'],
            ['1-12', 'weekday', 0, 8, 'off'],
            ['1-12', 'weekday', 20, 24, 'off'],
            ['1-12', 'weekend', 0, 24, 'off'],
          ],
          components: [
            { code: 'on_peak', kind: 'energy', rate: '0.20', period: 'on' },
            { code: 'off_peak', kind: 'energy', rate: '0.10', period: 'off' },
          ],
        },
      ],
      usageOf('2018-06-04', '2018-06-11', days),
    );
    // on: 5 weekdays × 12 h = 60 kWh × 0.20 = 12.00; off: 5 × 12 + 2 × 24 = 108 × 0.10 = 10.80
    expect(r.e.usageByPeriod).toEqual({ on: 60_000_000, off: 108_000_000 });
    expect(r.lines).toEqual({ on_peak: '12.00', off_peak: '10.80' });
  });

  it('holidays follow the holiday rows (2018-07-04, NH)', () => {
    const days = intervalDays('2018-07-04', 1, () => 1); // a Wednesday and a holiday
    const v: VersionSpec = {
      from: '2018-01-01',
      periods: ['on', 'off'],
      schedule: [
        ['1-12', 'weekday', 0, 12, 'on'],
        ['1-12', 'weekday', 12, 24, 'off'],
        ['1-12', 'weekend', 0, 24, 'off'],
        ['1-12', 'holiday', 0, 24, 'off'],
      ],
      components: [
        { code: 'on_peak', kind: 'energy', rate: '1', period: 'on' },
        { code: 'off_peak', kind: 'energy', rate: '1', period: 'off' },
      ],
    };
    const r = run([v], usageOf('2018-07-04', '2018-07-05', days));
    expect(r.e.usageByPeriod).toEqual({ on: 0, off: 24_000_000 });
  });

  it('seasonal rates by month', () => {
    // 2018-05-20 → 2018-06-10: 12 days in May, 9 in June, 2 kWh a day.
    const days = intervalDays('2018-05-20', 21, (_d, s) => (s === 12 ? 2 : 0));
    const r = run(
      [
        {
          from: '2018-01-01',
          components: [
            { code: 'summer', kind: 'energy', rate: '0.10', season: '6-9' },
            { code: 'winter', kind: 'energy', rate: '0.08', season: '1-5,10-12' },
          ],
        },
      ],
      usageOf('2018-05-20', '2018-06-10', days),
    );
    // June: 9 × 2 = 18 kWh × 0.10 = 1.80; May: 12 × 2 = 24 kWh × 0.08 = 1.92
    expect(r.lines).toEqual({ summer: '1.80', winter: '1.92' });
  });

  it('demand: monthly maximum kW from hourly and 15-minute data, TOU demand, ratchet', () => {
    const hourly = intervalDays('2018-06-04', 3, (d, s) =>
      d === 1 && s === 15 ? 5.5 : d === 2 && s === 22 ? 7 : 1,
    );
    const v: VersionSpec = {
      from: '2018-01-01',
      periods: ['peak_d'],
      schedule: [['1-12', 'weekday', 12, 20, 'peak_d']],
      components: [
        { code: 'demand', kind: 'demand', rate: '10.00' },
        { code: 'tou_demand', kind: 'demand', rate: '2.00', period: 'peak_d' },
      ],
    };
    // All hours: max 7 kWh in an hour = 7 kW × 10 = 70.00; 12-20 weekdays: 5.5 kW × 2 = 11.00
    const r = run([v], usageOf('2018-06-04', '2018-06-07', hourly));
    expect(r.lines).toEqual({ demand: '70.00', tou_demand: '11.00' });
    // 15-minute data: 1.5 kWh in a quarter hour = 6 kW.
    const q = intervalDays('2018-06-04', 1, (_d, s) => (s === 40 ? 1.5 : 0.25), 900);
    const r2 = run(
      [{ from: '2018-01-01', components: [{ code: 'demand', kind: 'demand', rate: '10.00' }] }],
      usageOf('2018-06-04', '2018-06-05', q),
    );
    expect(r2.lines.demand).toBe('60.00');
    // Ratchet 80 % of a prior 10 kW peak = 8 kW > this month's 6 kW: 8 × 10 = 80.00
    const r3 = run(
      [
        {
          from: '2018-01-01',
          components: [{ code: 'demand', kind: 'demand', rate: '10.00', ratchet: '80' }],
        },
      ],
      usageOf('2018-06-04', '2018-06-05', q, null, { priorPeakMicroKw: 10_000_000 }),
    );
    expect(r3.lines.demand).toBe('80.00');
  });

  it('minimum bill lifts the total; a percentage tax applies to the subtotal', () => {
    const r = run(
      [
        {
          from: '2018-01-01',
          components: [
            { code: 'customer', kind: 'fixed_bill', rate: '5.00' },
            { code: 'energy', kind: 'energy', rate: '0.01' },
            { code: 'minimum', kind: 'minimum', rate: '20.00', unit: 'bill' },
            { code: 'gross_receipts', kind: 'tax', rate: '5', unit: '%' },
          ],
        },
      ],
      JULY,
    );
    // 5.00 + 609 × 0.01 = 6.09 → 11.09 < 20.00: adjustment 8.91; tax 5 % of 20.00 = 1.00
    expect(r.lines).toEqual({
      customer: '5.00',
      energy: '6.09',
      minimum: '8.91',
      gross_receipts: '1.00',
    });
    expect(r.total).toBe('21.00');
  });
});

describe('DST: TOU buckets in local time on 23- and 25-hour days', () => {
  const v: VersionSpec = {
    from: '2018-01-01',
    periods: ['night', 'rest'],
    schedule: [
      ['1-12', 'all', 1, 3, 'night'],
      ['1-12', 'all', 0, 1, 'rest'],
      ['1-12', 'all', 3, 24, 'rest'],
    ],
    components: [
      { code: 'night', kind: 'energy', rate: '1', period: 'night' },
      { code: 'rest', kind: 'energy', rate: '1', period: 'rest' },
    ],
  };
  it('spring forward (2018-03-11): 23 slots, 02:00 does not exist', () => {
    const days = intervalDays('2018-03-11', 1, () => 1);
    expect(days[0]?.values.length).toBe(23);
    const r = run([v], usageOf('2018-03-11', '2018-03-12', days));
    // local hours 0,1,3..23: night (1-3) holds only 01:00 → 1 kWh; rest 22
    expect(r.e.usageByPeriod).toEqual({ night: 1_000_000, rest: 22_000_000 });
  });
  it('fall back (2018-11-04): 25 slots, 01:00 twice', () => {
    const days = intervalDays('2018-11-04', 1, () => 1);
    expect(days[0]?.values.length).toBe(25);
    const r = run([v], usageOf('2018-11-04', '2018-11-05', days));
    // local hours 0,1,1,2,3..23: night = 01:00 (EDT), 01:00 (EST), 02:00 → 3 kWh; rest 22
    expect(r.e.usageByPeriod).toEqual({ night: 3_000_000, rest: 22_000_000 });
  });
  it('an ordinary day: 24 slots, night = 2 kWh', () => {
    const days = intervalDays('2018-11-05', 1, () => 1);
    const r = run([v], usageOf('2018-11-05', '2018-11-06', days));
    expect(r.e.usageByPeriod).toEqual({ night: 2_000_000, rest: 22_000_000 });
  });
});

describe('proration at a rate change inside the period', () => {
  // v1 to 2018-07-31 (customer 10.00, energy 0.10), v2 from 2018-08-01 (12.00, 0.20).
  // Bill 2018-07-17 → 2018-08-16: 15 days under each. Usage 10 kWh/day, then 30 kWh/day.
  const versions: VersionSpec[] = [
    {
      from: '2018-01-01',
      to: '2018-07-31',
      components: [
        { code: 'customer', kind: 'fixed_bill', rate: '10.00' },
        { code: 'energy', kind: 'energy', rate: '0.10' },
      ],
    },
    {
      from: '2018-08-01',
      components: [
        { code: 'customer', kind: 'fixed_bill', rate: '12.00' },
        { code: 'energy', kind: 'energy', rate: '0.20' },
      ],
    },
  ];
  const days = intervalDays('2018-07-17', 30, (d, s) => (s === 0 ? (d < 15 ? 10 : 30) : 0));
  const u = usageOf('2018-07-17', '2018-08-16', days);
  it('by days: each version bills the period quantity × its share of days', () => {
    const r = run(versions, u, { proration: 'days' });
    // customer 10 × 15/30 + 12 × 15/30 = 5.00 + 6.00; energy 600 × ½ × 0.10 + 600 × ½ × 0.20 = 30 + 60
    expect(r.lines).toEqual({ customer: '11.00', energy: '90.00' });
    expect(
      r.e.lines
        .find((l) => l.code === 'energy')
        ?.segments.map((s) => dollars(Number(s.cents) * 10_000)),
    ).toEqual(['30.00', '60.00']);
  });
  it('by usage: each version bills what the meter measured in its days', () => {
    const r = run(versions, u, { proration: 'usage' });
    // energy 150 × 0.10 + 450 × 0.20 = 15.00 + 90.00; fixed charges stay by days
    expect(r.lines).toEqual({ customer: '11.00', energy: '105.00' });
  });
  it('by usage without interval data falls back to days, flagged', () => {
    const r = run(versions, usageOf('2018-07-17', '2018-08-16', null, 600), { proration: 'usage' });
    expect(r.lines.energy).toBe('90.00');
    expect(r.e.flags.map((f) => f.code)).toContain('proration_fallback');
  });
  it('per-segment rounding: each part is rounded, then added', () => {
    const r = run(
      [{ from: '2018-01-01', components: [{ code: 'tax', kind: 'tax', rate: '0.00055' }] }],
      usageOf('2018-07-17', '2018-08-16', null, 609),
      { splitDays: [17744] }, // 2018-08-01
    );
    // 304.5 × 0.00055 = 0.167475 → 0.17, twice = 0.34 (one line: 609 × 0.00055 = 0.33495 → 0.33)
    expect(r.lines.tax).toBe('0.34');
  });
});

describe('rounding rules', () => {
  // 1 kWh × 0.125 = 0.125 (a tie) and 1 kWh × −0.125; 2 lines of 0.125.
  const comps = [
    { code: 'a', kind: 'energy' as const, rate: '0.125' },
    { code: 'b', kind: 'rider' as const, rate: '0.125' },
    { code: 'c', kind: 'rider' as const, rate: '-0.135' },
  ];
  const one = usageOf('2018-07-01', '2018-07-02', null, 1);
  const by = (rounding: string) => run([{ from: '2018-01-01', rounding, components: comps }], one);
  it('per line half-up (half away from zero)', () => {
    const r = by('line_half_up');
    expect(r.lines).toEqual({ a: '0.13', b: '0.13', c: '-0.14' });
    expect(r.total).toBe('0.12');
  });
  it('per line half-even', () => {
    const r = by('line_half_even');
    // 0.125 → 0.12 (2 is even); −0.135 → −0.14 (4 is even)
    expect(r.lines).toEqual({ a: '0.12', b: '0.12', c: '-0.14' });
    expect(r.total).toBe('0.10');
  });
  it('per line truncate (toward zero)', () => {
    const r = by('line_truncate');
    expect(r.lines).toEqual({ a: '0.12', b: '0.12', c: '-0.13' });
    expect(r.total).toBe('0.11');
  });
  it('at the total, half-up: lines exact, one rounding', () => {
    const r = by('total_half_up');
    // 0.125 + 0.125 − 0.135 = 0.115 → 0.12
    expect(r.lines).toEqual({ a: '0.125', b: '0.125', c: '-0.135' });
    expect(r.total).toBe('0.12');
  });
});

describe('bad tariffs: clear messages', () => {
  it('overlapping tiers', () => {
    const id = insertTariff(db, orgId, 'BADTIER', [
      {
        from: '2018-01-01',
        components: [
          {
            code: 'e',
            kind: 'energy',
            rate: '0.1',
            tiers: [
              ['600', '0.1'],
              ['500', '0.2'],
              [null, '0.3'],
            ],
          },
        ],
      },
    ]);
    expect(() => loadTariff(db, id)).toThrow(TariffError);
    expect(() => loadTariff(db, id)).toThrow(/tier 2 upto 500 is not above tier 1 upto 600/);
  });
  it('a gap in a TOU schedule', () => {
    const id = insertTariff(db, orgId, 'GAP', [
      {
        from: '2018-01-01',
        periods: ['on', 'off'],
        schedule: [
          ['1-12', 'weekday', 8, 14, 'on'],
          ['1-12', 'weekday', 15, 24, 'off'],
          ['1-12', 'weekday', 0, 8, 'off'],
          ['1-12', 'weekend', 0, 24, 'off'],
        ],
        components: [
          { code: 'on', kind: 'energy', rate: '0.2', period: 'on' },
          { code: 'off', kind: 'energy', rate: '0.1', period: 'off' },
        ],
      },
    ]);
    expect(() => loadTariff(db, id)).toThrow(
      /gap: weekday hours 14-15 in months 1-12 map to no time period/,
    );
  });
  it('TOU charges with register reads only', () => {
    const id = insertTariff(db, orgId, 'TOUREADS', [
      {
        from: '2018-01-01',
        periods: ['all'],
        schedule: [['1-12', 'all', 0, 24, 'all']],
        components: [{ code: 'e', kind: 'energy', rate: '0.2', period: 'all' }],
      },
    ]);
    expect(() => computeEngine(loadTariff(db, id), JULY)).toThrow(/needs interval data/);
  });
  it('a period no version covers', () => {
    const id = insertTariff(db, orgId, 'NOVER', [
      { from: '2018-08-01', components: [{ code: 'e', kind: 'energy', rate: '0.2' }] },
    ]);
    expect(() => computeEngine(loadTariff(db, id), JULY)).toThrow(
      /no version in force from 2018-07-17 to 2018-07-31/,
    );
  });
});
