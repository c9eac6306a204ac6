// The workspace: one SQLite file, the product's open format.
// Every open first inspects the file read-only, so a non-SQLite file, another program's
// SQLite file or a workspace from a newer edw is refused before anything is written to it.
import fs from 'node:fs';
import path from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import { openDatabase } from './sqlite';
import { LATEST_VERSION, migrations } from './migrations';
import { WorkspaceError } from './errors';

/** 'EDW1' — SQLite's application_id identifies the file as an edw workspace. */
export const APPLICATION_ID = 0x45445731;
const SQLITE_MAGIC = 'SQLite format 3\u0000';

export type FileState =
  | { state: 'missing' }
  | { state: 'empty' } // zero bytes, or an SQLite file with no schema and no application id
  | { state: 'workspace'; version: number }
  | { state: 'not_sqlite' }
  | { state: 'foreign'; applicationId: number }
  | { state: 'newer'; version: number };

/** Inspect a path without modifying it. */
export function inspectFile(file: string): FileState {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { state: 'missing' };
  }
  if (!stat.isFile()) return { state: 'not_sqlite' };
  if (stat.size === 0) return { state: 'empty' };
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(fd, header, 0, 100, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (read < 100 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC)
    return { state: 'not_sqlite' };
  // The header may be stale while a WAL file holds newer pages: ask SQLite, read-only.
  let db: Db | undefined;
  try {
    db = openDatabase(file, { readonly: true, fileMustExist: true });
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const objects = (db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number })
      .n;
    if (appId === 0 && objects === 0 && version === 0) return { state: 'empty' };
    if (appId !== APPLICATION_ID) return { state: 'foreign', applicationId: appId };
    if (version > LATEST_VERSION) return { state: 'newer', version };
    return { state: 'workspace', version };
  } catch {
    return { state: 'not_sqlite' };
  } finally {
    db?.close();
  }
}

function refusal(file: string, s: FileState): WorkspaceError | null {
  const name = path.basename(file);
  switch (s.state) {
    case 'not_sqlite':
      return new WorkspaceError(`${name} is not an edw workspace: it is not an SQLite database`, {
        path: file,
        reason: 'not_sqlite',
      });
    case 'foreign':
      return new WorkspaceError(
        `${name} is an SQLite database of another application (application_id 0x${s.applicationId
          .toString(16)
          .padStart(8, '0')}), not an edw workspace`,
        { path: file, reason: 'foreign', applicationId: s.applicationId },
      );
    case 'newer':
      return new WorkspaceError(
        `${name} was written by a newer edw (data model version ${s.version}; this edw knows up to ${LATEST_VERSION}); update edw to open it`,
        { path: file, reason: 'newer', version: s.version, supported: LATEST_VERSION },
      );
    default:
      return null;
  }
}

export interface MigrationResult {
  from: number;
  to: number;
  applied: { version: number; name: string }[];
  backup: string | null;
}

export class Workspace {
  /** What opening this workspace migrated, if anything. */
  lastMigration: MigrationResult | null = null;

  private constructor(
    readonly db: Db,
    readonly file: string,
  ) {}

  /** Throws unless `file` is missing or empty, i.e. a workspace can be created there. */
  static assertCreatable(file: string): void {
    const s = inspectFile(file);
    if (s.state !== 'missing' && s.state !== 'empty') {
      throw (
        refusal(file, s) ??
        new WorkspaceError(
          `${path.basename(file)} already exists and is a workspace; choose another path`,
          {
            path: file,
            reason: 'exists',
          },
        )
      );
    }
  }

  /** Create a new workspace. Refuses any existing non-empty file. */
  static create(file: string): Workspace {
    Workspace.assertCreatable(file);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const ws = new Workspace(Workspace.connect(file), file);
    ws.db.pragma(`application_id = ${APPLICATION_ID}`);
    ws.migrate();
    const now = new Date().toISOString();
    ws.db
      .prepare('INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?), (?, ?)')
      .run('created_at', now, 'workspace_id', cryptoRandomId());
    return ws;
  }

  /** Open an existing workspace; migrates an older one (after a backup) unless told not to. */
  static open(file: string, opts: { migrate?: boolean } = {}): Workspace {
    const s = inspectFile(file);
    if (s.state === 'missing') {
      throw new WorkspaceError(`${path.basename(file)} does not exist`, {
        path: file,
        reason: 'missing',
      });
    }
    if (s.state === 'empty') {
      throw new WorkspaceError(
        `${path.basename(file)} is empty, not an edw workspace; create one with edw init`,
        {
          path: file,
          reason: 'empty',
        },
      );
    }
    const refused = refusal(file, s);
    if (refused) throw refused;
    const version = s.state === 'workspace' ? s.version : 0;
    if (version < LATEST_VERSION && opts.migrate === false) {
      throw new WorkspaceError(
        `${path.basename(file)} has data model version ${version}; run edw migrate to upgrade it to ${LATEST_VERSION}`,
        { path: file, reason: 'older', version },
      );
    }
    const ws = new Workspace(Workspace.connect(file), file);
    if (version < LATEST_VERSION) ws.lastMigration = ws.migrate();
    return ws;
  }

  private static connect(file: string): Db {
    const db = openDatabase(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    return db;
  }

  get version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Apply pending migrations, each in its own transaction; back up first if data exists. */
  migrate(): MigrationResult {
    const from = this.version;
    const pending = migrations
      .filter((m) => m.version > from)
      .sort((a, b) => a.version - b.version);
    let backup: string | null = null;
    if (pending.length > 0 && from > 0) {
      backup = `${this.file}.v${from}.bak`;
      if (fs.existsSync(backup)) fs.rmSync(backup);
      this.db.prepare('VACUUM INTO ?').run(backup);
    }
    for (const m of pending) {
      try {
        this.db.transaction(() => {
          m.up(this.db);
          this.db.pragma(`user_version = ${m.version}`);
        })();
      } catch (e) {
        throw new WorkspaceError(
          `migration ${m.version} (${m.name}) failed: ${(e as Error).message}; the workspace is unchanged at version ${this.version}`,
          { path: this.file, reason: 'migration_failed', version: this.version, backup },
        );
      }
    }
    return {
      from,
      to: this.version,
      applied: pending.map((m) => ({ version: m.version, name: m.name })),
      backup,
    };
  }

  meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM app_meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)').run(key, value);
  }

  audit(role: string, action: string, subject: string | null, details: unknown): void {
    this.db
      .prepare('INSERT INTO audit_log (at, role, action, subject, details) VALUES (?, ?, ?, ?, ?)')
      .run(Math.floor(Date.now() / 1000), role, action, subject, JSON.stringify(details ?? null));
  }

  close(): void {
    if (this.db.open) {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }
}

function cryptoRandomId(): string {
  return globalThis.crypto.randomUUID();
}
