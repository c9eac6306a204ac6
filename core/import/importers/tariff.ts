// tariff: URDB JSON (as the OpenEI URDB API returns it: {"items": [...]}) or edw's own tariff
// JSON (core/import/tariffJson.ts) → tariff, tariff_version, time_period, tou_schedule,
// block_definition, charge_component, charge_tier. One row of the import is one tariff version.
//
// A version is identified by organization, tariff code and effective date. Importing the same
// version again changes nothing (a 'duplicate' finding); a changed version is updated in place
// (a 'note' finding lists what changed) unless the platform index links its time periods or
// block definitions that would go away. A version overlapping another of the same tariff is
// rejected, except that an open-ended earlier version is closed the day before the new one.
import type { Database, Statement } from 'better-sqlite3';
import { EdwError } from '../../workspace/errors';
import { readJsonFile, type JsonDocument } from '../jsonFile';
import { z } from 'zod';
import {
  TariffJson,
  exportTariffVersion,
  tariffProblems,
  type TariffVersionJson,
} from '../tariffJson';
import type { Finding, ImportContext, ImporterResult } from '../types';
import { urdbToTariff, type UrdbItem } from './tariffUrdb';

type Org = { id: number; code: string };

/** Stable JSON of a version for comparison (keys sorted, undefined left out). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>)
            .filter(([, y]) => y !== undefined)
            .sort(([a], [b]) => a.localeCompare(b)),
        )
      : x,
  );
}

function dayBefore(iso: string): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** What differs between two versions, briefly. */
function differences(held: TariffVersionJson, given: TariffVersionJson): string[] {
  const out: string[] = [];
  if (held.to !== given.to) out.push(`ends ${given.to ?? 'open'} (was ${held.to ?? 'open'})`);
  if (held.rounding_rule !== given.rounding_rule)
    out.push(`rounding ${given.rounding_rule} (was ${held.rounding_rule})`);
  const hc = new Map(held.components.map((c) => [c.code, c]));
  for (const c of given.components) {
    const h = hc.get(c.code);
    if (!h) out.push(`new component ${c.code}`);
    else if (canonical(h) !== canonical(c))
      out.push(
        h.rate !== c.rate ? `${c.code} rate ${c.rate} (was ${h.rate})` : `${c.code} changed`,
      );
    hc.delete(c.code);
  }
  for (const code of hc.keys()) out.push(`component ${code} removed`);
  if (canonical(held.schedule) !== canonical(given.schedule)) out.push('TOU schedule changed');
  if (canonical(held.time_periods) !== canonical(given.time_periods))
    out.push('time periods changed');
  if (canonical(held.block_definitions) !== canonical(given.block_definitions))
    out.push('block definitions changed');
  return out;
}

class TariffWriter {
  readonly written: Record<string, number> = {};
  readonly findings: Finding[] = [];
  private readonly s: Record<string, Statement>;

  constructor(
    private readonly db: Database,
    private readonly batchId: number,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      tariff: p(
        'SELECT id, name, commodity, rate_class_id FROM tariff WHERE org_id = ? AND code = ?',
      ),
      insertTariff: p(
        'INSERT INTO tariff (org_id, code, name, commodity, rate_class_id, urdb_label) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      updateTariff: p(
        'UPDATE tariff SET name = ?, rate_class_id = coalesce(?, rate_class_id), urdb_label = coalesce(?, urdb_label) WHERE id = ?',
      ),
      rateClass: p('SELECT id, commodity FROM rate_class WHERE org_id = ? AND code = ?'),
      insertRateClass: p(
        'INSERT INTO rate_class (org_id, code, name, commodity) VALUES (?, ?, ?, ?)',
      ),
      versions: p(
        'SELECT id, effective_from, effective_to FROM tariff_version WHERE tariff_id = ? ORDER BY effective_from',
      ),
      insertVersion: p(
        `INSERT INTO tariff_version (tariff_id, effective_from, effective_to, rounding_rule, source_json, import_batch_id)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      updateVersion: p(
        'UPDATE tariff_version SET effective_to = ?, rounding_rule = ?, source_json = ?, import_batch_id = ? WHERE id = ?',
      ),
      closeVersion: p('UPDATE tariff_version SET effective_to = ? WHERE id = ?'),
      periods: p('SELECT id, code, name FROM time_period WHERE tariff_version_id = ?'),
      insertPeriod: p('INSERT INTO time_period (tariff_version_id, code, name) VALUES (?, ?, ?)'),
      updatePeriod: p('UPDATE time_period SET name = ? WHERE id = ?'),
      deletePeriod: p('DELETE FROM time_period WHERE id = ?'),
      blocks: p('SELECT id, code, name FROM block_definition WHERE tariff_version_id = ?'),
      insertBlock: p(
        'INSERT INTO block_definition (tariff_version_id, code, name) VALUES (?, ?, ?)',
      ),
      updateBlock: p('UPDATE block_definition SET name = ? WHERE id = ?'),
      deleteBlock: p('DELETE FROM block_definition WHERE id = ?'),
      linked: p(
        'SELECT platform_id FROM platform_link WHERE source_table = ? AND source_id = ? LIMIT 1',
      ),
      insertSchedule: p(
        `INSERT INTO tou_schedule (tariff_version_id, season, months, day_type, start_hour, end_hour, time_period_id)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteSchedule: p('DELETE FROM tou_schedule WHERE tariff_version_id = ?'),
      insertComponent: p(
        `INSERT INTO charge_component (tariff_version_id, line_order, code, name, kind, section, unit, rate,
           time_period_id, block_definition_id, season, ratchet_percent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteTiers: p(
        'DELETE FROM charge_tier WHERE charge_id IN (SELECT id FROM charge_component WHERE tariff_version_id = ?)',
      ),
      deleteComponents: p('DELETE FROM charge_component WHERE tariff_version_id = ?'),
      insertTier: p(
        'INSERT INTO charge_tier (charge_id, tier_index, upto, rate) VALUES (?, ?, ?, ?)',
      ),
    };
  }

  private count(table: string, n = 1): void {
    if (n) this.written[table] = (this.written[table] ?? 0) + n;
  }

  /** The tariff row (created or updated); throws a reason string when it cannot be used. */
  tariff(org: Org, t: TariffJson, urdbLabel: string | null): number {
    let rateClassId: number | null = null;
    if (t.rate_class) {
      const rc = this.s.rateClass!.get(org.id, t.rate_class) as
        { id: number; commodity: string } | undefined;
      if (rc && rc.commodity !== t.commodity)
        throw new Error(
          `rate class ${t.rate_class} of ${org.code} is ${rc.commodity}, the tariff ${t.commodity}`,
        );
      rateClassId =
        rc?.id ??
        Number(
          this.s.insertRateClass!.run(org.id, t.rate_class, t.rate_class, t.commodity)
            .lastInsertRowid,
        );
      if (!rc) this.count('rate_class');
    }
    const row = this.s.tariff!.get(org.id, t.code) as
      { id: number; name: string; commodity: string; rate_class_id: number | null } | undefined;
    if (!row) {
      this.count('tariff');
      return Number(
        this.s.insertTariff!.run(org.id, t.code, t.name, t.commodity, rateClassId, urdbLabel)
          .lastInsertRowid,
      );
    }
    if (row.commodity !== t.commodity)
      throw new Error(
        `tariff ${t.code} of ${org.code} is ${row.commodity} in the workspace, ${t.commodity} in the file`,
      );
    if (
      row.name !== t.name ||
      (rateClassId !== null && rateClassId !== row.rate_class_id) ||
      urdbLabel
    ) {
      this.s.updateTariff!.run(t.name, rateClassId, urdbLabel, row.id);
      if (row.name !== t.name)
        this.findings.push({
          kind: 'note',
          subject: `${org.code} ${t.code}`,
          message: `tariff ${org.code} ${t.code} renamed "${t.name}" (was "${row.name}")`,
        });
    }
    return row.id;
  }

  /**
   * Write one version. Returns 'written' | 'same' | 'updated', or throws Error(reason) when the
   * version cannot be imported.
   */
  version(
    org: Org,
    t: TariffJson,
    tariffId: number,
    v: TariffVersionJson,
    source: unknown,
  ): string {
    const label = `${org.code} ${t.code} version ${v.from}`;
    const versions = this.s.versions!.all(tariffId) as {
      id: number;
      effective_from: string;
      effective_to: string | null;
    }[];
    const existing = versions.find((x) => x.effective_from === v.from);
    for (const o of versions) {
      if (o === existing) continue;
      const overlaps =
        o.effective_from <= (v.to ?? '9999-12-31') && v.from <= (o.effective_to ?? '9999-12-31');
      if (!overlaps) continue;
      if (o.effective_from < v.from && o.effective_to === null) {
        this.s.closeVersion!.run(dayBefore(v.from), o.id);
        this.findings.push({
          kind: 'note',
          subject: label,
          message: `${org.code} ${t.code} version ${o.effective_from} had no end: closed on ${dayBefore(v.from)}, the day before version ${v.from}`,
        });
        continue;
      }
      throw new Error(
        `${label} (${v.from} to ${v.to ?? 'open'}) overlaps version ${o.effective_from} to ${o.effective_to ?? 'open'} already in the workspace`,
      );
    }
    const sourceJson = JSON.stringify(source);
    if (existing) {
      const held = exportTariffVersion(this.db, existing.id);
      if (canonical(held) === canonical(v)) {
        this.findings.push({
          kind: 'duplicate',
          subject: label,
          message: `${label} is already in the workspace, identical: nothing to change`,
        });
        return 'same';
      }
      const diff = differences(held, v);
      this.replaceContent(existing.id, v, label);
      this.s.updateVersion!.run(v.to, v.rounding_rule, sourceJson, this.batchId, existing.id);
      this.count('tariff_version_updated');
      this.findings.push({
        kind: 'note',
        subject: label,
        message: `${label} was already in the workspace and differed: updated (${diff.slice(0, 6).join('; ')}${diff.length > 6 ? '; …' : ''})`,
      });
      return 'updated';
    }
    const id = Number(
      this.s.insertVersion!.run(tariffId, v.from, v.to, v.rounding_rule, sourceJson, this.batchId)
        .lastInsertRowid,
    );
    this.count('tariff_version');
    this.replaceContent(id, v, label);
    return 'written';
  }

  /** Time periods and blocks synced by code (ids kept); schedule, components, tiers rewritten. */
  private replaceContent(versionId: number, v: TariffVersionJson, label: string): void {
    this.s.deleteTiers!.run(versionId);
    this.s.deleteComponents!.run(versionId);
    this.s.deleteSchedule!.run(versionId);
    const sync = (
      table: 'time_period' | 'block_definition',
      rows: { id: number; code: string; name: string | null }[],
      wanted: { code: string; name?: string | undefined }[],
      ins: Statement,
      upd: Statement,
      del: Statement,
    ): Map<string, number> => {
      const ids = new Map<string, number>();
      const held = new Map(rows.map((r) => [r.code, r]));
      for (const w of wanted) {
        const h = held.get(w.code);
        const name = table === 'time_period' ? (w.name as string) : (w.name ?? null);
        if (h) {
          if (h.name !== name) upd.run(name, h.id);
          ids.set(w.code, h.id);
          held.delete(w.code);
        } else {
          ids.set(w.code, Number(ins.run(versionId, w.code, name).lastInsertRowid));
          this.count(table);
        }
      }
      for (const gone of held.values()) {
        const link = this.s.linked!.get(table, gone.id) as { platform_id: string } | undefined;
        if (link)
          throw new Error(
            `${label}: ${table.replace('_', ' ')} ${gone.code} is linked to platform ID ${link.platform_id} and cannot be removed; import the changed tariff as a new version (another effective date)`,
          );
        del.run(gone.id);
      }
      return ids;
    };
    const periods = sync(
      'time_period',
      this.s.periods!.all(versionId) as { id: number; code: string; name: string }[],
      v.time_periods,
      this.s.insertPeriod!,
      this.s.updatePeriod!,
      this.s.deletePeriod!,
    );
    const blocks = sync(
      'block_definition',
      this.s.blocks!.all(versionId) as { id: number; code: string; name: string | null }[],
      v.block_definitions,
      this.s.insertBlock!,
      this.s.updateBlock!,
      this.s.deleteBlock!,
    );
    for (const r of v.schedule) {
      this.s.insertSchedule!.run(
        versionId,
        r.season,
        r.months,
        r.day_type,
        r.start_hour,
        r.end_hour,
        periods.get(r.time_period),
      );
      this.count('tou_schedule');
    }
    v.components.forEach((c, i) => {
      const id = Number(
        this.s.insertComponent!.run(
          versionId,
          i + 1,
          c.code,
          c.name,
          c.kind,
          c.section,
          c.unit ?? null,
          c.rate,
          c.time_period === undefined ? null : periods.get(c.time_period),
          c.block === undefined ? null : blocks.get(c.block),
          c.season ?? null,
          c.ratchet_percent ?? null,
        ).lastInsertRowid,
      );
      this.count('charge_component');
      c.tiers?.forEach((t, k) => {
        this.s.insertTier!.run(id, k, t.upto, t.rate);
        this.count('charge_tier');
      });
    });
  }
}

function orgByCode(db: Database, code: string): Org | null {
  return (
    (db.prepare('SELECT id, code FROM organization WHERE code = ? COLLATE NOCASE').get(code) as
      Org | undefined) ?? null
  );
}

function orgByName(db: Database, name: string): Org | null {
  return (
    (db
      .prepare(
        'SELECT id, code FROM organization WHERE name = ? COLLATE NOCASE OR code = ? COLLATE NOCASE',
      )
      .get(name, name) as Org | undefined) ?? null
  );
}

function zodMessage(e: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return e.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`)
    .join('; ');
}

interface Unit {
  tariff: TariffJson;
  path: string;
  source: (v: TariffVersionJson, i: number) => unknown;
  urdbLabel: string | null;
}

export async function importTariff(ctx: ImportContext): Promise<ImporterResult> {
  const doc = readJsonFile(ctx.path, ctx.file);
  const w = new TariffWriter(ctx.db, ctx.batchId);
  const value = doc.value as Record<string, unknown> | unknown[] | null;
  const isUrdb =
    (value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Array.isArray(value.items)) ||
    looksUrdb(Array.isArray(value) ? value[0] : value);
  const stats = { total: 0, accepted: 0 };
  const units = isUrdb ? urdbUnits(ctx, doc, w.findings, stats) : edwUnits(ctx, doc);
  for (const u of units) {
    const line = doc.line(u.path);
    let org: Org | null = orgByCode(ctx.db, u.tariff.org);
    if (!org) {
      stats.total += u.tariff.versions.length;
      ctx.reject({
        line,
        column: 'org',
        value: u.tariff.org,
        reason: `unknown organization ${u.tariff.org}; add it to the workspace first`,
      });
      continue;
    }
    if (ctx.org && ctx.org.id !== org.id) {
      stats.total += u.tariff.versions.length;
      ctx.reject({
        line,
        column: 'org',
        value: u.tariff.org,
        reason: `the file's tariff ${u.tariff.code} belongs to ${u.tariff.org}, but --org is ${ctx.org.code}`,
      });
      continue;
    }
    org = org as Org;
    const problems = tariffProblems(u.tariff);
    if (problems.length) {
      stats.total += u.tariff.versions.length;
      ctx.reject({
        line,
        column: null,
        value: null,
        reason: `tariff ${u.tariff.org} ${u.tariff.code}: ${problems.slice(0, 5).join('; ')}`,
      });
      continue;
    }
    let tariffId: number;
    ctx.db.exec('SAVEPOINT tariff_head');
    try {
      tariffId = w.tariff(org, u.tariff, u.urdbLabel);
      ctx.db.exec('RELEASE tariff_head');
    } catch (e) {
      ctx.db.exec('ROLLBACK TO tariff_head');
      ctx.db.exec('RELEASE tariff_head');
      if (e instanceof EdwError) throw e;
      stats.total += u.tariff.versions.length;
      ctx.reject({ line, column: null, value: null, reason: (e as Error).message });
      continue;
    }
    for (const [i, v] of u.tariff.versions.entries()) {
      stats.total++;
      const vline = doc.line(isUrdb ? u.path : `${u.path}.versions[${i}]`);
      // Each version in its own savepoint: a refused version leaves no partial rows.
      ctx.db.exec('SAVEPOINT tariff_version');
      try {
        w.version(org, u.tariff, tariffId, v, u.source(v, i));
        ctx.db.exec('RELEASE tariff_version');
        stats.accepted++;
      } catch (e) {
        ctx.db.exec('ROLLBACK TO tariff_version');
        ctx.db.exec('RELEASE tariff_version');
        if (e instanceof EdwError) throw e;
        ctx.reject({ line: vline, column: null, value: v.from, reason: (e as Error).message });
      }
    }
    await ctx.breathe();
  }
  return {
    rowsTotal: stats.total,
    rowsAccepted: stats.accepted,
    findings: w.findings,
    written: w.written,
  };
}

function looksUrdb(v: unknown): boolean {
  return (
    v !== null &&
    typeof v === 'object' &&
    !('versions' in (v as object)) &&
    ['energyratestructure', 'label', 'utility', 'startdate', 'fixedchargefirstmeter'].some(
      (k) => k in (v as object),
    )
  );
}

function edwUnits(ctx: ImportContext, doc: JsonDocument): Unit[] {
  // Parse as the shape the file has, so the messages name the fields at fault.
  const parsed = Array.isArray(doc.value)
    ? z.array(TariffJson).min(1).safeParse(doc.value)
    : TariffJson.safeParse(doc.value);
  if (!parsed.success) {
    // Point at the first tariff the schema refuses, when the file holds several.
    const p = parsed.error.issues[0]?.path ?? [];
    const line = typeof p[0] === 'number' ? doc.line(`$[${p[0]}]`) : 1;
    throw new EdwError(
      'input_rejected',
      `${ctx.file}: not an edw tariff file (nor URDB JSON): ${zodMessage(parsed.error)}`,
      { line },
    );
  }
  const list = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const raw = Array.isArray(doc.value) ? (doc.value as unknown[]) : [doc.value];
  return list.map((tariff, k) => ({
    tariff,
    path: Array.isArray(doc.value) ? `$[${k}]` : '$',
    // The version as the file wrote it, with the tariff it belongs to.
    source: (_v, i) => {
      const r = raw[k] as { versions?: unknown[] } & Record<string, unknown>;
      const { versions, ...head } = r;
      return { format: 'edw-tariff-json', ...head, version: versions?.[i] };
    },
    urdbLabel: null,
  }));
}

function urdbUnits(
  ctx: ImportContext,
  doc: JsonDocument,
  findings: Finding[],
  stats: { total: number; accepted: number },
): Unit[] {
  const v = doc.value as Record<string, unknown> | unknown[];
  const items: unknown[] = Array.isArray(v)
    ? v
    : Array.isArray(v.items)
      ? (v.items as unknown[])
      : [v];
  const base = Array.isArray(v) ? '$' : Array.isArray(v.items) ? '$.items' : null;
  if (items.length === 0)
    throw new EdwError(
      'input_rejected',
      `${ctx.file}: the URDB file holds no rates ("items" is empty)`,
      { line: 1 },
    );
  const out: Unit[] = [];
  items.forEach((raw, i) => {
    const path = base === null ? '$' : `${base}[${i}]`;
    const line = doc.line(path);
    const item = (raw ?? {}) as UrdbItem;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      stats.total++;
      ctx.reject({ line, column: null, value: null, reason: 'a URDB item must be an object' });
      return;
    }
    let org: Org | null = ctx.org ? { id: ctx.org.id, code: ctx.org.code } : null;
    if (!org && typeof item.utility === 'string') org = orgByName(ctx.db, item.utility);
    const what = `URDB rate ${item.label ?? ''} "${item.name ?? '(no name)'}"`.replace('  ', ' ');
    if (!org) {
      stats.total++;
      ctx.reject({
        line,
        column: 'utility',
        value: item.utility ?? null,
        reason: `${what}: utility "${item.utility ?? ''}" is not an organization of this workspace; give --org`,
      });
      return;
    }
    const conv = urdbToTariff(item, org.code);
    if (!conv.tariff) {
      stats.total++;
      ctx.reject({
        line,
        column: null,
        value: null,
        reason: `${what}: ${conv.problems.join('; ')}`,
      });
      return;
    }
    for (const n of conv.notes)
      findings.push({ kind: 'note', subject: what, message: `${what}: ${n}` });
    out.push({
      tariff: conv.tariff,
      path,
      source: () => ({ format: 'urdb', item }),
      urdbLabel: item.label ?? null,
    });
  });
  return out;
}
