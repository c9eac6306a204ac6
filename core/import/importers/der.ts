// der: distributed energy resources and their interconnection applications (DESIGN.md native
// layout `asset,premise,kind,kw,kwh,circuit,application,status,status_date`). One row per
// status event of an application is the usual export: the asset columns repeat, the status
// history accumulates one interconnection_status row per (application, status, date).
// Status dates that run against the ladder applied → studied → approved → installed → pto are
// reported as findings, not rejected: queues are edited after the fact.
import type { Database, Statement } from 'better-sqlite3';
import { RowError, type ImportContext, type ImporterResult } from '../types';
import { readMapped, type MappedRow } from '../tabular';
import { date, number, required } from '../parse';
import { keepAttributes } from '../attributes';
import {
  Findings,
  Premises,
  Written,
  assetCategory,
  requireOrg,
  type AssetCategory,
  type Org,
} from './common';

const DER_CATEGORIES: readonly AssetCategory[] = [
  'pv',
  'storage',
  'ev_charger',
  'thermostat',
  'generator',
];

export const STATUS_LADDER = ['applied', 'studied', 'approved', 'installed', 'pto'] as const;
export const STATUSES = [...STATUS_LADDER, 'withdrawn'] as const;
type Status = (typeof STATUSES)[number];

const STATUS_ALIASES: Record<string, Status> = {
  application: 'applied',
  'application received': 'applied',
  received: 'applied',
  submitted: 'applied',
  study: 'studied',
  'study complete': 'studied',
  'studied complete': 'studied',
  'approved to install': 'approved',
  'install complete': 'installed',
  'installation complete': 'installed',
  'permission to operate': 'pto',
  'in service': 'pto',
  operating: 'pto',
  cancelled: 'withdrawn',
  canceled: 'withdrawn',
  'withdrawn by applicant': 'withdrawn',
};

export function parseStatus(v: string): Status {
  const s = v.trim().toLowerCase().replace(/\s+/g, ' ');
  if ((STATUSES as readonly string[]).includes(s)) return s as Status;
  const alias = STATUS_ALIASES[s];
  if (alias) return alias;
  throw new RowError(
    'status',
    v,
    `unknown interconnection status "${v}"; expected one of ${STATUSES.join(', ')}`,
  );
}

interface AssetRow {
  id: number;
  category: AssetCategory;
  premise_id: number | null;
}

class DerWriter {
  readonly written = new Written();
  readonly findings = new Findings();
  /** Applications whose status history this file touched: checked against the ladder at the end. */
  readonly applications = new Map<number, string>();
  private readonly premises: Premises;
  private readonly circuits = new Map<string, number>();
  private readonly s: Record<string, Statement>;

  constructor(
    private readonly db: Database,
    private readonly org: Org,
    private readonly ctx: ImportContext,
  ) {
    this.premises = new Premises(db, org, 'import the CIS file that has it first');
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      circuit: p('SELECT id FROM circuit WHERE org_id = ? AND code = ?'),
      findAsset: p(
        'SELECT id, category, premise_id FROM asset WHERE org_id = ? AND source_key = ?',
      ),
      premiseNode: p(
        "SELECT node_id FROM asset WHERE premise_id = ? AND category = 'meter' AND node_id IS NOT NULL ORDER BY id LIMIT 1",
      ),
      electricUsagePoints: p(
        "SELECT id FROM usage_point WHERE premise_id = ? AND commodity = 'electricity' LIMIT 2",
      ),
      insertAsset: p(
        `INSERT INTO asset (org_id, source_key, category, category_label, premise_id, usage_point_id, node_id, nameplate_kw, nameplate_kwh, installed_on, import_batch_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateAsset: p(
        `UPDATE asset SET category_label = ?, premise_id = ?, nameplate_kw = coalesce(?, nameplate_kw),
           nameplate_kwh = coalesce(?, nameplate_kwh), installed_on = coalesce(installed_on, ?),
           usage_point_id = coalesce(usage_point_id, ?), node_id = coalesce(node_id, ?), import_batch_id = ?
         WHERE id = ?`,
      ),
      findApplication: p(
        `SELECT a.id, a.asset_id AS assetId, x.source_key AS assetKey FROM interconnection_application a
         LEFT JOIN asset x ON x.id = a.asset_id WHERE a.org_id = ? AND a.application_number = ?`,
      ),
      insertApplication: p(
        `INSERT INTO interconnection_application (org_id, application_number, asset_id, circuit_id, requested_kw, import_batch_id)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      updateApplication: p(
        `UPDATE interconnection_application SET asset_id = ?, circuit_id = coalesce(?, circuit_id),
           requested_kw = coalesce(?, requested_kw), import_batch_id = ? WHERE id = ?`,
      ),
      status: p(
        'INSERT OR IGNORE INTO interconnection_status (application_id, status, status_date, import_batch_id) VALUES (?, ?, ?, ?)',
      ),
      history: p(
        'SELECT status, min(status_date) AS day FROM interconnection_status WHERE application_id = ? GROUP BY status',
      ),
    };
  }

  private circuit(code: string): number {
    let id = this.circuits.get(code);
    if (id === undefined) {
      const row = this.s.circuit!.get(this.org.id, code) as { id: number } | undefined;
      if (!row)
        throw new RowError(
          'circuit',
          code,
          `unknown circuit ${code} for ${this.org.code}; import the topology file that has it first`,
        );
      id = row.id;
      this.circuits.set(code, id);
    }
    return id;
  }

  row(r: MappedRow): void {
    const fmt = this.ctx.profile.dateFormat;
    // Validation: everything is read and checked before anything is written.
    const assetKey = required('asset', r.get('asset'));
    const premiseKey = required('premise', r.get('premise'));
    const kind = required('kind', r.get('kind'));
    const category = assetCategory(kind);
    if (category === null || !DER_CATEGORIES.includes(category))
      throw new RowError(
        'kind',
        kind,
        `"${kind}" is not a DER kind; expected ${DER_CATEGORIES.join(', ')} (or a label such as PV roof-R, Storage-R, solar, battery, EVSE)`,
      );
    const premiseId = this.premises.id(premiseKey);
    const kwRaw = r.get('kw');
    const kwhRaw = r.get('kwh');
    const kw = kwRaw ? number('kw', kwRaw, { min: 0 }) : null;
    const kwh = kwhRaw ? number('kwh', kwhRaw, { min: 0 }) : null;
    const circuitCode = r.get('circuit');
    const circuitId = circuitCode ? this.circuit(circuitCode) : null;
    const application = r.get('application');
    const statusRaw = r.get('status');
    const dateRaw = r.get('status_date');
    if (statusRaw && !application)
      throw new RowError('application', '', `status ${statusRaw} needs an application number`);
    if (dateRaw && !statusRaw)
      throw new RowError('status', '', `status_date ${dateRaw} is given without a status`);
    const status = statusRaw ? parseStatus(statusRaw) : null;
    const day = status ? date('status_date', required('status_date', dateRaw), fmt) : null;

    const asset = this.s.findAsset!.get(this.org.id, assetKey) as AssetRow | undefined;
    if (asset && asset.category !== category)
      throw new RowError('kind', kind, `asset ${assetKey} is a ${asset.category}, not ${category}`);
    if (asset && asset.premise_id !== null && asset.premise_id !== premiseId)
      throw new RowError(
        'premise',
        premiseKey,
        `asset ${assetKey} is at another premise of ${this.org.code}, not ${premiseKey}`,
      );
    const app = application
      ? (this.s.findApplication!.get(this.org.id, application) as
          { id: number; assetId: number | null; assetKey: string | null } | undefined)
      : undefined;
    if (app && app.assetId !== null && app.assetId !== asset?.id)
      throw new RowError(
        'application',
        application,
        `application ${application} is for asset ${app.assetKey}, not ${assetKey}`,
      );

    // Writes.
    const installed = status === 'installed' ? day : null;
    const up = this.s.electricUsagePoints!.all(premiseId) as { id: number }[];
    const usagePoint = up.length === 1 ? up[0]!.id : null;
    const node = (this.s.premiseNode!.get(premiseId) as { node_id: number } | undefined)?.node_id;
    let assetId: number;
    if (asset) {
      this.s.updateAsset!.run(
        kind,
        premiseId,
        kw,
        kwh,
        installed,
        usagePoint,
        node ?? null,
        this.ctx.batchId,
        asset.id,
      );
      assetId = asset.id;
    } else {
      assetId = Number(
        this.s.insertAsset!.run(
          this.org.id,
          assetKey,
          category,
          kind,
          premiseId,
          usagePoint,
          node ?? null,
          kw,
          kwh,
          installed,
          this.ctx.batchId,
        ).lastInsertRowid,
      );
    }
    this.written.touch('asset', assetId);
    keepAttributes(this.db, 'asset', assetId, r.extras(), this.ctx.batchId);
    if (!application) return;
    let appId: number;
    if (app) {
      this.s.updateApplication!.run(assetId, circuitId, kw, this.ctx.batchId, app.id);
      appId = app.id;
    } else {
      appId = Number(
        this.s.insertApplication!.run(
          this.org.id,
          application,
          assetId,
          circuitId,
          kw,
          this.ctx.batchId,
        ).lastInsertRowid,
      );
    }
    this.written.touch('interconnection_application', appId);
    if (status && day) {
      const added = this.s.status!.run(appId, status, day, this.ctx.batchId).changes;
      if (added > 0) this.written.add('interconnection_status');
      this.applications.set(appId, application);
    }
  }

  /** Report status histories whose dates run against the ladder. */
  checkLadder(): void {
    for (const [id, number] of this.applications) {
      const days = new Map(
        (this.s.history!.all(id) as { status: Status; day: string }[]).map((h) => [
          h.status,
          h.day,
        ]),
      );
      let prev: { status: Status; day: string } | null = null;
      const out: string[] = [];
      for (const status of STATUS_LADDER) {
        const day = days.get(status);
        if (day === undefined) continue;
        if (prev && day < prev.day)
          out.push(`${status} ${day} is before ${prev.status} ${prev.day}`);
        if (!prev || day >= prev.day) prev = { status, day };
      }
      if (out.length)
        this.findings.add({
          kind: 'tolerated',
          subject: number,
          message: `application ${number}: status dates out of order (${out.join('; ')}); kept as given`,
        });
    }
  }
}

export async function importDer(ctx: ImportContext): Promise<ImporterResult> {
  const org = requireOrg(ctx);
  const w = new DerWriter(ctx.db, org, ctx);
  const stats = await readMapped(ctx, (r) => w.row(r));
  w.checkLadder();
  return { ...stats, written: w.written.counts(), findings: w.findings.all() };
}
