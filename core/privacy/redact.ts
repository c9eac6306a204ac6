// Role- and consent-based filtering of customer-level rows (docs/privacy.md "Redaction and
// consent"). A dataset declares a data class per column; the POLICY table says what the
// session's role may do with each class:
// - pii:        allow → kept; consent → kept when every subject of the row consented to `pii`,
//               else replaced by REDACTED; deny → always REDACTED.
// - any other:  allow → kept; consent → the row is kept only when every subject of the row
//               consented to that class, else withheld (and counted); deny → the dataset
//               refuses to run for the role.
import { EdwError } from '../workspace/errors';
import type { ConsentChecker, Subject } from './consent';
import { DataClass, POLICY, REDACTED, type Access, type Role } from './roles';

export type CellValue = string | number | boolean | null;

export interface ClassedColumn {
  name: string;
  dataClass: DataClass;
}

export interface PrivacyPlan {
  role: Role;
  /** The role's access to each data class that the columns use. */
  access: Partial<Record<DataClass, Access>>;
  /** Indexes of the pii columns. */
  piiColumns: number[];
  /** Non-pii classes the role may only see with consent: rows must be covered for each. */
  consentClasses: DataClass[];
  /** Whether applying the plan needs a consent checker. */
  needsConsent: boolean;
}

/**
 * The plan for a role over a column dictionary; throws a usage error naming the role, the class
 * and the columns when a non-pii class is denied to the role.
 */
export function planPrivacy(
  columns: readonly ClassedColumn[],
  role: Role,
  dataset = 'this dataset',
): PrivacyPlan {
  const access: Partial<Record<DataClass, Access>> = {};
  for (const c of columns) access[c.dataClass] = POLICY[role][c.dataClass];
  for (const cls of DataClass.options) {
    if (cls === 'pii' || access[cls] !== 'deny') continue;
    const names = columns.filter((c) => c.dataClass === cls).map((c) => c.name);
    throw new EdwError(
      'usage',
      `role ${role} may not see ${cls} data, and ${dataset} has ${cls} columns (${names.join(', ')}); ask a user with another role`,
      { reason: 'privacy_denied', role, dataClass: cls, columns: names },
    );
  }
  const piiColumns = columns.flatMap((c, i) => (c.dataClass === 'pii' ? [i] : []));
  const consentClasses = DataClass.options.filter(
    (cls) => cls !== 'pii' && access[cls] === 'consent',
  );
  return {
    role,
    access,
    piiColumns,
    consentClasses,
    needsConsent: consentClasses.length > 0 || (piiColumns.length > 0 && access.pii === 'consent'),
  };
}

/** Applies a plan to rows one at a time and counts what it changed. */
export class RowPrivacy {
  redactedCells = 0;
  withheldRows = 0;

  constructor(
    private readonly plan: PrivacyPlan,
    private readonly consent: ConsentChecker | null,
  ) {
    if (plan.needsConsent && !consent)
      throw new Error('RowPrivacy: the plan needs consent checks but no checker was given');
  }

  /** The row as the role may see it (a new array), or null when it is withheld. */
  apply(values: readonly CellValue[], subjects: readonly Subject[]): CellValue[] | null {
    const { plan, consent } = this;
    for (const cls of plan.consentClasses) {
      if (!consent?.covers(subjects, cls)) {
        this.withheldRows++;
        return null;
      }
    }
    const out = values.slice();
    if (plan.piiColumns.length === 0) return out;
    const pii = plan.access.pii ?? 'deny';
    const keep = pii === 'allow' || (pii === 'consent' && !!consent?.covers(subjects, 'pii'));
    if (keep) return out;
    for (const i of plan.piiColumns) {
      const v = out[i];
      // An absent value discloses nothing; it stays empty.
      if (v === null || v === undefined || v === '') continue;
      out[i] = REDACTED;
      this.redactedCells++;
    }
    return out;
  }
}
