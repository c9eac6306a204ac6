// Killing an import midway (SIGKILL: no cleanup code runs) must leave a sound workspace with
// no trace of the batch: SQLite's transaction is the only thing standing between them.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../core/workspace/workspace';
import { tmpDir } from '../core/testing/tmp';

const root = path.resolve(__dirname, '..');
const edw = path.join(root, 'bin', 'edw.cjs');

describe('import killed midway', () => {
  it('leaves an intact workspace and no partial batch', async () => {
    if (!fs.existsSync(path.join(root, 'dist', 'cli', 'edw.cjs'))) {
      throw new Error('this test runs the built CLI: run `npm run build` first (npm test does)');
    }
    const dir = tmpDir('edw-kill-');
    const ws = path.join(dir, 'ws.edw');
    const w = Workspace.create(ws);
    w.db
      .prepare("INSERT INTO organization (code, name, kind) VALUES ('UES', 'Unitil', 'utility')")
      .run();
    w.close();
    const csv = path.join(dir, 'big.csv');
    const lines = [
      'org,account,customer,premise,address,city,state,zip,usage_point,meter,commodity,rate_class,start_date,end_date',
    ];
    for (let i = 0; i < 300_000; i++) {
      lines.push(
        `UES,K${i},Customer ${i},KP${i},${i} Kill St,Pembroke,NH,03275,KUP${i},KM${i},electricity,D,2018-01-01,`,
      );
    }
    fs.writeFileSync(csv, lines.join('\n') + '\n');

    const child = spawn(process.execPath, [edw, 'import', ws, 'cis', csv], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // Wait until rows are being written inside the file's transaction: the first progress line
    // comes after the first batch of rows went into the database.
    await new Promise<void>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(
        () => reject(new Error(`no progress from the import: ${err}`)),
        60_000,
      );
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (/importing big\.csv \d+%/.test(err)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) =>
        reject(new Error(`the import ended before it could be killed (exit ${code}): ${err}`)),
      );
    });
    const exited = new Promise<NodeJS.Signals | null>((r) =>
      child.once('exit', (_c, sig) => r(sig)),
    );
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const after = Workspace.open(ws);
    expect(after.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(after.db.prepare('SELECT count(*) AS n FROM import_batch').get()).toEqual({ n: 0 });
    expect(after.db.prepare('SELECT count(*) AS n FROM account').get()).toEqual({ n: 0 });
    expect(
      after.db.prepare('SELECT count(*) AS n FROM audit_log WHERE action = ?').get('import'),
    ).toEqual({ n: 0 });
    after.close();
  });
});
