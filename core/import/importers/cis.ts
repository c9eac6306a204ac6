// cis: customers, accounts, premises, addresses, usage points, meters, rate classes and service
// agreements — one row per service agreement (DESIGN.md native layout). Rows upsert by each
// organization's own keys, so a later CIS extract updates rather than duplicates.
import type { Database, Statement } from 'better-sqlite3';
import { RowError, type ImportContext, type ImporterResult } from '../types';
import { readMapped, type MappedRow } from '../tabular';
import { date, required } from '../parse';
import { keepAttributes } from '../attributes';

const COMMODITIES = new Set(['electricity', 'gas', 'water', 'steam', 'propane', 'oil']);
const COMMODITY_ALIASES: Record<string, string> = {
  electric: 'electricity',
  elec: 'electricity',
  e: 'electricity',
  g: 'gas',
  natural_gas: 'gas',
  w: 'water',
};

class CisWriter {
  private readonly orgs = new Map<string, number>();
  readonly written: Record<string, number> = {};
  private readonly s: Record<string, Statement>;

  constructor(
    private readonly db: Database,
    private readonly batch: number,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      org: p('SELECT id FROM organization WHERE code = ? COLLATE NOCASE'),
      customer: p(
        `INSERT INTO customer (org_id, source_key, name, import_batch_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (org_id, source_key) DO UPDATE SET name = coalesce(excluded.name, name) RETURNING id`,
      ),
      account: p(
        `INSERT INTO account (org_id, account_number, customer_id, import_batch_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (org_id, account_number) DO UPDATE SET customer_id = excluded.customer_id RETURNING id`,
      ),
      premise: p(
        `INSERT INTO premise (org_id, source_key, town, state, import_batch_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (org_id, source_key) DO UPDATE SET town = coalesce(excluded.town, town), state = coalesce(excluded.state, state) RETURNING id`,
      ),
      findAddress: p('SELECT id FROM address WHERE org_id = ? AND raw = ?'),
      address: p(
        'INSERT INTO address (org_id, raw, line1, city, state, zip, import_batch_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      premiseAddress: p(
        "INSERT OR IGNORE INTO premise_address (premise_id, address_id, role) VALUES (?, ?, 'service')",
      ),
      usagePoint: p(
        `INSERT INTO usage_point (org_id, source_key, premise_id, commodity, import_batch_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (org_id, source_key) DO UPDATE SET premise_id = excluded.premise_id RETURNING id, commodity`,
      ),
      meter: p(
        `INSERT INTO meter (org_id, serial, kind, import_batch_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (org_id, serial) DO UPDATE SET serial = serial RETURNING id`,
      ),
      meterUp: p(
        'INSERT OR IGNORE INTO meter_usage_point (meter_id, usage_point_id, installed_on) VALUES (?, ?, ?)',
      ),
      rateClass: p(
        `INSERT INTO rate_class (org_id, code, name, commodity) VALUES (?, ?, ?, ?)
         ON CONFLICT (org_id, code) DO UPDATE SET code = code RETURNING id`,
      ),
      agreement: p(
        `INSERT INTO service_agreement (account_id, usage_point_id, rate_class_id, start_date, end_date, import_batch_id)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, usage_point_id, start_date) DO UPDATE SET
           rate_class_id = excluded.rate_class_id, end_date = excluded.end_date, import_batch_id = excluded.import_batch_id
         RETURNING id`,
      ),
    };
  }

  private count(table: string): void {
    this.written[table] = (this.written[table] ?? 0) + 1;
  }

  org(code: string): number {
    let id = this.orgs.get(code.toUpperCase());
    if (id === undefined) {
      const row = this.s.org!.get(code) as { id: number } | undefined;
      if (!row)
        throw new RowError(
          'org',
          code,
          `unknown organization ${code}; add it to the workspace first`,
        );
      id = row.id;
      this.orgs.set(code.toUpperCase(), id);
    }
    return id;
  }

  id(stmt: string, ...args: unknown[]): number {
    const row = this.s[stmt]!.get(...args) as { id: number };
    this.count(stmt);
    return row.id;
  }

  address(orgId: number, line1: string, city: string, state: string, zip: string): number {
    const raw = [line1, city, [state, zip].filter(Boolean).join(' ')].filter(Boolean).join(', ');
    const found = this.s.findAddress!.get(orgId, raw) as { id: number } | undefined;
    if (found) return found.id;
    this.count('address');
    return Number(
      this.s.address!.run(orgId, raw, line1, city || null, state || null, zip || null, this.batch)
        .lastInsertRowid,
    );
  }

  row(r: MappedRow, ctx: ImportContext): void {
    const orgCode = r.get('org') || ctx.org?.code;
    if (!orgCode) throw new RowError('org', '', 'no organization: give an org column or --org');
    const orgId = this.org(orgCode);
    const account = required('account', r.get('account'));
    const premiseKey = required('premise', r.get('premise'));
    const line1 = required('address', r.get('address'));
    const upKey = required('usage_point', r.get('usage_point'));
    const rawCommodity = required('commodity', r.get('commodity')).toLowerCase();
    const commodity = COMMODITY_ALIASES[rawCommodity] ?? rawCommodity;
    if (!COMMODITIES.has(commodity))
      throw new RowError(
        'commodity',
        r.get('commodity'),
        'commodity must be electricity, gas or water',
      );
    const start = date(
      'start_date',
      required('start_date', r.get('start_date')),
      ctx.profile.dateFormat,
    );
    const endRaw = r.get('end_date');
    const end = endRaw ? date('end_date', endRaw, ctx.profile.dateFormat) : null;
    if (end && end < start)
      throw new RowError('end_date', endRaw, `end_date ${end} is before start_date ${start}`);
    const [city, state, zip] = [r.get('city'), r.get('state').toUpperCase(), r.get('zip')];
    if (zip && !/^\d{5}(-?\d{4})?$/.test(zip))
      throw new RowError('zip', zip, 'zip must be 5 digits or ZIP+4');

    const customer = this.id(
      'customer',
      orgId,
      `acct:${account}`,
      r.get('customer') || null,
      this.batch,
    );
    const accountId = this.id('account', orgId, account, customer, this.batch);
    const premise = this.id('premise', orgId, premiseKey, city || null, state || null, this.batch);
    this.s.premiseAddress!.run(premise, this.address(orgId, line1, city, state, zip));
    const up = this.s.usagePoint!.get(orgId, upKey, premise, commodity, this.batch) as {
      id: number;
      commodity: string;
    };
    if (up.commodity !== commodity)
      throw new RowError('commodity', commodity, `usage point ${upKey} is already ${up.commodity}`);
    this.count('usage_point');
    const meter = r.get('meter');
    if (meter) {
      const m = this.id(
        'meter',
        orgId,
        meter,
        commodity === 'gas' ? 'gas' : commodity === 'water' ? 'water' : 'ami',
        this.batch,
      );
      this.s.meterUp!.run(m, up.id, start);
    }
    const rc = r.get('rate_class');
    const rateClass = rc ? this.id('rateClass', orgId, rc, rc, commodity) : null;
    const sa = this.id('agreement', accountId, up.id, rateClass, start, end, this.batch);
    keepAttributes(this.db, 'service_agreement', sa, r.extras(), this.batch);
  }
}

export async function importCis(ctx: ImportContext): Promise<ImporterResult> {
  const w = new CisWriter(ctx.db, ctx.batchId);
  const stats = await readMapped(ctx, (r) => w.row(r, ctx));
  return { ...stats, written: w.written };
}
