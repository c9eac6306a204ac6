// Numbered migrations. `user_version` holds the number of the last one applied; each runs in
// its own transaction, so a failed migration leaves the workspace at the previous version.
import type { Database } from 'better-sqlite3';
import { migration001 } from './001_initial';
import { referenceData001 } from './001_reference_data';
import { intervalReadingViewSql } from '../../metering/readingView';
import { migration002 } from './002_search';
import { rebuildSearch } from '../../search/build';
import { migration003 } from './003_dataset_details';
import { migration004 } from './004_vpp';
import { migration005 } from './005_premise_lookup';
import { migration006 } from './006_dataset_feed';
import { backfillBlockPeaks, migration007 } from './007_block_peak';
import { migration008 } from './008_period_usage';

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
  {
    version: 2,
    name: 'premise search index (FTS5)',
    up: (db) => {
      db.exec(migration002);
      // Existing premises become searchable at once (derived data, built from the tables).
      rebuildSearch(db);
    },
  },
  {
    version: 3,
    name: 'dataset definition description, run details and premise lookup indexes',
    up: (db) => db.exec(migration003),
  },
  {
    version: 4,
    name: 'VPP simulation runs and their stage tables',
    up: (db) => db.exec(migration004),
  },
  {
    version: 5,
    name: 'premise explorer lookup indexes',
    up: (db) => db.exec(migration005),
  },
  {
    version: 6,
    name: 'delta feed state of datasets (t-32-wap nightly feed)',
    up: (db) => db.exec(migration006),
  },
  {
    version: 7,
    name: 'interval block peak columns (peak, peak_slot, peak_quality), backfilled',
    up: (db) => {
      db.exec(migration007);
      backfillBlockPeaks(db);
    },
  },
  {
    version: 8,
    name: 'period usage: consumption over billing periods longer than a day',
    up: (db) => db.exec(migration008),
  },
];

export const LATEST_VERSION = migrations.reduce((m, x) => Math.max(m, x.version), 0);
