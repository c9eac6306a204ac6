// Test helpers for dataset definitions: export a dataset to CSV and read it back.
import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { BlockWriter, ensureSeries } from '../../metering/intervals';
import type { Role } from '../../privacy/roles';
import { isoToDay, localDay } from '../../time/zone';
import { tmpDir } from '../../testing/tmp';
import type { Workspace } from '../../workspace/workspace';
import { exportDataset } from '../run';
import type { RunRecord } from '../schema';

export async function exportRows(
  ws: Workspace,
  name: string,
  params: Record<string, string>,
  role: Role = 'utility-staff',
  now = new Date('2018-06-15T12:00:00Z'),
): Promise<{ run: RunRecord; rows: Record<string, string>[] }> {
  const out = path.join(tmpDir(), `${name}.csv`);
  const run = await exportDataset(ws, { name, params, out }, { role, now });
  const text = fs.readFileSync(out, 'utf8').trimEnd();
  const rows = Papa.parse<Record<string, string>>(text, { header: true, newline: '\r\n' }).data;
  return { run, rows };
}

/** Sum of decimal strings with `digits` decimals, exactly (integer arithmetic). */
export function decimalSum(values: readonly string[], digits: number): string {
  const p = 10 ** digits;
  const n = values.reduce((a, v) => a + Math.round(Number(v) * p), 0);
  return (n / p).toFixed(digits);
}

export interface ScenarioCustomer {
  /** Organization code (created on first use: NH, America/New_York). */
  org?: string;
  rateClass: string;
  customerClass?: string;
  town?: string;
  commodity?: 'electricity' | 'gas' | 'water';
  /** Reading type name of the series (default 'Electricity kWh hourly'). */
  readingType?: string;
  /** Local day (YYYY-MM-DD) → slot values. */
  days: Record<string, readonly number[]>;
  /** Platform PremiseID to link the premise to. */
  premiseId?: string;
}

/**
 * A hand-made workspace: one premise, customer, account, usage point, agreement (open since
 * 2010) and interval series per entry. Returns the usage point ids in order.
 */
export function scenario(ws: Workspace, customers: readonly ScenarioCustomer[]): number[] {
  const db = ws.db;
  const org = (code: string): number => {
    const found = db.prepare('SELECT id FROM organization WHERE code = ?').pluck().get(code) as
      number | undefined;
    if (found !== undefined) return found;
    return Number(
      db
        .prepare(
          `INSERT INTO organization (code, name, kind, jurisdiction_code, regulated) VALUES (?, ?, 'utility', 'NH', 1)`,
        )
        .run(code, `${code} utility`).lastInsertRowid,
    );
  };
  const rateClass = (orgId: number, code: string, commodity: string, cls: string): number => {
    const found = db
      .prepare('SELECT id FROM rate_class WHERE org_id = ? AND code = ?')
      .pluck()
      .get(orgId, code) as number | undefined;
    if (found !== undefined) return found;
    return Number(
      db
        .prepare(
          'INSERT INTO rate_class (org_id, code, name, commodity, customer_class) VALUES (?, ?, ?, ?, ?)',
        )
        .run(orgId, code, code, commodity, cls).lastInsertRowid,
    );
  };
  const writer = new BlockWriter(db);
  const ids: number[] = [];
  db.transaction(() => {
    customers.forEach((c, i) => {
      const orgId = org(c.org ?? 'UES');
      const commodity = c.commodity ?? 'electricity';
      const cls = c.customerClass ?? 'residential';
      const premise = Number(
        db
          .prepare(`INSERT INTO premise (org_id, source_key, town, state) VALUES (?, ?, ?, 'NH')`)
          .run(orgId, `P${i}`, c.town ?? 'Pembroke').lastInsertRowid,
      );
      if (c.premiseId !== undefined) {
        db.prepare(
          `INSERT OR IGNORE INTO platform_id (kind, id, created_at) VALUES ('PremiseID', ?, 1)`,
        ).run(c.premiseId);
        db.prepare(
          `INSERT INTO platform_link (kind, platform_id, source_table, source_id, method, linked_at)
           VALUES ('PremiseID', ?, 'premise', ?, 'manual', 1)`,
        ).run(c.premiseId, premise);
      }
      const customer = Number(
        db
          .prepare('INSERT INTO customer (org_id, source_key, customer_class) VALUES (?, ?, ?)')
          .run(orgId, `C${i}`, cls).lastInsertRowid,
      );
      const account = Number(
        db
          .prepare('INSERT INTO account (org_id, account_number, customer_id) VALUES (?, ?, ?)')
          .run(orgId, `A${i}`, customer).lastInsertRowid,
      );
      const up = Number(
        db
          .prepare(
            'INSERT INTO usage_point (org_id, source_key, premise_id, commodity) VALUES (?, ?, ?, ?)',
          )
          .run(orgId, `U${i}`, premise, commodity).lastInsertRowid,
      );
      db.prepare(
        `INSERT INTO service_agreement (account_id, usage_point_id, rate_class_id, start_date) VALUES (?, ?, ?, '2010-01-01')`,
      ).run(account, up, rateClass(orgId, c.rateClass, commodity, cls));
      const rt = db
        .prepare('SELECT id, interval_seconds FROM reading_type WHERE name = ?')
        .get(c.readingType ?? 'Electricity kWh hourly') as { id: number; interval_seconds: number };
      const series = ensureSeries(db, { usagePointId: up, readingTypeId: rt.id });
      for (const [iso, values] of Object.entries(c.days)) {
        const day = isoToDay(iso);
        const { start, seconds } = localDay(day, 'America/New_York');
        writer.put({
          seriesId: series,
          day,
          start,
          seconds: rt.interval_seconds === 86400 ? seconds : rt.interval_seconds,
          values,
        });
      }
      ids.push(up);
    });
  })();
  return ids;
}
