// greenbutton.candidates: the usage points and customers the Green Button page can pick from,
// searched and paged. Read-only. Keys of usage points, customers and premises' towns are system
// data (docs/privacy.md); customer names and account numbers are PII: names are shown as the
// role's POLICY allows (allow: shown; consent: shown when a consent covers `pii` for every usage
// point of the row; deny: withheld), and account numbers are never returned — a search may match
// one exactly, unless the role is denied PII altogether.
import type { Database } from 'better-sqlite3';
import { consentCovers } from '../privacy/consent';
import { access, type Access, type Role } from '../privacy/roles';
import { dayToIso } from '../time/zone';
import type { GreenButtonCandidates, GreenButtonCandidatesRequest } from './schema';

type UpRow = GreenButtonCandidates['usagePoints'][number];
type CustomerRow = GreenButtonCandidates['customers'][number];

/** `%term%` for LIKE … ESCAPE '\', with the term's own wildcards escaped. */
function likeAny(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function likePrefix(term: string): string {
  return `${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

interface Where {
  sql: string;
  args: (string | number | null)[];
}

/** The WHERE clause of one mode: filters and every search term (AND of per-term ORs). */
function where(
  of: 'usagePoints' | 'customers',
  req: GreenButtonCandidatesRequest,
  accountSearch: boolean,
): Where {
  const parts: string[] = [];
  const args: (string | number | null)[] = [];
  if (req.org) {
    parts.push('o.code = ? COLLATE NOCASE');
    args.push(req.org);
  }
  const terms = req.search.split(/\s+/).filter((t) => t !== '');
  if (of === 'usagePoints') {
    if (req.commodity) {
      parts.push('u.commodity = ?');
      args.push(req.commodity);
    }
    for (const t of terms) {
      parts.push(`(u.source_key LIKE ? ESCAPE '\\' OR o.code = ? COLLATE NOCASE OR u.commodity = ? COLLATE NOCASE
        OR EXISTS (SELECT 1 FROM premise p WHERE p.id = u.premise_id AND p.town LIKE ? ESCAPE '\\')
        OR EXISTS (SELECT 1 FROM service_agreement sa JOIN account a ON a.id = sa.account_id
                   JOIN customer c ON c.id = a.customer_id
                   WHERE sa.usage_point_id = u.id AND (c.source_key LIKE ? ESCAPE '\\' OR (? AND a.account_number = ?))))`);
      args.push(likeAny(t), t, t, likePrefix(t), likeAny(t), accountSearch ? 1 : 0, t);
    }
  } else {
    if (req.commodity) {
      parts.push(`EXISTS (SELECT 1 FROM account a JOIN service_agreement sa ON sa.account_id = a.id
        JOIN usage_point u ON u.id = sa.usage_point_id WHERE a.customer_id = c.id AND u.commodity = ?)`);
      args.push(req.commodity);
    }
    for (const t of terms) {
      parts.push(`(c.source_key LIKE ? ESCAPE '\\' OR o.code = ? COLLATE NOCASE
        OR EXISTS (SELECT 1 FROM account a JOIN service_agreement sa ON sa.account_id = a.id
                   JOIN usage_point u ON u.id = sa.usage_point_id
                   WHERE a.customer_id = c.id AND (u.source_key LIKE ? ESCAPE '\\' OR u.commodity = ? COLLATE NOCASE))
        OR (? AND EXISTS (SELECT 1 FROM account a WHERE a.customer_id = c.id AND a.account_number = ?)))`);
      args.push(likeAny(t), t, likeAny(t), t, accountSearch ? 1 : 0, t);
    }
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

/** Whether the role may see this customer's name next to these usage points. */
function nameVisible(
  db: Database,
  pii: Access,
  customerId: number,
  usagePointIds: readonly number[],
  at: Date,
): boolean {
  if (pii === 'allow') return true;
  if (pii === 'deny') return false;
  const ids = usagePointIds.length ? usagePointIds : [null];
  return ids.every((id) => consentCovers(db, customerId, 'pii', at, { usagePointId: id }).covered);
}

export function listCandidates(
  db: Database,
  role: Role,
  req: GreenButtonCandidatesRequest,
  at: Date,
): GreenButtonCandidates {
  const pii = access(role, 'pii');
  const w = where(req.of, req, pii !== 'deny');
  const orgs = (
    db
      .prepare(
        `SELECT o.code FROM organization o WHERE EXISTS (SELECT 1 FROM usage_point u WHERE u.org_id = o.id) ORDER BY o.code`,
      )
      .all() as { code: string }[]
  ).map((r) => r.code);
  const commodities = (
    db.prepare('SELECT DISTINCT commodity FROM usage_point ORDER BY commodity').all() as {
      commodity: string;
    }[]
  ).map((r) => r.commodity);
  const base = {
    role,
    usageAccess: access(role, 'customer_usage'),
    piiAccess: pii,
    of: req.of,
    offset: req.offset,
    orgs,
    commodities,
  };

  if (req.of === 'usagePoints') {
    const from = 'FROM usage_point u JOIN organization o ON o.id = u.org_id';
    const total = db
      .prepare(`SELECT count(*) ${from} ${w.sql}`)
      .pluck()
      .get(...w.args) as number;
    const page = db
      .prepare(
        `SELECT u.id, u.source_key AS key, o.code AS org, u.commodity, u.status,
           (SELECT p.town FROM premise p WHERE p.id = u.premise_id) AS town
         ${from} ${w.sql} ORDER BY o.code, u.source_key LIMIT ? OFFSET ?`,
      )
      .all(...w.args, req.limit, req.offset) as (Omit<
      UpRow,
      'customers' | 'firstDay' | 'lastDay'
    > & {
      id: number;
    })[];
    const customersOf = db.prepare(
      `SELECT c.id, c.source_key AS key, o.code AS org, c.name, min(sa.start_date) AS "from",
         CASE WHEN count(*) = count(sa.end_date) THEN max(sa.end_date) END AS "to"
       FROM service_agreement sa JOIN account a ON a.id = sa.account_id
       JOIN customer c ON c.id = a.customer_id JOIN organization o ON o.id = c.org_id
       WHERE sa.usage_point_id = ? GROUP BY c.id
       ORDER BY "to" IS NOT NULL, "to" DESC, "from" DESC, c.id`,
    );
    const span = db.prepare(
      `SELECT min((SELECT min(day) FROM interval_block b WHERE b.series_id = s.id)) AS first,
              max((SELECT max(day) FROM interval_block b WHERE b.series_id = s.id)) AS last
       FROM series s WHERE s.usage_point_id = ?`,
    );
    const usagePoints = page.map((r): UpRow => {
      const { id, ...rest } = r;
      const customers = (
        customersOf.all(id) as {
          id: number;
          key: string;
          org: string;
          name: string | null;
          from: string | null;
          to: string | null;
        }[]
      ).map((c) => {
        const visible = c.name !== null && nameVisible(db, pii, c.id, [id], at);
        return {
          key: c.key,
          org: c.org,
          name: visible ? c.name : null,
          nameRedacted: c.name !== null && !visible,
          from: c.from,
          to: c.to,
        };
      });
      const s = span.get(id) as { first: number | null; last: number | null };
      return {
        ...rest,
        customers,
        firstDay: s.first === null ? null : dayToIso(s.first),
        lastDay: s.last === null ? null : dayToIso(s.last),
      };
    });
    return { ...base, total, usagePoints, customers: [] };
  }

  const from = 'FROM customer c JOIN organization o ON o.id = c.org_id';
  const total = db
    .prepare(`SELECT count(*) ${from} ${w.sql}`)
    .pluck()
    .get(...w.args) as number;
  const page = db
    .prepare(
      `SELECT c.id, c.source_key AS key, o.code AS org, c.name, c.customer_class AS customerClass
       ${from} ${w.sql} ORDER BY o.code, c.source_key LIMIT ? OFFSET ?`,
    )
    .all(...w.args, req.limit, req.offset) as {
    id: number;
    key: string;
    org: string;
    name: string | null;
    customerClass: string;
  }[];
  const upsOf = db.prepare(
    `SELECT DISTINCT u.id, u.source_key AS key FROM account a JOIN service_agreement sa ON sa.account_id = a.id
     JOIN usage_point u ON u.id = sa.usage_point_id WHERE a.customer_id = ? ORDER BY u.source_key`,
  );
  const customers = page.map((c): CustomerRow => {
    const ups = upsOf.all(c.id) as { id: number; key: string }[];
    const visible =
      c.name !== null &&
      nameVisible(
        db,
        pii,
        c.id,
        ups.map((u) => u.id),
        at,
      );
    return {
      key: c.key,
      org: c.org,
      name: visible ? c.name : null,
      nameRedacted: c.name !== null && !visible,
      customerClass: c.customerClass,
      usagePoints: ups.map((u) => u.key),
    };
  });
  return { ...base, total, usagePoints: [], customers };
}
