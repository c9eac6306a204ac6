// Which usage points a Green Button request names, and whether this role may export them:
// POLICY (core/privacy/roles.ts) for customer_usage data, and for roles that need it, a consent
// (core/privacy/consent.ts) of every customer served at the usage point during the exported
// period. Refusals name what is missing.
import type { Database } from 'better-sqlite3';
import { consentCovers } from '../privacy/consent';
import { access, type Access, type Role } from '../privacy/roles';
import { EdwError } from '../workspace/errors';
import type { GreenButtonSelection } from './schema';

export interface UsagePointRow {
  id: number;
  key: string;
  commodity: string;
  zone: string;
  status: string;
  orgId: number;
  org: string;
}

export interface Resolved {
  usagePoints: UsagePointRow[];
  customer: { id: number; key: string; org: string } | null;
  grantee: { id: number; code: string } | null;
}

const UP_SQL = `SELECT u.id, u.source_key AS key, u.commodity, coalesce(u.time_zone, o.time_zone) AS zone,
  u.status, o.id AS orgId, o.code AS org
  FROM usage_point u JOIN organization o ON o.id = u.org_id`;

function orgId(db: Database, code: string, what: string): { id: number; code: string } {
  const row = db
    .prepare('SELECT id, code FROM organization WHERE code = ? COLLATE NOCASE')
    .get(code) as { id: number; code: string } | undefined;
  if (!row) {
    const known = (
      db.prepare('SELECT code FROM organization ORDER BY code').all() as { code: string }[]
    )
      .map((r) => r.code)
      .join(', ');
    throw new EdwError(
      'usage',
      `unknown ${what} organization "${code}"; this workspace has ${known || 'none'}`,
    );
  }
  return row;
}

/** Resolve usage point keys and/or a customer into usage point rows (refusing ambiguity). */
export function resolveSelection(db: Database, sel: GreenButtonSelection): Resolved {
  if (sel.usagePoints.length === 0 && !sel.customer)
    throw new EdwError(
      'usage',
      'name at least one usage point (--usage-point) or a customer (--customer)',
    );
  if (sel.from && sel.to && sel.from > sel.to)
    throw new EdwError('usage', `the range is empty: --from ${sel.from} is after --to ${sel.to}`);
  const org = sel.org ? orgId(db, sel.org, 'the') : null;
  const grantee = sel.grantee ? orgId(db, sel.grantee, 'grantee') : null;

  let customer: Resolved['customer'] = null;
  let customerUps: UsagePointRow[] | null = null;
  if (sel.customer) {
    const rows = db
      .prepare(
        `SELECT c.id, c.source_key AS key, o.code AS org FROM customer c JOIN organization o ON o.id = c.org_id
         WHERE c.source_key = ? AND (? IS NULL OR c.org_id = ?)`,
      )
      .all(sel.customer, org?.id ?? null, org?.id ?? null) as {
      id: number;
      key: string;
      org: string;
    }[];
    if (rows.length === 0)
      throw new EdwError('not_found', `no customer ${sel.customer}${org ? ` of ${org.code}` : ''}`);
    if (rows.length > 1)
      throw new EdwError(
        'usage',
        `customer key ${sel.customer} exists under ${rows.map((r) => r.org).join(' and ')}: add --org`,
      );
    customer = rows[0] as { id: number; key: string; org: string };
    customerUps = db
      .prepare(
        `${UP_SQL} WHERE u.id IN (SELECT sa.usage_point_id FROM service_agreement sa JOIN account a ON a.id = sa.account_id
           WHERE a.customer_id = ? AND sa.start_date <= ? AND (sa.end_date IS NULL OR sa.end_date >= ?))
         ORDER BY o.code, u.source_key`,
      )
      .all(customer.id, sel.to ?? '9999-12-31', sel.from ?? '0000-01-01') as UsagePointRow[];
    if (customerUps.length === 0)
      throw new EdwError(
        'not_found',
        `customer ${customer.key} of ${customer.org} has no usage point${sel.from || sel.to ? ' served in the range' : ''}`,
      );
  }

  let ups: UsagePointRow[];
  if (sel.usagePoints.length > 0) {
    const find = db.prepare(`${UP_SQL} WHERE u.source_key = ? AND (? IS NULL OR u.org_id = ?)`);
    const seen = new Set<number>();
    ups = [];
    for (const key of sel.usagePoints) {
      let rows = find.all(key, org?.id ?? null, org?.id ?? null) as UsagePointRow[];
      if (customerUps && rows.length > 1)
        rows = rows.filter((r) => customerUps.some((c) => c.id === r.id));
      if (rows.length === 0)
        throw new EdwError('not_found', `no usage point ${key}${org ? ` of ${org.code}` : ''}`);
      if (rows.length > 1)
        throw new EdwError(
          'usage',
          `usage point key ${key} exists under ${rows.map((r) => r.org).join(' and ')}: add --org`,
        );
      const up = rows[0] as UsagePointRow;
      if (customerUps && customer && !customerUps.some((c) => c.id === up.id))
        throw new EdwError(
          'usage',
          `usage point ${key} is not served to customer ${customer.key}${sel.from || sel.to ? ' in the range' : ''}`,
        );
      if (!seen.has(up.id)) ups.push(up);
      seen.add(up.id);
    }
  } else ups = customerUps ?? [];

  const keys = new Map<string, UsagePointRow>();
  for (const u of ups) {
    const other = keys.get(u.key);
    if (other)
      throw new EdwError(
        'usage',
        `usage points ${u.key} of ${other.org} and of ${u.org} share one key and cannot be told apart in one feed: export them separately`,
      );
    keys.set(u.key, u);
  }
  return { usagePoints: ups, customer, grantee };
}

export interface CustomerDecision {
  customerId: number;
  customer: string;
  org: string;
  covered: boolean;
  consentId: number | null;
  reason: string | null;
}

export interface UsagePointDecision {
  up: UsagePointRow;
  customers: CustomerDecision[];
  exportable: boolean;
  reason: string | null;
}

export interface Authorization {
  role: Role;
  access: Access;
  usagePoints: UsagePointDecision[];
  allowed: boolean;
  /** One line per refused usage point: what is missing. */
  missing: string[];
  consents: number[];
}

/**
 * May `role` export the customer usage data of these usage points over [from, to] (local ISO
 * dates, inclusive; null: unbounded) at instant `at`? `allow` roles may; `deny` roles may not;
 * `consent` roles need, for every customer with a service agreement at the usage point during
 * the period, a consent covering customer_usage and that usage point (and the grantee, if named).
 */
export function authorize(
  db: Database,
  role: Role,
  ups: readonly UsagePointRow[],
  range: { from: string | null; to: string | null },
  at: Date,
  grantee: { id: number; code: string } | null,
): Authorization {
  const acc = access(role, 'customer_usage');
  const customersOf = db.prepare(
    `SELECT DISTINCT c.id, c.source_key AS key, o.code AS org
     FROM service_agreement sa JOIN account a ON a.id = sa.account_id
     JOIN customer c ON c.id = a.customer_id JOIN organization o ON o.id = c.org_id
     WHERE sa.usage_point_id = ? AND sa.start_date <= ? AND (sa.end_date IS NULL OR sa.end_date >= ?)
     ORDER BY c.id`,
  );
  const decisions: UsagePointDecision[] = [];
  const missing: string[] = [];
  const consents = new Set<number>();
  for (const up of ups) {
    const customers = (
      customersOf.all(up.id, range.to ?? '9999-12-31', range.from ?? '0000-01-01') as {
        id: number;
        key: string;
        org: string;
      }[]
    ).map((c): CustomerDecision => {
      const d = consentCovers(db, c.id, 'customer_usage', at, {
        usagePointId: up.id,
        usagePointLabel: up.key,
        ...(grantee ? { granteeOrgId: grantee.id } : {}),
      });
      return {
        customerId: c.id,
        customer: c.key,
        org: c.org,
        covered: d.covered,
        consentId: d.consentId,
        reason: d.covered
          ? null
          : d.gap === 'grantee' && grantee
            ? `${d.reason.replace('the grantee of this export', grantee.code)}`
            : d.reason,
      };
    });
    let exportable: boolean;
    let reason: string | null = null;
    if (acc === 'allow') exportable = true;
    else if (acc === 'deny') {
      exportable = false;
      reason = `role ${role} is denied customer usage data`;
    } else if (customers.length === 0) {
      exportable = false;
      reason = `usage point ${up.key} (${up.org}) has no customer on record for the period, so no consent can cover it`;
    } else {
      const gaps = customers.filter((c) => !c.covered);
      exportable = gaps.length === 0;
      if (!exportable)
        reason = `usage point ${up.key} (${up.org}): ${gaps
          .map((c) => `customer ${c.customer}: ${c.reason ?? 'not covered'}`)
          .join('; ')}`;
      else for (const c of customers) if (c.consentId !== null) consents.add(c.consentId);
    }
    if (!exportable && reason) missing.push(reason);
    decisions.push({ up, customers, exportable, reason });
  }
  if (acc === 'deny')
    missing.splice(
      0,
      missing.length,
      `role ${role} is denied customer usage data (POLICY: customer_usage = deny)`,
    );
  return {
    role,
    access: acc,
    usagePoints: decisions,
    allowed: decisions.every((d) => d.exportable),
    missing,
    consents: [...consents].sort((a, b) => a - b),
  };
}

/** greenbutton.consent: may this role export these usage points now, and which consents cover them? */
export function consentStatus(
  db: Database,
  role: Role,
  sel: GreenButtonSelection,
  at: Date,
): {
  role: string;
  access: Access;
  at: string;
  usagePoints: {
    usagePoint: string;
    org: string;
    commodity: string;
    customers: {
      customer: string;
      org: string;
      covered: boolean;
      consentId: number | null;
      reason: string | null;
    }[];
    exportable: boolean;
    reason: string | null;
  }[];
} {
  const r = resolveSelection(db, sel);
  const auth = authorize(
    db,
    role,
    r.usagePoints,
    { from: sel.from ?? null, to: sel.to ?? null },
    at,
    r.grantee,
  );
  return {
    role,
    access: auth.access,
    at: at.toISOString(),
    usagePoints: auth.usagePoints.map((d) => ({
      usagePoint: d.up.key,
      org: d.up.org,
      commodity: d.up.commodity,
      customers: d.customers.map((c) => ({
        customer: c.customer,
        org: c.org,
        covered: c.covered,
        consentId: c.consentId,
        reason: c.reason,
      })),
      exportable: d.exportable,
      reason: d.reason,
    })),
  };
}
