// The validator on the CORE-01 seed bill (demo workspace) and on bad bills: every line explained
// to the cent, findings for misprinted reads, wrong rates, unmatched and missing lines.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Workbench } from '../api/server';
import { demoCopy } from '../testing/demoTemplate';
import type { Workspace } from '../workspace/workspace';
import { computeBill } from './compute';
import { validateBill } from './validate';

const SEED = path.resolve(__dirname, '../../fixtures/bills/core-01.json');
const seed = () =>
  JSON.parse(fs.readFileSync(SEED, 'utf8')) as Record<string, unknown> & {
    lines: Record<string, string>[];
  };
const TOL = { toleranceMicros: 10_000 };

let open: Workspace | null = null;
afterEach(() => {
  open?.close();
  open = null;
});
async function ws(): Promise<Workspace> {
  const c = await demoCopy();
  open = c.ws;
  return c.ws;
}

describe('CORE-01 seed bill', () => {
  it('recomputes 106.52 with per-line half-up (the tariff rule)', async () => {
    const w = await ws();
    const b = computeBill(w.db, {
      account: '108999999',
      from: '2018-07-17',
      to: '2018-08-16',
      store: false,
    });
    expect(b.days).toBe(30);
    expect(b.determinants.usage).toBe('609');
    expect(b.determinants.source).toBe('reads');
    expect(b.lines.map((l) => l.amount)).toEqual([
      '16.12',
      '37.61',
      '-0.49',
      '2.78',
      '0.33',
      '50.17',
    ]);
    expect(b.total).toBe('106.52');
  });

  it('explains every line to the cent: proration at 2018-08-01 with 288 of 609 kWh before it', async () => {
    const w = await ws();
    const r = validateBill(w.db, seed(), TOL).result;
    expect(r.billedTotal).toBe('106.51');
    expect(r.recomputedTotal).toBe('106.52');
    expect(r.passed).toBe(true);
    expect(
      r.lines.map((l) => [l.code, l.billed, l.recomputed, l.difference, l.reproduced]),
    ).toEqual([
      ['customer_charge', '16.12', '16.12', '0.00', true],
      ['delivery', '37.60', '37.61', '-0.01', true],
      ['stranded_cost', '-0.49', '-0.49', '0.00', true],
      ['system_benefits', '2.77', '2.78', '-0.01', true],
      ['consumption_tax', '0.34', '0.33', '0.01', true],
      ['energy_service', '50.17', '50.17', '0.00', true],
    ]);
    expect(r.bestHypothesis?.name).toBe('proration at 2018-08-01 with 288 of 609 kWh before it');
    expect(r.bestHypothesis?.linesReproduced).toBe(6);
    expect(r.bestHypothesis?.total).toBe('106.51');
    // 288 × 0.06175 = 17.784 → 17.78; 321 × 0.06175 = 19.82175 → 19.82; 37.60
    expect(r.lines[1]?.explanation).toContain(
      '288 kWh × 0.06175 = 17.784 → 17.78; 321 × 0.06175 = 19.82175 → 19.82; sum 37.60',
    );
    // 288 × 0.00055 = 0.1584 → 0.16; 321 × 0.00055 = 0.17655 → 0.18; 0.34
    expect(r.lines[4]?.explanation).toContain(
      '0.1584 → 0.16; 321 × 0.00055 = 0.17655 → 0.18; sum 0.34',
    );
    // Simpler rules each explain only some lines.
    const h = Object.fromEntries(r.hypotheses.map((x) => [x.name, x.linesReproduced]));
    expect(h['tariff rule: per line, half-up']).toBe(3);
    expect(h['rounding per line, truncate']).toBe(3);
    expect(h['proration at 2018-08-01 by days']).toBe(3);
  });

  it('flags the printed read 72851 against the 609 kWh billed', async () => {
    const w = await ws();
    const r = validateBill(w.db, { ...seed(), read_present: '72851' }, TOL).result;
    expect(r.findings.join('\n')).toContain(
      "the printed reads 72042 → 72851 give 809 kWh, but the bill's usage is 609 kWh (which the meter data confirms: 609 kWh); a misprinted read",
    );
    expect(r.findings.join('\n')).toContain(
      'present read printed 72851, the workspace holds 72651 on 2018-08-16',
    );
  });

  it('a line priced on another usage figure, a wrong rate, a line matching no charge, a missing line', async () => {
    const w = await ws();
    const b = seed();
    b.lines[1] = { ...b.lines[1], quantity: '809', amount: '49.96' }; // 809 × 0.06175 = 49.95575 → 49.96
    b.lines[5] = { ...b.lines[5], rate: '0.09000', amount: '54.81' }; // 609 × 0.09 = 54.81
    b.lines.push({ code: 'late_fee', description: 'Late Payment Charge', amount: '5.00' });
    b.lines.splice(3, 1); // no System Benefits line
    b.total = '122.14';
    const r = validateBill(w.db, b, TOL).result;
    const by = Object.fromEntries(r.lines.map((l) => [l.code, l]));
    expect(by.delivery?.cause).toBe('usage_mismatch');
    expect(by.delivery?.explanation).toContain('priced on 809 kWh, but the meter data gives 609');
    expect(by.energy_service?.cause).toBe('wrong_rate');
    expect(by.energy_service?.explanation).toContain(
      "billed at 0.09000 per kWh, the tariff's rate is 0.08238",
    );
    expect(by.late_fee?.cause).toBe('unmatched_line');
    expect(by.late_fee?.explanation).toContain('matches no charge of tariff UES D');
    expect(by.system_benefits?.cause).toBe('missing_line');
    expect(by.system_benefits?.billed).toBeNull();
    expect(r.passed).toBe(false);
    expect(r.summary).toMatch(/^FAIL at tolerance 0.01/);
  });

  it('bill.validate stores the validation and bill.compute the computed bill', async () => {
    const c = await demoCopy();
    c.ws.close();
    const wb = new Workbench();
    try {
      await wb.call('workspace.open', { path: c.file });
      const r = (await wb.call('bill.validate', { file: SEED, tolerance: '0' })) as {
        id: number;
        billId: number;
        passed: boolean;
      };
      expect(r.passed).toBe(false); // a 0.00 tolerance: three lines differ by a cent
      const db = wb.session.requireWorkspace().db;
      const v = db
        .prepare('SELECT bill_id, passed, tolerance_micros FROM bill_validation WHERE id = ?')
        .get(r.id);
      expect(v).toEqual({ bill_id: r.billId, passed: 0, tolerance_micros: 0 });
      const lines = db
        .prepare(
          'SELECT code, billed_micros, computed_micros, diff_micros FROM bill_validation_line WHERE validation_id = ? ORDER BY line_no',
        )
        .all(r.id);
      expect(lines[1]).toEqual({
        code: 'delivery',
        billed_micros: 37_600_000,
        computed_micros: 37_610_000,
        diff_micros: -10_000,
      });
      const b = (await wb.call('bill.compute', {
        account: '108999999',
        from: '2018-07-17',
        to: '2018-08-16',
      })) as { id: number; total: string };
      expect(b.total).toBe('106.52');
      expect(db.prepare('SELECT total_micros FROM computed_bill WHERE id = ?').get(b.id)).toEqual({
        total_micros: 106_520_000,
      });
    } finally {
      wb.close();
    }
  });
});

describe('privacy', () => {
  it('refuses the public role, and a consultant without the customer’s consent', async () => {
    const c = await demoCopy();
    c.ws.close();
    for (const role of ['public', 'consultant'] as const) {
      const wb = new Workbench({ role });
      try {
        await wb.call('workspace.open', { path: c.file });
        const compute = wb.call('bill.compute', {
          account: '108999999',
          from: '2018-07-17',
          to: '2018-08-16',
          store: false,
        });
        await expect(compute).rejects.toThrow(role === 'public' ? /cannot recompute/ : /consent/);
        await expect(wb.call('bill.validate', { file: SEED, store: false })).rejects.toThrow(
          role === 'public' ? /cannot recompute/ : /consent/,
        );
      } finally {
        wb.close();
      }
    }
  });
});

describe('bad input', () => {
  it('a period without reads or intervals', async () => {
    const w = await ws();
    expect(() =>
      computeBill(w.db, {
        account: '108999999',
        from: '2015-01-01',
        to: '2015-02-01',
        store: false,
      }),
    ).toThrow(
      /no meter data for account 108999999 \(usage point 1066972800\) from 2015-01-01 to 2015-02-01/,
    );
  });
  it('an unknown account, an empty period, a bill that is not a bill', async () => {
    const w = await ws();
    expect(() =>
      computeBill(w.db, { account: '999', from: '2018-07-17', to: '2018-08-16' }),
    ).toThrow(/no account 999/);
    expect(() =>
      computeBill(w.db, { account: '108999999', from: '2018-08-16', to: '2018-07-17' }),
    ).toThrow(/is empty/);
    expect(() => validateBill(w.db, { account: '108999999' }, TOL)).toThrow(/not an edw bill/);
  });
});
