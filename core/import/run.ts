// The import runner: one transaction per file, rejects with file/line/column/value/reason,
// idempotent by content hash, strict (all or nothing) or lenient (good rows in).
// A file from which nothing is accepted leaves the workspace untouched: no batch row, no audit
// row; its rejects go to the rejects file and the result only.
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { Workspace } from '../workspace/workspace';
import { CancelledError, EdwError } from '../workspace/errors';
import { rebuildSearch, SEARCH_IMPORT_KINDS } from '../search/build';
import { Profile, nativeProfile, type ImportKind } from './profile';
import { ImportRequest, type FileOutcome, type ImportResult } from './schema';
import { sha256File } from './source';
import { RowError, type Finding, type ImportContext, type Reject } from './types';
import { importers } from './registry';
import { shippedProfile } from './shippedProfiles';
import type { Progress } from '../api/definition';

const REJECTS_IN_RESULT = 1000;

interface OrgRow {
  id: number;
  code: string;
  time_zone: string;
}

function resolveOrg(ws: Workspace, code: string | undefined): ImportContext['org'] {
  if (!code) return null;
  const row = ws.db
    .prepare('SELECT id, code, time_zone FROM organization WHERE code = ? COLLATE NOCASE')
    .get(code) as OrgRow | undefined;
  if (!row) {
    const known = (
      ws.db.prepare('SELECT code FROM organization ORDER BY code').all() as { code: string }[]
    ).map((r) => r.code);
    throw new EdwError(
      'usage',
      `unknown organization "${code}"${known.length ? `; this workspace has ${known.join(', ')}` : '; this workspace has none yet'}`,
    );
  }
  return { id: row.id, code: row.code, timeZone: row.time_zone };
}

/** A profile by name: saved for the organization, saved globally, shipped with edw, or native. */
export function resolveProfile(
  ws: Workspace,
  kind: ImportKind,
  org: ImportContext['org'],
  p: ImportRequest['profile'],
): Profile {
  if (p === undefined || p === 'native') return nativeProfile(kind);
  if (typeof p !== 'string') {
    if (p.kind !== kind)
      throw new EdwError('usage', `profile "${p.name}" is for ${p.kind} files, not ${kind}`);
    return p;
  }
  const row = ws.db
    .prepare(
      'SELECT json FROM mapping_profile WHERE kind = ? AND name = ? AND (org_id IS ? OR org_id IS NULL) ORDER BY org_id IS NULL LIMIT 1',
    )
    .get(kind, p, org?.id ?? null) as { json: string } | undefined;
  if (row) return Profile.parse(JSON.parse(row.json));
  const shipped = shippedProfile(kind, p);
  if (shipped && org && shipped.org && shipped.org.toUpperCase() !== org.code.toUpperCase())
    throw new EdwError(
      'usage',
      `profile "${shipped.name}" is for ${shipped.org} files, not ${org.code}`,
    );
  if (shipped) return shipped;
  throw new EdwError('usage', `no ${kind} profile named "${p}"${org ? ` for ${org.code}` : ''}`);
}

function rejectsPath(ws: Workspace, req: ImportRequest, file: string, hash: string): string {
  const dir = req.rejectsDir ?? `${ws.file}.rejects`;
  return path.join(dir, `${path.basename(file)}.${hash.slice(0, 12)}.rejects.csv`);
}

function csvCell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function writeRejectsFile(target: string, rejects: readonly Reject[]): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const lines = [
    'file,line,column,value,reason',
    ...rejects.map((r) => [r.file, r.line, r.column, r.value, r.reason].map(csvCell).join(',')),
  ];
  fs.writeFileSync(target, lines.join('\n') + '\n');
}

export interface RunOptions {
  signal?: AbortSignal;
  progress?: (p: Progress) => void;
  role?: string;
}

export async function runImport(
  ws: Workspace,
  raw: z.input<typeof ImportRequest>,
  opts: RunOptions = {},
): Promise<ImportResult> {
  const req = ImportRequest.parse(raw);
  const importer = importers[req.kind];
  if (!importer) throw new EdwError('usage', `importing ${req.kind} files is not supported`);
  const org = resolveOrg(
    ws,
    req.org ?? (typeof req.profile === 'object' ? req.profile.org : undefined),
  );
  const profile = resolveProfile(ws, req.kind, org, req.profile);
  for (const f of req.files) {
    if (!fs.existsSync(f) || !fs.statSync(f).isFile())
      throw new EdwError('usage', `no such file: ${f}`);
  }
  const signal = opts.signal ?? new AbortController().signal;
  const outcomes: FileOutcome[] = [];
  for (const [i, file] of req.files.entries()) {
    if (signal.aborted) break;
    outcomes.push(
      await importFile(ws, req, file, {
        org,
        profile,
        signal,
        progress: opts.progress,
        index: i,
        role: opts.role ?? 'analyst',
      }),
    );
  }
  return {
    kind: req.kind,
    ok:
      outcomes.every((o) => o.status === 'committed' && o.rowsRejected === 0) ||
      outcomes.every((o) => o.status === 'duplicate'),
    files: outcomes,
  };
}

interface FileOptions {
  org: ImportContext['org'];
  profile: Profile;
  signal: AbortSignal;
  progress: RunOptions['progress'];
  index: number;
  role: string;
}

async function importFile(
  ws: Workspace,
  req: ImportRequest,
  file: string,
  o: FileOptions,
): Promise<FileOutcome> {
  const db = ws.db;
  const name = file;
  o.progress?.({
    phase: `hashing ${path.basename(file)}`,
    done: o.index,
    total: req.files.length,
    unit: 'files',
  });
  const hash = await sha256File(file);
  const base = { file: name, contentHash: hash, rejects: [], findings: [], written: {} };
  const dup = db
    .prepare(
      "SELECT id FROM import_batch WHERE kind = ? AND content_hash = ? AND ifnull(org_id, 0) = ? AND status = 'committed'",
    )
    .get(req.kind, hash, o.org?.id ?? 0) as { id: number } | undefined;
  if (dup) {
    return {
      ...base,
      status: 'duplicate',
      batchId: dup.id,
      rowsTotal: 0,
      rowsAccepted: 0,
      rowsRejected: 0,
      rejectsFile: null,
      message: `${path.basename(file)} was already imported (batch ${dup.id}, same content): nothing to do`,
    };
  }

  const rejects: Reject[] = [];
  const now = Math.floor(Date.now() / 1000);
  let lastYield = performance.now();
  db.exec('BEGIN');
  try {
    const batchId = Number(
      db
        .prepare(
          "INSERT INTO import_batch (org_id, kind, file_name, content_hash, profile, mode, status, started_at) VALUES (?, ?, ?, ?, ?, ?, 'running', ?)",
        )
        .run(o.org?.id ?? null, req.kind, path.basename(file), hash, o.profile.name, req.mode, now)
        .lastInsertRowid,
    );
    const ctx: ImportContext = {
      db,
      kind: req.kind,
      org: o.org,
      batchId,
      profile: o.profile,
      mode: req.mode,
      file: name,
      path: file,
      signal: o.signal,
      progress: (done, total, unit) =>
        o.progress?.({ phase: `importing ${path.basename(file)}`, done, total, unit }),
      reject: (r) => rejects.push({ file: name, ...r }),
      breathe: async () => {
        if (performance.now() - lastYield < 50) return;
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
        if (o.signal.aborted) throw new CancelledError('import cancelled');
      },
    };
    const r = await importers[req.kind]!(ctx);
    if (o.signal.aborted) throw new CancelledError('import cancelled');
    const rejectsFile = rejects.length ? rejectsPath(ws, req, file, hash) : null;
    const outcome = {
      ...base,
      batchId,
      rowsTotal: r.rowsTotal,
      rowsAccepted: r.rowsAccepted,
      rowsRejected: rejects.length,
      rejectsFile,
      rejects: rejects.slice(0, REJECTS_IN_RESULT),
      findings: r.findings ?? [],
      written: r.written ?? {},
    };
    if (r.rowsAccepted === 0 || (req.mode === 'strict' && rejects.length > 0)) {
      db.exec('ROLLBACK');
      if (rejectsFile) writeRejectsFile(rejectsFile, rejects);
      return {
        ...outcome,
        status: 'rejected',
        batchId: null,
        rowsAccepted: 0,
        written: {},
        message:
          r.rowsAccepted === 0
            ? `${path.basename(file)}: nothing imported — ${rejects.length ? `all ${r.rowsTotal} rows rejected` : 'the file has no data rows'}; the workspace is unchanged`
            : `${path.basename(file)}: ${rejects.length} of ${r.rowsTotal} rows rejected in strict mode: nothing imported; the workspace is unchanged`,
      };
    }
    const insertReject = db.prepare(
      'INSERT INTO import_reject (batch_id, file, line, column, value, reason) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const x of rejects) insertReject.run(batchId, x.file, x.line, x.column, x.value, x.reason);
    db.prepare(
      "UPDATE import_batch SET status = 'committed', rows_total = ?, rows_accepted = ?, rows_rejected = ?, finished_at = ? WHERE id = ?",
    ).run(r.rowsTotal, r.rowsAccepted, rejects.length, Math.floor(Date.now() / 1000), batchId);
    // Premise search reads these rows: rebuilt in the same transaction, never stale.
    if (SEARCH_IMPORT_KINDS.has(req.kind)) rebuildSearch(db);
    ws.audit(o.role, 'import', `${req.kind}:${path.basename(file)}`, {
      batchId,
      hash,
      rows: r.rowsAccepted,
      rejected: rejects.length,
      written: r.written ?? {},
    });
    db.exec('COMMIT');
    if (rejectsFile) writeRejectsFile(rejectsFile, rejects);
    return {
      ...outcome,
      status: 'committed',
      message: `${path.basename(file)}: ${r.rowsAccepted} of ${r.rowsTotal} rows imported${rejects.length ? `, ${rejects.length} rejected (see ${rejectsFile})` : ''}`,
    };
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if (e instanceof CancelledError) {
      return {
        ...base,
        status: 'cancelled',
        batchId: null,
        rowsTotal: 0,
        rowsAccepted: 0,
        rowsRejected: 0,
        rejectsFile: null,
        message: `${path.basename(file)}: cancelled; nothing imported`,
      };
    }
    if (e instanceof EdwError && e.code === 'input_rejected') {
      // The file as a whole is unreadable (binary, runaway line, broken XML…).
      const line = typeof e.details?.line === 'number' ? e.details.line : 0;
      const all = [...rejects, { file: name, line, column: null, value: null, reason: e.message }];
      const rejectsFile = rejectsPath(ws, req, file, hash);
      writeRejectsFile(rejectsFile, all);
      return {
        ...base,
        status: 'rejected',
        batchId: null,
        rowsTotal: 0,
        rowsAccepted: 0,
        rowsRejected: all.length,
        rejectsFile,
        rejects: all.slice(0, REJECTS_IN_RESULT),
        message: `${e.message}; nothing imported; the workspace is unchanged`,
      };
    }
    throw e;
  }
}

/**
 * Run `fn` for a row; a RowError becomes a reject, anything else propagates. `column` maps a
 * native field name to the header the analyst's file uses, so rejects point into their file.
 */
export function guardRow(
  ctx: ImportContext,
  line: number,
  fn: () => void,
  column: (field: string) => string = (f) => f,
): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof RowError) {
      ctx.reject({
        line,
        column: e.column === null ? null : column(e.column),
        value: e.value,
        reason: e.message,
      });
      return false;
    }
    throw e;
  }
}

export type { Finding };
