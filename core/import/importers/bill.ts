// bill: bills as billed (header + lines), from edw bill JSON — one bill object or an array:
//   { "org": "UES", "account": "108999999", "usage_point": "1066972800", "tariff": "D",
//     "period_from": "2018-07-17", "period_to": "2018-08-16", "issued_on": "2018-08-20",
//     "meter_serial": "46920", "read_previous": "72042", "read_present": "72651",
//     "usage": "609", "usage_unit": "kWh", "total": "106.51",
//     "lines": [{ "description": "Customer Charge", "code": "customer_charge",
//                 "quantity": "1", "unit": "bill", "rate": "16.12", "amount": "16.12" }, …] }
// Amounts are decimal strings of dollars, stored as integer micro-dollars (more than six
// decimals is refused, never rounded; JSON numbers are refused: they are binary floats).
// Quantities, rates and reads stay decimal text exactly as printed. The account must exist
// for the organization. One row of the import is one bill.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { IsoDate } from '../parse';
import { EdwError } from '../../workspace/errors';
import { microsToDollars, parseDec, toMicros } from '../decimal';
import { readJsonFile } from '../jsonFile';
import type { Finding, ImportContext, ImporterResult } from '../types';
import { insertBill, matchBill, type BillInput, type BillLineInput } from './billStore';

/** Amounts: decimal strings; a JSON number is caught with its own message below. */
const Amount = z.union([z.string(), z.number()]);
/** Quantities, rates, reads: decimal text as printed (numbers accepted, kept as written). */
const DecimalText = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = typeof v === 'number' ? String(v) : v.trim();
  if (parseDec(s) === null) {
    ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a decimal number` });
    return z.NEVER;
  }
  return s;
});
const Key = z
  .union([z.string().min(1), z.number().int().nonnegative()])
  .transform((v) => String(v).trim());

export const BillLineJson = z
  .object({
    description: z.string().min(1),
    code: z.string().min(1).optional(),
    quantity: DecimalText.optional(),
    unit: z.string().min(1).optional(),
    rate: DecimalText.optional(),
    amount: Amount,
  })
  .strict();

export const BillJson = z
  .object({
    org: z.string().min(1).optional(),
    account: Key,
    usage_point: Key.optional(),
    tariff: z.string().min(1).optional(),
    bill_number: z.string().min(1).optional(),
    period_from: IsoDate,
    period_to: IsoDate,
    issued_on: IsoDate.optional(),
    meter_serial: Key.optional(),
    read_previous: DecimalText.optional(),
    read_present: DecimalText.optional(),
    usage: DecimalText.optional(),
    usage_unit: z.string().min(1).optional(),
    total: Amount,
    lines: z.array(BillLineJson).default([]),
  })
  .strict();
export type BillJson = z.infer<typeof BillJson>;

class BillReject extends Error {
  constructor(
    readonly column: string | null,
    readonly value: string | null,
    reason: string,
  ) {
    super(reason);
  }
}

function micros(column: string, v: string | number): number {
  if (typeof v === 'number')
    throw new BillReject(
      column,
      String(v),
      `${column} must be a decimal string of dollars such as "16.12", not a JSON number (a binary float)`,
    );
  const r = toMicros(v);
  if (!r.ok) throw new BillReject(column, v, `${column} "${v}" ${r.reason}`);
  return r.micros;
}

function one<T>(db: Database, sql: string, ...args: unknown[]): T | undefined {
  return db.prepare(sql).get(...args) as T | undefined;
}

function toInput(ctx: ImportContext, b: BillJson, findings: Finding[]): BillInput {
  const orgCode = b.org ?? ctx.org?.code;
  if (!orgCode)
    throw new BillReject('org', null, 'no organization: give "org" in the bill or --org');
  const org = one<{ id: number; code: string }>(
    ctx.db,
    'SELECT id, code FROM organization WHERE code = ? COLLATE NOCASE',
    orgCode,
  );
  if (!org) throw new BillReject('org', orgCode, `unknown organization ${orgCode}`);
  if (ctx.org && ctx.org.id !== org.id)
    throw new BillReject(
      'org',
      orgCode,
      `the bill is from ${orgCode}, but --org is ${ctx.org.code}`,
    );
  const what = `bill of account ${b.account}, ${b.period_from} to ${b.period_to}`;
  if (b.period_to < b.period_from)
    throw new BillReject(
      'period_to',
      b.period_to,
      `period_to ${b.period_to} is before period_from ${b.period_from}`,
    );
  const account = one<{ id: number }>(
    ctx.db,
    'SELECT id FROM account WHERE org_id = ? AND account_number = ?',
    org.id,
    b.account,
  );
  if (!account)
    throw new BillReject(
      'account',
      b.account,
      `account ${b.account} is not an account of ${org.code} in this workspace (import the organization's CIS file first)`,
    );
  let usagePointId: number | null = null;
  if (b.usage_point !== undefined) {
    const up = one<{ id: number }>(
      ctx.db,
      'SELECT id FROM usage_point WHERE org_id = ? AND source_key = ?',
      org.id,
      b.usage_point,
    );
    if (!up)
      throw new BillReject(
        'usage_point',
        b.usage_point,
        `usage point ${b.usage_point} is not a usage point of ${org.code} in this workspace`,
      );
    usagePointId = up.id;
    const served = one(
      ctx.db,
      'SELECT 1 AS x FROM service_agreement WHERE account_id = ? AND usage_point_id = ?',
      account.id,
      up.id,
    );
    if (!served)
      findings.push({
        kind: 'note',
        subject: what,
        message: `${what}: usage point ${b.usage_point} has no service agreement with account ${b.account}`,
      });
  } else {
    const ups = ctx.db
      .prepare(
        `SELECT DISTINCT usage_point_id AS id FROM service_agreement
         WHERE account_id = ? AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)`,
      )
      .all(account.id, b.period_to, b.period_from) as { id: number }[];
    if (ups.length === 1) usagePointId = (ups[0] as { id: number }).id;
  }
  let tariffId: number | null = null;
  if (b.tariff !== undefined) {
    const t = one<{ id: number }>(
      ctx.db,
      'SELECT id FROM tariff WHERE org_id = ? AND code = ?',
      org.id,
      b.tariff,
    );
    if (t) tariffId = t.id;
    else
      findings.push({
        kind: 'note',
        subject: what,
        message: `${what}: tariff ${b.tariff} is not in the workspace yet; the bill is kept without it`,
      });
  }
  if (b.meter_serial !== undefined && usagePointId !== null) {
    const meters = (
      ctx.db
        .prepare(
          'SELECT m.serial FROM meter_usage_point mu JOIN meter m ON m.id = mu.meter_id WHERE mu.usage_point_id = ?',
        )
        .all(usagePointId) as { serial: string }[]
    ).map((m) => m.serial);
    if (meters.length > 0 && !meters.includes(b.meter_serial))
      findings.push({
        kind: 'note',
        subject: what,
        message: `${what}: meter ${b.meter_serial} printed on the bill is not a meter of its usage point (the workspace has ${meters.join(', ')}); kept as printed`,
      });
  }
  const lines: BillLineInput[] = b.lines.map((l, i) => ({
    code: l.code ?? null,
    description: l.description,
    quantity: l.quantity ?? null,
    unit: l.unit ?? null,
    rate: l.rate ?? null,
    amountMicros: micros(`lines[${i}].amount`, l.amount),
  }));
  const total = micros('total', b.total);
  if (lines.length > 0) {
    const sum = lines.reduce((a, l) => a + l.amountMicros, 0);
    if (sum !== total)
      findings.push({
        kind: 'note',
        subject: what,
        message: `${what}: the lines add up to ${microsToDollars(sum)}, the bill's total is ${microsToDollars(total)} (kept as billed)`,
      });
  }
  return {
    orgId: org.id,
    accountId: account.id,
    usagePointId,
    tariffId,
    billNumber: b.bill_number ?? null,
    periodFrom: b.period_from,
    periodTo: b.period_to,
    issuedOn: b.issued_on ?? null,
    meterSerial: b.meter_serial ?? null,
    readPrevious: b.read_previous ?? null,
    readPresent: b.read_present ?? null,
    usage: b.usage ?? null,
    usageUnit: b.usage_unit ?? null,
    totalMicros: total,
    lines,
  };
}

export async function importBill(ctx: ImportContext): Promise<ImporterResult> {
  const doc = readJsonFile(ctx.path, ctx.file);
  const list = Array.isArray(doc.value) ? (doc.value as unknown[]) : [doc.value];
  if (list.length === 0)
    throw new EdwError('input_rejected', `${ctx.file}: the file holds no bills (an empty array)`, {
      line: 1,
    });
  const findings: Finding[] = [];
  let accepted = 0;
  let bills = 0;
  let lines = 0;
  for (const [i, raw] of list.entries()) {
    const path = Array.isArray(doc.value) ? `$[${i}]` : '$';
    const line = doc.line(path);
    const parsed = BillJson.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const p = issue?.path ?? [];
      ctx.reject({
        line: p.length
          ? doc.line(
              `${path}${p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}`,
            )
          : line,
        column: p.length ? p.map(String).join('.') : null,
        value: null,
        reason: `not an edw bill: ${parsed.error.issues
          .slice(0, 4)
          .map((x) => `${x.path.length ? `${x.path.map(String).join('.')}: ` : ''}${x.message}`)
          .join('; ')}`,
      });
      continue;
    }
    try {
      const input = toInput(ctx, parsed.data, findings);
      const match = matchBill(ctx.db, input);
      const what = `bill of account ${parsed.data.account}, ${input.periodFrom} to ${input.periodTo}`;
      if (match.kind === 'same') {
        findings.push({
          kind: 'duplicate',
          subject: what,
          message: `${what} is already in the workspace (bill ${match.id}, ${match.source}), identical: nothing to change`,
        });
        accepted++;
        continue;
      }
      if (match.kind === 'different')
        throw new BillReject(
          null,
          null,
          `a different ${what} is already in the workspace (bill ${match.id}, ${match.source}): ${match.differences.slice(0, 4).join('; ')}; bills as billed are never overwritten`,
        );
      insertBill(ctx.db, ctx.batchId, input);
      bills++;
      lines += input.lines.length;
      accepted++;
    } catch (e) {
      if (!(e instanceof BillReject)) throw e;
      const colPath = e.column?.replace(/^lines\[(\d+)\]\.(\w+)$/, '.lines[$1]');
      ctx.reject({
        line: colPath?.startsWith('.lines') ? doc.line(`${path}${colPath}`) : line,
        column: e.column,
        value: e.value,
        reason: e.message,
      });
    }
  }
  const written: Record<string, number> = {};
  if (bills) written.bill = bills;
  if (lines) written.bill_line = lines;
  return { rowsTotal: list.length, rowsAccepted: accepted, findings, written };
}
