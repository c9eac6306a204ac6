// The contract between the import runner and the importer of each kind.
import type { Database } from 'better-sqlite3';
import type { Profile, ImportKind } from './profile';

export interface Reject {
  file: string;
  line: number;
  column: string | null;
  value: string | null;
  reason: string;
}

/** Thrown by an importer for one bad row; the runner records it as a reject. */
export class RowError extends Error {
  constructor(
    readonly column: string | null,
    readonly value: string | null,
    reason: string,
  ) {
    super(reason);
    this.name = 'RowError';
  }
}

export interface ImportContext {
  db: Database;
  kind: ImportKind;
  /** The organization given with --org (or the profile), if any. */
  org: { id: number; code: string; timeZone: string } | null;
  batchId: number;
  profile: Profile;
  mode: 'lenient' | 'strict';
  /** File name as shown in rejects (the path the user gave). */
  file: string;
  /** Full path to read. */
  path: string;
  signal: AbortSignal;
  progress: (done: number, total: number, unit: string) => void;
  reject: (r: Omit<Reject, 'file'>) => void;
  /** Let the event loop run (progress frames, cancel requests) during long synchronous work. */
  breathe: () => Promise<void>;
}

/** Findings that are not rejects: conflicting duplicates, gaps, tolerated oddities. */
export interface Finding {
  kind: 'conflict' | 'gap' | 'duplicate' | 'tolerated' | 'note';
  message: string;
  count?: number;
  subject?: string;
}

export interface ImporterResult {
  rowsTotal: number;
  rowsAccepted: number;
  findings?: Finding[];
  /** Entity counts written, e.g. { account: 12, usage_point: 12 }. */
  written?: Record<string, number>;
}

/** An importer reads its own file (CSV, XML or JSON) and writes inside the runner's transaction. */
export type Importer = (ctx: ImportContext) => Promise<ImporterResult>;
