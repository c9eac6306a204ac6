// The premise explorer on the small demo after an index run: the CORE-01 seed premise
// (account 108999999 at 74 N Sing St, Concord; UES electric + Liberty gas) row by row, redaction
// per role and consent, usage views, exports and their audit trail.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCopy } from '../testing/demoTemplate';
import { runIndex } from '../indexer/run';
import { Workbench } from '../api/server';
import type { Workspace } from '../workspace/workspace';
import { energyFactor, KWH_PER_THERM, thermFactor } from '../metering/energy';
import { getPremise, KIND_ORDER } from './get';
import { premiseUsage } from './usage';
import type { Pii, Premise } from './schema';

let ws: Workspace;
let dir: string;
let wb: Workbench;
/** Dates inside the demo consents' validity (2018-05-01 … 2019-04-30). */
const JUNE_2018 = new Date('2018-06-01T12:00:00Z');
const SEED = '16002';

beforeAll(async () => {
  ({ ws, dir } = await demoCopy());
  await runIndex(ws);
  wb = new Workbench({ role: 'analyst' });
  wb.session.attach(ws);
}, 60_000);
afterAll(() => wb.close());

const get = (
  role: 'analyst' | 'utility-staff' | 'consultant' | 'public' | 'oca',
  now = JUNE_2018,
) => getPremise(ws.db, { platformId: SEED }, { role, now });
const redacted = (p: Pii | null | undefined) =>
  typeof p === 'object' && p !== null && p.redacted === true;

describe('getPremise on the CORE-01 seed premise', () => {
  let p: Premise;
  beforeAll(() => {
    p = get('utility-staff');
  });

  it('gathers both organizations’ records under the platform PremiseID', () => {
    expect(p.platformId).toBe(SEED);
    expect(p.records.map((r) => [r.org, r.sourceKey, r.premiseId])).toEqual([
      ['LIBERTY', 'L42492236', 2],
      ['UES', '2247990', 1],
    ]);
    expect(p.records.every((r) => r.batch?.id === 1 && r.batch.kind === 'demo')).toBe(true);
  });

  it('lists linked IDs of all thirteen kinds with source row, method and run', () => {
    expect([...new Set(p.linkedIds.map((l) => l.kind))]).toEqual([...KIND_ORDER]);
    const premiseLinks = p.linkedIds.filter((l) => l.kind === 'PremiseID');
    expect(premiseLinks.map((l) => [l.sourceId, l.method, l.run?.id ?? null])).toEqual([
      [1, 'seed', null],
      [2, 'auto', 1],
    ]);
    const account = p.linkedIds.find((l) => l.kind === 'AccountID' && l.sourceId === 1);
    expect(account).toMatchObject({ platformId: '120002', sourceKey: '108999999', org: 'UES' });
    const up = p.linkedIds.filter((l) => l.kind === 'UsagePointID').map((l) => l.sourceKey);
    expect(up).toEqual(['1066972800', 'G977225297']);
  });

  it('shows each organization’s address as written, normalised, under one AddressID', () => {
    expect(p.addresses.map((a) => [a.org, a.raw, a.normalized])).toEqual([
      ['LIBERTY', '74 N. Sing St., Concord NH 03301', '74 N SING ST, CONCORD NH 03301'],
      ['UES', '74 N Sing Street, Concord, NH 03301', '74 N SING ST, CONCORD NH 03301'],
    ]);
    expect(new Set(p.addresses.map((a) => a.platformAddressId)).size).toBe(1);
  });

  it('lists accounts per utility and fuel with agreements, rate classes and dates', () => {
    expect(
      p.accounts.map((a) => ({
        org: a.org,
        number: a.accountNumber,
        commodities: a.commodities,
        customer: a.customer?.name,
        agreements: a.agreements.map((g) => [
          g.usagePoint,
          g.rateClass?.code,
          g.tariff?.code,
          g.startDate,
          g.endDate,
        ]),
      })),
    ).toEqual([
      {
        org: 'LIBERTY',
        number: '200095292373',
        commodities: ['gas'],
        customer: 'Cook, Emily',
        agreements: [['G977225297', 'R-3', 'R-3', '2011-10-27', null]],
      },
      {
        org: 'UES',
        number: '108999999',
        commodities: ['electricity'],
        customer: 'Emily Cook',
        agreements: [['1066972800', 'D', 'D', '2007-10-11', null]],
      },
    ]);
  });

  it('reports meter, coverage, gaps and quality of the electric usage point', () => {
    const up = p.usagePoints.find((u) => u.sourceKey === '1066972800');
    expect(up?.meters.map((m) => [m.serial, m.installedOn, m.removedOn])).toEqual([
      ['46920', '2015-09-20', null],
    ]);
    const s = up?.series[0];
    // The seed days: Jan 1–3, the 23-hour Mar 11, Jun 12–13, the CORE-01 period Jul 17–Aug 16
    // and the 25-hour Nov 4: 72 + 23 + 48 + 744 + 25 readings.
    expect(s).toMatchObject({
      readingType: 'Electricity kWh hourly',
      firstDay: '2018-01-01',
      lastDay: '2018-11-04',
      days: 38,
      readings: 912,
      valid: 912,
      missing: 0,
      gapDays: 270,
    });
    expect(s?.gaps).toEqual([
      { from: '2018-01-04', to: '2018-03-10', days: 66 },
      { from: '2018-03-12', to: '2018-06-11', days: 92 },
      { from: '2018-06-14', to: '2018-07-16', days: 33 },
      { from: '2018-08-17', to: '2018-11-03', days: 79 },
    ]);
    expect(up?.reads).toEqual({ count: 2, estimated: 0, first: '2018-07-17', last: '2018-08-16' });
  });

  it('shows the register reads and the CORE-01 bill with its lines and validation status', () => {
    expect(p.reads.map((r) => [r.usagePoint, r.meter, r.readDate, r.reading, r.estimated])).toEqual(
      [
        ['1066972800', '46920', '2018-07-17', '72042', false],
        ['1066972800', '46920', '2018-08-16', '72651', false],
      ],
    );
    expect(p.bills).toHaveLength(1);
    const b = p.bills[0]!;
    expect(b).toMatchObject({
      org: 'UES',
      accountNumber: '108999999',
      periodFrom: '2018-07-17',
      periodTo: '2018-08-16',
      readPrevious: '72042',
      readPresent: '72651',
      usage: '609',
      totalMicros: 106_510_000,
      status: 'not validated',
    });
    expect(b.lines.map((l) => l.amountMicros)).toEqual([
      16_120_000, 37_600_000, -490_000, 2_770_000, 340_000, 50_170_000,
    ]);
    expect(b.lines.reduce((s, l) => s + l.amountMicros, 0)).toBe(b.totalMicros);
  });

  it('places the premise on the grid and lists its program and meter asset', () => {
    expect(p.grid.map((g) => [g.via, g.node, g.section, g.circuit, g.substation])).toEqual([
      ['asset M46920 (meter)', '10007', '1', '22233', 'UES-SS01'],
    ]);
    expect(p.programs.map((e) => [e.program.code, e.status, e.effectiveDate])).toEqual([
      ['UES TOU-RES', 'enrolled', '2018-04-16'],
    ]);
    expect(p.assets.map((a) => [a.sourceKey, a.category])).toEqual([['M46920', 'meter']]);
  });

  it('explains the link: the batch, the run and the matcher evidence', () => {
    expect(p.audit.batches.map((b) => b.id)).toEqual([1]);
    expect(p.audit.runs.map((r) => r.id)).toEqual([1]);
    expect(p.audit.matches).toHaveLength(1);
    expect(p.audit.matches[0]).toMatchObject({
      leftPremiseId: 1,
      rightPremiseId: 2,
      score: 0.93,
      status: 'auto_link',
      decision: null,
    });
    // Seeded IDs have no create event; the Liberty gas usage point's ID was created by run 1.
    expect(p.audit.events.filter((e) => e.kind === 'UsagePointID')).toEqual([
      expect.objectContaining({ platformId: '110005', event: 'create', runId: 1 }),
    ]);
  });

  it('finds the same premise from either premise row', () => {
    expect(getPremise(ws.db, { premiseId: 2 }, { role: 'analyst' }).platformId).toBe(SEED);
    expect(() => getPremise(ws.db, { premiseId: 999_999 }, { role: 'analyst' })).toThrow(
      /no premise row with id 999999/,
    );
    expect(() => getPremise(ws.db, { platformId: 'nope' }, { role: 'analyst' })).toThrow(
      /no platform PremiseID nope/,
    );
  });
});

describe('privacy', () => {
  it('redacts PII without consent and says why; usage stays visible to analysts', () => {
    const p = get('analyst');
    const ues = p.accounts.find((a) => a.org === 'UES')!;
    expect(ues.accountNumber).toEqual({
      redacted: true,
      reason: 'hidden for role analyst: no consent covering pii (no consent on record)',
    });
    expect(redacted(ues.customer?.name)).toBe(true);
    expect(redacted(ues.customer?.person?.name)).toBe(true);
    expect(p.addresses.every((a) => redacted(a.raw) && a.normalized !== null)).toBe(true);
    expect(redacted(p.bills[0]?.accountNumber)).toBe(true);
    expect(redacted(p.linkedIds.find((l) => l.kind === 'AccountID')?.sourceKey)).toBe(true);
    // 2 accounts × (number, customer name, person name) + 2 raw addresses; none of it in the JSON.
    expect(p.privacy.redactedFields).toBe(8);
    expect(JSON.stringify(p)).not.toMatch(/108999999|Emily|Sing Street/);
    expect(p.reads).toHaveLength(2);
    expect(p.privacy.withheldUsagePoints).toBe(0);
  });

  it('a consultant without consent sees neither PII nor usage; the public role nothing', () => {
    const p = get('consultant');
    expect(p.usagePoints.map((u) => u.withheld?.reason)).toEqual([
      'hidden for role consultant: no consent covering customer_usage (no consent on record)',
      'hidden for role consultant: no consent covering customer_usage (no consent on record)',
    ]);
    expect(p.usagePoints.every((u) => u.series.length === 0)).toBe(true);
    expect(p.reads).toEqual([]);
    expect(p.bills).toEqual([]);
    expect(
      premiseUsage(ws.db, { platformId: SEED }, { role: 'consultant', granularity: 'day' }).series,
    ).toEqual([]);
    expect(() => get('public')).toThrow(/role public may not look up individual premises/);
  });

  it('follows consent: shown while valid, hidden once expired or revoked, with the reason', () => {
    // Customer 3 consented (pii + customer_usage, its usage point 3) from 2018-05-01 to 2019-04-30.
    const premiseId = ws.db
      .prepare('SELECT premise_id FROM usage_point WHERE id = 3')
      .pluck()
      .get() as number;
    const number = ws.db
      .prepare('SELECT account_number FROM account WHERE customer_id = 3')
      .pluck()
      .get() as string;
    const at = (now: Date, role: 'analyst' | 'consultant' = 'analyst') =>
      getPremise(ws.db, { premiseId }, { role, now });
    const acc = (p: Premise) => p.accounts.find((a) => a.customer?.customerId === 3)?.accountNumber;
    expect(acc(at(JUNE_2018))).toBe(number);
    expect(acc(at(new Date('2019-06-01T12:00:00Z')))).toEqual({
      redacted: true,
      reason: expect.stringMatching(/no consent covering pii \(consent #1 expired on 2019-04-30\)/),
    });
    // Customer 6's consent was revoked on 2018-09-15: a consultant loses the usage too.
    const revokedPremise = ws.db
      .prepare('SELECT premise_id FROM usage_point WHERE id = 6')
      .pluck()
      .get() as number;
    const before = getPremise(
      ws.db,
      { premiseId: revokedPremise },
      { role: 'consultant', now: JUNE_2018 },
    );
    const after = getPremise(
      ws.db,
      { premiseId: revokedPremise },
      { role: 'consultant', now: new Date('2018-10-01T00:00:00Z') },
    );
    const up6 = (p: Premise) => p.usagePoints.find((u) => u.usagePointId === 6);
    expect(up6(before)?.withheld).toBeNull();
    expect(up6(after)?.withheld?.reason).toMatch(/consent #3 was revoked at 2018-09-15/);
  });
});

describe('usage', () => {
  it('gives daily totals per series equal to the coverage totals, in native units and kWh', () => {
    const u = premiseUsage(ws.db, { platformId: SEED }, { role: 'analyst', granularity: 'day' });
    const elec = u.series.find((s) => s.commodity === 'electricity')!;
    const gas = u.series.find((s) => s.commodity === 'gas')!;
    expect(elec.points).toHaveLength(38);
    const sum = elec.points.reduce((s, x) => s + x.value, 0);
    expect(sum).toBeCloseTo(762.4068, 6);
    // CORE-01: 609 kWh over Jul 17 – Aug 15 (the read on Aug 16 closes the period).
    const core01 = elec.points.filter((x) => x.period >= '2018-07-17' && x.period < '2018-08-16');
    expect(core01.reduce((s, x) => s + x.value, 0)).toBeCloseTo(609, 6);
    expect(gas.unit).toBe('therm');
    for (const x of gas.points) {
      expect(x.kwh).toBeCloseTo(x.value * KWH_PER_THERM, 5);
      expect(x.therms).toBe(x.value);
    }
    expect(elec.points.every((x) => x.therms === null && x.kwh === x.value)).toBe(true);
  });

  it('gives monthly totals equal to the interval_month roll-up', () => {
    const u = premiseUsage(ws.db, { platformId: SEED }, { role: 'analyst', granularity: 'month' });
    for (const s of u.series) {
      const rows = ws.db
        .prepare('SELECT month, total, days FROM interval_month WHERE series_id = ? ORDER BY month')
        .all(s.seriesId) as { month: string; total: number; days: number }[];
      expect(s.points.map((x) => x.period)).toEqual(rows.map((r) => r.month));
      s.points.forEach((x, i) => {
        expect(x.value).toBeCloseTo(rows[i]!.total, 6);
        expect(x.days).toBe(rows[i]!.days);
      });
    }
  });

  it('converts with named factors', () => {
    expect(energyFactor('CCF', 'gas')?.kwhPerUnit).toBeCloseTo(1.037 * 29.3071, 9);
    expect(energyFactor('Wh', 'electricity')?.kwhPerUnit).toBe(0.001);
    expect(energyFactor('gal', 'water')).toBeNull();
    expect(energyFactor('CCF', 'water')).toBeNull();
    expect(thermFactor('CCF', 'gas')).toBe(1.037);
    expect(thermFactor('kWh', 'electricity')).toBeNull();
  });
});

describe('premise.export', () => {
  it('writes the JSON bundle with the role’s redactions and audits it', async () => {
    const out = path.join(dir, 'seed.json');
    const r = (await wb.call('premise.export', { platformId: SEED, what: 'record', out })) as {
      bytes: number;
      redactedFields: number;
    };
    const bundle = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      format: string;
      role: string;
      premise: Premise;
      usage: { granularity: string; series: unknown[] };
    };
    expect(bundle.format).toBe('edw.premise-bundle');
    expect(bundle.role).toBe('analyst');
    expect(bundle.premise.platformId).toBe(SEED);
    expect(bundle.usage.granularity).toBe('month');
    expect(bundle.usage.series).toHaveLength(2);
    expect(fs.readFileSync(out, 'utf8')).not.toMatch(/108999999|Emily/);
    expect(r.bytes).toBe(fs.statSync(out).size);
    expect(r.redactedFields).toBeGreaterThan(0);
    const log = get('analyst').audit.log;
    expect(log.at(-1)).toMatchObject({
      action: 'export',
      role: 'analyst',
      subject: `premise:${SEED}`,
      details: { format: 'premise-json', status: 'written', out },
    });
  });

  it('writes usage CSV per day and per interval reading', async () => {
    const day = path.join(dir, 'day.csv');
    const d = (await wb.call('premise.export', { platformId: SEED, what: 'usage', out: day })) as {
      rows: number;
    };
    const lines = fs.readFileSync(day, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'source,key,org,commodity,reading_type,unit,period,value,kwh,therms,readings,days,missing,estimated',
    );
    expect(d.rows).toBe(76); // 38 days × (electric, gas)
    expect(lines).toHaveLength(77);
    const iv = path.join(dir, 'interval.csv');
    const i = (await wb.call('premise.export', {
      premiseId: 1,
      what: 'usage',
      granularity: 'interval',
      out: iv,
    })) as { rows: number };
    expect(i.rows).toBe(912 + 38); // hourly electric + daily gas
    const first = fs.readFileSync(iv, 'utf8').split('\r\n')[1];
    expect(first).toMatch(
      /^usage_point,G977225297,LIBERTY,gas,Gas therms daily,therm,2018-01-01T05:00:00.000Z,86400,/,
    );
  });

  it('refuses a bad path or reference clearly, audits the failure, leaves no file', async () => {
    const out = path.join(dir, 'missing-dir', 'x.json');
    await expect(
      wb.call('premise.export', { platformId: SEED, what: 'record', out }),
    ).rejects.toThrow(/directory .*missing-dir does not exist/);
    expect(fs.existsSync(out)).toBe(false);
    expect(get('analyst').audit.log.at(-1)?.details).toMatchObject({ status: 'failed' });
    await expect(
      wb.call('premise.export', { platformId: SEED, premiseId: 1, what: 'record', out }),
    ).rejects.toThrow(/give exactly one of platformId/);
  });

  it('shows Green Button exports of its usage points in the audit trail', async () => {
    const staff = new Workbench({ role: 'utility-staff' });
    staff.session.attach(ws);
    const out = path.join(dir, 'gb.xml');
    await staff.call('greenbutton.export', { usagePoints: ['1066972800'], org: 'UES', out });
    const log = get('analyst').audit.log;
    expect(log.at(-1)).toMatchObject({
      action: 'export',
      role: 'utility-staff',
      subject: 'greenbutton:gb.xml',
    });
  });
});
