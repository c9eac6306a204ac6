// t-32-wap (T-32, seed 004 "OCA Use Case # 32 WAP Integration to SB284"): weatherization
// program participation per enrolment — the customer, address, premise and meters the WAP
// tracking platform would otherwise re-key, the participation timeline, and usage in a window
// before the application and after completion — plus the nightly delta feed: with
// mode=delta only rows added, updated or ended since the feed's last export, with the change
// type (docs/datasets.md "t-32-wap").
//
// The feed's state (a hash per row as last exported) lives in dataset_feed_state (migration
// 9), written by afterExport in the export's transaction; previews compare with it but never
// write it, and a cancelled export leaves it untouched.
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { Subject } from '../../privacy/consent';
import { isoToDay } from '../../time/zone';
import { EdwError } from '../../workspace/errors';
import { ListBag } from '../lists';
import { defineDataset, type CellValue, type DatasetContext, type DatasetRow } from '../types';
import { col, linkJoin, round6, toFuelUnit } from './regulator';

const NAME = 't-32-wap';
const PAGE = 500;

const Params = z
  .object({
    program: z
      .string()
      .min(1)
      .optional()
      .describe("Only this program (its code, e.g. WAP); default: every program of kind 'wap'."),
    window_days: z
      .number()
      .int()
      .min(1)
      .max(366)
      .default(90)
      .describe('Length of the before and after usage windows, in days.'),
    mode: z
      .enum(['full', 'delta'])
      .default('full')
      .describe(
        'full: every enrolment; delta: only rows added, updated or ended since the last delta export of the feed.',
      ),
    feed: z
      .string()
      .min(1)
      .max(64)
      .default('osi-nightly')
      .describe('Name of the delta feed whose last export is the baseline (mode=delta).'),
  })
  .strict();

const sys = (name: string, type: 'text' | 'integer' | 'list', d: string) =>
  col(name, type, null, 'system', d);
const use = (
  name: string,
  type: 'text' | 'date' | 'number' | 'integer',
  unit: string | null,
  d: string,
) => col(name, type, unit, 'customer_usage', d);

const COLUMNS = [
  sys('enrolment_id', 'integer', 'Workspace id of the enrolment: the key of the delta feed.'),
  sys(
    'change_type',
    'text',
    'mode=delta: add (new since the last run), update (changed), end (ended or removed); null in mode=full.',
  ),
  sys('program_id', 'text', 'Platform ProgramID (400 for WAP insulation in the seed).'),
  sys('program', 'text', 'ORG:code of the program.'),
  sys('premise_id', 'text', 'Platform PremiseID of the weatherized premise.'),
  col(
    'customer_name',
    'text',
    null,
    'pii',
    'Name of the customer (enrolment account, else the electric service at the premise).',
  ),
  col('service_address', 'text', null, 'pii', 'Service address as the utility wrote it.'),
  col('accounts', 'list', null, 'pii', 'ORG:account number of the accounts serving the premise.'),
  sys('usage_point_ids', 'list', 'Platform UsagePointIDs at the premise (all fuels).'),
  sys('meters', 'list', 'ORG:serial of the meters installed at those usage points.'),
  use('status', 'text', null, 'Participation status: pending, enrolled, completed, ended.'),
  use('applied_on', 'date', null, 'Date of the first change of the enrolment (application).'),
  use('enrolled_on', 'date', null, 'Date the status became enrolled.'),
  use('completed_on', 'date', null, 'Date the weatherization was completed.'),
  use('ended_on', 'date', null, 'Date the enrolment ended (dropped, withdrawn).'),
  use(
    'before_days',
    'integer',
    'days',
    'Days with electric data in the window_days before applied_on.',
  ),
  use('before_kwh', 'number', 'kWh', 'Electric consumption in those days.'),
  use(
    'after_days',
    'integer',
    'days',
    'Days with electric data in the window_days after completed_on.',
  ),
  use('after_kwh', 'number', 'kWh', 'Electric consumption in those days.'),
  use(
    'kwh_change_pct',
    'number',
    '%',
    'Change of average daily kWh, after vs before; null without both windows.',
  ),
  use(
    'before_therms',
    'number',
    'therm',
    'Gas consumption in the before window (days with gas data).',
  ),
  use('after_therms', 'number', 'therm', 'Gas consumption in the after window.'),
];

interface Enrolment {
  id: number;
  program: string;
  program_id: string | null;
  status: string;
  effective_date: string;
  end_date: string | null;
  account_id: number | null;
  premise_row: number | null;
  customer_name: string | null;
}

interface FeedRow {
  hash: string;
  ended: boolean;
}

function programIds(db: Database, code: string | undefined): number[] {
  const rows = db
    .prepare(
      `SELECT id FROM program WHERE ${code === undefined ? "kind = 'wap'" : 'code = ? COLLATE NOCASE'} ORDER BY id`,
    )
    .pluck()
    .all(...(code === undefined ? [] : [code])) as number[];
  if (code !== undefined && rows.length === 0) {
    const codes = (
      db.prepare('SELECT DISTINCT code FROM program ORDER BY code').pluck().all() as string[]
    ).join(', ');
    throw new EdwError(
      'usage',
      `unknown program "${code}" for parameter program; programs: ${codes || '(none)'}`,
      {
        reason: 'bad_param',
        param: 'program',
      },
    );
  }
  return rows;
}

/** Usage (in fuel units) and days with data of usage points between two local days, per fuel. */
function windowUse(
  db: Database,
  ups: readonly number[],
  from: number,
  to: number,
  cache: Map<string, number | null>,
): Map<string, { value: number; days: Set<number> }> {
  const out = new Map<string, { value: number; days: Set<number> }>();
  if (ups.length === 0 || from > to) return out;
  const rows = db
    .prepare(
      `SELECT s.usage_point_id AS up, s.id AS series, rt.commodity, rt.unit, rt.interval_seconds AS secs,
              b.day, b.total
       FROM json_each(?) j CROSS JOIN series s ON s.usage_point_id = j.value
       JOIN reading_type rt ON rt.id = s.reading_type_id AND rt.flow_direction = 'forward'
         AND rt.interval_seconds IS NOT NULL AND rt.measure IN ('energy', 'volume')
       JOIN interval_block b ON b.series_id = s.id AND b.day BETWEEN ? AND ?
       ORDER BY s.usage_point_id, rt.commodity, s.id`,
    )
    .all(JSON.stringify(ups), from, to) as {
    up: number;
    series: number;
    commodity: string;
    unit: string;
    secs: number;
    day: number;
    total: number;
  }[];
  // Per usage point and fuel one series: the one with the most days in the window, then the finest.
  const best = new Map<string, { series: number; days: number; secs: number }>();
  const daysOf = new Map<number, number>();
  for (const r of rows) daysOf.set(r.series, (daysOf.get(r.series) ?? 0) + 1);
  for (const r of rows) {
    const k = `${r.up}|${r.commodity}`;
    const d = daysOf.get(r.series) ?? 0;
    const b = best.get(k);
    if (!b || d > b.days || (d === b.days && r.secs < b.secs))
      best.set(k, { series: r.series, days: d, secs: r.secs });
  }
  for (const r of rows) {
    if (best.get(`${r.up}|${r.commodity}`)?.series !== r.series) continue;
    const f = toFuelUnit(db, r.commodity, r.unit, cache);
    if (f === null) continue;
    let w = out.get(r.commodity);
    if (!w) out.set(r.commodity, (w = { value: 0, days: new Set() }));
    w.value += r.total * f;
    w.days.add(r.day);
  }
  return out;
}

function hashRow(values: Readonly<Record<string, CellValue>>): string {
  const ordered = COLUMNS.filter((c) => c.name !== 'change_type').map(
    (c) => values[c.name] ?? null,
  );
  return createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}

function loadFeed(db: Database, feed: string): Map<string, FeedRow> {
  const rows = db
    .prepare(
      'SELECT row_key AS k, row_hash AS h, ended FROM dataset_feed_state WHERE dataset = ? AND feed = ?',
    )
    .all(NAME, feed) as { k: string; h: string; ended: number }[];
  return new Map(rows.map((r) => [r.k, { hash: r.h, ended: r.ended === 1 }]));
}

const SCRATCH = 't-32-wap/feed';

export const t32Wap = defineDataset({
  name: NAME,
  version: 1,
  title: 'T-32 weatherization assistance program (WAP)',
  description:
    'Weatherization enrolments with the customer, premise and meters, the participation timeline, usage before the application and after completion, and a nightly delta feed (mode=delta: only rows changed since the last run, with the change type).',
  privacyClass: 'pii',
  params: Params,
  columns: COLUMNS,

  *rows(ctx: DatasetContext, p): Generator<DatasetRow> {
    const db = ctx.db;
    const programs = programIds(db, p.program);
    const delta = p.mode === 'delta';
    const previous = delta ? loadFeed(db, p.feed) : new Map<string, FeedRow>();
    const next = new Map<string, FeedRow>();
    if (delta) ctx.scratch?.set(SCRATCH, next);
    const cache = new Map<string, number | null>();
    const page = db.prepare(
      `SELECT e.id, o.code || ':' || pg.code AS program, pl.platform_id AS program_id, e.status,
              e.effective_date, e.end_date, e.account_id,
              coalesce(e.premise_id, (SELECT up.premise_id FROM service_agreement sa
                 JOIN usage_point up ON up.id = sa.usage_point_id WHERE sa.account_id = e.account_id
                 ORDER BY sa.start_date DESC LIMIT 1)) AS premise_row,
              c.name AS customer_name
       FROM program_enrolment e JOIN program pg ON pg.id = e.program_id
       JOIN organization o ON o.id = pg.org_id
       ${linkJoin('pl', 'ProgramID', 'program', 'pg.id')}
       LEFT JOIN account a ON a.id = e.account_id LEFT JOIN customer c ON c.id = a.customer_id
       WHERE e.program_id IN (SELECT value FROM json_each(?)) AND e.id > ?
       ORDER BY e.id LIMIT ${PAGE}`,
    );
    const changes = db.prepare(
      'SELECT change, status, effective_date AS d FROM program_enrolment_change WHERE enrolment_id = ? ORDER BY effective_date, id',
    );
    // Premise rows sharing the enrolment premise's PremiseID (every utility and fuel), or itself.
    const premiseRows = db.prepare(
      `SELECT l2.source_id AS id, l.platform_id AS pid FROM platform_link l
       JOIN platform_link l2 ON l2.kind = 'PremiseID' AND l2.platform_id = l.platform_id AND l2.source_table = 'premise'
       WHERE l.kind = 'PremiseID' AND l.source_table = 'premise' AND l.source_id = ?`,
    );
    const ups = db.prepare(
      `SELECT up.id, up.commodity, ul.platform_id AS pid FROM json_each(?) j
       CROSS JOIN usage_point up ON up.premise_id = j.value
       ${linkJoin('ul', 'UsagePointID', 'usage_point', 'up.id')} ORDER BY up.id`,
    );
    const accounts = db.prepare(
      `SELECT DISTINCT o.code || ':' || a.account_number AS acct, a.customer_id AS customer,
              sa.usage_point_id AS up, c.name, up.commodity, sa.start_date
       FROM json_each(?) j CROSS JOIN service_agreement sa ON sa.usage_point_id = j.value
       JOIN usage_point up ON up.id = sa.usage_point_id
       JOIN account a ON a.id = sa.account_id JOIN organization o ON o.id = a.org_id
       LEFT JOIN customer c ON c.id = a.customer_id ORDER BY sa.start_date DESC`,
    );
    const meters = db.prepare(
      `SELECT DISTINCT o.code || ':' || m.serial AS m FROM json_each(?) j
       CROSS JOIN meter_usage_point mu ON mu.usage_point_id = j.value
       JOIN meter m ON m.id = mu.meter_id JOIN organization o ON o.id = m.org_id`,
    );
    const address = db.prepare(
      `SELECT a.raw FROM premise_address pa JOIN address a ON a.id = pa.address_id
       WHERE pa.premise_id = ? ORDER BY pa.role = 'service' DESC, a.id LIMIT 1`,
    );
    const account = db.prepare('SELECT customer_id FROM account WHERE id = ?').pluck();

    let after = 0;
    const json = JSON.stringify(programs);
    for (;;) {
      const list = page.all(json, after) as Enrolment[];
      for (const e of list) {
        const hist = changes.all(e.id) as { change: string; status: string; d: string }[];
        const firstOf = (status: string) => hist.find((h) => h.status === status)?.d ?? null;
        const applied = hist[0]?.d ?? e.effective_date;
        const completed = firstOf('completed');
        const ended = e.end_date ?? (e.status === 'ended' ? (firstOf('ended') ?? null) : null);

        let premiseId: string | null = null;
        let premiseIds: number[] = [];
        if (e.premise_row !== null) {
          const linked = premiseRows.all(e.premise_row) as { id: number; pid: string }[];
          premiseId = linked[0]?.pid ?? null;
          premiseIds = linked.length > 0 ? linked.map((r) => r.id) : [e.premise_row];
        }
        const upRows = ups.all(JSON.stringify(premiseIds)) as {
          id: number;
          commodity: string;
          pid: string | null;
        }[];
        const upIds = upRows.map((u) => u.id);
        const acctRows = accounts.all(JSON.stringify(upIds)) as {
          acct: string;
          customer: number | null;
          up: number;
          name: string | null;
          commodity: string;
        }[];
        const bag = new ListBag();
        for (const a of acctRows) bag.add('accounts', a.acct);
        for (const u of upRows) bag.add('ups', u.pid);
        for (const m of meters.pluck().all(JSON.stringify(upIds)) as string[]) bag.add('meters', m);
        const name =
          e.customer_name ??
          acctRows.find((a) => a.commodity === 'electricity' && a.name)?.name ??
          acctRows[0]?.name ??
          null;
        const addr =
          e.premise_row === null
            ? null
            : ((address.pluck().get(e.premise_row) as string | undefined) ?? null);

        const w = p.window_days;
        const a0 = isoToDay(applied);
        const before = windowUse(db, upIds, a0 - w, a0 - 1, cache);
        const afterUse =
          completed === null
            ? null
            : windowUse(db, upIds, isoToDay(completed) + 1, isoToDay(completed) + w, cache);
        const bE = before.get('electricity');
        const aE = afterUse?.get('electricity');
        const bDays = bE?.days.size ?? 0;
        const aDays = aE?.days.size ?? 0;
        const change =
          bE && aE && bDays > 0 && aDays > 0 && bE.value > 0
            ? round6(((aE.value / aDays - bE.value / bDays) / (bE.value / bDays)) * 100)
            : null;

        const values: Record<string, CellValue> = {
          enrolment_id: e.id,
          change_type: null,
          program_id: e.program_id,
          program: e.program,
          premise_id: premiseId,
          customer_name: name,
          service_address: addr,
          accounts: bag.join('accounts'),
          usage_point_ids: bag.join('ups'),
          meters: bag.join('meters'),
          status: e.status,
          applied_on: applied,
          enrolled_on: firstOf('enrolled'),
          completed_on: completed,
          ended_on: ended,
          before_days: bDays,
          before_kwh: bE ? round6(bE.value) : null,
          after_days: completed === null ? null : aDays,
          after_kwh: aE ? round6(aE.value) : null,
          kwh_change_pct: change,
          before_therms: before.get('gas')
            ? round6((before.get('gas') as { value: number }).value)
            : null,
          after_therms: afterUse?.get('gas')
            ? round6((afterUse.get('gas') as { value: number }).value)
            : null,
        };
        const subjects = new Map<string, Subject>();
        for (const a of acctRows)
          subjects.set(`${a.customer}|${a.up}`, { customerId: a.customer, usagePointId: a.up });
        if (e.account_id !== null) {
          const c = account.get(e.account_id) as number | null | undefined;
          if (
            c !== undefined &&
            c !== null &&
            ![...subjects.values()].some((s) => s.customerId === c)
          )
            subjects.set(`${c}|`, { customerId: c, usagePointId: null });
        }

        const key = String(e.id);
        const hash = hashRow(values);
        const isEnded = e.status === 'ended';
        next.set(key, { hash, ended: isEnded });
        if (delta) {
          const prev = previous.get(key);
          let kind: 'add' | 'update' | 'end' | null;
          if (!prev) kind = 'add';
          else if (isEnded && !prev.ended) kind = 'end';
          else if (prev.hash !== hash) kind = 'update';
          else kind = null;
          if (kind === null) continue;
          values.change_type = kind;
        }
        yield { values, subjects: [...subjects.values()] };
      }
      if (list.length < PAGE) break;
      after = (list[list.length - 1] as Enrolment).id;
    }
    if (!delta) return;
    // Rows of the last run that are gone (enrolment deleted, or now outside the program filter):
    // ended, once.
    for (const [key, prev] of previous) {
      if (next.has(key)) continue;
      next.set(key, { hash: prev.hash, ended: true });
      if (prev.ended) continue;
      yield { values: { enrolment_id: Number(key), change_type: 'end' }, subjects: [] };
    }
  },

  afterExport(ctx, p, runId) {
    if (p.mode !== 'delta') return;
    const next = ctx.scratch?.get(SCRATCH) as Map<string, FeedRow> | undefined;
    if (!next) return;
    const db = ctx.db;
    db.prepare('DELETE FROM dataset_feed_state WHERE dataset = ? AND feed = ?').run(NAME, p.feed);
    const ins = db.prepare(
      'INSERT INTO dataset_feed_state (dataset, feed, row_key, row_hash, ended, run_id) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const [key, r] of next) ins.run(NAME, p.feed, key, r.hash, r.ended ? 1 : 0, runId);
  },
});
