// topology: the grid as one organization's GIS exports it — substation → circuit → section →
// node, the transformer at a node, and premise → asset → node (DESIGN.md native layout
// `circuit,substation,section,node,premise,asset,asset_kind,transformer_kva`). Keys are the
// organization's own codes (node codes are unique within it), so re-imports update in place:
// a circuit on another substation or a node on another section is moved, and reported.
import type { Database, Statement } from 'better-sqlite3';
import { RowError, type ImportContext, type ImporterResult } from '../types';
import { readMapped, type MappedRow } from '../tabular';
import { number, required } from '../parse';
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

interface AssetRow {
  id: number;
  category: AssetCategory;
  premise_id: number | null;
  node_id: number | null;
}

/** What one row asks for, fully validated before anything is written. */
interface Plan {
  circuit: string;
  substation: string;
  section: string;
  node: string;
  kva: number | null;
  premise: { key: string; id: number } | null;
  /** The asset to place on the node: given, or the premise's meter. */
  asset: {
    key: string | null;
    category: AssetCategory | null;
    label: string | null;
    existing: AssetRow | null;
  } | null;
}

class TopologyWriter {
  readonly written = new Written();
  readonly findings = new Findings();
  private readonly premises: Premises;
  private readonly substations = new Map<string, number>();
  private readonly circuits = new Map<string, { id: number; substationId: number | null }>();
  private readonly sections = new Map<string, number>();
  private readonly nodes = new Map<string, { id: number; sectionId: number }>();
  private readonly s: Record<string, Statement>;

  constructor(
    private readonly db: Database,
    private readonly org: Org,
    private readonly batch: number,
  ) {
    this.premises = new Premises(db, org, 'import the CIS file that has it first');
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      substation: p(
        `INSERT INTO substation (org_id, code) VALUES (?, ?)
         ON CONFLICT (org_id, code) DO UPDATE SET code = code RETURNING id`,
      ),
      findCircuit: p(
        `SELECT c.id, c.substation_id AS substationId, s.code AS substation
         FROM circuit c LEFT JOIN substation s ON s.id = c.substation_id
         WHERE c.org_id = ? AND c.code = ?`,
      ),
      insertCircuit: p(
        'INSERT INTO circuit (org_id, code, substation_id, import_batch_id) VALUES (?, ?, ?, ?)',
      ),
      moveCircuit: p('UPDATE circuit SET substation_id = ?, import_batch_id = ? WHERE id = ?'),
      section: p(
        `INSERT INTO section (circuit_id, code) VALUES (?, ?)
         ON CONFLICT (circuit_id, code) DO UPDATE SET code = code RETURNING id`,
      ),
      findNode: p(
        `SELECT n.id, n.section_id AS sectionId, s.code AS section, c.code AS circuit
         FROM node n JOIN section s ON s.id = n.section_id JOIN circuit c ON c.id = s.circuit_id
         WHERE c.org_id = ? AND n.code = ?`,
      ),
      insertNode: p('INSERT INTO node (section_id, code) VALUES (?, ?)'),
      moveNode: p('UPDATE node SET section_id = ? WHERE id = ?'),
      findTransformer: p('SELECT id, kva FROM transformer WHERE node_id = ? AND code = ?'),
      insertTransformer: p('INSERT INTO transformer (node_id, code, kva) VALUES (?, ?, ?)'),
      updateTransformer: p('UPDATE transformer SET kva = ? WHERE id = ?'),
      findAsset: p(
        'SELECT id, category, premise_id, node_id FROM asset WHERE org_id = ? AND source_key = ?',
      ),
      premiseMeters: p(
        "SELECT id, category, premise_id, node_id FROM asset WHERE premise_id = ? AND category = 'meter' ORDER BY id",
      ),
      premiseMeterSerial: p(
        `SELECT m.serial FROM usage_point up
         JOIN meter_usage_point mu ON mu.usage_point_id = up.id JOIN meter m ON m.id = mu.meter_id
         WHERE up.premise_id = ? AND up.commodity = 'electricity' AND mu.removed_on IS NULL
         ORDER BY mu.installed_on DESC, m.id DESC LIMIT 1`,
      ),
      electricUsagePoints: p(
        "SELECT id FROM usage_point WHERE premise_id = ? AND commodity = 'electricity' LIMIT 2",
      ),
      insertAsset: p(
        `INSERT INTO asset (org_id, source_key, category, category_label, owner, premise_id, usage_point_id, node_id, import_batch_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateAsset: p(
        `UPDATE asset SET category_label = coalesce(?, category_label), premise_id = coalesce(?, premise_id),
           usage_point_id = coalesce(usage_point_id, ?), node_id = ?, import_batch_id = ? WHERE id = ?`,
      ),
    };
  }

  // ── validation (reads only) ──

  plan(r: MappedRow): Plan {
    const circuit = required('circuit', r.get('circuit'));
    const [substation, section, node] = [r.get('substation'), r.get('section'), r.get('node')];
    const [premiseKey, assetKey, kind, kvaRaw] = [
      r.get('premise'),
      r.get('asset'),
      r.get('asset_kind'),
      r.get('transformer_kva'),
    ];
    if (node && !section)
      throw new RowError('section', '', `node ${node} needs its section (the node is on one)`);
    const needsNode = (column: string, value: string, what: string) => {
      if (!node) throw new RowError(column, value, `${what} needs a node to be placed on`);
    };
    let kva: number | null = null;
    if (kvaRaw) {
      needsNode('transformer_kva', kvaRaw, 'a transformer');
      kva = number('transformer_kva', kvaRaw);
      if (kva <= 0) throw new RowError('transformer_kva', kvaRaw, 'transformer_kva must be > 0');
    }
    const premise = premiseKey ? { key: premiseKey, id: this.premises.id(premiseKey) } : null;
    if (premise) needsNode('premise', premiseKey, `premise ${premiseKey}`);
    if (assetKey) needsNode('asset', assetKey, `asset ${assetKey}`);

    let category: AssetCategory | null = null;
    if (kind) {
      category = assetCategory(kind);
      if (category === null) {
        category = 'other';
        this.findings.add({
          kind: 'tolerated',
          subject: assetKey || premiseKey,
          message: `line ${r.line}: asset_kind "${kind}" names no known category; stored as other with its label`,
        });
      }
    }
    if (!assetKey && !premise) {
      if (kind)
        throw new RowError('asset_kind', kind, 'asset_kind needs an asset key or a premise');
      return { circuit, substation, section, node, kva, premise, asset: null };
    }
    if (!assetKey && category !== null && category !== 'meter')
      throw new RowError(
        'asset',
        '',
        `a ${category} asset ("${kind}") needs an asset key; only the premise's meter can go without one`,
      );
    const existing = assetKey
      ? ((this.s.findAsset!.get(this.org.id, assetKey) as AssetRow | undefined) ?? null)
      : null;
    if (existing) {
      if (category !== null && category !== existing.category)
        throw new RowError(
          'asset_kind',
          kind,
          `asset ${assetKey} is a ${existing.category}, not a ${category}`,
        );
      if (premise && existing.premise_id !== null && existing.premise_id !== premise.id)
        throw new RowError(
          'premise',
          premiseKey,
          `asset ${assetKey} is at another premise of ${this.org.code}, not ${premiseKey}`,
        );
    }
    return {
      circuit,
      substation,
      section,
      node,
      kva,
      premise,
      asset: { key: assetKey || null, category, label: kind || null, existing },
    };
  }

  // ── writes ──

  private substation(code: string): number {
    let id = this.substations.get(code);
    if (id === undefined) {
      id = (this.s.substation!.get(this.org.id, code) as { id: number }).id;
      this.substations.set(code, id);
    }
    this.written.touch('substation', id);
    return id;
  }

  private circuit(code: string, substation: string): number {
    const substationId = substation ? this.substation(substation) : null;
    let c = this.circuits.get(code);
    if (!c) {
      const row = this.s.findCircuit!.get(this.org.id, code) as
        { id: number; substationId: number | null; substation: string | null } | undefined;
      if (row) c = { id: row.id, substationId: row.substationId };
      else {
        const id = Number(
          this.s.insertCircuit!.run(this.org.id, code, substationId, this.batch).lastInsertRowid,
        );
        c = { id, substationId };
      }
      this.circuits.set(code, c);
    }
    if (substationId !== null && c.substationId !== substationId) {
      if (c.substationId !== null)
        this.findings.add({
          kind: 'note',
          subject: code,
          message: `circuit ${code} moved to substation ${substation}`,
        });
      this.s.moveCircuit!.run(substationId, this.batch, c.id);
      c.substationId = substationId;
    }
    this.written.touch('circuit', c.id);
    return c.id;
  }

  private section(circuitId: number, code: string): number {
    const k = `${circuitId}|${code}`;
    let id = this.sections.get(k);
    if (id === undefined) {
      id = (this.s.section!.get(circuitId, code) as { id: number }).id;
      this.sections.set(k, id);
    }
    this.written.touch('section', id);
    return id;
  }

  private node(sectionId: number, code: string, where: string): number {
    let n = this.nodes.get(code);
    if (!n) {
      const row = this.s.findNode!.get(this.org.id, code) as
        { id: number; sectionId: number } | undefined;
      n = row ?? {
        id: Number(this.s.insertNode!.run(sectionId, code).lastInsertRowid),
        sectionId,
      };
      this.nodes.set(code, n);
    }
    if (n.sectionId !== sectionId) {
      this.findings.add({
        kind: 'note',
        subject: code,
        message: `node ${code} moved to ${where}`,
      });
      this.s.moveNode!.run(sectionId, n.id);
      n.sectionId = sectionId;
    }
    this.written.touch('node', n.id);
    return n.id;
  }

  private transformer(nodeId: number, nodeCode: string, kva: number): void {
    const code = `T${nodeCode}`;
    const row = this.s.findTransformer!.get(nodeId, code) as
      { id: number; kva: number | null } | undefined;
    if (!row) {
      this.written.touch(
        'transformer',
        Number(this.s.insertTransformer!.run(nodeId, code, kva).lastInsertRowid),
      );
      return;
    }
    if (row.kva !== kva) {
      if (row.kva !== null)
        this.findings.add({
          kind: 'note',
          subject: code,
          message: `transformer ${code} changed from ${row.kva} to ${kva} kVA`,
        });
      this.s.updateTransformer!.run(kva, row.id);
    }
    this.written.touch('transformer', row.id);
  }

  private usagePoint(premiseId: number): number | null {
    const rows = this.s.electricUsagePoints!.all(premiseId) as { id: number }[];
    return rows.length === 1 ? rows[0]!.id : null;
  }

  private placeAsset(
    existing: AssetRow,
    what: string,
    label: string | null,
    premiseId: number | null,
    node: { id: number; code: string },
  ): number {
    const nodeId = node.id;
    if (existing.node_id !== null && existing.node_id !== nodeId)
      this.findings.add({
        kind: 'note',
        subject: what,
        message: `${what} moved to node ${node.code}`,
      });
    const up =
      premiseId !== null && existing.category === 'meter' ? this.usagePoint(premiseId) : null;
    this.s.updateAsset!.run(label, premiseId, up, nodeId, this.batch, existing.id);
    this.written.touch('asset', existing.id);
    return existing.id;
  }

  private asset(p: Plan, node: { id: number; code: string }): number | null {
    const a = p.asset;
    if (!a) return null;
    const premiseId = p.premise?.id ?? null;
    if (a.existing) return this.placeAsset(a.existing, `asset ${a.key}`, a.label, premiseId, node);
    if (a.key === null && premiseId !== null) {
      // The premise's meter: the meter assets it has, or one keyed by its meter's serial.
      const meters = this.s.premiseMeters!.all(premiseId) as AssetRow[];
      if (meters.length > 0) {
        let last = 0;
        for (const m of meters)
          last = this.placeAsset(
            m,
            `the meter of premise ${p.premise!.key}`,
            a.label,
            premiseId,
            node,
          );
        return last;
      }
    }
    let key = a.key;
    if (key === null) {
      const m = this.s.premiseMeterSerial!.get(premiseId) as { serial: string } | undefined;
      key = m ? `M${m.serial}` : `P${p.premise!.key}`;
      const found = this.s.findAsset!.get(this.org.id, key) as AssetRow | undefined;
      if (found) return this.placeAsset(found, `asset ${key}`, a.label, premiseId, node);
    }
    const category = a.category ?? (premiseId !== null ? 'meter' : 'other');
    const up = premiseId !== null && category === 'meter' ? this.usagePoint(premiseId) : null;
    const id = Number(
      this.s.insertAsset!.run(
        this.org.id,
        key,
        category,
        a.label,
        null,
        premiseId,
        up,
        node.id,
        this.batch,
      ).lastInsertRowid,
    );
    this.written.touch('asset', id);
    return id;
  }

  row(r: MappedRow): void {
    const p = this.plan(r);
    const circuitId = this.circuit(p.circuit, p.substation);
    let target: [string, number] = ['circuit', circuitId];
    if (p.section) {
      const sectionId = this.section(circuitId, p.section);
      target = ['section', sectionId];
      if (p.node) {
        const nodeId = this.node(sectionId, p.node, `circuit ${p.circuit} section ${p.section}`);
        target = ['node', nodeId];
        if (p.kva !== null) this.transformer(nodeId, p.node, p.kva);
        const assetId = this.asset(p, { id: nodeId, code: p.node });
        if (assetId !== null) target = ['asset', assetId];
      }
    }
    keepAttributes(this.db, target[0], target[1], r.extras(), this.batch);
  }
}

export async function importTopology(ctx: ImportContext): Promise<ImporterResult> {
  const org = requireOrg(ctx);
  const w = new TopologyWriter(ctx.db, org, ctx.batchId);
  const stats = await readMapped(ctx, (r) => w.row(r));
  return { ...stats, written: w.written.counts(), findings: w.findings.all() };
}
