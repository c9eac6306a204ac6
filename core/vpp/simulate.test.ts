import { afterEach, describe, expect, it } from 'vitest';
import { Workbench } from '../api/server';
import { demoCopy } from '../testing/demoTemplate';
import type { Workspace } from '../workspace/workspace';
import { Scenario } from './scenario';
import { simulate } from './simulate';

const PRICES = [
  24, 22, 21, 21, 22, 26, 31, 36, 40, 42, 44, 46, 48, 50, 53, 58, 66, 78, 84, 72, 58, 46, 36, 29,
];

function generated(extra: Record<string, unknown> = {}): Scenario {
  return Scenario.parse({
    name: 'generated',
    seed: 11,
    season: { start: '2018-07-02', end: '2018-07-20', lookbackDays: 14 },
    fleet: { fromWorkspace: false, generate: { count: 60, circuits: 3, noConsentShare: 0.1 } },
    program: { requireEnrolment: true, code: 'VPP', requireConsent: true },
    market: {
      energyPrices: { weekday: PRICES, weekend: PRICES },
      capacityEvents: [{ id: 'C1', date: '2018-07-16', startHour: 16, endHour: 19, price: 8 }],
      drEvents: [{ id: 'D1', date: '2018-07-18', startHour: 15, endHour: 18, price: 0.5 }],
    },
    ...extra,
  });
}

describe('season simulation on a generated fleet', () => {
  it('reconciles payments + fee to the settlement to the cent, and excludes DERs without consent', async () => {
    const r = await simulate(null, generated());
    const excluded = r.enrol.enrolments.filter((e) => e.status === 'excluded');
    expect(excluded.length).toBeGreaterThan(0);
    for (const e of excluded) expect(e.reason).toBe('no consent on record');
    expect(r.models.length + excluded.length).toBe(60);
    const d = r.distribution;
    const paid = d.participants.reduce((a, p) => a + p.paymentCents, 0n);
    expect(paid + d.feeCents).toBe(r.settlement.totalCents);
    // the settlement total is Σ line micro-dollars rounded once to the cent
    const micros = r.settlement.lines.reduce((a, l) => a + l.amountMicros, 0n);
    expect(micros).toBe(r.settlement.totalMicros);
    expect(r.settlement.totalCents).toBe((micros + (micros >= 0n ? 5000n : -5000n)) / 10000n);
    // fee: 20 % of a positive settlement, half away from zero
    if (r.settlement.totalCents > 0n)
      expect(d.feeCents).toBe((r.settlement.totalCents * 2000n + 5000n) / 10000n);
    // every participant's statement pays in proportion to positive value: nobody with no value is paid
    for (const p of d.participants) if (p.weightMicros === 0n) expect(p.paymentCents).toBe(0n);
    expect(r.accuracy.fleet.mape).not.toBeNull();
    expect(r.performance.length).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', async () => {
    const a = await simulate(null, generated());
    const b = await simulate(null, generated());
    expect(a.settlement.totalMicros).toBe(b.settlement.totalMicros);
    expect(Array.from(a.dispatch[3]!.flex)).toEqual(Array.from(b.dispatch[3]!.flex));
  });

  it('cancels between days', async () => {
    const c = new AbortController();
    c.abort();
    await expect(simulate(null, generated(), { signal: c.signal })).rejects.toThrow(/cancelled/);
  });
});

describe('stage .1 on a workspace: consent decides', () => {
  let ws: Workspace | null = null;
  afterEach(() => ws?.close());

  it('excludes a DER whose customer gave no consent, enrols the one with consent', async () => {
    const copy = await demoCopy();
    ws = copy.ws;
    const db = ws.db;
    // Two premises with a battery each (PTO before the season), both enrolled in the demo VPP
    // program; only the first customer consents to the aggregator.
    const ups = db
      .prepare(
        `SELECT u.id AS up, u.premise_id AS premise, ac.id AS account, ac.customer_id AS customer, u.org_id AS org
         FROM usage_point u JOIN service_agreement sa ON sa.usage_point_id = u.id JOIN account ac ON ac.id = sa.account_id
         WHERE u.commodity = 'electricity' AND ac.customer_id IS NOT NULL AND sa.end_date IS NULL
         ORDER BY u.id LIMIT 2`,
      )
      .all() as { up: number; premise: number; account: number; customer: number; org: number }[];
    expect(ups).toHaveLength(2);
    const program = (
      db.prepare(`SELECT id FROM program WHERE code = 'VPP-2018'`).get() as { id: number }
    ).id;
    const vpp = (
      db.prepare(`SELECT id FROM organization WHERE code = 'QE-VPP'`).get() as { id: number }
    ).id;
    ups.forEach((u, i) => {
      const asset = Number(
        db
          .prepare(
            `INSERT INTO asset (org_id, source_key, category, premise_id, usage_point_id, nameplate_kw, nameplate_kwh, installed_on)
             VALUES (?, ?, 'storage', ?, ?, 5, 13.5, '2018-03-01')`,
          )
          .run(u.org, `TEST-BAT-${i}`, u.premise, u.up).lastInsertRowid,
      );
      const app = Number(
        db
          .prepare(
            `INSERT INTO interconnection_application (org_id, application_number, asset_id) VALUES (?, ?, ?)`,
          )
          .run(u.org, `TEST-APP-${i}`, asset).lastInsertRowid,
      );
      db.prepare(`INSERT INTO interconnection_status VALUES (?, 'pto', '2018-04-01', NULL)`).run(
        app,
      );
      db.prepare(
        `INSERT INTO program_enrolment (program_id, account_id, premise_id, status, effective_date) VALUES (?, ?, ?, 'enrolled', '2018-05-01')`,
      ).run(program, u.account, u.premise);
    });
    const first = ups[0]!;
    db.prepare(
      `INSERT INTO consent (customer_id, grantee_org_id, scope, valid_from, valid_to) VALUES (?, ?, ?, '2018-05-01', NULL)`,
    ).run(
      first.customer,
      vpp,
      JSON.stringify({ dataClasses: ['customer_usage'], usagePointIds: [first.up] }),
    );
    const wb = new Workbench();
    await wb.call('workspace.open', { path: copy.file });
    ws.close();
    ws = null;
    const text = (await wb.call('vpp.scenario', { demo: true })) as { text: string };
    const s = JSON.parse(text.text) as Record<string, unknown>;
    (s.fleet as Record<string, unknown>).kinds = ['storage'];
    s.season = { ...(s.season as object), start: '2018-07-01', end: '2018-07-07', lookbackDays: 7 };
    (s.market as Record<string, unknown>).capacityEvents = [
      { id: 'C1', date: '2018-07-05', startHour: 16, endHour: 19, price: 8 },
    ];
    (s.market as Record<string, unknown>).drEvents = [];
    const report = (await wb.call('vpp.simulate', { scenario: s })) as {
      runId: number;
      enrolment: { exclusions: { der: string; reason: string }[] };
      distribution: { reconciles: boolean };
    };
    const bat = report.enrolment.exclusions.filter((e) => e.der.includes('TEST-BAT'));
    expect(bat).toHaveLength(1);
    expect(bat[0]!.der).toMatch(/TEST-BAT-1$/);
    expect(bat[0]!.reason).toMatch(
      /^no valid consent to QE-VPP on 2018-07-01: (no consent on record|consent #\d+ was given to [A-Z-]+, not to the grantee)/,
    );
    expect(report.distribution.reconciles).toBe(true);
    const rows = wb.session
      .requireWorkspace()
      .db.prepare(
        `SELECT der_key, status FROM vpp_enrolment WHERE run_id = ? AND der_key LIKE '%TEST-BAT%' ORDER BY der_key`,
      )
      .all(report.runId);
    expect(rows).toEqual([
      { der_key: expect.stringMatching(/TEST-BAT-0$/), status: 'enrolled' },
      { der_key: expect.stringMatching(/TEST-BAT-1$/), status: 'excluded' },
    ]);
    const csv = (await wb.call('vpp.table', {
      runId: report.runId,
      table: 'vpp_distribution',
    })) as { csv: string; rows: number };
    expect(csv.csv.split('\n')[0]).toBe(
      'run_id,participant,ders,energy_out_kwh,energy_in_kwh,event_kwh,energy_value_micros,event_value_micros,weight_micros,payment_cents',
    );
    wb.close();
  });
});

describe('privacy', () => {
  it('refuses per-participant results to the public role', async () => {
    const copy = await demoCopy();
    copy.ws.close();
    const wb = new Workbench({ role: 'public' });
    try {
      await wb.call('workspace.open', { path: copy.file });
      const text = (await wb.call('vpp.scenario', { demo: true })) as { text: string };
      await expect(wb.call('vpp.simulate', { scenario: text.text })).rejects.toThrow(
        /public role cannot see per-participant/,
      );
      await expect(wb.call('vpp.report', { runId: 1 })).rejects.toThrow(/public role/);
    } finally {
      wb.close();
    }
  });
});
