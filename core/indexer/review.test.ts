import { describe, expect, it } from 'vitest';
import { demoCopy } from '../testing/demoTemplate';
import { lastRun } from './review';
import { runIndex } from './run';

describe('lastRun', () => {
  it('is null before the first run, then the latest finished run with its stored result', async () => {
    const { ws } = await demoCopy();
    try {
      expect(lastRun(ws)).toEqual({ run: null });

      let t = 1_000;
      const first = await runIndex(ws, { now: () => t++ });
      const after1 = lastRun(ws).run;
      expect(after1).toEqual({ startedAt: 1_000, finishedAt: 1_001, result: first });

      t = 5_000;
      const second = await runIndex(ws, { now: () => t++ });
      expect(second.runId).toBe(first.runId + 1);
      expect(lastRun(ws).run).toEqual({ startedAt: 5_000, finishedAt: 5_001, result: second });

      // A run that never finished (or wrote metrics another version cannot read) is skipped.
      ws.db.prepare('INSERT INTO index_run (started_at, params) VALUES (9000, ?)').run('{}');
      ws.db
        .prepare('INSERT INTO index_run (started_at, finished_at, metrics) VALUES (9100, 9101, ?)')
        .run('{"old":true}');
      expect(lastRun(ws).run?.result.runId).toBe(second.runId);
    } finally {
      ws.close();
    }
  });
});
