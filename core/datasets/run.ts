// Running a dataset (docs/datasets.md): validate parameters, apply the privacy rules of the
// session's role, stream the rows to CSV in chunks (progress, cancellation), then record the
// definition, the run and an audit entry, and write the sidecar data dictionary.
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Progress } from '../api/definition';
import { ConsentChecker } from '../privacy/consent';
import { planPrivacy, RowPrivacy, type PrivacyPlan } from '../privacy/redact';
import { POLICY, type Role } from '../privacy/roles';
import { CancelledError, EdwError } from '../workspace/errors';
import type { Workspace } from '../workspace/workspace';
import { csvLine } from './csv';
import { workspaceFingerprint } from './fingerprint';
import { paramInfo, parseParams } from './params';
import { DATASETS, getDataset } from './registry';
import type { DatasetInfo, ExportRequest, PreviewPage, PreviewRequest, RunRecord } from './schema';
import type { AnyDataset, CellValue, DatasetContext } from './types';

/** Rows per written chunk: between chunks the export reports progress and may be cancelled. */
export const CHUNK_ROWS = 2000;

export interface RunOptions {
  role: Role;
  /** The instant of the run; consents are evaluated at it (default: now). */
  now?: Date;
  signal?: AbortSignal;
  progress?: (p: Progress) => void;
}

export function datasetInfo(def: AnyDataset): DatasetInfo {
  return {
    name: def.name,
    version: def.version,
    title: def.title,
    description: def.description,
    privacyClass: def.privacyClass,
    params: paramInfo(def),
    columns: def.columns.map((c) => ({ ...c })),
  };
}

export function listDatasets(): DatasetInfo[] {
  return DATASETS.map(datasetInfo);
}

/** Upsert the definition row (name + version). */
export function saveDefinition(db: Database, def: AnyDataset): void {
  const info = datasetInfo(def);
  db.prepare(
    `INSERT INTO dataset_definition (name, version, title, description, parameters, columns, privacy_class)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (name, version) DO UPDATE SET title = excluded.title,
       description = excluded.description, parameters = excluded.parameters,
       columns = excluded.columns, privacy_class = excluded.privacy_class`,
  ).run(
    info.name,
    info.version,
    info.title,
    info.description,
    JSON.stringify(info.params),
    JSON.stringify(info.columns),
    info.privacyClass,
  );
}

interface OutRow {
  values: CellValue[];
  suppressed: boolean;
}

/** A run's rows as the role may see them, with the privacy counters. */
class PrivateRows {
  readonly privacy: RowPrivacy;
  readonly consent: ConsentChecker | null;
  /** Rows the definition produced (before consent filtering). */
  produced = 0;
  suppressedCells = 0;

  constructor(
    private readonly def: AnyDataset,
    private readonly ctx: DatasetContext,
    private readonly params: Record<string, unknown>,
    plan: PrivacyPlan,
  ) {
    this.consent = plan.needsConsent ? new ConsentChecker(ctx.db, ctx.now) : null;
    this.privacy = new RowPrivacy(plan, this.consent);
  }

  *rows(): Generator<OutRow> {
    const names = this.def.columns.map((c) => c.name);
    const known = new Set(names);
    let checked = false;
    for (const row of this.def.rows(this.ctx, this.params)) {
      if (!checked) {
        checked = true;
        const unknown = Object.keys(row.values).filter((k) => !known.has(k));
        if (unknown.length > 0)
          throw new EdwError(
            'internal',
            `dataset ${this.def.name} produced columns missing from its dictionary: ${unknown.join(', ')}`,
          );
      }
      this.produced++;
      const values = names.map((n) => row.values[n] ?? null);
      const out = this.privacy.apply(values, row.subjects ?? []);
      if (out === null) continue;
      const suppressed = row.suppressed === true;
      if (suppressed) this.suppressedCells += row.suppressedCells ?? 1;
      yield { values: out, suppressed };
    }
  }
}

function prepare(
  ws: Workspace,
  def: AnyDataset,
  given: ExportRequest['params'],
  opts: RunOptions,
  auditRefusal: boolean,
  purpose: 'export' | 'preview' = auditRefusal ? 'export' : 'preview',
) {
  const params = parseParams(def, given);
  let plan: PrivacyPlan;
  try {
    plan = planPrivacy(def.columns, opts.role, def.name);
  } catch (e) {
    // An export refused is a privacy decision for the log; a refused preview is just an error
    // (a read must not write: it may run while an import's transaction is open).
    if (auditRefusal && e instanceof EdwError)
      ws.audit(opts.role, 'privacy_decision', def.name, {
        decision: 'refused',
        dataset: def.name,
        version: def.version,
        ...e.details,
      });
    throw e;
  }
  const ctx: DatasetContext = {
    db: ws.db,
    role: opts.role,
    now: opts.now ?? new Date(),
    purpose,
    scratch: new Map(),
  };
  return { def, params, plan, ctx };
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function checkOutPath(ws: Workspace, out: string): string {
  const abs = path.resolve(out);
  const dir = path.dirname(abs);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new EdwError('usage', `cannot write ${out}: directory ${dir} does not exist`);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory())
    throw new EdwError('usage', `cannot write ${out}: it is a directory`);
  const wsAbs = path.resolve(ws.file);
  if (abs === wsAbs || abs === `${wsAbs}-wal` || abs === `${wsAbs}-shm`)
    throw new EdwError('usage', `refusing to overwrite the workspace file with ${out}`);
  return abs;
}

/** Run a dataset to a CSV file plus `<out>.json`; returns the run record. */
export function exportDataset(
  ws: Workspace,
  req: ExportRequest,
  opts: RunOptions,
): Promise<RunRecord> {
  return exportDefinition(ws, getDataset(req.name), req, opts);
}

/** exportDataset for a definition object (tests use definitions outside the registry). */
export async function exportDefinition(
  ws: Workspace,
  definition: AnyDataset,
  req: Omit<ExportRequest, 'name'>,
  opts: RunOptions,
): Promise<RunRecord> {
  const started = Date.now();
  const { def, params, plan, ctx } = prepare(ws, definition, req.params, opts, true);
  const out = checkOutPath(ws, req.out);
  const dictionaryPath = `${out}.json`;
  const progress = opts.progress ?? (() => {});
  const total = def.count?.(ctx, params);
  const phase = `dataset ${def.name}`;
  progress({ phase, done: 0, ...(total !== undefined ? { total } : {}), unit: 'rows' });

  const rows = new PrivateRows(def, ctx, params, plan);
  const tmp = `${out}.partial-${process.pid}`;
  let rowCount = 0;
  const fd = fs.openSync(tmp, 'w');
  let ok = false;
  try {
    fs.writeSync(fd, csvLine(def.columns.map((c) => c.name)));
    const it = rows.rows();
    try {
      for (;;) {
        let chunk = '';
        let n = 0;
        let next = it.next();
        while (!next.done) {
          chunk += csvLine(next.value.values);
          n++;
          if (n >= CHUNK_ROWS) break;
          next = it.next();
        }
        if (n > 0) fs.writeSync(fd, chunk);
        rowCount += n;
        progress({
          phase,
          done: rows.produced,
          ...(total !== undefined ? { total } : {}),
          unit: 'rows',
        });
        if (next.done) break;
        await yieldToLoop();
        if (opts.signal?.aborted) throw new CancelledError(`export of ${def.name} cancelled`);
      }
    } finally {
      it.return(undefined);
    }
    fs.fsyncSync(fd);
    ok = true;
  } finally {
    fs.closeSync(fd);
    if (!ok) fs.rmSync(tmp, { force: true });
  }

  const createdAt = Math.floor(ctx.now.getTime() / 1000);
  const fingerprint = workspaceFingerprint(ws.db);
  const seconds = (Date.now() - started) / 1000;
  const consentAsOf = rows.consent?.asOfDate ?? null;
  const details = {
    redactedCells: rows.privacy.redactedCells,
    withheldRows: rows.privacy.withheldRows,
    consentAsOf,
    seconds,
  };
  let runId = 0;
  try {
    ws.db.transaction(() => {
      saveDefinition(ws.db, def);
      runId = Number(
        ws.db
          .prepare(
            `INSERT INTO dataset_run (name, version, parameters, workspace_fingerprint, row_count,
               suppressed_cells, role, output_path, created_at, details)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            def.name,
            def.version,
            JSON.stringify(params),
            fingerprint,
            rowCount,
            rows.suppressedCells,
            opts.role,
            out,
            createdAt,
            JSON.stringify(details),
          ).lastInsertRowid,
      );
      def.afterExport?.(ctx, params, runId);
      ws.audit(opts.role, 'export', def.name, {
        runId,
        dataset: def.name,
        version: def.version,
        parameters: params,
        out,
        rows: rowCount,
        suppressedCells: rows.suppressedCells,
        redactedCells: details.redactedCells,
        withheldRows: details.withheldRows,
        fingerprint,
      });
    })();
    const record: RunRecord = {
      id: runId,
      name: def.name,
      version: def.version,
      parameters: params,
      workspaceFingerprint: fingerprint,
      rowCount,
      suppressedCells: rows.suppressedCells,
      redactedCells: details.redactedCells,
      withheldRows: details.withheldRows,
      role: opts.role,
      outputPath: out,
      dictionaryPath,
      createdAt,
      consentAsOf,
      seconds,
    };
    fs.writeFileSync(dictionaryPath, JSON.stringify(sidecar(def, record), null, 2) + '\n');
    fs.renameSync(tmp, out);
    progress({ phase, done: rows.produced, total: rows.produced, unit: 'rows', message: 'done' });
    return record;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** The sidecar `<out>.json`: the data dictionary and the run record. */
export function sidecar(def: AnyDataset, run: RunRecord) {
  const info = datasetInfo(def);
  return {
    format: 'edw-dataset-dictionary/1',
    dataset: {
      name: info.name,
      version: info.version,
      title: info.title,
      description: info.description,
      privacyClass: info.privacyClass,
    },
    parameters: info.params,
    columns: info.columns,
    csv: {
      dialect: 'RFC 4180, UTF-8, CRLF, header row; empty field = null, "" = empty text',
      lists: 'sorted unique items joined by ";", "\\" and ";" inside an item escaped with "\\"',
    },
    privacy: {
      role: run.role,
      access: POLICY[run.role],
      redactedMarker: '[redacted]',
      redactedCells: run.redactedCells,
      withheldRows: run.withheldRows,
      suppressedCells: run.suppressedCells,
      consentAsOf: run.consentAsOf,
    },
    run,
  };
}

/** One page of a dataset as the role may see it (nothing is recorded). */
export function previewDataset(ws: Workspace, req: PreviewRequest, opts: RunOptions): PreviewPage {
  return previewDefinition(ws, getDataset(req.name), req, opts);
}

/** previewDataset for a definition object. */
export function previewDefinition(
  ws: Workspace,
  definition: AnyDataset,
  req: Omit<PreviewRequest, 'name'>,
  opts: RunOptions,
): PreviewPage {
  const { def, params, plan, ctx } = prepare(ws, definition, req.params, opts, false);
  const rows = new PrivateRows(def, ctx, params, plan);
  const page: OutRow[] = [];
  const end = req.offset + req.limit;
  let index = 0;
  let done = true;
  let withheldRows = 0;
  let redactedCells = 0;
  let suppressedCells = 0;
  const it = rows.rows();
  try {
    for (let next = it.next(); !next.done; next = it.next()) {
      if (index >= end) {
        done = false;
        break;
      }
      if (index >= req.offset) page.push(next.value);
      index++;
      // The counters as of this page's last row (the look-ahead row is not counted).
      withheldRows = rows.privacy.withheldRows;
      redactedCells = rows.privacy.redactedCells;
      suppressedCells = rows.suppressedCells;
    }
    if (done) {
      withheldRows = rows.privacy.withheldRows;
      redactedCells = rows.privacy.redactedCells;
      suppressedCells = rows.suppressedCells;
    }
  } finally {
    it.return(undefined);
  }
  return {
    name: def.name,
    version: def.version,
    columns: def.columns.map((c) => ({ ...c })),
    offset: req.offset,
    rows: page,
    done,
    withheldRows,
    redactedCells,
    suppressedCells,
    role: opts.role,
  };
}
