// What the premise explorer shows to a role (docs/premise-explorer.md "Privacy"): PII fields
// are kept, or replaced by a marker that says why; customer usage of a usage point is shown or
// withheld with a reason. Built on the POLICY table and the explained consent decisions.
import type { Database } from 'better-sqlite3';
import { consentCovers } from '../privacy/consent';
import { access, type Access, type DataClass, type Role } from '../privacy/roles';
import { EdwError } from '../workspace/errors';
import type { Pii, Redacted } from './schema';

/** Whose data a field is: customers, each optionally for one usage point. */
export interface Owner {
  customerId: number;
  usagePointId: number | null;
}

export class PremisePrivacy {
  readonly pii: Access;
  readonly usage: Access;
  redactedFields = 0;
  private readonly cache = new Map<string, string | null>();

  constructor(
    private readonly db: Database,
    readonly role: Role,
    readonly now: Date,
  ) {
    this.pii = access(role, 'pii');
    this.usage = access(role, 'customer_usage');
  }

  /** Refuse roles that may not look up individual premises at all. */
  assertMayView(): void {
    if (this.usage === 'deny' && this.pii === 'deny')
      throw new EdwError(
        'usage',
        `role ${this.role} may not look up individual premises (it sees aggregate data only)`,
        { reason: 'privacy_denied', role: this.role },
      );
  }

  /** Why the owners' consents do not cover the class (null: covered). */
  private gap(owners: readonly Owner[], cls: DataClass): string | null {
    if (owners.length === 0) return 'no customer on record to consent';
    for (const o of owners) {
      const key = `${cls}:${o.customerId}:${o.usagePointId ?? ''}`;
      let reason = this.cache.get(key);
      if (reason === undefined) {
        const d = consentCovers(this.db, o.customerId, cls, this.now, {
          usagePointId: o.usagePointId,
        });
        reason = d.covered ? null : d.reason;
        this.cache.set(key, reason);
      }
      if (reason !== null) return reason;
    }
    return null;
  }

  /** The reason a class is hidden from the owners' rows for this role, or null when shown. */
  hiddenReason(owners: readonly Owner[], cls: DataClass): string | null {
    const a =
      cls === 'pii' ? this.pii : cls === 'customer_usage' ? this.usage : access(this.role, cls);
    if (a === 'allow') return null;
    if (a === 'deny') return `hidden for role ${this.role}: ${cls} is never shown to it`;
    const g = this.gap(owners, cls);
    return g === null ? null : `hidden for role ${this.role}: no consent covering ${cls} (${g})`;
  }

  /** A PII value as the role may see it. Absent values disclose nothing and stay null. */
  field(value: string | null, owners: readonly Owner[]): Pii | null {
    if (value === null || value === '') return value === '' ? '' : null;
    const reason = this.hiddenReason(owners, 'pii');
    if (reason === null) return value;
    this.redactedFields++;
    const r: Redacted = { redacted: true, reason };
    return r;
  }

  /** As field() for a value that is never null. */
  required(value: string, owners: readonly Owner[]): Pii {
    return this.field(value, owners) ?? '';
  }
}

/** Text of a PII field for CSV and logs: the value, or '[redacted]'. */
export function piiText(p: Pii | null): string {
  if (p === null) return '';
  return typeof p === 'string' ? p : '[redacted]';
}
