// Tests of the regulator datasets t-09-system, t-14-cca, t-23-der, p-24-submeter, t-32-wap:
// the seed tables' values on the indexed demo, and the 15/15 rule, timelines and the delta feed
// on hand-made data with hand-computed expectations.
import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { afterEach, describe, expect, it } from 'vitest';
import { runIndex } from '../../indexer/run';
import { BlockWriter, ensureSeries } from '../../metering/intervals';
import type { Role } from '../../privacy/roles';
import { demoCopy } from '../../testing/demoTemplate';
import { tmpDir } from '../../testing/tmp';
import { isoToDay } from '../../time/zone';
import { Workspace } from '../../workspace/workspace';
import { exportDataset, previewDataset } from '../run';
import type { ParamValues } from '../schema';

const NOW = new Date('2019-01-15T12:00:00Z');

let ws: Workspace | null = null;
afterEach(() => {
  ws?.close();
  ws = null;
});

async function indexedDemo(): Promise<Workspace> {
  const { ws: w } = await demoCopy('indexed', async (x) => {
    await runIndex(x);
  });
  ws = w;
  return w;
}

type Row = Record<string, string | number | boolean | null>;

/** Every row (as the role sees it) of a dataset, as objects. */
function rowsOf(
  w: Workspace,
  name: string,
  params: ParamValues = {},
  role: Role = 'utility-staff',
) {
  const out: (Row & { _suppressed: boolean })[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = previewDataset(w, { name, params, offset, limit: 1000 }, { role, now: NOW });
    const names = page.columns.map((c) => c.name);
    for (const r of page.rows)
      out.push({
        ...Object.fromEntries(names.map((n, i) => [n, r.values[i] ?? null])),
        _suppressed: r.suppressed,
      });
    if (page.done) return out;
  }
}

const pick = (r: Row, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, r[k]]));
const SEED_KEYS = [
  'premise_id',
  'usage_point_id',
  'asset_id',
  'category',
  'owner',
  'node_id',
  'section_id',
  'circuit_id',
  'circuit_type',
  'circuit_owner',
] as const;

/** The seed table rows (004, columns A–J), as the seed prints them. */
const seedRow = (...v: string[]) => Object.fromEntries(SEED_KEYS.map((k, i) => [k, v[i]]));

// ───────────── a hand-made town: one circuit, customers with known usage ─────────────

const DAY = '2018-06-01';

/**
 * Pembroke with `usage.length` PSNH residential customers on circuit C1 (one node), customer i
 * using usage[i] kWh on 2018-06-01, and (gas) Liberty customers using `gas` therms. The first
 * `cca` electric customers are enrolled in the CCA.
 */
function town(usage: readonly number[], gas: readonly number[] = [], cca = 0): Workspace {
  const w = Workspace.create(path.join(tmpDir(), 'town.edw'));
  const db = w.db;
  db.exec(`
    INSERT INTO organization (id, code, name, kind) VALUES
      (1, 'PSNH', 'Eversource', 'utility'), (2, 'LIBERTY', 'Liberty', 'utility'),
      (3, 'PCP', 'Pembroke Community Power', 'cca');
    INSERT INTO substation (id, org_id, code) VALUES (1, 1, 'SS1');
    INSERT INTO circuit (id, org_id, code, substation_id, circuit_type, hosting_limit_kw) VALUES (1, 1, 'C1', 1, '2', 100);
    INSERT INTO section (id, circuit_id, code) VALUES (1, 1, '1');
    INSERT INTO node (id, section_id, code) VALUES (1, 1, 'N1');
    INSERT INTO transformer (node_id, code, kva) VALUES (1, 'T1', 50), (1, 'T2', 25);
    INSERT INTO program (id, org_id, code, name, kind) VALUES (1, 3, 'PCP', 'CCA', 'cca');
  `);
  const bw = new BlockWriter(db);
  const day = isoToDay(DAY);
  const start = Date.UTC(2018, 5, 1, 4) / 1000;
  const hourly = (kwh: number) => [kwh, ...Array<number>(23).fill(0)];
  const add = (i: number, org: number, commodity: string, value: number, rt: number) => {
    const key = `${commodity}-${i}`;
    const cust = Number(
      db
        .prepare('INSERT INTO customer (org_id, source_key, name) VALUES (?, ?, ?)')
        .run(org, key, `Name ${key}`).lastInsertRowid,
    );
    const acct = Number(
      db
        .prepare('INSERT INTO account (org_id, account_number, customer_id) VALUES (?, ?, ?)')
        .run(org, `A${key}`, cust).lastInsertRowid,
    );
    const prem = Number(
      db
        .prepare(
          "INSERT INTO premise (org_id, source_key, town, state) VALUES (?, ?, 'Pembroke', 'NH')",
        )
        .run(org, `P${key}`).lastInsertRowid,
    );
    const up = Number(
      db
        .prepare(
          'INSERT INTO usage_point (org_id, source_key, premise_id, commodity) VALUES (?, ?, ?, ?)',
        )
        .run(org, `U${key}`, prem, commodity).lastInsertRowid,
    );
    db.prepare(
      "INSERT INTO service_agreement (account_id, usage_point_id, start_date) VALUES (?, ?, '2017-01-01')",
    ).run(acct, up);
    if (commodity === 'electricity')
      db.prepare(
        "INSERT INTO asset (org_id, source_key, category, category_label, owner, premise_id, usage_point_id, node_id) VALUES (?, ?, 'meter', 'Meter R', 'PSNH', ?, ?, 1)",
      ).run(org, `M${key}`, prem, up);
    const values = commodity === 'gas' ? [value] : hourly(value);
    bw.put({
      seriesId: ensureSeries(db, { usagePointId: up, readingTypeId: rt }),
      day,
      start,
      seconds: commodity === 'gas' ? 86400 : 3600,
      values,
    });
    return acct;
  };
  const hourlyKwh = db
    .prepare("SELECT id FROM reading_type WHERE name = 'Electricity kWh hourly'")
    .pluck()
    .get();
  const dailyTherm = db
    .prepare("SELECT id FROM reading_type WHERE name = 'Gas therms daily'")
    .pluck()
    .get();
  usage.forEach((v, i) => {
    const acct = add(i, 1, 'electricity', v, hourlyKwh as number);
    if (i < cca)
      db.prepare(
        "INSERT INTO program_enrolment (program_id, account_id, status, effective_date) VALUES (1, ?, 'enrolled', '2018-05-01')",
      ).run(acct);
  });
  gas.forEach((v, i) => add(i, 2, 'gas', v, dailyTherm as number));
  ws = w;
  return w;
}

const ten = (n: number) => Array<number>(n).fill(10);

// ───────────── t-09-system ─────────────

describe('t-09-system', () => {
  it('reproduces the seed T-09 rows on the demo and covers every placed asset', async () => {
    const w = await indexedDemo();
    const rows = rowsOf(w, 't-09-system');
    const find = (premise: string, asset: string) =>
      rows.find((r) => r.premise_id === premise && r.asset_id === asset);
    for (const seed of [
      seedRow('1612', '4658', '1515', 'Meter R', 'UES', '3177', '4', '22233', '2', 'UES'),
      seedRow('1677', '4963', '4141', 'Meter R', 'UES', '3999', '1', '55522', '2', 'UES'),
      seedRow('1689', '4333', '1155', 'Meter EV', 'Cust', '9333', '6', '99112', '2', 'GSEC'),
      seedRow('1674', '4274', '1874', 'Meter NM', 'PSNH', '8888', '7', '21123', '2', 'PSNH'),
    ]) {
      const r = find(seed.premise_id as string, seed.asset_id as string);
      expect(r && pick(r, SEED_KEYS)).toEqual(seed);
    }
    const placed = w.db
      .prepare('SELECT count(*) FROM asset WHERE node_id IS NOT NULL')
      .pluck()
      .get();
    expect(rows).toHaveLength(placed as number);
    // 40 demo premises: no circuit reaches 15 customers; the load is suppressed everywhere.
    expect(
      rows.every((r) => r.circuit_load_kwh === null && r.circuit_load_suppressed === true),
    ).toBe(true);
  });

  it('counts one suppressed cell per circuit, not per asset row, in the run record', async () => {
    const w = await indexedDemo();
    const out = path.join(tmpDir(), 't09.csv');
    const run = await exportDataset(
      w,
      { name: 't-09-system', params: {}, out },
      { role: 'public', now: NOW },
    );
    const circuits = w.db
      .prepare(
        'SELECT count(DISTINCT s.circuit_id) FROM asset a JOIN node n ON n.id = a.node_id JOIN section s ON s.id = n.section_id',
      )
      .pluck()
      .get();
    expect(run.suppressedCells).toBe(circuits);
    expect(run.rowCount).toBeGreaterThan(run.suppressedCells);
    expect(fs.existsSync(`${out}.json`)).toBe(true);
  });

  it('releases a circuit of 15 customers at 10 kWh and filters by circuit and category', () => {
    const w = town(ten(15));
    const rows = rowsOf(
      w,
      't-09-system',
      { circuit: 'C1', from: '2018-06', to: '2018-06' },
      'public',
    );
    expect(rows).toHaveLength(15);
    expect(
      pick(rows[0] as Row, [
        'circuit_id',
        'substation',
        'transformer_kva',
        'circuit_customers',
        'circuit_load_kwh',
        'circuit_load_suppressed',
      ]),
    ).toEqual({
      circuit_id: 'C1',
      substation: 'SS1',
      transformer_kva: 75,
      circuit_customers: 15,
      circuit_load_kwh: 150,
      circuit_load_suppressed: false,
    });
    // Outside the period there is no load: 0 customers, suppressed.
    const may = rowsOf(w, 't-09-system', { from: '2018-05', to: '2018-05' });
    expect(may[0]?.circuit_customers).toBe(0);
    expect(may[0]?.circuit_load_kwh).toBeNull();
    expect(rowsOf(w, 't-09-system', { category: 'pv' })).toHaveLength(0);
  });

  it('suppresses 14 customers, and 15 customers with one above 15 %', () => {
    expect(rowsOf(town(ten(14)), 't-09-system')[0]).toMatchObject({
      circuit_customers: 14,
      circuit_load_kwh: null,
      circuit_load_suppressed: true,
      _suppressed: true,
    });
    ws?.close();
    // 14 × 10 + 30 = 170; 30 / 170 = 17.6 % > 15 %.
    expect(rowsOf(town([...ten(14), 30]), 't-09-system')[0]).toMatchObject({
      circuit_customers: 15,
      circuit_load_kwh: null,
    });
    ws?.close();
    // 14 × 10 + 24 = 164; 24 / 164 = 14.6 %: released.
    expect(rowsOf(town([...ten(14), 24]), 't-09-system')[0]).toMatchObject({
      circuit_load_kwh: 164,
    });
  });

  it('refuses an unknown organization and a reversed period', () => {
    const w = town(ten(1));
    expect(() => rowsOf(w, 't-09-system', { org: 'NOPE' })).toThrow(
      /unknown organization "NOPE".*PSNH/,
    );
    expect(() => rowsOf(w, 't-09-system', { from: '2018-07', to: '2018-06' })).toThrow(/after/);
    expect(() => rowsOf(w, 't-09-system', { from: '2018-13' })).toThrow(/YYYY-MM/);
  });
});

// ───────────── t-14-cca ─────────────

describe('t-14-cca', () => {
  it('puts Pembroke of Eversource and Unitil electric and Liberty gas in one dataset (demo)', async () => {
    const w = await indexedDemo();
    const rows = rowsOf(w, 't-14-cca');
    const utilities = [...new Set(rows.map((r) => `${r.utility}:${r.commodity}`))].sort();
    expect(utilities).toEqual(['LIBERTY:gas', 'PSNH:electricity', 'UES:electricity']);
    expect(rows.every((r) => r.town === 'Pembroke' && r.state === 'NH')).toBe(true);
    // The small demo has fewer than 15 customers per cell: every cell suppressed, counts kept.
    expect(rows.every((r) => r.suppressed === true && r.usage === null)).toBe(true);
    const jan = rows
      .filter((r) => r.month === '2018-01')
      .map((r) => pick(r, ['utility', 'customer_class', 'customers']));
    expect(jan).toEqual([
      { utility: 'LIBERTY', customer_class: 'residential', customers: 5 },
      { utility: 'PSNH', customer_class: 'commercial', customers: 2 },
      { utility: 'PSNH', customer_class: 'residential', customers: 13 },
      { utility: 'UES', customer_class: 'residential', customers: 6 },
    ]);
  });

  it('releases cells of 15+ customers with usage, MMBtu and CCA enrolment', () => {
    const w = town(ten(16), Array<number>(15).fill(2), 5);
    const rows = rowsOf(w, 't-14-cca', { town: 'pembroke' }, 'public');
    expect(
      rows.map((r) =>
        pick(r, [
          'month',
          'utility',
          'commodity',
          'customers',
          'cca_customers',
          'usage',
          'unit',
          'energy_mmbtu',
          'suppressed',
        ]),
      ),
    ).toEqual([
      // 15 × 2 therm = 30 therm = 3 MMBtu
      {
        month: '2018-06',
        utility: 'LIBERTY',
        commodity: 'gas',
        customers: 15,
        cca_customers: 0,
        usage: 30,
        unit: 'therm',
        energy_mmbtu: 3,
        suppressed: false,
      },
      // 16 × 10 kWh = 160 kWh = 160 / 293.071 MMBtu
      {
        month: '2018-06',
        utility: 'PSNH',
        commodity: 'electricity',
        customers: 16,
        cca_customers: 5,
        usage: 160,
        unit: 'kWh',
        energy_mmbtu: 0.545943,
        suppressed: false,
      },
    ]);
  });

  it('suppresses a cell with 14 customers and refuses an unknown town', () => {
    const w = town(ten(14));
    expect(rowsOf(w, 't-14-cca')[0]).toMatchObject({
      customers: 14,
      usage: null,
      cca_customers: null,
      suppressed: true,
      _suppressed: true,
    });
    expect(() => rowsOf(w, 't-14-cca', { town: 'Nowhere' })).toThrow(
      /no premise in Nowhere, NH; towns: Pembroke NH/,
    );
  });
});

// ───────────── t-23-der ─────────────

describe('t-23-der', () => {
  it('reproduces the seed T-23 rows with their timelines and circuit 26666 capacity (demo)', async () => {
    const w = await indexedDemo();
    const rows = rowsOf(w, 't-23-der', { circuit: '26666' });
    expect(rows.map((r) => pick(r, SEED_KEYS))).toEqual([
      seedRow('2501', '5801', '4888', 'Transfr LG', 'Util', '2102', '3', '26666', '2', 'PSNH'),
      seedRow('1611', '4888', '9336', 'Storage-R', 'OrgX', '3366', '3', '26666', '2', 'PSNH'),
      seedRow('1674', '4444', '9974', 'PV roof-R', 'Cust', '4777', '3', '26666', '2', 'PSNH'),
      seedRow('1666', '4113', '9588', 'Storage-R', 'Cust', '6633', '3', '26666', '2', 'PSNH'),
    ]);
    const pv = rows.find((r) => r.asset_id === '9974') as Row;
    expect(
      pick(pv, [
        'der_kind',
        'nameplate_kw',
        'status',
        'status_date',
        'applied_on',
        'studied_on',
        'approved_on',
        'installed_on',
        'pto_on',
        'withdrawn_on',
        'status_history',
      ]),
    ).toEqual({
      der_kind: 'pv',
      nameplate_kw: 7.6,
      status: 'pto',
      status_date: '2018-06-05',
      applied_on: '2018-03-05',
      studied_on: '2018-03-20',
      approved_on: '2018-04-10',
      installed_on: '2018-05-22',
      pto_on: '2018-06-05',
      withdrawn_on: null,
      status_history:
        '2018-03-05 applied;2018-03-20 studied;2018-04-10 approved;2018-05-22 installed;2018-06-05 pto',
    });
    // Storage 5 + 5 kW and PV 7.6 kW in operation; the transformer is not DER.
    const limit = w.db
      .prepare("SELECT hosting_limit_kw FROM circuit WHERE code = '26666'")
      .pluck()
      .get() as number;
    expect(
      pick(pv, [
        'circuit_hosting_limit_kw',
        'circuit_der_kw',
        'circuit_queue_kw',
        'circuit_headroom_kw',
      ]),
    ).toEqual({
      circuit_hosting_limit_kw: limit,
      circuit_der_kw: 17.6,
      circuit_queue_kw: 0,
      circuit_headroom_kw: Math.round((limit - 17.6) * 1e6) / 1e6,
    });
  });

  it('as_of: a resource not yet installed is an application in the queue', async () => {
    const w = await indexedDemo();
    const rows = rowsOf(w, 't-23-der', { circuit: '26666', as_of: '2018-04-01' });
    const app = rows.find((r) => r.application === 'NM-2018-00004') as Row;
    expect(
      pick(app, [
        'premise_id',
        'asset_id',
        'circuit_id',
        'der_kind',
        'nameplate_kw',
        'status',
        'status_date',
        'circuit_der_kw',
        'circuit_queue_kw',
      ]),
    ).toEqual({
      premise_id: null,
      asset_id: null,
      circuit_id: '26666',
      der_kind: 'pv',
      nameplate_kw: 7.6,
      status: 'studied',
      status_date: '2018-03-20',
      circuit_der_kw: 10,
      circuit_queue_kw: 7.6,
    });
    expect(
      rowsOf(w, 't-23-der', { circuit: '26666', category: 'storage' }).map((r) => r.asset_id),
    ).toEqual(['9336', '9588']);
  });

  it('is customer data: refused to the public role', async () => {
    const w = await indexedDemo();
    expect(() => rowsOf(w, 't-23-der', {}, 'public')).toThrow(/may not see customer_usage/);
  });
});

// ───────────── p-24-submeter ─────────────

describe('p-24-submeter', () => {
  it('joins the utility months and the EK sub-meter of PremiseID 980 (demo)', async () => {
    const w = await indexedDemo();
    const rows = rowsOf(w, 'p-24-submeter', {
      premise_id: '980',
      from: '2018-01-01',
      to: '2018-01-03',
    });
    const utility = rows.filter((r) => r.source === 'utility');
    expect(
      utility.map((r) =>
        pick(r, ['organization', 'commodity', 'resolution', 'period_start', 'unit', 'days']),
      ),
    ).toEqual([
      {
        organization: 'PSNH',
        commodity: 'electricity',
        resolution: 'month',
        period_start: '2018-01',
        unit: 'kWh',
        days: 3,
      },
      {
        organization: 'LIBERTY',
        commodity: 'gas',
        resolution: 'month',
        period_start: '2018-01',
        unit: 'therm',
        days: 3,
      },
    ]);
    const sensor = rows.filter((r) => r.source === 'non-utility');
    // 3 days × 96 quarter hours from the EK vendor.
    expect(sensor).toHaveLength(288);
    expect(
      pick(sensor[0] as Row, [
        'organization',
        'device_kind',
        'resolution',
        'period_start',
        'seconds',
        'unit',
        'quality',
      ]),
    ).toEqual({
      organization: 'EK',
      device_kind: 'submeter',
      resolution: '900 s',
      period_start: '2018-01-01T05:00:00Z', // local midnight EST
      seconds: 900,
      unit: 'kWh',
      quality: 'valid',
    });
    // Hourly and daily sums agree with the native readings.
    const sum = (rs: Row[]) =>
      Math.round(rs.reduce((s, r) => s + (r.value as number), 0) * 1e3) / 1e3;
    const hours = rowsOf(w, 'p-24-submeter', {
      premise_id: '980',
      sensor_resolution: 'hour',
      from: '2018-01-01',
      to: '2018-01-03',
    }).filter((r) => r.source === 'non-utility');
    const days = rowsOf(w, 'p-24-submeter', {
      premise_id: '980',
      sensor_resolution: 'day',
      from: '2018-01-01',
      to: '2018-01-03',
    }).filter((r) => r.source === 'non-utility');
    expect(hours).toHaveLength(72);
    expect(hours[1]).toMatchObject({
      period_start: '2018-01-01T06:00:00Z',
      seconds: 3600,
      resolution: 'hour',
    });
    expect(days.map((r) => r.period_start)).toEqual(['2018-01-01', '2018-01-02', '2018-01-03']);
    expect(sum(hours)).toBe(sum(sensor));
    expect(sum(days)).toBe(sum(sensor));
    // The sub-meter behind the meter reads a little less than the billing meter (demo: 98.5 %).
    const meter = utility[0]?.value as number;
    expect(sum(sensor) / meter).toBeGreaterThan(0.97);
    expect(sum(sensor) / meter).toBeLessThan(1);
  });

  it('without premise_id lists every PremiseID with a sensor; unknown PremiseID is a usage error', async () => {
    const w = await indexedDemo();
    const rows = rowsOf(w, 'p-24-submeter', { sensor_resolution: 'day' });
    expect([...new Set(rows.map((r) => r.premise_id))]).toEqual(['980']);
    expect(() => rowsOf(w, 'p-24-submeter', { premise_id: 'X-1' })).toThrow(
      /unknown PremiseID "X-1"/,
    );
  });
});

// ───────────── t-32-wap ─────────────

describe('t-32-wap', () => {
  /** Hourly kWh on a day for the usage point with platform UsagePointID `upId`. */
  function putDay(w: Workspace, upId: string, iso: string, perHour: number) {
    const up = w.db
      .prepare(
        "SELECT source_id FROM platform_link WHERE kind = 'UsagePointID' AND platform_id = ? AND source_table = 'usage_point'",
      )
      .pluck()
      .get(upId) as number;
    const rt = w.db
      .prepare("SELECT id FROM reading_type WHERE name = 'Electricity kWh hourly'")
      .pluck()
      .get() as number;
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
    new BlockWriter(w.db, 'replace').put({
      seriesId: ensureSeries(w.db, { usagePointId: up, readingTypeId: rt }),
      day: isoToDay(iso),
      start: Date.UTC(y, m - 1, d, 4) / 1000,
      seconds: 3600,
      values: Array<number>(24).fill(perHour),
    });
  }

  it('gives the seed WAP enrolment (ProgramID 400 at PremiseID 5001) with before/after usage', async () => {
    const w = await indexedDemo();
    // Applied 2018-05-03, completed 2018-07-31: one day each side of a 1-day window.
    putDay(w, '110011', '2018-05-02', 1); // 24 kWh before
    putDay(w, '110011', '2018-08-01', 0.5); // 12 kWh after
    const rows = rowsOf(w, 't-32-wap', { window_days: 1 });
    expect(rows).toHaveLength(1);
    expect(
      pick(rows[0] as Row, [
        'change_type',
        'program_id',
        'program',
        'premise_id',
        'usage_point_ids',
        'status',
        'applied_on',
        'enrolled_on',
        'completed_on',
        'ended_on',
        'before_days',
        'before_kwh',
        'after_days',
        'after_kwh',
        'kwh_change_pct',
      ]),
    ).toEqual({
      change_type: null,
      program_id: '400',
      program: 'OSI:WAP',
      premise_id: '5001',
      usage_point_ids: '110011',
      status: 'completed',
      applied_on: '2018-05-03',
      enrolled_on: '2018-05-30',
      completed_on: '2018-07-31',
      ended_on: null,
      before_days: 1,
      before_kwh: 24,
      after_days: 1,
      after_kwh: 12,
      kwh_change_pct: -50,
    });
    // The demo customer consented to pii (the CCA consent): the analyst sees the name; without
    // consent the analyst sees usage but not who the customer is.
    expect((rowsOf(w, 't-32-wap', {}, 'analyst')[0] as Row).customer_name).toBe('OUELLETTE OLIVIA');
    w.db.exec('DELETE FROM consent');
    const analyst = rowsOf(w, 't-32-wap', {}, 'analyst')[0] as Row;
    expect(analyst.customer_name).toBe('[redacted]');
    expect(analyst.service_address).toBe('[redacted]');
    expect(analyst.status).toBe('completed');
  });

  it('nightly delta feed: add, nothing, end, add, update; previews never move the baseline', async () => {
    const w = await indexedDemo();
    const feed = async (params: ParamValues = {}) => {
      const out = path.join(tmpDir(), 'wap.csv');
      const run = await exportDataset(
        w,
        { name: 't-32-wap', params: { mode: 'delta', ...params }, out },
        { role: 'utility-staff', now: NOW },
      );
      const rows = Papa.parse<Record<string, string>>(fs.readFileSync(out, 'utf8').trimEnd(), {
        header: true,
        newline: '\r\n',
      }).data;
      return { run, rows: rows.map((r) => `${r.change_type}:${r.enrolment_id}:${r.status}`) };
    };
    const preview = () =>
      rowsOf(w, 't-32-wap', { mode: 'delta' }).map((r) => `${r.change_type}:${r.enrolment_id}`);
    const id = w.db
      .prepare(
        "SELECT e.id FROM program_enrolment e JOIN program p ON p.id = e.program_id WHERE p.kind = 'wap'",
      )
      .pluck()
      .get() as number;

    expect(preview()).toEqual([`add:${id}`]);
    expect(preview()).toEqual([`add:${id}`]);
    expect((await feed()).rows).toEqual([`add:${id}:completed`]);
    const quiet = await feed();
    expect(quiet.rows).toEqual([]);
    expect(quiet.run.rowCount).toBe(0);
    // Another feed has its own baseline.
    expect((await feed({ feed: 'other' })).rows).toEqual([`add:${id}:completed`]);

    // The program ends the enrolment, and a new premise applies.
    w.db
      .prepare(
        "UPDATE program_enrolment SET status = 'ended', end_date = '2018-12-01' WHERE id = ?",
      )
      .run(id);
    const premise = w.db
      .prepare('SELECT premise_id FROM program_enrolment WHERE id = ?')
      .pluck()
      .get(id);
    const added = Number(
      w.db
        .prepare(
          "INSERT INTO program_enrolment (program_id, premise_id, status, effective_date) SELECT program_id, ?, 'pending', '2018-12-10' FROM program_enrolment WHERE id = ?",
        )
        .run(premise, id).lastInsertRowid,
    );
    expect((await feed()).rows).toEqual([`end:${id}:ended`, `add:${added}:pending`]);
    expect((await feed()).rows).toEqual([]);
    // A status change of a known row is an update; a removed row ends once.
    w.db.prepare("UPDATE program_enrolment SET status = 'enrolled' WHERE id = ?").run(added);
    expect((await feed()).rows).toEqual([`update:${added}:enrolled`]);
    w.db.prepare('DELETE FROM program_enrolment WHERE id = ?').run(added);
    expect((await feed()).rows).toEqual([`end:${added}:`]);
    expect((await feed()).rows).toEqual([]);
    const state = w.db
      .prepare(
        "SELECT count(*) FROM dataset_feed_state WHERE dataset = 't-32-wap' AND feed = 'osi-nightly'",
      )
      .pluck()
      .get();
    expect(state).toBe(2);
  });

  it('refuses an unknown program', async () => {
    const w = await indexedDemo();
    expect(() => rowsOf(w, 't-32-wap', { program: 'NOPE' })).toThrow(/unknown program "NOPE".*WAP/);
  });
});
