// Real URDB rate records (fixtures/tariffs/urdb-real/, sources in its README): each one imports
// or is refused with the field and the reason; bills of hand-computable loads on imported ones
// are checked against hand computations (constant 1 kW: 24 kWh a day, peak 1 kW).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportTariffJson } from '../tariffJson';
import { bareBench, FIXTURES, type TestBench } from './demoBench';
import { loadTariff } from '../../billing/tariff';
import { computeEngine, type EngineBill } from '../../billing/engine';
import { intervalDays, usageOf } from '../../billing/testkit';
import type { Usage } from '../../billing/engine';

const DIR = path.join(FIXTURES, 'tariffs', 'urdb-real');
const file = (f: string) => path.join(DIR, f);
const item = (f: string): Record<string, unknown> => {
  const v = JSON.parse(fs.readFileSync(file(f), 'utf8')) as unknown;
  const x = Array.isArray(v) ? v[0] : ((v as { items?: unknown[] }).items?.[0] ?? v);
  return x as Record<string, unknown>;
};

/** Bill [from, to) of constant 1 kW on the only tariff of the bench. */
function bill(b: TestBench, from: string, to: string, extra: Partial<Usage> = {}): EngineBill {
  const id = b.one<number>('SELECT id FROM tariff');
  const t = loadTariff(b.ws.db, id);
  const n = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  return computeEngine(
    t,
    usageOf(
      from,
      to,
      intervalDays(from, n, () => 1),
      null,
      extra,
    ),
  );
}
const lines = (x: EngineBill) =>
  Object.fromEntries(x.lines.map((l) => [l.code, l.amountMicros / 1e6]));

describe('real URDB rates: import', () => {
  const cases: [string, 'committed' | 'rejected', RegExp][] = [
    ['fpl-rs1-residential-tiered.json', 'committed', /^$/],
    ['sce-gs2-tou-b.json', 'committed', /energyattrs \(descriptive adjustments, not billed\)/],
    ['entergy-ar-lps-tou.json', 'committed', /demandwindow 15 min/],
    ['psco-rd-residential-demand.json', 'committed', /dgrules "Net Metering"/],
    ['pge-e19-daily-fixed.json', 'committed', /dgrules "Net Metering"/],
    ['jackson-emc-a-seasonal-tiers.json', 'committed', /dgrules "Net Metering"/],
    [
      'peco-gs-ht-coincident.json',
      'rejected',
      /URDB rate 53ac8daa5257a3406ac32a35 "GS-HT \(HIGH TENSION POWER\) - Procurement 3": coincidentratestructure: coincident \(system-peak\) demand charges need the utility's coincident peak hours/,
    ],
    [
      'missoula-irrigation-hp.json',
      'rejected',
      /539f6aacec4f024411ec92ab "Irrigation 5 HP to 10 HP": demandrateunit "hp" is not supported: edw bills demand in kW measured from interval energy \(horsepower is connected load, not metered\)/,
    ],
    [
      'wallingford-primary-northford-ratchet.json',
      'rejected',
      /539f6a23ec4f024411ec8bf9 "Primary Service - Northford": demandreactivepowercharge 2.7 \$\/kVAR: edw has no reactive power data/,
    ],
    [
      'seward-d28-no-schedule.json',
      'rejected',
      /539fb6c7ec4f024bc1dc0445 "Urban General Service D28": energyweekdayschedule month 1 hour 0 refers to period 2, but energyratestructure has 1 period/,
    ],
    [
      'dixie-net-metering-no-rate.json',
      'rejected',
      /539fc25dec4f024c27d8b0a5 "Net Metering Tariff": startdate: the rate has none, so its effective date is unknown; energyratestructure period 1 tier 1 has neither rate nor adj: its price is unknown/,
    ],
  ];
  it.each(cases)('%s → %s', async (f, status, message) => {
    const b = bareBench();
    const before = b.digest();
    const o = await b.run('tariff', file(f), { org: 'UES' });
    expect(o.status).toBe(status);
    if (status === 'rejected') {
      expect(o.rejects[0]?.reason).toMatch(message);
      expect(o.rejects[0]?.file).toBe(file(f));
      expect(b.digest()).toBe(before);
    } else {
      expect(o.rowsAccepted).toBe(1);
      expect(o.findings.map((x) => x.message).join('\n')).toMatch(message);
    }
    b.ws.close();
  });

  it('reads dates as the URDB gives them: epoch seconds (any US midnight) or bulk-download text; enddate is the last day', async () => {
    const b = bareBench();
    for (const f of [
      'fpl-rs1-residential-tiered.json', // 1433116800 (00:00Z) … 1440975600 (2015-08-30 23:00Z)
      'pge-e19-daily-fixed.json', // 1556690400 (06:00Z, midnight MDT) … 1561874400
      'jackson-emc-a-seasonal-tiers.json', // "2017-01-01 00:00:00", no enddate
      'entergy-ar-lps-tou.json', // a bare object, not {"items": …}
      'psco-rd-residential-demand.json', // a bare list
    ])
      expect((await b.run('tariff', file(f), { org: 'UES' })).status).toBe('committed');
    expect(
      b.rows(
        'SELECT t.urdb_label AS label, v.effective_from AS "from", v.effective_to AS "to" FROM tariff t JOIN tariff_version v ON v.tariff_id = t.id ORDER BY 1',
      ),
    ).toEqual([
      { label: '5550d6fd5457a3187e8b4567', from: '2015-06-01', to: '2015-08-31' },
      { label: '5a0b28045457a3ea2aca608e', from: '2017-01-01', to: null },
      { label: '5a592c995457a3371c423a7d', from: '2018-01-01', to: '2019-01-31' },
      { label: '5a679442682bea21e990a0d4', from: '2018-01-01', to: null },
      { label: '5cef0a415457a33576f60fe2', from: '2019-05-01', to: '2019-06-30' },
    ]);
    // rate + adj exactly; fixedmonthlycharge (API v3 name) is $/month.
    const fpl = exportTariffJson(b.ws.db, 'UES', 'RS-1 Residential Service')?.versions[0];
    expect(fpl?.components).toEqual([
      {
        code: 'fixed_charge',
        name: 'Fixed monthly charge',
        kind: 'fixed_bill',
        section: 'delivery',
        unit: 'bill',
        rate: '7.57',
      },
      {
        code: 'energy_p1',
        name: 'Energy charge',
        kind: 'energy',
        section: 'delivery',
        unit: 'kWh',
        rate: '0.08721',
        time_period: 'energy_p1',
        block: 'energy_p1_tiers',
        tiers: [
          { upto: '1000', rate: '0.08721' },
          { upto: null, rate: '0.10803' },
        ],
      },
    ]);
    b.ws.close();
  });

  it('refuses constructs edw cannot bill as the URDB defines them, naming the field', async () => {
    const b = bareBench();
    const sce = item('sce-gs2-tou-b.json');
    const fpl = item('fpl-rs1-residential-tiered.json');
    const variants: [Record<string, unknown>, RegExp][] = [
      // Tiers in a TOU month: URDB limits count the month's total, edw's one period.
      [
        {
          ...sce,
          energyratestructure: [
            ...(sce.energyratestructure as unknown[]).slice(0, 2),
            [{ rate: 0.066, max: 500 }, { rate: 0.07 }],
            ...(sce.energyratestructure as unknown[]).slice(3),
          ],
        },
        /energyratestructure period 3 has tiers while Jun also bills period 4: URDB tier limits count the month's total kWh across periods/,
      ],
      [
        {
          ...fpl,
          energyratestructure: [[{ rate: 0.1, max: 200, unit: 'kWh/kW' }, { rate: 0.05 }]],
        },
        /energyratestructure period 1: unit "kWh\/kW" is not supported: tier limits per kW of demand/,
      ],
      [{ ...fpl, annualmincharge: 120 }, /annualmincharge 120: an annual minimum/],
      [
        { ...fpl, mincharge: 100, minchargeunits: '$/year' },
        /minchargeunits "\$\/year" is not supported/,
      ],
      [
        { ...fpl, fixedchargefirstmeter: 90, fixedchargeunits: '$/year' },
        /fixedchargeunits "\$\/year" is not supported/,
      ],
      [
        { ...sce, lookbackpercent: 0.5, lookbackrange: 6 },
        /lookbackpercent 0.5 \(lookbackrange 6, lookbackmonths \[\]\): lookback demand minimums are not supported/,
      ],
      [
        { ...sce, flatdemandunit: 'kVA' },
        /flatdemandunit "kVA" is not supported: edw bills demand in kW measured from interval energy \(kVA needs reactive power data\)/,
      ],
      [
        { ...sce, demandratchetpercentage: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0, 0] },
        /demandratchetpercentage differs between months 1-12 of flatdemandstructure period 1/,
      ],
      [{ ...fpl, startdate: 'June 2015' }, /startdate "June 2015" is neither epoch seconds nor/],
    ];
    const o = await b.run(
      'tariff',
      b.write('variants.json', JSON.stringify({ items: variants.map(([v]) => v) })),
      { org: 'UES' },
    );
    expect(o.status).toBe('rejected');
    expect(o.rejects.map((r) => r.reason)).toEqual(
      variants.map(([, re]) => expect.stringMatching(re)),
    );
    b.ws.close();
  });
});

describe('real URDB rates: bills of hand-computable loads', () => {
  it('FPL RS-1: tiered residential energy with adj and a monthly fixed charge', async () => {
    const b = bareBench();
    await b.run('tariff', file('fpl-rs1-residential-tiered.json'), { org: 'UES' });
    // June 2015, 30 days × 24 kWh = 720 kWh, all in tier 1 (≤ 1000 kWh):
    //   energy 720 × (0.07531 + 0.0119 = 0.08721) = 62.7912 → 62.79
    //   fixed  7.57
    //   total  70.36
    const x = bill(b, '2015-06-01', '2015-07-01');
    expect(lines(x)).toEqual({ fixed_charge: 7.57, energy_p1: 62.79 });
    expect(x.totalMicros).toBe(70_360_000);
    b.ws.close();
  });

  it('Jackson EMC A (bulk-download dates): seasonal inclining tiers', async () => {
    const b = bareBench();
    await b.run('tariff', file('jackson-emc-a-seasonal-tiers.json'), { org: 'UES' });
    // June 2017 is summer (period 2 in months 5-9): 720 kWh
    //   650 × 0.0896 = 58.24; 70 × 0.1121 = 7.847; line 66.087 → 66.09
    //   fixed 5.5; total 71.59
    const x = bill(b, '2017-06-01', '2017-07-01');
    expect(lines(x)).toEqual({ fixed_charge: 5.5, energy_p1: 0, energy_p2: 66.09 });
    expect(x.totalMicros).toBe(71_590_000);
    b.ws.close();
  });

  it('PG&E E-19: $/day fixed charge, 3 TOU energy periods, TOU and seasonal flat demand', async () => {
    const b = bareBench();
    await b.run('tariff', file('pge-e19-daily-fixed.json'), { org: 'UES' });
    // June 2019: 1 June is a Saturday → 20 weekdays, 10 weekend days.
    // Weekday hours: 0-8, 21-24 off-peak (p3, 11 h); 8-12, 18-21 part-peak (p4, 7 h);
    // 12-18 peak (p5, 6 h). Weekends: all off-peak.
    //   p3: (20 × 11 + 10 × 24) = 460 kWh × 0.08837 = 40.6502 → 40.65
    //   p4: 20 × 7 = 140 kWh × 0.11883 = 16.6362 → 16.64
    //   p5: 20 × 6 = 120 kWh × 0.16484 = 19.7808 → 19.78
    // Demand 1 kW: part-peak 5.81, peak 20.97, summer flat (months 5-10) 19.53.
    // Fixed: 30 days × 19.71253 = 591.3759 → 591.38.
    // Total: 591.38 + 40.65 + 16.64 + 19.78 + 5.81 + 20.97 + 19.53 = 714.76
    const x = bill(b, '2019-06-01', '2019-07-01');
    expect(lines(x)).toMatchObject({
      fixed_charge: 591.38,
      energy_p3: 40.65,
      energy_p4: 16.64,
      energy_p5: 19.78,
      demand_p2: 0,
      demand_p3: 5.81,
      demand_p4: 20.97,
      flat_demand_p1: 0,
      flat_demand_p2: 19.53,
    });
    expect(x.totalMicros).toBe(714_760_000);
    b.ws.close();
  });

  it('Wallingford Northford: demandratchetpercentage becomes the flat-demand ratchet', async () => {
    const b = bareBench();
    // The real record without its reactive power charge (which alone refuses it).
    const w = { ...item('wallingford-primary-northford-ratchet.json') };
    delete w.demandreactivepowercharge;
    const o = await b.run('tariff', b.write('w.json', JSON.stringify({ items: [w] })), {
      org: 'UES',
    });
    expect(o.status).toBe('committed');
    // July 2013 (months 5-10: energy period 1, flat demand period 1 at 11.5 $/kW), 744 kWh:
    //   energy 744 × (0.0687 + 0.008376 = 0.077076) = 57.344544 → 57.34
    //   demand: peak 1 kW; ratchet 35 % of a prior peak of 100 kW = 35 kW > 1 kW
    //           35 × 11.5 = 402.50
    //   fixed 275; total 275 + 57.34 + 402.50 = 734.84
    const x = bill(b, '2013-07-01', '2013-08-01', { priorPeakMicroKw: 100_000_000 });
    expect(lines(x)).toEqual({
      fixed_charge: 275,
      energy_p1: 57.34,
      energy_p2: 0,
      flat_demand_p1: 402.5,
      flat_demand_p2: 0,
    });
    expect(x.totalMicros).toBe(734_840_000);
    // Without the prior months' data the ratchet cannot apply: said, not silent.
    const y = bill(b, '2013-07-01', '2013-08-01');
    expect(lines(y).flat_demand_p1).toBe(11.5);
    expect(y.flags.map((f) => f.message)).toContain(
      "flat_demand_p1: ratchet 35% of the prior 11 months' peak not applied: no meter data of those months",
    );
    b.ws.close();
  });

  it('"kWh daily" tiers: the bounds are per day billed', async () => {
    const b = bareBench();
    const fpl = item('fpl-rs1-residential-tiered.json');
    fpl.energyratestructure = [
      [
        { max: 10, rate: 0.07531, adj: 0.0119, unit: 'kWh daily' },
        { rate: 0.09613, adj: 0.0119, unit: 'kWh daily' },
      ],
    ];
    await b.run('tariff', b.write('d.json', JSON.stringify(fpl)), { org: 'UES' });
    // June 2015, 30 days: tier 1 holds 30 × 10 = 300 kWh of the 720.
    //   300 × 0.08721 = 26.163; 420 × 0.10803 = 45.3726; line 71.5356 → 71.54
    //   fixed 7.57; total 79.11
    const x = bill(b, '2015-06-01', '2015-07-01');
    expect(lines(x)).toEqual({ fixed_charge: 7.57, energy_p1: 71.54 });
    expect(x.totalMicros).toBe(79_110_000);
    b.ws.close();
  });
});
