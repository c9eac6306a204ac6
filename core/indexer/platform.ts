/**
 * Stable platform ID assignment for one kind. Input: the groups of source rows that are the same
 * real-world thing in this run (e.g. premise clusters). Output: every row linked to one live
 * platform ID, with history. Rules (docs/indexing.md, "Platform IDs"):
 * - a group keeps the ID most of its rows already carry (a seed ID wins), so re-runs change nothing;
 * - two IDs in one group: the loser is retired with merged_into = winner (event "merge");
 * - rows of one ID spread over several groups: the group holding most of them keeps it, the others
 *   get another ID (event "split");
 * - IDs are never reused: new IDs continue after the highest number ever issued for the kind,
 *   retired ones included (platform_id rows are never deleted).
 */
import type { Database, Statement } from 'better-sqlite3';
import { BatchWriter } from '../workspace/batch';

export type LinkMethod = 'seed' | 'auto' | 'review' | 'manual';

export interface AssignOptions {
  kind: string;
  table: string;
  /** Rows that are the same thing; every live source row should be in exactly one group. */
  groups: readonly (readonly number[])[];
  runId: number;
  now: number;
  /** How a row joined its group, when not 'auto' (e.g. 'review' for reviewer-accepted links). */
  methodOf?: (sourceId: number) => LinkMethod | undefined;
  /** Match score that put the row in its group (null for singletons and identity kinds). */
  scoreOf?: (sourceId: number) => number | null;
}

export interface AssignStats {
  kind: string;
  links: number;
  ids: number;
  created: number;
  merged: number;
  split: number;
  retired: number;
  relinked: number;
}

interface Existing {
  id: string;
  method: LinkMethod;
}

interface Stmts {
  insertId: BatchWriter;
  /** "create" events, batched like the IDs (one per new ID). */
  created: BatchWriter;
  retire: Statement;
  upsertLink: BatchWriter;
  deleteLink: Statement;
  event: Statement;
}

function statements(db: Database): Stmts {
  const insertId = new BatchWriter(
    db,
    'INSERT INTO platform_id (kind, id, created_at) VALUES',
    '',
    3,
  );
  return {
    insertId,
    created: new BatchWriter(
      db,
      'INSERT INTO platform_event (kind, platform_id, event, run_id, at) VALUES',
      '',
      5,
    ),
    retire: db.prepare(
      'UPDATE platform_id SET retired_at = ?, merged_into = ? WHERE kind = ? AND id = ? AND retired_at IS NULL',
    ),
    // Links reference their ID (foreign key): pending IDs are written first.
    upsertLink: new BatchWriter(
      db,
      `INSERT INTO platform_link (kind, platform_id, source_table, source_id, method, score, run_id, linked_at)
       VALUES`,
      `ON CONFLICT (kind, source_table, source_id) DO UPDATE SET
         platform_id = excluded.platform_id, method = excluded.method, score = excluded.score,
         run_id = excluded.run_id, linked_at = excluded.linked_at`,
      8,
      100,
      () => insertId.flush(),
    ),
    deleteLink: db.prepare(
      'DELETE FROM platform_link WHERE kind = ? AND source_table = ? AND source_id = ?',
    ),
    event: db.prepare(
      'INSERT INTO platform_event (kind, platform_id, event, other_id, run_id, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
  };
}

/** The next numeric ID for a kind: one past the highest ever issued (retired ones count). */
function nextNumber(db: Database, kind: string): number {
  const row = db
    .prepare(
      `SELECT max(CAST(id AS INTEGER)) AS m FROM platform_id
       WHERE kind = ? AND id NOT GLOB '*[^0-9]*' AND id <> ''`,
    )
    .get(kind) as { m: number | null };
  return (row.m ?? 0) + 1;
}

/**
 * Seed IDs are never merged away: a group holding rows of two different seed IDs (possible for
 * groups built from normalised keys, e.g. AddressID) is cut into one group per seed ID, the rows
 * without a seed ID staying with the first.
 */
function separateSeeds(
  groups: readonly (readonly number[])[],
  existing: ReadonlyMap<number, Existing>,
): (readonly number[])[] {
  const out: (readonly number[])[] = [];
  for (const g of groups) {
    const bySeed = new Map<string, number[]>();
    for (const sid of g) {
      const e = existing.get(sid);
      if (e?.method !== 'seed') continue;
      let rows = bySeed.get(e.id);
      if (!rows) bySeed.set(e.id, (rows = []));
      rows.push(sid);
    }
    if (bySeed.size < 2) {
      out.push(g);
      continue;
    }
    const parts = [...bySeed.values()];
    const seeded = new Set(parts.flat());
    (parts[0] as number[]).push(...g.filter((sid) => !seeded.has(sid)));
    out.push(...parts);
  }
  return out;
}

export function assignPlatformIds(db: Database, o: AssignOptions): AssignStats {
  const s = statements(db);
  const stats: AssignStats = {
    kind: o.kind,
    links: 0,
    ids: 0,
    created: 0,
    merged: 0,
    split: 0,
    retired: 0,
    relinked: 0,
  };

  const existing = new Map<number, Existing>();
  for (const r of db
    .prepare(
      'SELECT source_id, platform_id, method FROM platform_link WHERE kind = ? AND source_table = ?',
    )
    .iterate(o.kind, o.table) as IterableIterator<{
    source_id: number;
    platform_id: string;
    method: LinkMethod;
  }>) {
    existing.set(r.source_id, { id: r.platform_id, method: r.method });
  }
  const created = new Map<string, number>();
  for (const r of db
    .prepare('SELECT id, created_at FROM platform_id WHERE kind = ? AND retired_at IS NULL')
    .iterate(o.kind) as IterableIterator<{ id: string; created_at: number }>) {
    created.set(r.id, r.created_at);
  }

  const groups = separateSeeds(o.groups, existing);
  // Per group: how many of its rows carry each existing ID; per ID: the group holding most.
  const counts: Map<string, number>[] = groups.map(() => new Map());
  const home = new Map<string, { group: number; count: number; first: number }>();
  const seedIds = new Set<string>();
  groups.forEach((g, gi) => {
    const c = counts[gi] as Map<string, number>;
    for (const sid of g) {
      const e = existing.get(sid);
      if (!e || !created.has(e.id)) continue;
      if (e.method === 'seed') seedIds.add(e.id);
      c.set(e.id, (c.get(e.id) ?? 0) + 1);
    }
    let first = Infinity;
    for (const sid of g) if (sid < first) first = sid;
    for (const [id, n] of c) {
      const h = home.get(id);
      if (!h || n > h.count || (n === h.count && first < h.first)) {
        home.set(id, { group: gi, count: n, first });
      }
    }
  });

  let next = nextNumber(db, o.kind);
  const newId = (): string => {
    const id = String(next++);
    s.insertId.add(o.kind, id, o.now);
    s.created.add(o.kind, id, 'create', o.runId, o.now);
    created.set(id, o.now);
    stats.created++;
    return id;
  };
  const older = (a: string, b: string): number =>
    (created.get(a) ?? 0) - (created.get(b) ?? 0) || Number(a) - Number(b) || a.localeCompare(b);

  const inGroup = new Set<number>();
  groups.forEach((g, gi) => {
    if (g.length === 0) return;
    const c = counts[gi] as Map<string, number>;
    const mine = [...c.keys()].filter((id) => home.get(id)?.group === gi);
    mine.sort(
      (a, b) =>
        Number(seedIds.has(b)) - Number(seedIds.has(a)) ||
        (c.get(b) ?? 0) - (c.get(a) ?? 0) ||
        older(a, b),
    );
    let winner = mine[0];
    if (winner === undefined) {
      winner = newId();
      // Rows that carried IDs now kept by other groups were split off those IDs.
      for (const from of c.keys()) {
        s.event.run(o.kind, from, 'split', winner, o.runId, o.now, `${c.get(from)} row(s) moved`);
        stats.split++;
      }
    }
    for (const loser of mine.slice(1)) {
      s.retire.run(o.now, winner, o.kind, loser);
      s.event.run(o.kind, loser, 'merge', winner, o.runId, o.now, null);
      created.delete(loser);
      stats.merged++;
    }
    for (const sid of g) {
      inGroup.add(sid);
      const e = existing.get(sid);
      const joined = o.methodOf?.(sid);
      const method: LinkMethod =
        e && e.id === winner && e.method !== 'auto' ? e.method : (joined ?? 'auto');
      const score = o.scoreOf?.(sid) ?? null;
      if (e && e.id === winner && e.method === method) {
        stats.links++;
        continue;
      }
      if (e && e.id !== winner) stats.relinked++;
      s.upsertLink.add(o.kind, winner, o.table, sid, method, score, o.runId, o.now);
      stats.links++;
    }
  });

  s.upsertLink.flush();
  s.insertId.flush();
  s.created.flush();

  // Links whose source rows are gone; IDs left without rows are retired.
  for (const [sid, e] of existing) {
    if (inGroup.has(sid)) continue;
    s.deleteLink.run(o.kind, o.table, sid);
    s.event.run(o.kind, e.id, 'unlink', null, o.runId, o.now, `${o.table} row ${sid} is gone`);
  }
  const orphaned = db
    .prepare(
      `SELECT id FROM platform_id p WHERE kind = ? AND retired_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM platform_link l WHERE l.kind = p.kind AND l.platform_id = p.id)`,
    )
    .all(o.kind) as { id: string }[];
  for (const { id } of orphaned) {
    s.retire.run(o.now, null, o.kind, id);
    s.event.run(o.kind, id, 'retire', null, o.runId, o.now, 'no source rows carry it');
    stats.retired++;
  }
  stats.ids = (
    db
      .prepare('SELECT count(*) AS n FROM platform_id WHERE kind = ? AND retired_at IS NULL')
      .get(o.kind) as { n: number }
  ).n;
  return stats;
}
