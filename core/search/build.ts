/**
 * Builds the premise search index (table premise_search, migration 002): one FTS5 document per
 * premise record with its addresses (as written and normalised), its identifiers (premise, usage
 * point, account and meter keys, sensor keys) and its customers' names. Derived from imported
 * rows only — platform IDs are looked up in platform_link at query time — so it is rebuilt by
 * imports that change what it holds, inside their transaction, and an index run never has to
 * rebuild it.
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
    (SELECT group_concat(up.source_key, ' ') FROM usage_point up WHERE up.premise_id = p.id),
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
