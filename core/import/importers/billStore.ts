// Writing bills as billed (bill + bill_line), shared by the bill JSON importer and the Green
// Button UsageSummary mapping. A bill is identified by organization, account and service
// period: the same bill again is a duplicate; a different bill for the same period is a
// conflict, never an overwrite.
import type { Database } from 'better-sqlite3';
import { microsToDollars } from '../decimal';

export interface BillLineInput {
  code: string | null;
  description: string;
  quantity: string | null;
  unit: string | null;
  rate: string | null;
  amountMicros: number;
}

export interface BillInput {
  orgId: number;
  accountId: number;
  usagePointId: number | null;
  tariffId: number | null;
  billNumber: string | null;
  periodFrom: string;
  periodTo: string;
  issuedOn: string | null;
  meterSerial: string | null;
  readPrevious: string | null;
  readPresent: string | null;
  usage: string | null;
  usageUnit: string | null;
  totalMicros: number;
  lines: BillLineInput[];
}

interface BillRow {
  id: number;
  usage_point_id: number | null;
  tariff_id: number | null;
  bill_number: string | null;
  issued_on: string | null;
  meter_serial: string | null;
  read_previous: string | null;
  read_present: string | null;
  usage: string | null;
  usage_unit: string | null;
  total_micros: number;
  source: string;
}

interface LineRow {
  line_no: number;
  code: string | null;
  description: string;
  quantity: string | null;
  unit: string | null;
  rate: string | null;
  amount_micros: number;
}

export type BillMatch =
  | { kind: 'none' }
  | { kind: 'same'; id: number; source: string }
  | { kind: 'different'; id: number; source: string; differences: string[] };

/** Compare with a bill already held for the same organization, account and period. */
export function matchBill(db: Database, b: BillInput): BillMatch {
  const rows = db
    .prepare(
      'SELECT * FROM bill WHERE org_id = ? AND account_id = ? AND period_from = ? AND period_to = ? ORDER BY id',
    )
    .all(b.orgId, b.accountId, b.periodFrom, b.periodTo) as BillRow[];
  if (rows.length === 0) return { kind: 'none' };
  let firstDiff: { row: BillRow; differences: string[] } | null = null;
  for (const row of rows) {
    const differences = compare(db, row, b);
    if (differences.length === 0) return { kind: 'same', id: row.id, source: row.source };
    firstDiff ??= { row, differences };
  }
  const f = firstDiff as { row: BillRow; differences: string[] };
  return { kind: 'different', id: f.row.id, source: f.row.source, differences: f.differences };
}

function compare(db: Database, row: BillRow, b: BillInput): string[] {
  const out: string[] = [];
  if (row.total_micros !== b.totalMicros)
    out.push(
      `total ${microsToDollars(row.total_micros)} held, ${microsToDollars(b.totalMicros)} in the file`,
    );
  const fields: [string, string | null, string | null][] = [
    ['meter', row.meter_serial, b.meterSerial],
    ['previous read', row.read_previous, b.readPrevious],
    ['present read', row.read_present, b.readPresent],
    ['usage', row.usage, b.usage],
  ];
  for (const [name, held, given] of fields)
    if (given !== null && held !== given)
      out.push(`${name} ${held ?? '(none)'} held, ${given} in the file`);
  const lines = db
    .prepare('SELECT * FROM bill_line WHERE bill_id = ? ORDER BY line_no')
    .all(row.id) as LineRow[];
  if (lines.length !== b.lines.length)
    out.push(`${lines.length} lines held, ${b.lines.length} in the file`);
  else
    b.lines.forEach((l, i) => {
      const h = lines[i] as LineRow;
      if (h.amount_micros !== l.amountMicros || h.description !== l.description)
        out.push(
          `line ${i + 1} "${h.description}" ${microsToDollars(h.amount_micros)} held, "${l.description}" ${microsToDollars(l.amountMicros)} in the file`,
        );
    });
  return out;
}

export function insertBill(db: Database, batchId: number, b: BillInput): number {
  const id = Number(
    db
      .prepare(
        `INSERT INTO bill (org_id, account_id, usage_point_id, tariff_id, bill_number, period_from, period_to,
           issued_on, meter_serial, read_previous, read_present, usage, usage_unit, total_micros, source, import_batch_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'import', ?)`,
      )
      .run(
        b.orgId,
        b.accountId,
        b.usagePointId,
        b.tariffId,
        b.billNumber,
        b.periodFrom,
        b.periodTo,
        b.issuedOn,
        b.meterSerial,
        b.readPrevious,
        b.readPresent,
        b.usage,
        b.usageUnit,
        b.totalMicros,
        batchId,
      ).lastInsertRowid,
  );
  const line = db.prepare(
    'INSERT INTO bill_line (bill_id, line_no, code, description, quantity, unit, rate, amount_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  b.lines.forEach((l, i) =>
    line.run(id, i + 1, l.code, l.description, l.quantity, l.unit, l.rate, l.amountMicros),
  );
  return id;
}
