import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseScale } from './main';
import { edw } from './testkit';
import { tmpDir } from '../core/testing/tmp';

describe('edw CLI', () => {
  it('prints usage and exits 1 without a command, 0 with --help', async () => {
    expect((await edw()).code).toBe(1);
    const help = await edw('init', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/edw init <workspace>/);
    expect((await edw('frobnicate', 'x.edw')).code).toBe(1);
    expect((await edw('init')).code).toBe(1);
    expect((await edw('init', 'a.edw', '--bogus')).code).toBe(1);
  });

  it('init creates an empty workspace and reports it as JSON', async () => {
    const file = path.join(tmpDir(), 'empty.edw');
    const r = await edw('init', file, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { ok: boolean; workspace: { version: number; path: string } };
    expect(json.ok).toBe(true);
    expect(json.workspace.path).toBe(path.resolve(file));
    const info = await edw('info', file, '--json');
    expect(info.code).toBe(0);
    expect(JSON.parse(info.out)).toMatchObject({ ok: true, workspace: { open: true } });
  });

  it('init on an existing non-workspace file exits 3, names the problem, leaves the file unchanged', async () => {
    const dir = tmpDir();
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'quarterly notes\n');
    const r = await edw('init', text, '--json');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toMatchObject({
      ok: false,
      error: { code: 'workspace', message: expect.stringMatching(/not an SQLite database/) },
    });
    expect(r.err).toMatch(/notes.txt is not an edw workspace/);
    expect(fs.readFileSync(text, 'utf8')).toBe('quarterly notes\n');

    const foreign = path.join(dir, 'app.sqlite');
    const db = new Database(foreign);
    db.exec('CREATE TABLE x (y)');
    db.close();
    const before = fs.readFileSync(foreign);
    const f = await edw('init', foreign, '--demo');
    expect(f.code).toBe(3);
    expect(f.err).toMatch(/another application/);
    expect(fs.readFileSync(foreign).equals(before)).toBe(true);

    const ws = path.join(dir, 'ws.edw');
    expect((await edw('init', ws)).code).toBe(0);
    const again = await edw('init', ws);
    expect(again.code).toBe(3);
    expect(again.err).toMatch(/already exists/);
  });

  it('migrate reports an up-to-date workspace and refuses a newer one with exit 3', async () => {
    const file = path.join(tmpDir(), 'm.edw');
    await edw('init', file);
    const r = await edw('migrate', file, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, applied: [] });
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();
    const newer = await edw('migrate', file);
    expect(newer.code).toBe(3);
    expect(newer.err).toMatch(/newer edw/);
    expect((await edw('info', path.join(tmpDir(), 'missing.edw'))).code).toBe(3);
  });

  it('parses --scale strictly', () => {
    expect(parseScale('premises=100,days=7')).toEqual({ premises: 100, days: 7 });
    expect(() => parseScale('premises=ten')).toThrow(/bad --scale/);
    expect(() => parseScale('rooms=3')).toThrow(/bad --scale/);
  });
});
