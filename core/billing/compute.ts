// bill.compute: an account's bill for a period, from the workspace's tariff and meter data.
// Period convention: `from` and `to` are the read dates; the bill covers local days
// [from, to), so 2018-07-17 → 2018-08-16 is 30 days (as printed on the CORE-01 bill).
import type { Database } from 'better-sqlite3';
import { EdwError } from '../workspace/errors';
import { isoToDay } from '../time/zone';
import {
  computeEngine,
  exactText,
  ruleName,
  ruleSpec,
  type EngineBill,
  type EngineOptions,
  type Proration,
  type RuleSpec,
  type Usage,
} from './engine';
import {
  energySeries,
  missingDaysText,
  readIntervalDays,
  readsOn,
  unitShift,
  type Flag,
  type IntervalData,
  type ReadsData,
} from './meterData';
import { dollars, micro, ratText } from './money';
import { isoDay, loadTariff, type RoundingRule, type TariffModel } from './tariff';
import type { ComputedBill, ComputedLine, Determinants } from './schema';

export interface BillContext {
  orgId: number;
  org: string;
  accountId: number;
  account: string;
  usagePointId: number;
  usagePoint: string;
  tariff: TariffModel;
  from: string;
  to: string;
  fromDay: number;
  toDay: number;
}

export interface Resolve {
  account: string;
  org?: string;
  from: string;
  to: string;
  tariff?: string;
  usagePointId?: number | null;
  tariffId?: number | null;
}

/** Find the account, usage point and tariff of a bill request; clear errors when ambiguous. */
export function resolveBill(db: Database, r: Resolve): BillContext {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(r.from) || !/^\d{4}-\d{2}-\d{2}$/.test(r.to))
    throw new EdwError('usage', `dates must be YYYY-MM-DD (got ${r.from} and ${r.to})`);
  const fromDay = isoToDay(r.from);
  const toDay = isoToDay(r.to);
  if (toDay <= fromDay)
    throw new EdwError(
      'usage',
      `the period ${r.from} to ${r.to} is empty: "to" is the closing read date, after "from"`,
    );
  const accounts = db
    .prepare(
      `SELECT a.id, a.org_id, o.code AS org FROM account a JOIN organization o ON o.id = a.org_id
       WHERE a.account_number = ? AND (? IS NULL OR o.code = ? COLLATE NOCASE)`,
    )
    .all(r.account, r.org ?? null, r.org ?? null) as { id: number; org_id: number; org: string }[];
  if (accounts.length === 0)
    throw new EdwError(
      'not_found',
      `no account ${r.account}${r.org ? ` of ${r.org}` : ''} in this workspace`,
    );
  if (accounts.length > 1)
    throw new EdwError(
      'usage',
      `account ${r.account} exists at ${accounts.map((a) => a.org).join(', ')}: give --org`,
    );
  const acc = accounts[0] as { id: number; org_id: number; org: string };
  const agreements = db
    .prepare(
      `SELECT sa.usage_point_id, sa.tariff_id, sa.rate_class_id, up.source_key
       FROM service_agreement sa JOIN usage_point up ON up.id = sa.usage_point_id
       WHERE sa.account_id = ? AND sa.start_date < ? AND (sa.end_date IS NULL OR sa.end_date >= ?)
       ORDER BY sa.start_date DESC`,
    )
    .all(acc.id, r.to, r.from) as {
    usage_point_id: number;
    tariff_id: number | null;
    rate_class_id: number | null;
    source_key: string;
  }[];
  let sa = agreements;
  if (r.usagePointId != null) sa = sa.filter((a) => a.usage_point_id === r.usagePointId);
  const ups = [...new Set(sa.map((a) => a.usage_point_id))];
  if (ups.length === 0)
    throw new EdwError(
      'not_found',
      `account ${r.account} (${acc.org}) has no service agreement in force from ${r.from} to ${r.to}`,
    );
  if (ups.length > 1)
    throw new EdwError(
      'usage',
      `account ${r.account} serves ${ups.length} usage points in the period (${sa.map((a) => a.source_key).join(', ')}): bill one usage point at a time`,
    );
  const agreement = sa[0] as (typeof sa)[number];
  let tariffId: number | null = r.tariffId ?? null;
  if (tariffId === null && r.tariff !== undefined) {
    const t = db
      .prepare('SELECT id FROM tariff WHERE org_id = ? AND code = ?')
      .get(acc.org_id, r.tariff) as { id: number } | undefined;
    if (!t)
      throw new EdwError('not_found', `${acc.org} has no tariff ${r.tariff} in this workspace`);
    tariffId = t.id;
  }
  tariffId ??= agreement.tariff_id;
  if (tariffId === null && agreement.rate_class_id !== null) {
    const t = db
      .prepare('SELECT id FROM tariff WHERE rate_class_id = ? ORDER BY id LIMIT 1')
      .get(agreement.rate_class_id) as { id: number } | undefined;
    tariffId = t?.id ?? null;
  }
  if (tariffId === null)
    throw new EdwError(
      'not_found',
      `account ${r.account}'s service agreement names no tariff: give --tariff CODE`,
    );
  return {
    orgId: acc.org_id,
    org: acc.org,
    accountId: acc.id,
    account: r.account,
    usagePointId: agreement.usage_point_id,
    usagePoint: agreement.source_key,
    tariff: loadTariff(db, tariffId),
    from: r.from,
    to: r.to,
    fromDay,
    toDay,
  };
}

export interface MeterData {
  usage: Usage;
  intervals: IntervalData | null;
  reads: ReadsData | null;
}

/** Meter data of the bill: register reads on the two dates and/or interval data. */
export function meterData(db: Database, ctx: BillContext): MeterData {
  const t = ctx.tariff;
  const energyUnit =
    // "kWh daily" (tiers per day billed) is metered in kWh.
    t.versions
      .flatMap((v) => v.components)
      .find((c) => c.basis === 'energy')
      ?.unit?.replace(/ daily$/, '') ?? (t.commodity === 'electricity' ? 'kWh' : 'therm');
  const inForce = t.versions.filter((v) => v.fromDay < ctx.toDay && v.endDay > ctx.fromDay);
  const needIntervals = inForce.some((v) => v.hasTou || v.hasDemand);
  const flags: Flag[] = [];
  const reads = readsOn(db, ctx.usagePointId, ctx.from, ctx.to, energyUnit);
  flags.push(...reads.flags);
  let intervals: IntervalData | null = null;
  const candidates = energySeries(db, ctx.usagePointId, ctx.fromDay, ctx.toDay).filter(
    (s) => s.blocks > 0 && (!needIntervals || s.seconds <= 3600),
  );
  const best = candidates[0];
  if (best) {
    const shift = unitShift(db, best.unit, energyUnit);
    if (shift === null)
      flags.push({
        code: 'unit',
        message: `interval data in ${best.unit} cannot be billed per ${energyUnit}: not used`,
      });
    else {
      const r = readIntervalDays(db, best.seriesId, ctx.fromDay, ctx.toDay, shift);
      intervals = { seriesId: best.seriesId, seconds: best.seconds, unit: energyUnit, ...r };
      const missingDays: number[] = [];
      r.days.forEach((d, i) => {
        if (!d) missingDays.push(ctx.fromDay + i);
      });
      if (missingDays.length > 0)
        flags.push({
          code: 'no_data_days',
          message: `${missingDays.length} of ${ctx.toDay - ctx.fromDay} days have no interval data: ${missingDaysText(missingDays)}`,
        });
      if (r.estimated > 0)
        flags.push({
          code: 'estimated',
          message: `${r.estimated} interval readings are estimated or edited`,
        });
      if (r.missing > 0)
        flags.push({
          code: 'missing',
          message: `${r.missing} interval readings are missing or failed (counted as 0)`,
        });
      if (r.precisionLoss)
        flags.push({
          code: 'precision',
          message: 'interval values finer than a micro-unit were rounded to the micro-unit',
        });
    }
  }
  let demandDays: (number | null)[] | null = null;
  if (!intervals && inForce.some((v) => v.hasDemand)) demandDays = demandSeries(db, ctx);
  if (!intervals && !reads.data && !demandDays) {
    const why = reads.problem ? ` (${reads.problem})` : '';
    throw new EdwError(
      'input_rejected',
      `no meter data for account ${ctx.account} (usage point ${ctx.usagePoint}) from ${ctx.from} to ${ctx.to}: no register reads on both dates${why} and no interval data in the period`,
    );
  }
  if (reads.problem) flags.push({ code: 'precision', message: reads.problem });
  let priorPeakMicroKw: number | null = null;
  if (intervals && inForce.some((v) => v.components.some((c) => c.ratchet !== null))) {
    const prior = readIntervalDays(
      db,
      intervals.seriesId,
      ctx.fromDay - 335,
      ctx.fromDay,
      unitShift(db, best?.unit ?? energyUnit, energyUnit) ?? 0,
    );
    // No data in the prior months: the ratchet's basis is unknown (null: flagged, not applied).
    let top: number | null = null;
    for (const d of prior.days)
      if (d) for (const v of d.values) top = Math.max(top ?? 0, (v * 3600) / d.seconds);
    priorPeakMicroKw = top;
  }
  return {
    usage: {
      unit: energyUnit,
      fromDay: ctx.fromDay,
      toDay: ctx.toDay,
      days: intervals?.days ?? null,
      readsMicro: reads.data?.usageMicro ?? null,
      scaleToReads: reads.data !== null && !inForce.some((v) => v.hasTou),
      intervalMicro: intervals
        ? intervals.days.reduce((a, d) => a + (d ? sum(d.values) : 0), 0)
        : 0,
      priorPeakMicroKw,
      demandDays,
      flags,
    },
    intervals,
    reads: reads.data,
  };
}

function demandSeries(db: Database, ctx: BillContext): (number | null)[] | null {
  const s = db
    .prepare(
      `SELECT s.id FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id
       WHERE s.usage_point_id = ? AND rt.measure = 'demand' AND rt.unit = 'kW' LIMIT 1`,
    )
    .get(ctx.usagePointId) as { id: number } | undefined;
  if (!s) return null;
  const r = readIntervalDays(db, s.id, ctx.fromDay, ctx.toDay, 0);
  if (r.days.every((d) => d === null)) return null;
  return r.days.map((d) => (d ? Math.max(...d.values) : null));
}

export function determinantsOf(md: MeterData, e: EngineBill, days: number): Determinants {
  const unit = md.usage.unit;
  const ivUsage = md.intervals
    ? md.intervals.days.reduce((a, d) => a + (d ? sum(d.values) : 0), 0)
    : 0;
  return {
    source:
      md.intervals && (md.reads === null || e.segments.some((g) => g.version.hasTou))
        ? 'intervals'
        : 'reads',
    unit,
    days,
    usage: ratText(micro(e.usageMicro), 6),
    usageByPeriod: Object.fromEntries(
      Object.entries(e.usageByPeriod).map(([k, v]) => [k, ratText(micro(Math.round(v)), 6)]),
    ),
    peakKw: e.peakMicroKw === null ? null : ratText(micro(Math.round(e.peakMicroKw)), 6),
    reads: md.reads
      ? {
          previous: { date: md.reads.previous.date, reading: md.reads.previous.reading },
          present: { date: md.reads.present.date, reading: md.reads.present.reading },
          multiplier: md.reads.multiplier,
          usage: ratText(micro(md.reads.usageMicro), 6),
        }
      : null,
    intervals: md.intervals
      ? {
          seconds: md.intervals.seconds,
          usage: ratText(micro(ivUsage), 6),
          daysWithData: md.intervals.days.filter((d) => d !== null).length,
          estimatedSlots: md.intervals.estimated,
          missingSlots: md.intervals.missing,
        }
      : null,
    flags: e.flags,
  };
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return s;
}

export function linesOf(e: EngineBill): ComputedLine[] {
  return e.lines.map((l, i) => ({
    lineNo: i + 1,
    code: l.code,
    description: l.description,
    kind: l.kind,
    section: l.section,
    quantity: ratText(l.quantity, 6),
    unit: l.unit,
    rate:
      new Set(l.segments.map((s) => s.rateText)).size === 1
        ? (l.segments[0]?.rateText ?? l.rateText)
        : l.segments.map((s) => s.rateText).join(' / '),
    exact: exactText(l.exact),
    amount: dollars(l.amountMicros),
    amountMicros: l.amountMicros,
    segments: l.segments.map((s) => ({
      from: isoDay(s.from),
      to: isoDay(s.to),
      days: s.to - s.from,
      versionFrom: s.versionFrom,
      quantity: ratText(s.quantity, 6),
      rate: s.rateText,
      exact: exactText(s.exact),
      amountMicros: Number(s.cents) * 10_000,
    })),
  }));
}

export interface ComputeOptions {
  proration?: Proration;
  rounding?: RoundingRule;
  rule?: RuleSpec;
  splitDays?: number[];
}

export function computeFor(
  ctx: BillContext,
  md: MeterData,
  opts: ComputeOptions = {},
): { engine: EngineBill; bill: ComputedBill } {
  const eo: EngineOptions = { proration: opts.proration ?? 'days' };
  if (opts.rule) eo.rule = opts.rule;
  else if (opts.rounding) eo.rule = ruleSpec(opts.rounding);
  if (opts.splitDays) eo.splitDays = opts.splitDays;
  const e = computeEngine(ctx.tariff, md.usage, eo);
  const last = e.segments[e.segments.length - 1];
  const rounding = opts.rounding ?? last?.version.rounding ?? 'line_half_up';
  const versions: { from: string; to: string | null; days: number }[] = [];
  for (const g of e.segments) {
    const prev = versions[versions.length - 1];
    if (prev && prev.from === g.version.from) prev.days += g.toDay - g.fromDay;
    else versions.push({ from: g.version.from, to: g.version.to, days: g.toDay - g.fromDay });
  }
  const bill: ComputedBill = {
    id: null,
    org: ctx.org,
    account: ctx.account,
    usagePoint: ctx.usagePoint,
    tariff: { code: ctx.tariff.code, name: ctx.tariff.name },
    from: ctx.from,
    to: ctx.to,
    days: ctx.toDay - ctx.fromDay,
    rounding,
    proration: eo.proration ?? 'days',
    versions,
    determinants: determinantsOf(md, e, ctx.toDay - ctx.fromDay),
    lines: linesOf(e),
    total: dollars(e.totalMicros),
    totalMicros: e.totalMicros,
  };
  return { engine: e, bill };
}

/** Write a computed bill (computed_bill + computed_bill_line); returns its id. */
export function storeComputed(
  db: Database,
  ctx: BillContext,
  e: EngineBill,
  bill: ComputedBill,
  billId: number | null,
  rule?: RuleSpec,
): number {
  const last = e.segments[e.segments.length - 1];
  const id = Number(
    db
      .prepare(
        `INSERT INTO computed_bill (bill_id, account_id, tariff_version_id, period_from, period_to, rounding_rule,
           proration, total_micros, determinants, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        billId,
        ctx.accountId,
        last?.version.id ?? null,
        ctx.from,
        ctx.to,
        rule ? ruleName(rule) : bill.rounding,
        e.segments.length > 1 ? bill.proration : null,
        bill.totalMicros,
        JSON.stringify({ ...bill.determinants, versions: bill.versions }),
        Math.floor(Date.now() / 1000),
      ).lastInsertRowid,
  );
  const ins = db.prepare(
    `INSERT INTO computed_bill_line (computed_bill_id, line_no, code, description, quantity, unit, rate, amount_micros)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const l of bill.lines)
    ins.run(id, l.lineNo, l.code, l.description, l.quantity, l.unit, l.rate, l.amountMicros);
  return id;
}

export function computeBill(
  db: Database,
  req: Resolve & ComputeOptions & { store?: boolean },
): ComputedBill {
  const ctx = resolveBill(db, req);
  const md = meterData(db, ctx);
  const { engine, bill } = computeFor(ctx, md, req);
  if (req.store !== false)
    bill.id = db.transaction(() => storeComputed(db, ctx, engine, bill, null))();
  return bill;
}
