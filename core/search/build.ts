/**
 * Builds the premise search index (table premise_search, migration 002): one FTS5 document per
 * premise record with its addresses (as written and normalised), its identifiers (premise, usage
 * point, account and meter keys, sensor keys, platform IDs) and its customers' names. Derived
 * data: rebuilt whole by every index run and by imports that change what it holds, inside their
 * transaction, so a search never sees a half-built index.
 */
import type { Database } from 'better-sqlite3';
import { normaliseAddressRows } from '../indexer/addressRows';

/** Import kinds whose rows feed the index (premises, addresses, accounts, meters, sensors). */
export const SEARCH_IMPORT_KINDS: ReadonlySet<string> = new Set(['cis', 'submeter', 'bill']);

const BUILD_SQL = `
INSERT INTO premise_search (premise_id, address, ids, names)
SELECT p.id,
  coalesce((SELECT group_concat(a.raw || ' ' || coalesce(a.normalized, ''), ' | ')
            FROM premise_address pa JOIN address a ON a.id = pa.address_id
            WHERE pa.premise_id = p.id), ''),
  concat_ws(' ', p.source_key,
    (SELECT group_concat(platform_id, ' ') FROM platform_link
     WHERE kind = 'PremiseID' AND source_table = 'premise' AND source_id = p.id),
    (SELECT group_concat(concat_ws(' ', up.source_key, l.platform_id), ' ')
     FROM usage_point up
     LEFT JOIN platform_link l ON l.kind = 'UsagePointID' AND l.source_table = 'usage_point'
                              AND l.source_id = up.id
     WHERE up.premise_id = p.id),
    (SELECT group_concat(DISTINCT ac.account_number) FROM usage_point up
     JOIN service_agreement sa ON sa.usage_point_id = up.id
     JOIN account ac ON ac.id = sa.account_id
     WHERE up.premise_id = p.id),
    (SELECT group_concat(DISTINCT m.serial) FROM usage_point up
     JOIN meter_usage_point mu ON mu.usage_point_id = up.id
     JOIN meter m ON m.id = mu.meter_id
     WHERE up.premise_id = p.id),
    (SELECT group_concat(s.source_key, ' ') FROM sensor s WHERE s.premise_id = p.id)),
  coalesce((SELECT group_concat(DISTINCT cu.name) FROM usage_point up
            JOIN service_agreement sa ON sa.usage_point_id = up.id
            JOIN account ac ON ac.id = sa.account_id
            JOIN customer cu ON cu.id = ac.customer_id
            WHERE up.premise_id = p.id AND cu.name IS NOT NULL), '')
FROM premise p`;

/** Replaces the whole index; returns the number of documents. Call inside a transaction. */
export function rebuildSearch(db: Database): number {
  // Rows imported since the last index run get their USPS parts now, so they match as normalised.
  normaliseAddressRows(db, { onlyMissing: true });
  db.prepare('DELETE FROM premise_search').run();
  const n = db.prepare(BUILD_SQL).run().changes;
  // A new stamp tells cached vocabularies (query.ts) that the index changed.
  db.prepare("INSERT OR REPLACE INTO app_meta (key, value) VALUES ('search_built_at', ?)").run(
    `${Date.now()}-${n}`,
  );
  return n;
}
