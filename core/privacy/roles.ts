// Who may see what (DESIGN.md "Privacy"). Pure: no I/O, no Node imports (the renderer uses it to
// say why a field is redacted). The policy is one table so it can be read and reviewed at once;
// docs/privacy.md explains each choice.
import { z } from 'zod';

export const Role = z.enum(['analyst', 'oca', 'consultant', 'utility-staff', 'public']);
export type Role = z.infer<typeof Role>;
export const ROLES: readonly Role[] = Role.options;
export const DEFAULT_ROLE: Role = 'analyst';

/** Data classes of DESIGN.md; every dataset column and every export names one. */
export const DataClass = z.enum(['pii', 'customer_usage', 'aggregate', 'system']);
export type DataClass = z.infer<typeof DataClass>;

/**
 * What a role may do with a data class:
 * - `allow`: always (still audited),
 * - `consent`: only for customers whose valid, unrevoked consent covers it,
 * - `deny`: never (PII is redacted, customer rows are refused).
 */
export type Access = 'allow' | 'consent' | 'deny';

export const POLICY: Readonly<Record<Role, Readonly<Record<DataClass, Access>>>> = {
  // Commission staff: statutory access to usage; names and account numbers only with consent.
  analyst: { pii: 'consent', customer_usage: 'allow', aggregate: 'allow', system: 'allow' },
  // Consumer advocate: same standing as commission staff for residential usage.
  oca: { pii: 'consent', customer_usage: 'allow', aggregate: 'allow', system: 'allow' },
  // Outside consultant: customer data only where the customer authorised it.
  consultant: { pii: 'consent', customer_usage: 'consent', aggregate: 'allow', system: 'allow' },
  // The utility's own staff see their customers' records.
  'utility-staff': { pii: 'allow', customer_usage: 'allow', aggregate: 'allow', system: 'allow' },
  // The public sees aggregates (15/15 rule) and system data only.
  public: { pii: 'deny', customer_usage: 'deny', aggregate: 'allow', system: 'allow' },
};

export function access(role: Role, dataClass: DataClass): Access {
  return POLICY[role][dataClass];
}

/** What a redacted PII value is replaced by, in every export and preview. */
export const REDACTED = '[redacted]';

/** Parse a role name, or say which ones exist. */
export function parseRole(name: string): Role | null {
  const r = Role.safeParse(name);
  return r.success ? r.data : null;
}
