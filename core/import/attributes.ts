// Extra source columns, kept beside the row they arrived with (DESIGN.md: nothing is lost).
import type { Database, Statement } from 'better-sqlite3';

const statements = new WeakMap<Database, Statement>();

export function keepAttributes(
  db: Database,
  table: string,
  id: number,
  extras: Record<string, string>,
  batch: number,
): void {
  const entries = Object.entries(extras).filter(([, v]) => v !== '');
  if (entries.length === 0) return;
  let stmt = statements.get(db);
  if (!stmt) {
    stmt = db.prepare(
      'INSERT OR REPLACE INTO source_attribute (source_table, source_id, name, value, import_batch_id) VALUES (?, ?, ?, ?, ?)',
    );
    statements.set(db, stmt);
  }
  for (const [name, value] of entries) stmt.run(table, id, name, value, batch);
}
