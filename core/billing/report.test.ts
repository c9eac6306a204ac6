// bill.list, bill.validate by stored bill id and bill.exportReport (CSV and HTML) on the demo's
// CORE-01 bill, through the API as each role would call it.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Workbench } from '../api/server';
import type { Role } from '../privacy/roles';
import { demoCopy } from '../testing/demoTemplate';

let wb: Workbench | null = null;
afterEach(() => {
  wb?.close();
  wb = null;
});

async function open(role: Role): Promise<{ wb: Workbench; dir: string; file: string }> {
  const c = await demoCopy();
  c.ws.close();
  const w = new Workbench({ role });
  await w.call('workspace.open', { path: c.file });
  wb = w;
  return { wb: w, dir: c.dir, file: c.file };
}

interface Listed {
  id: number;
  account: string;
  accountShown: boolean;
  total: string;
  lines: number;
  lastValidation: { passed: boolean } | null;
}

describe('bills in the workspace and validation reports', () => {
  it('lists the bills, validates one by id, records the validation', async () => {
    const { wb } = await open('analyst');
    const all = (await wb.call('bill.list', {})) as Listed[];
    expect(all).toHaveLength(1);
    // Listed without an account: the analyst sees no account number without consent.
    expect([all[0]?.account, all[0]?.accountShown, all[0]?.total, all[0]?.lines]).toEqual([
      '[redacted]',
      false,
      '106.51',
      6,
    ]);
    expect(all[0]?.lastValidation).toBeNull();
    const mine = (await wb.call('bill.list', { account: '108999999' })) as Listed[];
    expect(mine[0]?.account).toBe('108999999');
    expect(await wb.call('bill.list', { account: 'nope' })).toEqual([]);

    const v = (await wb.call('bill.validate', { billId: all[0]?.id })) as {
      passed: boolean;
      billId: number;
      billedTotal: string;
      recomputedTotal: string;
    };
    expect([v.passed, v.billId, v.billedTotal, v.recomputedTotal]).toEqual([
      true,
      all[0]?.id,
      '106.51',
      '106.52',
    ]);
    const again = (await wb.call('bill.list', {})) as Listed[];
    expect(again[0]?.lastValidation?.passed).toBe(true);
    await expect(wb.call('bill.validate', { billId: 999 })).rejects.toThrow(/no bill #999/);
    await expect(wb.call('bill.validate', { billId: 1, file: 'x.json' })).rejects.toThrow(
      /give one of/,
    );
  });

  it('writes the CSV and HTML reports and audits them', async () => {
    const { wb, dir } = await open('utility-staff');
    const [bill] = (await wb.call('bill.list', {})) as Listed[];
    const csvOut = path.join(dir, 'r.csv');
    const r = (await wb.call('bill.exportReport', {
      billId: bill?.id,
      format: 'csv',
      out: csvOut,
    })) as { lines: number; passed: boolean; redactedFields: number; bytes: number };
    expect([r.lines, r.passed, r.redactedFields]).toEqual([6, true, 0]);
    const rows = fs.readFileSync(csvOut, 'utf8').split('\r\n');
    expect(rows[0]).toBe(
      'org,account,period_from,period_to,line_no,code,description,billed,recomputed,difference,within_tolerance,cause,reproduced,explanation',
    );
    expect(rows[5]).toMatch(
      /^UES,108999999,2018-07-17,2018-08-16,5,consumption_tax,Consumption Tax,0.34,0.33,0.01,true,proration,true,"proration at 2018-08-01 with 288 of 609 kWh before it: /,
    );
    expect(rows[7]).toMatch(
      /^UES,108999999,2018-07-17,2018-08-16,total,,Total,106.51,106.52,-0.01,true,PASS,,"PASS at tolerance 0.01/,
    );
    expect(r.bytes).toBe(fs.statSync(csvOut).size);

    const htmlOut = path.join(dir, 'r.html');
    await wb.call('bill.exportReport', { billId: bill?.id, format: 'html', out: htmlOut });
    const html = fs.readFileSync(htmlOut, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('UES account 108999999');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|<link |src=/);
    // Descriptions are escaped.
    expect(html).toContain('Energy Service Chg Fixed');

    const ws = wb.session.requireWorkspace();
    const audit = ws.db
      .prepare(`SELECT role, subject, details FROM audit_log WHERE action = 'export' ORDER BY id`)
      .all() as { role: string; subject: string; details: string }[];
    expect(audit.map((a) => [a.role, a.subject])).toEqual([
      ['utility-staff', csvOut],
      ['utility-staff', htmlOut],
    ]);
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({
      what: 'bill_validation_report',
      format: 'csv',
      account: '108999999',
      passed: true,
    });
    await expect(
      wb.call('bill.exportReport', {
        billId: bill?.id,
        format: 'csv',
        out: path.join(dir, 'no/x.csv'),
      }),
    ).rejects.toThrow(/no such folder/);
  });

  it('redacts the account for analysts, refuses the public and consultants without consent', async () => {
    const { wb, dir } = await open('analyst');
    const [bill] = (await wb.call('bill.list', {})) as Listed[];
    const out = path.join(dir, 'a.csv');
    const r = (await wb.call('bill.exportReport', { billId: bill?.id, format: 'csv', out })) as {
      redactedFields: number;
    };
    expect(r.redactedFields).toBe(1);
    expect(fs.readFileSync(out, 'utf8').split('\r\n')[1]).toMatch(/^UES,\[redacted\],/);
    wb.close();

    for (const role of ['public', 'consultant'] as const) {
      const { wb: w, dir: d } = await open(role);
      const [b] = (await w.call('bill.list', {})) as Listed[];
      await expect(
        w.call('bill.exportReport', { billId: b?.id, format: 'html', out: path.join(d, 'p.html') }),
      ).rejects.toThrow(role === 'public' ? /may not see customer_usage/ : /consent/);
      const refused = w.session
        .requireWorkspace()
        .db.prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'privacy_decision'`)
        .get() as { n: number };
      expect(refused.n).toBe(1);
      expect(fs.existsSync(path.join(d, 'p.html'))).toBe(false);
      w.close();
    }
  });
});
