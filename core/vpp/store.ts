// Writes a simulation's stage outputs to the workspace (migration 004 tables) in one
// transaction, in chunks that yield to the event loop (progress and cancel stay live); a
// cancelled or failed write leaves nothing behind.
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Progress } from '../api/definition';
import type { Role } from '../privacy/roles';
import { CancelledError } from '../workspace/errors';
import type { SimResult } from './simulate';
import { localLabel } from './timeline';
import { toMicros } from './money';

export const STAGE_TABLES = [
  'vpp_interval',
  'vpp_enrolment',
  'vpp_forecast',
  'vpp_opportunity',
  'vpp_plan',
  'vpp_bid',
  'vpp_dispatch',
  'vpp_performance',
  'vpp_delivery',
  'vpp_settlement',
  'vpp_distribution',
] as const;
export type StageTable = (typeof STAGE_TABLES)[number];

export async function storeRun(
  db: Database,
  r: SimResult,
  summary: unknown,
  seconds: number,
  role: Role,
  opts: { progress?: (p: Progress) => void; signal?: AbortSignal } = {},
): Promise<number> {
  const { tl, sig, models, optimiser, dispatch } = r;
  const ns = tl.n - tl.season0;
  const json = JSON.stringify(r.scenario);
  const total = models.length;
  db.exec('BEGIN');
  try {
    const runId = Number(
      db
        .prepare(
          `INSERT INTO vpp_run (name, scenario, scenario_hash, season_start, season_end, interval_seconds, created_at, seconds, role, settlement_cents, fee_cents, summary)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
        )
        .run(
          r.scenario.name,
          json,
          createHash('sha256').update(json).digest('hex'),
          r.scenario.season.start,
          r.scenario.season.end,
          tl.stepSeconds,
          Math.floor(Date.now() / 1000),
          seconds,
          role,
          r.distribution.settlementCents,
          r.distribution.feeCents,
          JSON.stringify(summary),
        ).lastInsertRowid,
    );
    const iv = db.prepare('INSERT INTO vpp_interval VALUES (?,?,?,?,?,?,?)');
    const bid = db.prepare('INSERT INTO vpp_bid VALUES (?,?,?,?,?)');
    for (let i = 0; i < ns; i++) {
      const t = tl.season0 + i;
      const e = sig.eventAt[t] as number;
      const ev = e >= 0 ? (sig.events[e]?.id ?? null) : null;
      iv.run(
        runId,
        i,
        tl.start[t],
        localLabel(tl, t),
        sig.price[t],
        Math.round((sig.tempActual[t] as number) * 10) / 10,
        ev,
      );
      let q = 0;
      for (const p of optimiser.plan) q += (p.g[i] as number) - (p.c[i] as number);
      bid.run(runId, i, Math.round(q * 1000) / 1000, sig.price[t], ev);
    }
    const enr = db.prepare('INSERT INTO vpp_enrolment VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)');
    let k = 0;
    for (const e of r.enrol.enrolments) {
      const der = e.status === 'enrolled' ? k++ : null;
      enr.run(
        runId,
        der,
        e.key,
        e.kind,
        e.kw,
        e.kwh,
        e.participant,
        e.premiseId,
        e.customerId,
        e.assetId,
        e.circuit,
        e.transformer,
        e.source,
        e.status,
        e.reason,
      );
    }
    const opp = db.prepare('INSERT INTO vpp_opportunity VALUES (?,?,?,?,?,?,?)');
    for (const o of r.opportunities)
      opp.run(
        runId,
        o.der,
        toMicros(o.arbitrageUsd),
        toMicros(o.capacityUsd),
        toMicros(o.drUsd),
        toMicros(o.demandChargeUsd),
        toMicros(o.totalUsd),
      );
    const fc = db.prepare('INSERT INTO vpp_forecast VALUES (?,?,?,?,?)');
    const pl = db.prepare('INSERT INTO vpp_plan VALUES (?,?,?,?,?,?)');
    const dp = db.prepare('INSERT INTO vpp_dispatch VALUES (?,?,?,?,?,?)');
    const q = (x: number): number => Math.round(x * 1e4) / 1e4;
    for (let j = 0; j < total; j++) {
      const m = models[j]!;
      const p = optimiser.plan[j]!;
      const d = dispatch[j]!;
      for (let i = 0; i < ns; i++) {
        fc.run(runId, j, i, q(m.forecast.avail[i] as number), q(m.actual.avail[i] as number));
        pl.run(runId, j, i, q(p.c[i] as number), q(p.g[i] as number), q(p.s[i] as number));
        dp.run(
          runId,
          j,
          i,
          q((p.g[i] as number) - (p.c[i] as number)),
          q(d.flex[i] as number),
          q(d.s[i] as number),
        );
      }
      if (j % 25 === 24) {
        opts.progress?.({ phase: 'saving stage tables', done: j + 1, total, unit: 'DERs' });
        await new Promise((res) => setImmediate(res));
        if (opts.signal?.aborted) throw new CancelledError();
      }
    }
    const pf = db.prepare('INSERT INTO vpp_performance VALUES (?,?,?,?,?,?,?,?,?,?)');
    for (const p of r.performance)
      pf.run(
        runId,
        p.event,
        p.premise,
        p.method,
        p.baselineKwh,
        p.meteredKwh,
        p.deliveredKwh,
        p.deliveredKw,
        p.adjustment,
        p.daysUsed,
      );
    const dl = db.prepare('INSERT INTO vpp_delivery VALUES (?,?,?,?,?,?)');
    for (const d of r.deliveries)
      dl.run(runId, d.event, d.der, d.telemetryKwh, d.deliveredKwh, d.deliveredKw);
    const st = db.prepare('INSERT INTO vpp_settlement VALUES (?,?,?,?,?,?,?,?,?)');
    for (const l of r.settlement.lines)
      st.run(
        runId,
        l.line,
        l.kind,
        l.event,
        l.interval,
        l.quantity,
        l.unit,
        l.priceMicros,
        l.amountMicros,
      );
    const ds = db.prepare('INSERT INTO vpp_distribution VALUES (?,?,?,?,?,?,?,?,?,?)');
    for (const p of r.distribution.participants)
      ds.run(
        runId,
        p.participant,
        p.ders.length,
        p.energyKwhOut,
        p.energyKwhIn,
        p.eventKwh,
        p.energyMicros,
        p.eventMicros,
        p.weightMicros,
        p.paymentCents,
      );
    db.prepare(`INSERT INTO audit_log (at, role, action, subject, details) VALUES (?,?,?,?,?)`).run(
      Math.floor(Date.now() / 1000),
      role,
      'vpp_simulate',
      `vpp_run ${runId}`,
      JSON.stringify({
        scenario: r.scenario.name,
        ders: total,
        settlementCents: Number(r.distribution.settlementCents),
      }),
    );
    db.exec('COMMIT');
    return runId;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

/** One stage table of a run as CSV (header + rows, RFC 4180 quoting). */
export function tableCsv(
  db: Database,
  runId: number,
  table: StageTable,
): { csv: string; rows: number } {
  const stmt = db.prepare(`SELECT * FROM ${table} WHERE run_id = ? ORDER BY 1, 2, 3`);
  const cols = stmt.columns().map((c) => c.name);
  const out: string[] = [cols.join(',')];
  let rows = 0;
  for (const row of stmt.raw().iterate(runId) as IterableIterator<unknown[]>) {
    out.push(row.map(cell).join(','));
    rows++;
  }
  return { csv: out.join('\n') + '\n', rows };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'bigint' ? v.toString() : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
