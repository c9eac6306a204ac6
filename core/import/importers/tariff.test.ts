// Tariff import: edw tariff JSON (round trip of the seed tariff D), URDB JSON (periods,
// schedule compression, tiers, exact rate + adj), validation refusals, idempotence by version.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TariffJson, exportTariffJson, monthSet, monthsText } from '../tariffJson';
import { compressSchedules } from './tariffUrdb';
import { bareBench, demoBench, FIXTURES } from './demoBench';

const UES_D = path.join(FIXTURES, 'tariffs', 'ues-d-2018.json');
const URDB = path.join(FIXTURES, 'tariffs', 'urdb-sample.json');
const fixture = () => TariffJson.parse(JSON.parse(fs.readFileSync(UES_D, 'utf8')));

describe('edw tariff JSON', () => {
  it('round-trips the seed tariff D through a workspace unchanged', async () => {
    const b = bareBench();
    const o = await b.run('tariff', UES_D);
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 1,
      rowsAccepted: 1,
      rowsRejected: 0,
    });
    expect(o.written).toEqual({
      rate_class: 1,
      tariff: 1,
      tariff_version: 1,
      block_definition: 1,
      charge_component: 6,
      charge_tier: 1,
    });
    expect(exportTariffJson(b.ws.db, 'UES', 'D')).toEqual(fixture());
    const rates = b.rows(
      'SELECT code, rate, kind, section FROM charge_component ORDER BY line_order',
    );
    expect(rates).toEqual([
      { code: 'customer_charge', rate: '16.12', kind: 'fixed_bill', section: 'delivery' },
      { code: 'delivery', rate: '0.06175', kind: 'energy', section: 'delivery' },
      { code: 'stranded_cost', rate: '-0.00080', kind: 'energy', section: 'delivery' },
      { code: 'system_benefits', rate: '0.00456', kind: 'rider', section: 'delivery' },
      { code: 'consumption_tax', rate: '0.00055', kind: 'tax', section: 'delivery' },
      { code: 'energy_service', rate: '0.08238', kind: 'energy', section: 'supply' },
    ]);
    b.ws.close();
  });

  it('is the version the demo workspace holds: importing it there changes nothing', async () => {
    const b = await demoBench();
    const demo = exportTariffJson(b.ws.db, 'UES', 'D');
    expect(demo?.versions.find((v) => v.from === '2018-05-01')).toEqual(fixture().versions[0]);
    const before = b.one('SELECT count(*) FROM charge_component');
    const o = await b.run('tariff', UES_D);
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 1, written: {} });
    expect(o.findings.map((f) => f.message)).toEqual([
      'UES D version 2018-05-01 is already in the workspace, identical: nothing to change',
    ]);
    expect(b.one('SELECT count(*) FROM charge_component')).toBe(before);
    b.ws.close();
  });

  it('updates a changed version in place (never a duplicate) and reports what changed', async () => {
    const b = bareBench();
    await b.run('tariff', UES_D);
    const t = JSON.parse(fs.readFileSync(UES_D, 'utf8'));
    t.versions[0].components[1].rate = '0.06200';
    t.versions[0].components[1].tiers[0].rate = '0.06200';
    const o = await b.run('tariff', b.write('d-changed.json', JSON.stringify(t)));
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 1 });
    expect(o.findings[0]?.message).toMatch(
      /UES D version 2018-05-01 was already in the workspace and differed: updated \(delivery rate 0\.06200 \(was 0\.06175\)\)/,
    );
    expect(b.one('SELECT count(*) FROM tariff_version')).toBe(1);
    expect(b.one("SELECT rate FROM charge_component WHERE code = 'delivery'")).toBe('0.06200');
    expect(exportTariffJson(b.ws.db, 'UES', 'D')).toEqual(TariffJson.parse(t));
    b.ws.close();
  });

  it('closes an open-ended version when a later one starts, and refuses real overlaps', async () => {
    const b = bareBench();
    const t = JSON.parse(fs.readFileSync(UES_D, 'utf8'));
    t.versions[0].to = null;
    await b.run('tariff', b.write('open.json', JSON.stringify(t)));
    const next = structuredClone(t);
    next.versions[0].from = '2018-11-01';
    const o = await b.run('tariff', b.write('next.json', JSON.stringify(next)));
    expect(o.findings.map((f) => f.message).join()).toMatch(
      /version 2018-05-01 had no end: closed on 2018-10-31/,
    );
    expect(b.rows('SELECT effective_from, effective_to FROM tariff_version ORDER BY 1')).toEqual([
      { effective_from: '2018-05-01', effective_to: '2018-10-31' },
      { effective_from: '2018-11-01', effective_to: null },
    ]);
    const overlap = structuredClone(t);
    overlap.versions[0].from = '2018-09-01';
    overlap.versions[0].to = '2018-12-31';
    const r = await b.run('tariff', b.write('overlap.json', JSON.stringify(overlap)));
    expect(r.status).toBe('rejected');
    expect(r.rejects[0]?.reason).toMatch(
      /UES D version 2018-09-01 \(2018-09-01 to 2018-12-31\) overlaps version 2018-05-01 to 2018-10-31/,
    );
    b.ws.close();
  });

  it('refuses inconsistent tariffs with their reasons', async () => {
    const b = bareBench();
    const before = b.digest();
    const t = JSON.parse(fs.readFileSync(UES_D, 'utf8'));
    const v = t.versions[0];
    v.time_periods = [{ code: 'on', name: 'On-peak' }];
    v.schedule = [
      { day_type: 'weekday', start_hour: 8, end_hour: 20, time_period: 'on' },
      { day_type: 'all', months: '6-9', start_hour: 12, end_hour: 14, time_period: 'on' },
      { day_type: 'weekend', start_hour: 0, end_hour: 24, time_period: 'off' },
    ];
    v.components[1].tiers = [
      { upto: '600', rate: '0.06' },
      { upto: '500', rate: '0.07' },
    ];
    const o = await b.run('tariff', b.write('bad.json', JSON.stringify(t)));
    expect(o.status).toBe('rejected');
    const reason = o.rejects[0]?.reason ?? '';
    expect(reason).toMatch(
      /tier 2 upto 500 is not above tier 1 upto 600 in \(version 2018-05-01\) component delivery/,
    );
    expect(reason).toMatch(
      /schedule row 3 names time period "off", which the version does not define/,
    );
    expect(reason).toMatch(/schedule rows 1 and 2 overlap/);
    const notJson = await b.run('tariff', b.write('x.json', '{"org": "UES", '));
    expect(notJson.message).toMatch(/not valid JSON/);
    const bad = await b.run('tariff', b.write('y.json', JSON.stringify({ org: 'UES', code: 'X' })));
    expect(bad.message).toMatch(/not an edw tariff file \(nor URDB JSON\): name: /);
    expect(b.digest()).toBe(before);
    b.ws.close();
  });
});

describe('URDB JSON', () => {
  it('imports periods, compressed TOU schedules, tiers (rate + adj exactly) and charges', async () => {
    const b = await demoBench();
    const o = await b.run('tariff', URDB, { org: 'UES' });
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 2,
      rowsAccepted: 2,
      rowsRejected: 0,
    });
    expect(o.written).toMatchObject({ tariff: 2, tariff_version: 2 });
    expect(o.findings.map((f) => f.message).join('\n')).toMatch(
      /kept in source_json only, not billed: dgrules "Net Metering"/,
    );
    const tou = exportTariffJson(
      b.ws.db,
      'UES',
      'Residential Time-of-Use with Inclining Block (sample)',
    );
    const v = tou?.versions[0];
    expect(v).toMatchObject({
      from: '2018-05-01',
      to: '2018-10-31',
      rounding_rule: 'line_half_up',
    });
    expect(v?.time_periods.map((p) => p.code)).toEqual(['energy_p1', 'energy_p2', 'energy_p3']);
    // 12 × 24 × 2 hours → 9 rows: winter and summer weekdays, weekends all off-peak.
    expect(
      v?.schedule.map(
        (s) => `${s.day_type} ${s.months} ${s.start_hour}-${s.end_hour} ${s.time_period}`,
      ),
    ).toEqual([
      'weekday 1-5,10-12 0-8 energy_p1',
      'weekday 1-5,10-12 8-21 energy_p2',
      'weekday 1-5,10-12 21-24 energy_p1',
      'weekday 6-9 0-8 energy_p1',
      'weekday 6-9 8-14 energy_p2',
      'weekday 6-9 14-19 energy_p3',
      'weekday 6-9 19-21 energy_p2',
      'weekday 6-9 21-24 energy_p1',
      'weekend 1-12 0-24 energy_p1',
    ]);
    expect(
      v?.components.map((c) => [c.code, c.kind, c.unit, c.rate, c.time_period ?? null]),
    ).toEqual([
      ['fixed_charge', 'fixed_day', 'day', '0.53', null],
      ['energy_p1', 'energy', 'kWh', '0.0980', 'energy_p1'],
      ['energy_p2', 'energy', 'kWh', '0.1437', 'energy_p2'],
      ['energy_p3', 'energy', 'kWh', '0.2296', 'energy_p3'],
      ['fuel_adjustment', 'rider', 'kWh', '0.001', null],
      ['minimum_charge', 'minimum', 'bill', '10', null],
    ]);
    expect(
      b.one(
        "SELECT urdb_label FROM tariff WHERE code = 'Residential Time-of-Use with Inclining Block (sample)'",
      ),
    ).toBe('5b0d3c6a5457a3f2a1e0c001');
    const source = JSON.parse(
      b.one<string>(
        "SELECT source_json FROM tariff_version WHERE effective_from = '2018-05-01' AND source_json LIKE '%urdb%'",
      ),
    );
    expect(source.item.label).toBe('5b0d3c6a5457a3f2a1e0c001');

    const gs = exportTariffJson(b.ws.db, 'UES', 'General Service Demand (sample)')?.versions[0];
    expect(gs).toMatchObject({ from: '2018-01-01', to: null });
    expect(gs?.components.find((c) => c.code === 'energy_p1')?.tiers).toEqual([
      { upto: '1000', rate: '0.0811' },
      { upto: '5000', rate: '0.0752' },
      { upto: null, rate: '0.0694' },
    ]);
    expect(gs?.components.find((c) => c.code === 'demand_p2')).toMatchObject({
      kind: 'demand',
      unit: 'kW',
      rate: '4.40',
      time_period: 'demand_p2',
    });
    expect(gs?.schedule.filter((s) => s.time_period === 'demand_p2')).toEqual([
      {
        season: '6-9',
        months: '6-9',
        day_type: 'weekday',
        start_hour: 12,
        end_hour: 20,
        time_period: 'demand_p2',
      },
    ]);
    expect(gs?.schedule.filter((s) => s.time_period.startsWith('energy'))).toEqual([
      {
        season: 'all',
        months: '1-12',
        day_type: 'all',
        start_hour: 0,
        end_hour: 24,
        time_period: 'energy_p1',
      },
    ]);
    expect(gs?.components.filter((c) => c.code.startsWith('flat_demand'))).toEqual([
      {
        code: 'flat_demand_p1',
        name: 'Demand charge (monthly maximum), months 6-9',
        kind: 'demand',
        section: 'delivery',
        unit: 'kW',
        rate: '9.87',
        season: '6-9',
        ratchet_percent: '80',
      },
      {
        code: 'flat_demand_p2',
        name: 'Demand charge (monthly maximum), months 1-5,10-12',
        kind: 'demand',
        section: 'delivery',
        unit: 'kW',
        rate: '7.42',
        season: '1-5,10-12',
        ratchet_percent: '80',
        block: 'flat_demand_p2_tiers',
        tiers: [
          { upto: '100', rate: '7.42' },
          { upto: null, rate: '6.95' },
        ],
      },
    ]);
    // The same file again is a content-hash duplicate; the same rates in another file are
    // identical versions.
    expect((await b.run('tariff', URDB, { org: 'UES' })).status).toBe('duplicate');
    const again = await b.run(
      'tariff',
      b.write('again.json', fs.readFileSync(URDB, 'utf8') + '\n'),
      { org: 'UES' },
    );
    expect(again.findings.filter((f) => f.kind === 'duplicate')).toHaveLength(2);
    expect(
      b.one('SELECT count(*) FROM tariff_version WHERE source_json LIKE \'%"format":"urdb"%\''),
    ).toBe(2);
    b.ws.close();
  });

  it('refuses overlapping tiers with the reason, leaving the workspace unchanged', async () => {
    const b = await demoBench();
    const before = b.digest();
    const o = await b.run('tariff', path.join(FIXTURES, 'bad', 'urdb-overlapping-tiers.json'), {
      org: 'UES',
    });
    expect(o.status).toBe('rejected');
    expect(o.rejects[0]?.reason).toMatch(
      /energyratestructure: tier 2 max 500 is not above tier 1 max 600 in period 1$/,
    );
    expect(o.rejects[0]?.line).toBe(3);
    expect(b.digest()).toBe(before);
    b.ws.close();
  });

  it('refuses schedules that are not 12 × 24 or name missing periods, and unknown utilities', async () => {
    const b = await demoBench();
    const item = JSON.parse(fs.readFileSync(URDB, 'utf8')).items[0];
    const short = structuredClone(item);
    short.energyweekdayschedule[2].pop();
    const missing = structuredClone(item);
    missing.energyweekendschedule[6][15] = 3;
    const noOrg = structuredClone(item);
    noOrg.utility = 'Nowhere Power & Light';
    const o = await b.run(
      'tariff',
      b.write('bad.json', JSON.stringify({ items: [short, missing] })),
      { org: 'UES' },
    );
    expect(o.status).toBe('rejected');
    expect(o.rejects.map((r) => r.reason)).toEqual([
      expect.stringMatching(
        /energyweekdayschedule must be 12 months × 24 hours; month 3 has 23 hours/,
      ),
      expect.stringMatching(
        /energyweekendschedule month 7 hour 15 refers to period 4, but energyratestructure has 3 periods/,
      ),
    ]);
    // Without --org the utility name must be an organization of the workspace.
    const u = await b.run('tariff', b.write('u.json', JSON.stringify({ items: [noOrg, item] })));
    expect(u).toMatchObject({ status: 'committed', rowsAccepted: 1, rowsRejected: 1 });
    expect(u.rejects[0]?.reason).toMatch(
      /utility "Nowhere Power & Light" is not an organization of this workspace; give --org/,
    );
    b.ws.close();
  });

  it('compresses schedules: identical weekday and weekend → day type all; months wrap into ranges', () => {
    const m = (fn: (month: number, h: number) => number) =>
      Array.from({ length: 12 }, (_, i) => Array.from({ length: 24 }, (_, h) => fn(i + 1, h)));
    const winterPeak = m((mo, h) => ((mo >= 11 || mo <= 2) && h >= 17 && h < 20 ? 1 : 0));
    const rows = compressSchedules(winterPeak, winterPeak, (p) => `p${p}`);
    expect(
      rows.map((r) => `${r.day_type} ${r.season} ${r.start_hour}-${r.end_hour} ${r.time_period}`),
    ).toEqual([
      'all 1-2,11-12 0-17 p0',
      'all 1-2,11-12 17-20 p1',
      'all 1-2,11-12 20-24 p0',
      'all 3-10 0-24 p0',
    ]);
    expect(monthsText([12, 1, 2, 11])).toBe('1-2,11-12');
    expect([...monthSet('11-2')].sort((a, b) => a - b)).toEqual([1, 2, 11, 12]);
  });
});
