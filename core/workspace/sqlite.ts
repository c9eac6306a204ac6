// Opening SQLite connections. Under Electron (development runs) the native module must be
// built for Electron's ABI while the CLI uses Node's: scripts/start.mjs builds an Electron copy
// and passes its path in EDW_SQLITE_BINDING. Packaged apps are rebuilt by electron-builder.
import Database from 'better-sqlite3';
import type { Database as Db, Options } from 'better-sqlite3';

export function openDatabase(file: string, options: Options = {}): Db {
  const binding = process.env.EDW_SQLITE_BINDING;
  return new Database(file, binding ? { ...options, nativeBinding: binding } : options);
}
