// Green Button export: schema-valid feeds (ESPI 3.3 and 4.0, xmllint), lossless round trip
// through the Green Button import into a fresh workspace, DST days, consent refusals and
// acceptance with their audit rows, time ranges, per-customer feeds, cancellation.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../api/server';
import { runImport } from '../import/run';
import { readBlocks } from '../metering/intervals';
import { dayNumber, dayToIso, localDay, localDayOf } from '../time/zone';
import { sameDec } from '../import/decimal';
import { Workspace } from '../workspace/workspace';
import { CancelledError, EdwError } from '../workspace/errors';
import { tmpDir } from '../testing/tmp';
import { exportGreenButton } from './export';
import { localTimeParameters } from './localTime';
import type { GreenButtonExportRequest } from './schema';
import { buildSource, FALL, SPRING, xmllint, ZONE, type Source } from './testkit';

let src: Source;
beforeAll(() => {
  src = buildSource();
});
afterAll(() => src.ws.close());

const req = (more: Partial<GreenButtonExportRequest>): GreenButtonExportRequest => ({
  usagePoints: [],
  espi: '3.3',
  out: path.join(tmpDir(), 'feed.xml'),
  ...more,
});

interface Slot {
  start: number;
  value: number;
  quality: number;
}

/** Every stored slot per usage point key × reading-type key. */
function dump(ws: Workspace): Map<string, Slot[]> {
  const series = ws.db
    .prepare(
      `SELECT se.id, u.source_key AS up, u.commodity AS upc, coalesce(u.time_zone, o.time_zone) AS zone,
              rt.commodity, rt.unit, rt.flow_direction, rt.interval_seconds, rt.accumulation, rt.measure
       FROM series se JOIN usage_point u ON u.id = se.usage_point_id JOIN organization o ON o.id = u.org_id
       JOIN reading_type rt ON rt.id = se.reading_type_id`,
    )
    .all() as ({ id: number } & Record<string, string | number>)[];
  const out = new Map<string, Slot[]>();
  for (const s of series) {
    const { id, ...key } = s;
    const slots: Slot[] = [];
    for (const b of readBlocks(ws.db, id))
      b.values.forEach((v, i) =>
        slots.push({ start: b.start + i * b.seconds, value: v, quality: b.quality[i] as number }),
      );
    out.set(JSON.stringify(key), slots);
  }
  return out;
}

/** Import an export into a fresh workspace in strict mode: committed, nothing rejected or tolerated. */
async function reimportStrict(file: string): Promise<Workspace> {
  const fresh = freshWorkspace();
  const imp = await runImport(fresh, {
    kind: 'greenbutton',
    files: [file],
    org: 'NHU',
    mode: 'strict',
    rejectsDir: path.join(tmpDir(), 'rejects'),
  });
  const f = imp.files[0];
  expect(f?.status).toBe('committed');
  expect(f?.rowsRejected).toBe(0);
  expect(f?.findings.filter((x) => x.kind === 'tolerated')).toEqual([]);
  return fresh;
}

function freshWorkspace(orgs: [string, string][] = [['NHU', 'Elsewhere Utility']]): Workspace {
  const ws = Workspace.create(path.join(tmpDir('edw-gb-rt-'), 'fresh.edw'));
  const ins = ws.db.prepare(
    "INSERT INTO organization (code, name, kind, jurisdiction_code, regulated) VALUES (?, ?, 'utility', 'NH', 1)",
  );
  for (const [c, n] of orgs) ins.run(c, n);
  return ws;
}

function auditRows(
  ws: Workspace,
): { role: string; action: string; details: Record<string, unknown> }[] {
  return (
    ws.db
      .prepare("SELECT role, action, details FROM audit_log WHERE action = 'export' ORDER BY id")
      .all() as {
      role: string;
      action: string;
      details: string;
    }[]
  ).map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
}

describe('Green Button export', () => {
  it('writes feeds that validate against the ESPI 3.3 and 4.0 schemas', async () => {
    for (const espi of ['3.3', '4.0'] as const) {
      const r = await exportGreenButton(src.ws, req({ usagePoints: ['E-100', 'G-200'], espi }), {
        role: 'analyst',
      });
      const v = xmllint(r.file, espi);
      expect(v.message).toMatch(/validates/);
      expect(v.ok).toBe(true);
      expect(r).toMatchObject({ espi, usagePoints: ['E-100', 'G-200'], usageSummaries: 1 });
      expect(fs.readFileSync(r.file, 'utf8')).toContain(`<generator version="ESPI ${espi}">`);
    }
  });

  it('round-trips losslessly through the Green Button import into a fresh workspace', async () => {
    const r = await exportGreenButton(src.ws, req({ usagePoints: ['E-100', 'G-200'] }), {
      role: 'analyst',
    });
    // 7 days × (24·3 − 1 + 1 … ): every non-missing slot is written, missing ones are not.
    const before = dump(src.ws);
    const slots = [...before.values()].flat();
    const missing = slots.filter((s) => s.quality === 3).length;
    expect(missing).toBeGreaterThan(0);
    expect(r.readings).toBe(slots.length - missing);
    expect(r.series.reduce((n, s) => n + s.missing, 0)).toBe(missing);
    expect(r.series.every((s) => s.rounded === 0)).toBe(true);
    // Powers of ten so that values are exact integers: kWh with 4 decimals → Wh × 10^-1.
    expect(r.series.find((s) => s.readingType === 'Electricity kWh hourly')).toMatchObject({
      uom: 72,
      powerOfTenMultiplier: -1,
    });
    expect(r.series.find((s) => s.readingType === 'Gas therms daily')).toMatchObject({
      uom: 169,
      powerOfTenMultiplier: -3,
    });

    const fresh = await reimportStrict(r.file);
    const after = dump(fresh);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [k, v] of before) expect(after.get(k), k).toEqual(v);
    const ups = fresh.db
      .prepare('SELECT source_key, commodity, time_zone FROM usage_point ORDER BY source_key')
      .all();
    expect(ups).toEqual([
      { source_key: 'E-100', commodity: 'electricity', time_zone: null },
      { source_key: 'G-200', commodity: 'gas', time_zone: null },
    ]);
    fresh.close();
  });

  it('writes 23- and 25-hour days with their own readings and durations', async () => {
    const r = await exportGreenButton(src.ws, req({ usagePoints: ['E-100', 'G-200'] }), {
      role: 'analyst',
    });
    const xml = fs.readFileSync(r.file, 'utf8');
    const block = (title: string, index = 0) => {
      const all = [
        ...xml.matchAll(
          new RegExp(
            `<title>${title}</title><content><IntervalBlock[\\s\\S]*?</IntervalBlock>`,
            'g',
          ),
        ),
      ];
      return (all[index] as RegExpMatchArray)[0];
    };
    const spring = localDay(SPRING, ZONE);
    const fall = localDay(FALL, ZONE);
    expect(spring.seconds).toBe(82800);
    expect(fall.seconds).toBe(90000);
    // The first MeterReading is hourly kWh: 23 slots on 2018-03-11 (one of them missing).
    const s = block(dayToIso(SPRING));
    expect(s).toContain(
      `<interval><duration>82800</duration><start>${spring.start}</start></interval>`,
    );
    const starts = [...s.matchAll(/<start>(\d+)<\/start><\/timePeriod>/g)].map((m) => Number(m[1]));
    const stored = src.ws.db
      .prepare(
        `SELECT start FROM interval_reading r JOIN reading_type rt ON rt.id = r.reading_type_id
         WHERE r.usage_point_id = ? AND rt.name = 'Electricity kWh hourly' AND r.day = ? AND r.quality <> 3 ORDER BY start`,
      )
      .pluck()
      .all(src.elecId, SPRING);
    expect(stored.length).toBeGreaterThanOrEqual(22);
    expect(starts).toEqual(stored);
    expect(starts.every((t) => (t - spring.start) % 3600 === 0 && t < spring.start + 82800)).toBe(
      true,
    );
    const f = block(dayToIso(FALL));
    expect(f).toContain(
      `<interval><duration>90000</duration><start>${fall.start}</start></interval>`,
    );
    const fStarts = [...f.matchAll(/<start>(\d+)<\/start><\/timePeriod>/g)].map((m) =>
      Number(m[1]),
    );
    // 01:00 EDT and 01:00 EST are both there, an hour apart.
    expect(fStarts).toContain(Date.UTC(2018, 10, 4, 5) / 1000);
    expect(fStarts).toContain(Date.UTC(2018, 10, 4, 6) / 1000);
    expect(new Set(fStarts).size).toBe(fStarts.length);
    expect(fStarts.every((t) => t >= fall.start && t < fall.start + 90000)).toBe(true);
    // Daily gas: the month block of 2018-03 has a 23-hour reading on 2018-03-11.
    const gas = block('2018-03');
    expect(gas).toContain(
      `<timePeriod><duration>82800</duration><start>${spring.start}</start></timePeriod>`,
    );
    const gasNov = block('2018-11');
    expect(gasNov).toContain(
      `<timePeriod><duration>90000</duration><start>${fall.start}</start></timePeriod>`,
    );
    // LocalTimeParameters of New York: 02:00 on the 2nd Sunday of March / 1st Sunday of November.
    expect(xml).toContain(
      '<LocalTimeParameters xmlns="http://naesb.org/espi"><dstEndRule>B40E2000</dstEndRule><dstOffset>3600</dstOffset><dstStartRule>360E2000</dstStartRule><tzOffset>-18000</tzOffset></LocalTimeParameters>',
    );
  });

  it('exports a time range, a customer’s usage points, and a bill as a UsageSummary', async () => {
    const r = await exportGreenButton(
      src.ws,
      req({ customer: 'C-1', from: '2018-11-01', to: '2018-11-04' }),
      { role: 'analyst' },
    );
    expect(r.usagePoints).toEqual(['E-100', 'G-200']);
    expect(r.usageSummaries).toBe(0); // the bill is in July
    const xml = fs.readFileSync(r.file, 'utf8');
    const titles = [...xml.matchAll(/<title>(\d{4}-\d{2}(?:-\d{2})?)<\/title>/g)].map((m) => m[1]);
    expect(new Set(titles)).toEqual(new Set(['2018-11-03', '2018-11-04', '2018-11']));
    // Gas: 2018-11-01..04 only.
    const gas = xml.match(/<title>2018-11<\/title>[\s\S]*?<\/IntervalBlock>/)?.[0] ?? '';
    expect(gas.match(/<IntervalReading>/g)?.length).toBe(4);

    const withBill = await exportGreenButton(
      src.ws,
      req({ usagePoints: ['E-100'], from: '2018-07-01', to: '2018-07-01' }),
      { role: 'analyst' },
    );
    expect(withBill.usageSummaries).toBe(1);
    expect(withBill.notes.join()).toMatch(/2 bill amounts rounded half to even/);
    const bxml = fs.readFileSync(withBill.file, 'utf8');
    // 106 512 345 micro-dollars → 10 651 234.5 hundred-thousandths → 10 651 234 (half to even).
    expect(bxml).toContain('<billLastPeriod>10651234</billLastPeriod>');
    expect(bxml).toContain(
      '<overallConsumptionLastPeriod><powerOfTenMultiplier>2</powerOfTenMultiplier><uom>72</uom><value>6125</value></overallConsumptionLastPeriod>',
    );
    expect(xmllint(withBill.file, '3.3').ok).toBe(true);

    // The bill comes back when the fresh workspace knows the account that serves the usage point.
    const fresh = freshWorkspace();
    fresh.db
      .exec(`INSERT INTO usage_point (org_id, source_key, commodity) VALUES (1, 'E-100', 'electricity');
      INSERT INTO account (org_id, account_number) VALUES (1, 'X-9');
      INSERT INTO service_agreement (account_id, usage_point_id, start_date) VALUES (1, 1, '2018-01-01');`);
    const imp = await runImport(fresh, {
      kind: 'greenbutton',
      files: [withBill.file],
      org: 'NHU',
      rejectsDir: path.join(tmpDir(), 'rejects'),
    });
    expect(imp.files[0]?.status).toBe('committed');
    expect(
      fresh.db
        .prepare('SELECT period_from, period_to, usage, usage_unit, total_micros FROM bill')
        .all(),
    ).toEqual([
      {
        period_from: '2018-06-15',
        period_to: '2018-07-16',
        usage: '612.5',
        usage_unit: 'kWh',
        total_micros: 106512340,
      },
    ]);
    expect(
      fresh.db
        .prepare(
          'SELECT description, quantity, unit, amount_micros FROM bill_line ORDER BY line_no',
        )
        .all(),
    ).toEqual([
      { description: 'Customer Charge', quantity: null, unit: null, amount_micros: 16120000 },
      { description: 'Delivery Charge', quantity: '612.5', unit: 'kWh', amount_micros: 37607500 },
      { description: 'Energy Service', quantity: '612.5', unit: 'kWh', amount_micros: 52784840 },
    ]);
    fresh.close();
  });

  it('refuses bad selections with clear messages', async () => {
    const fail = (r: Partial<GreenButtonExportRequest>) =>
      exportGreenButton(src.ws, req(r), { role: 'analyst' }).then(
        () => 'ok',
        (e: EdwError) => `${e.code}: ${e.message}`,
      );
    expect(await fail({})).toMatch(/usage: name at least one usage point/);
    expect(await fail({ usagePoints: ['NOPE'] })).toMatch(/not_found: no usage point NOPE/);
    expect(await fail({ customer: 'C-404' })).toMatch(/not_found: no customer C-404/);
    expect(await fail({ usagePoints: ['E-100'], from: '2018-05-01', to: '2018-04-01' })).toMatch(
      /range is empty/,
    );
    expect(await fail({ usagePoints: ['E-100'], org: 'XYZ' })).toMatch(
      /unknown the organization "XYZ"|unknown .*XYZ/,
    );
  });
});

describe('consent and roles', () => {
  const consent = (
    scope: object,
    from: string,
    to: string | null,
    revokedAt: number | null,
    grantee = 2,
  ) =>
    Number(
      src.ws.db
        .prepare(
          'INSERT INTO consent (customer_id, grantee_org_id, scope, valid_from, valid_to, revoked_at) VALUES (1, ?, ?, ?, ?, ?)',
        )
        .run(grantee, JSON.stringify(scope), from, to, revokedAt).lastInsertRowid,
    );
  const now = new Date('2024-05-01T12:00:00Z');
  const attempt = (
    role: 'consultant' | 'public' | 'analyst',
    more: Partial<GreenButtonExportRequest> = {},
  ) => exportGreenButton(src.ws, req({ usagePoints: ['E-100'], ...more }), { role, now });

  it('refuses a consultant without a valid consent, naming what is missing, and audits it', async () => {
    src.ws.db.exec('DELETE FROM consent');
    const out = req({ usagePoints: ['E-100'] }).out;
    await expect(
      exportGreenButton(
        src.ws,
        { ...req({ usagePoints: ['E-100'] }), out },
        { role: 'consultant', now },
      ),
    ).rejects.toThrow(
      /refused for role consultant: usage point E-100 \(NHU\): customer C-1: no consent on record/,
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);

    const expired = consent({ dataClasses: ['customer_usage'] }, '2020-01-01', '2023-12-31', null);
    await expect(attempt('consultant')).rejects.toThrow(
      `consent #${expired} expired on 2023-12-31`,
    );
    const revokedAt = Date.UTC(2024, 2, 1) / 1000;
    const revoked = consent({ dataClasses: ['customer_usage'] }, '2020-01-01', null, revokedAt);
    await expect(attempt('consultant')).rejects.toThrow(
      `consent #${revoked} was revoked at 2024-03-01T00:00:00.000Z`,
    );
    const pii = consent({ dataClasses: ['pii'] }, '2020-01-01', null, null);
    await expect(attempt('consultant')).rejects.toThrow(
      `consent #${pii} scope lacks data class customer_usage (it covers pii)`,
    );
    const gasOnly = consent(
      { dataClasses: ['customer_usage'], usagePointIds: [src.gasId] },
      '2020-01-01',
      null,
      null,
    );
    await expect(attempt('consultant')).rejects.toThrow(
      `consent #${gasOnly} scope lacks usage point E-100`,
    );
    // The gas usage point is covered by that consent.
    const gas = await attempt('consultant', { usagePoints: ['G-200'] });
    expect(gas.authorization).toEqual({
      role: 'consultant',
      basis: 'consent',
      consents: [gasOnly],
    });
    await expect(attempt('public')).rejects.toThrow(/role public is denied customer usage data/);

    const audit = auditRows(src.ws).slice(-7);
    expect(audit.map((a) => [a.role, a.details.status])).toEqual([
      ['consultant', 'refused'],
      ['consultant', 'refused'],
      ['consultant', 'refused'],
      ['consultant', 'refused'],
      ['consultant', 'refused'],
      ['consultant', 'written'],
      ['public', 'refused'],
    ]);
    expect(audit[0]?.details.reason).toMatch(/no consent on record/);
  });

  it('accepts a consultant with a covering consent and an analyst by role, both audited', async () => {
    src.ws.db.exec('DELETE FROM consent');
    const id = consent(
      { dataClasses: ['customer_usage'], usagePointIds: [src.elecId] },
      '2024-01-01',
      '2024-12-31',
      null,
    );
    const ok = await attempt('consultant');
    expect(ok.authorization).toEqual({ role: 'consultant', basis: 'consent', consents: [id] });
    expect(xmllint(ok.file, '3.3').ok).toBe(true);
    // Only consents to the named grantee count.
    await expect(attempt('consultant', { grantee: 'NHU' })).rejects.toThrow(
      `consent #${id} was given to AGG, not to NHU`,
    );
    const analyst = await attempt('analyst');
    expect(analyst.authorization.basis).toBe('role');
    const audit = auditRows(src.ws).slice(-3);
    expect(audit.map((a) => [a.role, a.details.status, a.details.basis ?? null])).toEqual([
      ['consultant', 'written', 'consent'],
      ['consultant', 'refused', null],
      ['analyst', 'written', 'role'],
    ]);
    expect(audit[0]?.details).toMatchObject({
      consents: [id],
      readings: ok.readings,
      out: ok.file,
    });
  });

  it('greenbutton.consent and greenbutton.export through the API', async () => {
    src.ws.db.exec('DELETE FROM consent');
    const wb = new Workbench({ role: 'consultant' });
    await wb.call('workspace.open', { path: src.file });
    const status = (await wb.call('greenbutton.consent', { customer: 'C-1' })) as {
      access: string;
      usagePoints: { usagePoint: string; exportable: boolean; reason: string | null }[];
    };
    expect(status.access).toBe('consent');
    expect(status.usagePoints.map((u) => [u.usagePoint, u.exportable])).toEqual([
      ['E-100', false],
      ['G-200', false],
    ]);
    expect(status.usagePoints[0]?.reason).toMatch(/customer C-1: no consent on record/);
    const out = path.join(tmpDir(), 'api.xml');
    await expect(wb.call('greenbutton.export', { usagePoints: ['E-100'], out })).rejects.toThrow(
      /refused/,
    );
    wb.close();
    const analyst = new Workbench({ role: 'analyst' });
    await analyst.call('workspace.open', { path: src.file });
    const phases: number[] = [];
    const r = (await analyst.call(
      'greenbutton.export',
      { usagePoints: ['E-100'], out, espi: '4.0' },
      { progress: (p) => phases.push(p.done) },
    )) as { readings: number; file: string };
    expect(phases.at(-1)).toBe(r.readings);
    expect(xmllint(out, '4.0').ok).toBe(true);
    analyst.close();
    src.ws.close();
    src.ws = Workspace.open(src.file);
  });
});

describe('cancellation', () => {
  it('a cancelled export leaves no file and no partial file', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'cancel.xml');
    const controller = new AbortController();
    let calls = 0;
    const p = exportGreenButton(src.ws, req({ usagePoints: ['E-100', 'G-200'], out }), {
      role: 'analyst',
      chunkBytes: 1024, // flush (and await) often, so the export is mid-way when cancelled
      progress: () => {
        if (++calls === 1) controller.abort();
      },
      signal: controller.signal,
    });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(fs.readdirSync(dir)).toEqual([]);
    const last = auditRows(src.ws).at(-1);
    expect(last?.details.status).toBe('cancelled');
  });
});

describe('LocalTimeParameters', () => {
  it('encodes DST rules of IANA zones as ESPI DstRuleType words', () => {
    expect(localTimeParameters('America/New_York', 2018)).toEqual({
      zone: 'America/New_York',
      tzOffset: -18000,
      dstOffset: 3600,
      dstStartRule: '360E2000', // March, 2nd Sunday, 02:00
      dstEndRule: 'B40E2000', // November, 1st Sunday, 02:00
    });
    // Before 2007: 1st Sunday of April, last Sunday of October.
    expect(localTimeParameters('America/New_York', 2005)).toMatchObject({
      dstStartRule: '440E2000',
      dstEndRule: 'AE0E2000',
    });
    // Europe: last Sunday of March 01:00 GMT, last Sunday of October 02:00 BST.
    expect(localTimeParameters('Europe/London', 2020)).toMatchObject({
      tzOffset: 0,
      dstStartRule: '3E0E1000',
      dstEndRule: 'AE0E2000',
    });
    // Southern hemisphere: starts in October, ends in April.
    expect(localTimeParameters('Australia/Sydney', 2020)).toMatchObject({
      tzOffset: 36000,
      dstStartRule: 'A40E2000',
      dstEndRule: '440E3000',
    });
    expect(localTimeParameters('America/Phoenix', 2020)).toEqual({
      zone: 'America/Phoenix',
      tzOffset: -25200,
      dstOffset: 0,
      dstStartRule: '00000000',
      dstEndRule: '00000000',
    });
    expect(dayNumber(2018, 3, 11)).toBe(SPRING);
  });
});

describe('billing periods (period_usage)', () => {
  const at = (iso: string) => Date.parse(iso) / 1000;
  const OPOWER = path.join(
    __dirname,
    '../../fixtures/greenbutton/real/opower-gas-billing-periods.xml',
  );
  // E-100's monthly kWh periods (New York): every quality, a negative value, the fall-back hour,
  // a period across the new year. [start, end, value, quality]
  const E_PERIODS: [string, string, string, number][] = [
    ['2018-06-15T04:00:00Z', '2018-07-16T04:00:00Z', '612.345', 1], // estimated
    ['2018-07-16T04:00:00Z', '2018-08-15T04:00:00Z', '580', 0],
    ['2018-08-15T04:00:00Z', '2018-09-14T04:00:00Z', '0.5', 2], // edited
    ['2018-09-14T04:00:00Z', '2018-10-15T04:00:00Z', '-12.25', 4], // failed
    ['2018-10-15T04:00:00Z', '2018-11-14T05:00:00Z', '433.1', 3], // missing: not written
    ['2018-12-14T05:00:00Z', '2019-01-15T05:00:00Z', '700.0001', 0],
    ['2019-01-15T05:00:00Z', '2019-02-13T05:00:00Z', '1.5', 0],
  ];

  interface PeriodDump {
    start_utc: number;
    end_utc: number;
    first_date: string;
    last_date: string;
    value: string;
    quality: number;
  }

  /** period_usage per usage point key × reading-type spec (the name is not part of the key). */
  function periodDump(ws: Workspace): Map<string, PeriodDump[]> {
    const rows = ws.db
      .prepare(
        `SELECT u.source_key AS up, rt.commodity, rt.unit, rt.flow_direction, rt.interval_seconds,
                rt.accumulation, rt.measure, p.start_utc, p.end_utc, p.first_date, p.last_date, p.value, p.quality
         FROM period_usage p JOIN usage_point u ON u.id = p.usage_point_id JOIN reading_type rt ON rt.id = p.reading_type_id
         ORDER BY u.source_key, rt.id, p.start_utc`,
      )
      .all() as (PeriodDump & Record<string, string | number | null>)[];
    const out = new Map<string, PeriodDump[]>();
    for (const r of rows) {
      const { start_utc, end_utc, first_date, last_date, value, quality, ...key } = r;
      const k = JSON.stringify(key);
      const list = out.get(k) ?? [];
      list.push({ start_utc, end_utc, first_date, last_date, value, quality });
      out.set(k, list);
    }
    return out;
  }

  it('exports them as their own MeterReading and round-trips them losslessly (3.3 and 4.0)', async () => {
    const s = buildSource();
    const db = s.ws.db;
    const rt = Number(
      db
        .prepare(
          `INSERT INTO reading_type (commodity, unit, flow_direction, interval_seconds, accumulation, measure, name)
           VALUES ('electricity', 'kWh', 'forward', NULL, 'delta', 'energy', 'Electricity kWh monthly (test)')`,
        )
        .run().lastInsertRowid,
    );
    const ins = db.prepare(
      `INSERT INTO period_usage (usage_point_id, reading_type_id, start_utc, end_utc, first_date, last_date, value, quality)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const [a, b, v, q] of E_PERIODS) {
      const start = at(a);
      const end = at(b);
      ins.run(
        s.elecId,
        rt,
        start,
        end,
        dayToIso(localDayOf(start, ZONE)),
        dayToIso(localDayOf(end - 1, ZONE)),
        v,
        q,
      );
    }
    // Opower's 35 gas billing periods on a third usage point, NET_USAGE.
    const opower = await runImport(s.ws, {
      kind: 'greenbutton',
      files: [OPOWER],
      org: 'NHU',
      rejectsDir: path.join(tmpDir(), 'rejects'),
    });
    expect(opower.files[0]?.status).toBe('committed');
    const ups = ['E-100', 'G-200', 'NET_USAGE'];
    const before = periodDump(s.ws);
    expect([...before.values()].map((v) => v.length)).toEqual([7, 35]);
    const slotsBefore = dump(s.ws);

    for (const espi of ['3.3', '4.0'] as const) {
      const r = await exportGreenButton(s.ws, req({ usagePoints: ups, espi }), {
        role: 'analyst',
      });
      expect(xmllint(r.file, espi)).toMatchObject({ ok: true });
      // kWh up to 4 decimals → Wh × 10^-1; therms with 3 decimals → therm × 10^-3.
      // The longest E-100 period: 2018-12-14 … 2019-01-14, 32 days.
      expect(r.periods).toEqual([
        {
          usagePoint: 'E-100',
          readingType: 'Electricity kWh monthly (test)',
          unit: 'kWh',
          intervalLength: 32 * 86400,
          uom: 72,
          powerOfTenMultiplier: -1,
          periods: 6,
          blocks: 2,
          missing: 1,
          rounded: 0,
          unreadable: 0,
        },
        expect.objectContaining({
          usagePoint: 'NET_USAGE',
          unit: 'therm',
          uom: 169,
          powerOfTenMultiplier: -3,
          periods: 35,
          missing: 0,
          rounded: 0,
        }),
      ]);
      expect(r.periodReadings).toBe(41);
      const slots = [...slotsBefore.values()].flat().filter((x) => x.quality !== 3).length;
      expect(r.readings).toBe(slots + 41);
      expect(r.notes.join('\n')).toMatch(
        /usage point E-100, Electricity kWh monthly \(test\): 6 billing periods exported as their own MeterReading \(intervalLength 2764800 s, 2 IntervalBlocks\)/,
      );
      expect(r.notes.join('\n')).toMatch(/E-100.*: 1 period of quality missing not written/);
      const xml = fs.readFileSync(r.file, 'utf8');
      // 612.345 kWh estimated → 6 123 450 × 10^-1 Wh with ReadingQuality 8; −12.25 kWh failed → 10.
      expect(xml).toContain(
        `<IntervalReading><ReadingQuality><quality>8</quality></ReadingQuality><timePeriod><duration>${31 * 86400}</duration><start>${at('2018-06-15T04:00:00Z')}</start></timePeriod><value>6123450</value></IntervalReading>`,
      );
      expect(xml).toContain(
        `<IntervalReading><ReadingQuality><quality>10</quality></ReadingQuality><timePeriod><duration>${31 * 86400}</duration><start>${at('2018-09-14T04:00:00Z')}</start></timePeriod><value>-122500</value></IntervalReading>`,
      );
      expect(xml).toContain('<title>2019</title>');

      const fresh = await reimportStrict(r.file);
      // Interval data as before, and every written period with its bounds, value and quality.
      const slotsAfter = dump(fresh);
      expect([...slotsAfter.keys()].sort()).toEqual([...slotsBefore.keys()].sort());
      for (const [k, v] of slotsBefore) expect(slotsAfter.get(k), k).toEqual(v);
      const after = periodDump(fresh);
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
      for (const [k, v] of before) {
        const want = v.filter((p) => p.quality !== 3);
        const got = after.get(k) ?? [];
        const bounds = (p: PeriodDump) => [
          p.start_utc,
          p.end_utc,
          p.first_date,
          p.last_date,
          p.quality,
        ];
        expect(got.map(bounds), k).toEqual(want.map(bounds));
        got.forEach((p, i) =>
          expect(sameDec(p.value, (want[i] as PeriodDump).value), `${k} ${p.first_date}`).toBe(
            true,
          ),
        );
      }
      // Opower's values come back with their own text: 37000 × 10^-3 therm → "37.000".
      expect(
        after.get([...after.keys()].find((k) => k.includes('NET_USAGE')) as string)?.[0]?.value,
      ).toBe('37.000');
      fresh.close();
    }

    // A range selects the periods that overlap it: 2018-07-20 … 2018-09-01 → 07-16 and 08-15.
    const part = await exportGreenButton(
      s.ws,
      req({ usagePoints: ['E-100'], from: '2018-07-20', to: '2018-09-01' }),
      { role: 'analyst' },
    );
    expect(part.periods).toMatchObject([{ periods: 2, blocks: 1, powerOfTenMultiplier: 2 }]);
    const pxml = fs.readFileSync(part.file, 'utf8');
    // 580 kWh at scale 0 → 580 × 10^3 Wh… written at S = 1 (0.5): 5 800 × 10^2.
    expect(pxml).toContain(
      `<start>${at('2018-07-16T04:00:00Z')}</start></timePeriod><value>5800</value>`,
    );
    expect(xmllint(part.file, '3.3').ok).toBe(true);
    s.ws.close();
  });

  it('rounds only when Int48 leaves no exact integer, and refuses a value that never fits', async () => {
    const s = buildSource();
    const db = s.ws.db;
    const rt = Number(
      db
        .prepare(
          `INSERT INTO reading_type (commodity, unit, flow_direction, interval_seconds, accumulation, measure, name)
           VALUES ('gas', 'therm', 'forward', NULL, 'delta', 'energy', 'Gas therm monthly (test)')`,
        )
        .run().lastInsertRowid,
    );
    const ins = db.prepare(
      `INSERT INTO period_usage (usage_point_id, reading_type_id, start_utc, end_utc, first_date, last_date, value, quality)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    ins.run(
      s.gasId,
      rt,
      at('2018-01-01T05:00:00Z'),
      at('2018-02-01T05:00:00Z'),
      '2018-01-01',
      '2018-01-31',
      '123456789012345.6',
    );
    ins.run(
      s.gasId,
      rt,
      at('2018-02-01T05:00:00Z'),
      at('2018-03-01T05:00:00Z'),
      '2018-02-01',
      '2018-02-28',
      '0.5',
    );
    // 1.2e15 at scale 1 exceeds 2^47: written at scale 0, both values rounded half away from zero.
    const r = await exportGreenButton(s.ws, req({ usagePoints: ['G-200'], to: '2018-02-28' }), {
      role: 'analyst',
    });
    expect(r.periods).toMatchObject([{ periods: 2, powerOfTenMultiplier: 0, rounded: 2 }]);
    const xml = fs.readFileSync(r.file, 'utf8');
    expect(xml).toContain('<value>123456789012346</value>');
    expect(xml).toContain(
      `<start>${at('2018-02-01T05:00:00Z')}</start></timePeriod><value>1</value>`,
    );
    expect(r.notes.join('\n')).toMatch(/2 values rounded \(half away from zero\) to 10\^0 therm/);
    expect(xmllint(r.file, '3.3').ok).toBe(true);
    db.prepare("UPDATE period_usage SET value = '999999999999999' WHERE value = '0.5'").run();
    await expect(
      exportGreenButton(s.ws, req({ usagePoints: ['G-200'], to: '2018-02-28' }), {
        role: 'analyst',
      }),
    ).rejects.toThrow(
      /usage point G-200, Gas therm monthly \(test\): the period from 2018-02-01 \(999999999999999 therm\) does not fit ESPI's 48-bit integers/,
    );
    s.ws.close();
  });
});
