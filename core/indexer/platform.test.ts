import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tmpDir } from '../testing/tmp';
import { Workspace } from '../workspace/workspace';
import { assignPlatformIds } from './platform';

let ws: Workspace;
beforeEach(() => {
  ws = Workspace.create(path.join(tmpDir(), 'p.edw'));
  ws.db.prepare('INSERT INTO index_run (id, started_at) VALUES (1, 100)').run();
});
afterEach(() => ws.close());

/** Existing IDs and links of kind AddressID on table address (source rows need not exist). */
function given(links: [sourceId: number, id: string, method: 'seed' | 'auto'][]): void {
  const ids = new Set(links.map((l) => l[1]));
  for (const id of ids)
    ws.db
      .prepare("INSERT INTO platform_id (kind, id, created_at) VALUES ('AddressID', ?, 1)")
      .run(id);
  for (const [sid, id, method] of links)
    ws.db
      .prepare(
        "INSERT INTO platform_link (kind, platform_id, source_table, source_id, method, linked_at) VALUES ('AddressID', ?, 'address', ?, ?, 1)",
      )
      .run(id, sid, method);
}
const assign = (groups: number[][]) =>
  assignPlatformIds(ws.db, { kind: 'AddressID', table: 'address', groups, runId: 1, now: 100 });
const idOf = (sid: number): string =>
  ws.db
    .prepare("SELECT platform_id FROM platform_link WHERE kind = 'AddressID' AND source_id = ?")
    .pluck()
    .get(sid) as string;
const row = (id: string) =>
  ws.db
    .prepare("SELECT retired_at, merged_into FROM platform_id WHERE kind = 'AddressID' AND id = ?")
    .get(id);

describe('assignPlatformIds', () => {
  it('issues new IDs after the highest ever issued and records their creation', () => {
    given([[1, '41', 'auto']]);
    ws.db.prepare("UPDATE platform_id SET retired_at = 5 WHERE id = '41'").run();
    ws.db.prepare('DELETE FROM platform_link').run();
    const s = assign([[2], [3]]);
    expect([idOf(2), idOf(3)]).toEqual(['42', '43']);
    expect(s.created).toBe(2);
    const events = ws.db.prepare('SELECT platform_id, event FROM platform_event ORDER BY id').all();
    expect(events).toEqual([
      { platform_id: '42', event: 'create' },
      { platform_id: '43', event: 'create' },
    ]);
  });

  it('merges two IDs into the one with more rows, retiring the other', () => {
    given([
      [1, '7', 'auto'],
      [2, '8', 'auto'],
      [3, '8', 'auto'],
    ]);
    const s = assign([[1, 2, 3]]);
    expect([idOf(1), idOf(2), idOf(3)]).toEqual(['8', '8', '8']);
    expect(row('7')).toEqual({ retired_at: 100, merged_into: '8' });
    expect(s.merged).toBe(1);
  });

  it('splits: the group with most rows keeps the ID, the other gets a new one', () => {
    given([
      [1, '9', 'auto'],
      [2, '9', 'auto'],
      [3, '9', 'auto'],
    ]);
    const s = assign([[1, 2], [3]]);
    expect([idOf(1), idOf(2), idOf(3)]).toEqual(['9', '9', '10']);
    expect(s.split).toBe(1);
    const split = ws.db
      .prepare("SELECT other_id FROM platform_event WHERE platform_id = '9' AND event = 'split'")
      .pluck()
      .all();
    expect(split).toEqual(['10']);
  });

  it('never merges two seed IDs, even when a group holds both', () => {
    given([
      [1, '500', 'seed'],
      [2, '600', 'seed'],
    ]);
    const s = assign([[1, 2, 3]]);
    expect([idOf(1), idOf(2), idOf(3)]).toEqual(['500', '600', '500']);
    expect(s.merged).toBe(0);
    expect(row('600')).toEqual({ retired_at: null, merged_into: null });
  });

  it('retires an ID whose rows are gone and unlinks them', () => {
    given([[1, '3', 'auto']]);
    const s = assign([[2]]);
    expect(idOf(1)).toBeUndefined();
    expect(row('3')).toEqual({ retired_at: 100, merged_into: null });
    expect(s.retired).toBe(1);
  });
});
