import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { APPLICATION_ID, Workspace, inspectFile } from './workspace';
import { LATEST_VERSION } from './migrations';
import { WorkspaceError } from './errors';
import { tmpDir } from '../testing/tmp';

const sha = (f: string) => fs.readFileSync(f).toString('base64');

describe('workspace file', () => {
  it('creates a fresh workspace with WAL, foreign keys, application_id and user_version', () => {
    const file = path.join(tmpDir(), 'fresh.edw');
    const ws = Workspace.create(file);
    expect(ws.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(ws.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(ws.version).toBe(LATEST_VERSION);
    const tables = ws.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((r) => (r as { name: string }).name);
    for (const t of [
      'organization',
      'premise',
      'usage_point',
      'interval_block',
      'tariff_version',
      'bill_line',
      'platform_id',
      'platform_link',
      'dataset_run',
      'consent',
      'audit_log',
      'import_batch',
      'interconnection_status',
    ]) {
      expect(tables).toContain(t);
    }
    expect(ws.db.pragma('foreign_key_check')).toEqual([]);
    ws.close();
  });

  it('reopens an existing workspace without re-running migrations', () => {
    const file = path.join(tmpDir(), 'reopen.edw');
    const ws = Workspace.create(file);
    ws.db
      .prepare("INSERT INTO organization (code, name, kind) VALUES ('X', 'X Utility', 'utility')")
      .run();
    ws.close();
    const again = Workspace.open(file);
    expect(again.version).toBe(LATEST_VERSION);
    expect(again.db.prepare('SELECT count(*) AS n FROM organization').get()).toEqual({ n: 1 });
    expect(inspectFile(file)).toEqual({ state: 'workspace', version: LATEST_VERSION });
    again.close();
  });

  it('refuses a non-SQLite file and leaves it untouched', () => {
    const file = path.join(tmpDir(), 'notes.edw');
    fs.writeFileSync(file, 'these are my notes, not a database\n');
    const before = sha(file);
    expect(() => Workspace.open(file)).toThrow(/not an SQLite database/);
    expect(() => Workspace.create(file)).toThrow(WorkspaceError);
    expect(sha(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a foreign SQLite file and leaves it untouched', () => {
    const file = path.join(tmpDir(), 'other.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    db.close();
    const before = sha(file);
    expect(() => Workspace.open(file)).toThrow(/another application/);
    expect(() => Workspace.create(file)).toThrow(/another application/);
    expect(sha(file)).toBe(before);
  });

  it('refuses a workspace written by a newer edw and leaves it untouched', () => {
    const file = path.join(tmpDir(), 'newer.edw');
    Workspace.create(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.pragma('journal_mode = DELETE');
    db.close();
    const before = sha(file);
    let err: unknown;
    try {
      Workspace.open(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WorkspaceError);
    expect((err as WorkspaceError).message).toMatch(/newer edw/);
    expect((err as WorkspaceError).exitCode).toBe(3);
    expect(sha(file)).toBe(before);
  });

  it('refuses to create over an existing workspace', () => {
    const file = path.join(tmpDir(), 'twice.edw');
    Workspace.create(file).close();
    expect(() => Workspace.create(file)).toThrow(/already exists/);
  });

  it('rolls back a failing migration and keeps the previous version', () => {
    const file = path.join(tmpDir(), 'older.edw');
    Workspace.create(file).close();
    // Simulate a workspace at version 0 with a half-written schema: migration 1 must fail
    // atomically (table app_meta exists) and leave user_version untouched.
    const db = new Database(file);
    db.pragma('user_version = 0');
    db.close();
    expect(() => Workspace.open(file)).toThrow(/migration 1 .*failed.*unchanged at version 0/);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(0);
    check.close();
  });
});
