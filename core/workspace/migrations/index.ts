// Numbered migrations. `user_version` holds the number of the last one applied; each runs in
// its own transaction, so a failed migration leaves the workspace at the previous version.
import type { Database } from 'better-sqlite3';
import { migration001 } from './001_initial';
import { referenceData001 } from './001_reference_data';
import { intervalReadingViewSql } from '../../metering/readingView';

export interface Migration {
  version: number;
  name: string;
  up: (db: Database) => void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'logical data model v1 (SB284) with compact interval storage',
    up: (db) => {
      db.exec(migration001);
      db.exec(intervalReadingViewSql);
      db.exec(referenceData001);
    },
  },
];

export const LATEST_VERSION = migrations.reduce((m, x) => Math.max(m, x.version), 0);
