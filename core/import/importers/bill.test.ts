// Bill import: the CORE-01 bill as printed → integer micro-dollars, exact decimal text for
// rates and quantities; unknown accounts, float amounts and rounding refused; bills as billed
// never overwritten.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoBench, FIXTURES } from './demoBench';

const CORE01 = path.join(FIXTURES, 'bills', 'core-01.json');
const seed = JSON.parse(fs.readFileSync(CORE01, 'utf8'));

describe('bill JSON', () => {
  it('finds the seed bill identical to the one the demo holds', async () => {
    const b = await demoBench();
    const o = await b.run('bill', CORE01);
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 1, written: {} });
    expect(o.findings.map((f) => f.message)).toEqual([
      'bill of account 108999999, 2018-07-17 to 2018-08-16 is already in the workspace (bill 1, demo), identical: nothing to change',
    ]);
    expect(b.one('SELECT count(*) FROM bill')).toBe(1);
    b.ws.close();
  });

  it('imports the seed bill exactly as printed, in micro-dollars', async () => {
    const b = await demoBench();
    b.ws.db.exec('DELETE FROM bill_line; DELETE FROM bill;');
    const o = await b.run('bill', CORE01);
    expect(o).toMatchObject({ status: 'committed', rowsAccepted: 1, rowsRejected: 0 });
    expect(o.written).toEqual({ bill: 1, bill_line: 6 });
    const bill = b.rows(
      `SELECT o.code AS org, a.account_number, u.source_key AS usage_point, t.code AS tariff,
              b.period_from, b.period_to, b.issued_on, b.meter_serial, b.read_previous, b.read_present,
              b.usage, b.usage_unit, b.total_micros, b.source
       FROM bill b JOIN organization o ON o.id = b.org_id JOIN account a ON a.id = b.account_id
       LEFT JOIN usage_point u ON u.id = b.usage_point_id LEFT JOIN tariff t ON t.id = b.tariff_id`,
    );
    expect(bill).toEqual([
      {
        org: 'UES',
        account_number: '108999999',
        usage_point: '1066972800', // the account's only usage point in the period
        tariff: 'D',
        period_from: '2018-07-17',
        period_to: '2018-08-16',
        issued_on: '2018-08-20',
        meter_serial: '46920',
        read_previous: '72042',
        read_present: '72651',
        usage: '609',
        usage_unit: 'kWh',
        total_micros: 106_510_000,
        source: 'import',
      },
    ]);
    expect(
      b.rows(
        'SELECT line_no, code, quantity, unit, rate, amount_micros FROM bill_line ORDER BY line_no',
      ),
    ).toEqual([
      {
        line_no: 1,
        code: 'customer_charge',
        quantity: '1',
        unit: 'bill',
        rate: '16.12',
        amount_micros: 16_120_000,
      },
      {
        line_no: 2,
        code: 'delivery',
        quantity: '609',
        unit: 'kWh',
        rate: '0.06175',
        amount_micros: 37_600_000,
      },
      {
        line_no: 3,
        code: 'stranded_cost',
        quantity: '609',
        unit: 'kWh',
        rate: '-0.00080',
        amount_micros: -490_000,
      },
      {
        line_no: 4,
        code: 'system_benefits',
        quantity: '609',
        unit: 'kWh',
        rate: '0.00456',
        amount_micros: 2_770_000,
      },
      {
        line_no: 5,
        code: 'consumption_tax',
        quantity: '609',
        unit: 'kWh',
        rate: '0.00055',
        amount_micros: 340_000,
      },
      {
        line_no: 6,
        code: 'energy_service',
        quantity: '609',
        unit: 'kWh',
        rate: '0.08238',
        amount_micros: 50_170_000,
      },
    ]);
    // The lines add up to the total: no finding about them.
    expect(o.findings).toEqual([]);
    b.ws.close();
  });

  it('rejects an unknown account clearly and leaves the workspace unchanged', async () => {
    const b = await demoBench();
    const before = b.digest();
    const o = await b.run(
      'bill',
      b.write('x.json', JSON.stringify({ ...seed, account: '999000111' })),
    );
    expect(o.status).toBe('rejected');
    expect(o.rejects[0]).toMatchObject({
      line: 1,
      column: 'account',
      value: '999000111',
      reason:
        "account 999000111 is not an account of UES in this workspace (import the organization's CIS file first)",
    });
    expect(o.message).toMatch(/nothing imported .* the workspace is unchanged/);
    expect(b.digest()).toBe(before);
    b.ws.close();
  });

  it('refuses float amounts and sub-micro-dollar amounts, per bill of an array, with lines', async () => {
    const b = await demoBench();
    b.ws.db.exec('DELETE FROM bill_line; DELETE FROM bill;');
    const floaty = structuredClone(seed);
    floaty.period_from = '2018-06-15';
    floaty.period_to = '2018-07-16';
    floaty.lines[1].amount = 37.6;
    const tooFine = structuredClone(seed);
    tooFine.period_from = '2018-08-17';
    tooFine.period_to = '2018-09-14';
    tooFine.total = '106.5100001';
    const text = JSON.stringify([seed, floaty, tooFine], null, 2);
    const o = await b.run('bill', b.write('three.json', text));
    expect(o).toMatchObject({
      status: 'committed',
      rowsTotal: 3,
      rowsAccepted: 1,
      rowsRejected: 2,
    });
    const lines = text.split('\n');
    const floatyLine = lines.findIndex((l) => l.includes('"amount": 37.6')) + 1;
    expect(o.rejects).toEqual([
      expect.objectContaining({
        column: 'lines[1].amount',
        reason:
          'lines[1].amount must be a decimal string of dollars such as "16.12", not a JSON number (a binary float)',
      }),
      expect.objectContaining({
        column: 'total',
        reason:
          'total "106.5100001" has more than 6 decimals: money is kept to the micro-dollar without rounding',
      }),
    ]);
    // The bad line of the second bill is pointed at (its lines[1] object starts just above).
    expect(o.rejects[0]?.line).toBeGreaterThan(30);
    expect(o.rejects[0]?.line).toBeLessThanOrEqual(floatyLine);
    expect(b.one('SELECT count(*) FROM bill')).toBe(1);
    b.ws.close();
  });

  it('never overwrites a bill as billed: a different bill for the same period is rejected', async () => {
    const b = await demoBench();
    const other = structuredClone(seed);
    other.total = '106.52';
    other.lines[1].amount = '37.61';
    const o = await b.run('bill', b.write('other.json', JSON.stringify(other)));
    expect(o.status).toBe('rejected');
    expect(o.rejects[0]?.reason).toMatch(
      /a different bill of account 108999999, 2018-07-17 to 2018-08-16 is already in the workspace \(bill 1, demo\): total 106\.51 held, 106\.52 in the file; line 2 "Delivery Charge" 37\.60 held/,
    );
    b.ws.close();
  });

  it('reports lines that do not add up to the total, and a schema error with its field', async () => {
    const b = await demoBench();
    b.ws.db.exec('DELETE FROM bill_line; DELETE FROM bill;');
    const off = structuredClone(seed);
    off.total = '106.50';
    const o = await b.run('bill', b.write('off.json', JSON.stringify(off)));
    expect(o.status).toBe('committed');
    expect(o.findings[0]?.message).toMatch(
      /the lines add up to 106\.51, the bill's total is 106\.50 \(kept as billed\)/,
    );
    const bad = await b.run(
      'bill',
      b.write('bad.json', JSON.stringify({ ...seed, period_to: '2018-02-30' })),
    );
    expect(bad.rejects[0]?.reason).toMatch(/not an edw bill: period_to: is not a calendar date/);
    b.ws.close();
  });
});
