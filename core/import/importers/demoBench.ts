// Test helper for the Green Button, tariff and bill importer tests: a fresh copy of a small demo
// workspace (organizations UES, PSNH, LIBERTY, FGE, GSEC…, account 108999999 with its CORE-01
// bill and tariff D) or a bare workspace with a few organizations, and a digest to prove a
// refused file left the workspace byte-identical.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { Workspace } from '../../workspace/workspace';
import { demoCopy } from '../../testing/demoTemplate';
import { tmpDir } from '../../testing/tmp';
import { runImport } from '../run';
import type { FileOutcome, ImportRequest } from '../schema';

export const FIXTURES = path.join(__dirname, '../../../fixtures');

export interface TestBench {
  ws: Workspace;
  dir: string;
  /** Write a file in the test's directory. */
  write(name: string, text: string): string;
  run(
    kind: ImportRequest['kind'],
    file: string,
    more?: Partial<z.input<typeof ImportRequest>>,
  ): Promise<FileOutcome>;
  one<T = number>(sql: string, ...args: unknown[]): T;
  rows<T = Record<string, unknown>>(sql: string, ...args: unknown[]): T[];
  /** sha256 of the workspace file after a checkpoint (WAL folded in). */
  digest(): string;
}

function wrap(ws: Workspace, dir: string, file: string): TestBench {
  return {
    ws,
    dir,
    write(name, text) {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    },
    async run(kind, f, more = {}) {
      const r = await runImport(ws, {
        kind,
        files: [f],
        rejectsDir: path.join(dir, 'rejects'),
        ...more,
      });
      return r.files[0] as FileOutcome;
    },
    one(sql, ...args) {
      return ws.db
        .prepare(sql)
        .pluck()
        .get(...args) as never;
    },
    rows(sql, ...args) {
      return ws.db.prepare(sql).all(...args) as never;
    },
    digest() {
      ws.db.pragma('wal_checkpoint(TRUNCATE)');
      return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    },
  };
}

/** A fresh copy of the demo workspace (premises 40, days 3). */
export async function demoBench(): Promise<TestBench> {
  const { ws, dir, file } = await demoCopy();
  return wrap(ws, dir, file);
}

/** An empty workspace with organizations (code, name) in America/New_York. */
export function bareBench(
  orgs: readonly [string, string][] = [['UES', 'Unitil Energy Systems']],
): TestBench {
  const dir = tmpDir('edw-gb-');
  const file = path.join(dir, 'ws.edw');
  const ws = Workspace.create(file);
  const ins = ws.db.prepare(
    "INSERT INTO organization (code, name, kind, jurisdiction_code, regulated) VALUES (?, ?, 'utility', 'NH', 1)",
  );
  for (const [code, name] of orgs) ins.run(code, name);
  return wrap(ws, dir, file);
}
