// The workspace fingerprint of a dataset run (docs/datasets.md "Workspace fingerprint"): a
// sha256 over what the workspace's data came from, so two runs with the same fingerprint,
// definition version and parameters read the same data. It hashes, as canonical JSON:
// - the data model version (user_version),
// - every committed import batch: id, kind, organization code, content hash, rows accepted,
// - the latest indexer run: id, started_at, finished_at,
// - the platform crosswalk: number of links and the latest linked_at,
// - reviewer decisions: number and the latest decided_at.
// It reads only small tables and two aggregates over indexes, so it costs milliseconds. Edits
// made with other SQLite tools outside these tables are not seen (edw itself never makes any).
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';

export function workspaceFingerprint(db: Database): string {
  const version = db.pragma('user_version', { simple: true }) as number;
  const batches = db
    .prepare(
      `SELECT b.id, b.kind, o.code AS org, b.content_hash AS hash, b.rows_accepted AS rows
       FROM import_batch b LEFT JOIN organization o ON o.id = b.org_id
       WHERE b.status = 'committed' ORDER BY b.id`,
    )
    .raw()
    .all();
  const index = db
    .prepare('SELECT id, started_at, finished_at FROM index_run ORDER BY id DESC LIMIT 1')
    .raw()
    .get();
  const links = db.prepare('SELECT count(*), max(linked_at) FROM platform_link').raw().get();
  const decisions = db.prepare('SELECT count(*), max(decided_at) FROM match_decision').raw().get();
  const canonical = JSON.stringify({ version, batches, index: index ?? null, links, decisions });
  return createHash('sha256').update(canonical).digest('hex');
}
