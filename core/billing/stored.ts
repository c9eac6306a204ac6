// Bills as held in the workspace: a stored bill as edw bill JSON (the validator's input, for
// bill.validate by id and the core-01-billing dataset), and whether a role may see an account
// number (POLICY pii, consent).
import type { Database } from 'better-sqlite3';
import { ConsentChecker } from '../privacy/consent';
import { POLICY, type Role } from '../privacy/roles';
import { EdwError } from '../workspace/errors';
import { dollars } from './money';

/** A stored bill as edw bill JSON (the validator's input). */
export function storedBillJson(db: Database, billId: number): Record<string, unknown> {
  const b = db
    .prepare(
      `SELECT b.*, o.code AS org, a.account_number AS account, t.code AS tariff, up.source_key AS usage_point
       FROM bill b JOIN organization o ON o.id = b.org_id JOIN account a ON a.id = b.account_id
       LEFT JOIN tariff t ON t.id = b.tariff_id LEFT JOIN usage_point up ON up.id = b.usage_point_id
       WHERE b.id = ?`,
    )
    .get(billId) as Record<string, string | number | null> | undefined;
  if (!b) throw new EdwError('not_found', `no bill #${billId} in this workspace`);
  const lines = db
    .prepare(
      'SELECT code, description, quantity, unit, rate, amount_micros FROM bill_line WHERE bill_id = ? ORDER BY line_no',
    )
    .all(billId) as {
    code: string | null;
    description: string;
    quantity: string | null;
    unit: string | null;
    rate: string | null;
    amount_micros: number;
  }[];
  const out: Record<string, unknown> = {};
  for (const k of [
    'org',
    'account',
    'usage_point',
    'tariff',
    'bill_number',
    'period_from',
    'period_to',
    'issued_on',
    'meter_serial',
    'read_previous',
    'read_present',
    'usage',
    'usage_unit',
  ]) {
    const v = b[k];
    if (v !== null && v !== undefined) out[k] = String(v);
  }
  out.total = dollars(b.total_micros as number);
  out.lines = lines.map((l) => ({
    ...(l.code !== null ? { code: l.code } : {}),
    description: l.description,
    ...(l.quantity !== null ? { quantity: l.quantity } : {}),
    ...(l.unit !== null ? { unit: l.unit } : {}),
    ...(l.rate !== null ? { rate: l.rate } : {}),
    amount: dollars(l.amount_micros),
  }));
  return out;
}

/** Whether the role may see an account number of this customer (POLICY pii, consent). */
export function accountVisible(
  db: Database,
  role: Role,
  customerId: number | null,
  usagePointId: number | null,
  consent?: ConsentChecker,
): boolean {
  const pii = POLICY[role].pii;
  if (pii === 'allow') return true;
  if (pii === 'deny') return false;
  return (consent ?? new ConsentChecker(db, new Date())).covers(
    [{ customerId, usagePointId }],
    'pii',
  );
}
