// bill.compare: a rate-design comparison (CORE-02). A population of customers — the service
// agreements of one organization's rate class in force over the whole period, with interval
// data on every day of it — is billed on tariff A (each agreement's own tariff, or one named
// tariff) and on tariff B for the same period, from the same interval data, so the difference
// is the rate design alone. Per customer: bill A, bill B, B − A and the percent change; for the
// population: winners / losers / unchanged, mean and median change and a histogram of changes.
//
// Money stays exact: bills are integer micro-dollars from the engine (each tariff's rounding
// rule), sums are BigInt, means and medians are rounded half-up to the micro-dollar (named
// rule MEAN_ROUNDING), percents half-up to 0.01 %.
//
// Privacy (docs/privacy.md, docs/billing.md "Rate-design comparison"): per-customer rows follow
// the role's POLICY for customer_usage (allow: every row; consent: rows of consenting
// customers; deny: none) and the account number its policy for pii. Roles that may not see
// every customer's rows get the aggregates under the 15/15 rule: the population cell, the
// winners / losers / unchanged cells and each histogram bin are cells whose load is the
// customers' energy in the period; tails of the histogram are merged until they pass, failing
// cells are suppressed, and a group with one suppressed cell loses its smallest other cell too
// (so the suppressed count cannot be recovered from the total).
import type { Database } from 'better-sqlite3';
import type { Progress } from '../api/definition';
import { ConsentChecker } from '../privacy/consent';
import { judgeCell, type CellVerdict } from '../privacy/fifteen';
import { POLICY, REDACTED, type Role } from '../privacy/roles';
import { isoToDay } from '../time/zone';
import { CancelledError, EdwError } from '../workspace/errors';
import { computeEngine, type Usage } from './engine';
import {
  readIntervalDays,
  readPopulation,
  unitShift,
  type DayData,
  type SeriesDays,
} from './meterData';
import { dollars, micro, ratText, roundInt } from './money';
import { loadTariff, segmentsOf, type TariffModel } from './tariff';
import type {
  CompareCustomer,
  CompareRequest,
  CompareResult,
  CompareSummary,
  HistogramBin,
} from './schema';

/** Usage points read and billed per step (bounded memory; progress and cancel between). */
export const CHUNK = 200;
/** Histogram: at most this many bins before the tails are merged. */
export const MAX_BINS = 40;
/** Named rounding rule of means and medians of micro-dollar amounts. */
export const MEAN_ROUNDING = 'half-up to the micro-dollar';

export interface CompareOptions {
  role: Role;
  signal?: AbortSignal;
  progress?: (p: Progress) => void;
  now?: Date;
}

interface Candidate {
  saId: number;
  accountId: number;
  account: string;
  customerId: number | null;
  usagePointId: number;
  usagePoint: string;
  tariffId: number | null;
  rateClassId: number;
  start: string;
  end: string | null;
}

/** One billed customer, before privacy. */
export interface Billed {
  c: Candidate;
  tariffA: string;
  usageMicro: number;
  a: number;
  b: number;
  flags: string[];
}

// ───────────── statistics (pure, unit-tested) ─────────────

/** (B − A) / A × 100 rounded half-up to 0.01; null when A is 0. */
export function percentChange(aMicros: number, bMicros: number): number | null {
  if (aMicros === 0) return null;
  const hundredths = roundInt(
    { n: BigInt(bMicros - aMicros) * 10_000n, d: BigInt(aMicros) },
    'half_up',
  );
  return Number(hundredths) / 100;
}

/** Mean of integer micro-dollar amounts, half-up to the micro-dollar. */
export function meanMicros(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0n;
  for (const x of xs) s += BigInt(x);
  return Number(roundInt({ n: s, d: BigInt(xs.length) }, 'half_up'));
}

/** Median of integer micro-dollar amounts (mean of the middle two, half-up to the micro-dollar). */
export function medianMicros(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  if (s.length % 2 === 1) return s[m] as number;
  return Number(
    roundInt({ n: BigInt(s[m - 1] as number) + BigInt(s[m] as number), d: 2n }, 'half_up'),
  );
}

/** Smallest of 1, 2, 5 × 10^k cents that is ≥ x cents (at least one cent). */
export function niceCents(x: number): number {
  if (!(x > 1)) return 1;
  let p = 1;
  for (;;) {
    for (const m of [1, 2, 5]) if (m * p >= x) return m * p;
    p *= 10;
  }
}

/**
 * Bin width of the histogram of bill changes, in cents: the Freedman–Diaconis width
 * 2·IQR·n^(−1/3), kept between range/MAX_BINS and range/8 (so there are about 8 to 40 bins),
 * rounded up to 1, 2 or 5 × 10^k cents. Bins are aligned on multiples of the width, so $0 is
 * always a bin edge: a bin never holds both savings and increases.
 */
export function binWidthCents(diffCents: readonly number[]): number {
  const n = diffCents.length;
  if (n === 0) return 1;
  const s = [...diffCents].sort((p, q) => p - q);
  const range = (s[n - 1] as number) - (s[0] as number);
  const q = (f: number) => s[Math.min(n - 1, Math.floor(f * (n - 1)))] as number;
  const iqr = q(0.75) - q(0.25);
  let w = iqr > 0 ? 2 * iqr * Math.cbrt(1 / n) : range / 10;
  w = Math.min(Math.max(w, range / MAX_BINS), range / 8);
  return niceCents(w);
}

/** Bin index of a change in micro-dollars for a width in cents: floor(change / width). */
export function binOf(diffMicros: number, widthCents: number): number {
  return Math.floor(diffMicros / (widthCents * 10_000));
}

// ───────────── population ─────────────

function tariffByCode(db: Database, orgId: number, org: string, code: string): number {
  const t = db.prepare('SELECT id FROM tariff WHERE org_id = ? AND code = ?').get(orgId, code) as
    { id: number } | undefined;
  if (t) return t.id;
  const codes = (
    db.prepare('SELECT code FROM tariff WHERE org_id = ? ORDER BY code').all(orgId) as {
      code: string;
    }[]
  ).map((r) => r.code);
  throw new EdwError(
    'not_found',
    `${org} has no tariff ${code} in this workspace (its tariffs: ${codes.join(', ') || 'none'})`,
  );
}

function candidates(
  db: Database,
  orgId: number,
  rateClassId: number,
  customerClass: string | null,
  from: string,
  to: string,
): Candidate[] {
  return db
    .prepare(
      `SELECT sa.id AS saId, a.id AS accountId, a.account_number AS account, a.customer_id AS customerId,
              up.id AS usagePointId, up.source_key AS usagePoint, sa.tariff_id AS tariffId,
              sa.rate_class_id AS rateClassId, sa.start_date AS start, sa.end_date AS "end"
       FROM service_agreement sa
       JOIN account a ON a.id = sa.account_id
       JOIN usage_point up ON up.id = sa.usage_point_id
       LEFT JOIN customer c ON c.id = a.customer_id
       WHERE a.org_id = ? AND sa.rate_class_id = ? AND sa.start_date < ?
         AND (sa.end_date IS NULL OR sa.end_date >= ?)
         AND (? IS NULL OR c.customer_class = ?)
       ORDER BY a.account_number, up.source_key, sa.start_date`,
    )
    .all(orgId, rateClassId, to, from, customerClass, customerClass) as Candidate[];
}

interface SeriesRow {
  seriesId: number;
  usagePointId: number;
  seconds: number;
  unit: string;
  blocks: number;
}

function seriesOf(
  db: Database,
  usagePointIds: readonly number[],
  fromDay: number,
  toDay: number,
): Map<number, SeriesRow[]> {
  const rows = db
    .prepare(
      `SELECT s.id AS seriesId, s.usage_point_id AS usagePointId, rt.interval_seconds AS seconds, rt.unit AS unit,
              (SELECT count(*) FROM interval_block b WHERE b.series_id = s.id AND b.day >= ? AND b.day < ?) AS blocks
       FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id
       WHERE s.usage_point_id IN (SELECT value FROM json_each(?)) AND rt.interval_seconds IS NOT NULL
         AND rt.accumulation = 'delta' AND rt.flow_direction IN ('forward', 'total')
         AND rt.measure IN ('energy', 'volume')
       ORDER BY blocks DESC, rt.interval_seconds ASC, s.id`,
    )
    .all(fromDay, toDay, JSON.stringify(usagePointIds)) as SeriesRow[];
  const out = new Map<number, SeriesRow[]>();
  for (const r of rows) {
    const l = out.get(r.usagePointId);
    if (l) l.push(r);
    else out.set(r.usagePointId, [r]);
  }
  return out;
}

function energyUnit(t: TariffModel): string {
  return (
    t.versions.flatMap((v) => v.components).find((c) => c.basis === 'energy')?.unit ??
    (t.commodity === 'electricity' ? 'kWh' : 'therm')
  );
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Bill the population on A and B (no privacy yet). */
export async function billPopulation(
  db: Database,
  req: CompareRequest,
  opts: Pick<CompareOptions, 'signal' | 'progress'> = {},
): Promise<{
  org: string;
  rateClass: string;
  modelB: TariffModel;
  modelA: TariffModel | null;
  unit: string;
  candidates: number;
  excluded: Map<string, number>;
  billed: Billed[];
  failures: string[];
  failureCount: number;
}> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(req.from) || !/^\d{4}-\d{2}-\d{2}$/.test(req.to))
    throw new EdwError('usage', `dates must be YYYY-MM-DD (got ${req.from} and ${req.to})`);
  const fromDay = isoToDay(req.from);
  const toDay = isoToDay(req.to);
  if (toDay <= fromDay)
    throw new EdwError(
      'usage',
      `the period ${req.from} to ${req.to} is empty: "to" is the closing read date, after "from"`,
    );
  if (toDay - fromDay > 366)
    throw new EdwError('usage', `the period ${req.from} to ${req.to} is longer than a year`);
  const orgRow = db
    .prepare('SELECT id, code FROM organization WHERE code = ? COLLATE NOCASE')
    .get(req.org) as { id: number; code: string } | undefined;
  if (!orgRow) throw new EdwError('not_found', `no organization ${req.org} in this workspace`);
  const modelB = loadTariff(db, tariffByCode(db, orgRow.id, orgRow.code, req.tariffB));
  const modelA =
    req.tariffA !== undefined
      ? loadTariff(db, tariffByCode(db, orgRow.id, orgRow.code, req.tariffA))
      : null;
  // Rate class: as given, else tariff A's, else tariff B's.
  let rateClassId: number | null = null;
  if (req.rateClass !== undefined) {
    const rc = db
      .prepare('SELECT id FROM rate_class WHERE org_id = ? AND code = ?')
      .get(orgRow.id, req.rateClass) as { id: number } | undefined;
    if (!rc) {
      const codes = (
        db.prepare('SELECT code FROM rate_class WHERE org_id = ? ORDER BY code').all(orgRow.id) as {
          code: string;
        }[]
      ).map((r) => r.code);
      throw new EdwError(
        'not_found',
        `${orgRow.code} has no rate class ${req.rateClass} (its rate classes: ${codes.join(', ') || 'none'})`,
      );
    }
    rateClassId = rc.id;
  } else {
    for (const m of [modelA, modelB]) {
      if (rateClassId !== null || !m) continue;
      const r = db.prepare('SELECT rate_class_id AS id FROM tariff WHERE id = ?').get(m.id) as {
        id: number | null;
      };
      rateClassId = r.id;
    }
    if (rateClassId === null)
      throw new EdwError(
        'usage',
        'give a rate class: neither tariff names the rate class of its customers',
      );
  }
  const rateClass = (
    db.prepare('SELECT code FROM rate_class WHERE id = ?').get(rateClassId) as { code: string }
  ).code;
  // Both tariffs must be in force over the whole period (a clear error, not one per customer).
  segmentsOf(modelB, fromDay, toDay);
  if (modelA) segmentsOf(modelA, fromDay, toDay);

  const cands = candidates(db, orgRow.id, rateClassId, req.customerClass ?? null, req.from, req.to);
  const excluded = new Map<string, number>();
  const exclude = (why: string) => excluded.set(why, (excluded.get(why) ?? 0) + 1);
  const lastDay = new Date((toDay - 1) * 86_400_000).toISOString().slice(0, 10);
  // Usage points with more than one agreement in the period changed hands: not one customer.
  const perUp = new Map<number, number>();
  for (const c of cands) perUp.set(c.usagePointId, (perUp.get(c.usagePointId) ?? 0) + 1);
  const whole = cands.filter((c) => {
    if (c.start > req.from || (c.end !== null && c.end < lastDay)) {
      exclude('service agreement does not cover the whole period (move in or out)');
      return false;
    }
    if ((perUp.get(c.usagePointId) ?? 0) > 1) {
      exclude('usage point with more than one agreement in the period');
      return false;
    }
    return true;
  });

  // Tariff A per agreement: as given, else the agreement's own, else its rate class's first.
  const models = new Map<number, TariffModel>();
  if (modelA) models.set(modelA.id, modelA);
  const classTariff = db.prepare(
    'SELECT id FROM tariff WHERE rate_class_id = ? ORDER BY id LIMIT 1',
  );
  const tariffAOf = (c: Candidate): TariffModel | null => {
    if (modelA) return modelA;
    const id =
      c.tariffId ?? (classTariff.get(c.rateClassId) as { id: number } | undefined)?.id ?? null;
    if (id === null) return null;
    let m = models.get(id);
    if (!m) {
      m = loadTariff(db, id);
      segmentsOf(m, fromDay, toDay);
      models.set(id, m);
    }
    return m;
  };

  const unit = energyUnit(modelB);
  const needFine = (t: TariffModel) =>
    t.versions.some((v) => v.fromDay < toDay && v.endDay > fromDay && (v.hasTou || v.hasDemand));
  const hasRatchet = (t: TariffModel) =>
    t.versions.some((v) => v.components.some((c) => c.ratchet !== null));
  const shifts = new Map<string, number | null>();
  const shiftOf = (u: string) => {
    if (!shifts.has(u)) shifts.set(u, unitShift(db, u, unit));
    return shifts.get(u) ?? null;
  };

  const billed: Billed[] = [];
  const failures: string[] = [];
  let failureCount = 0;
  const days = toDay - fromDay;
  const total = whole.length;
  opts.progress?.({ phase: 'billing customers', done: 0, total, unit: 'customers' });
  for (let i = 0; i < whole.length; i += CHUNK) {
    if (opts.signal?.aborted) throw new CancelledError('comparison cancelled');
    const chunk = whole.slice(i, i + CHUNK);
    const series = seriesOf(
      db,
      chunk.map((c) => c.usagePointId),
      fromDay,
      toDay,
    );
    // Choose each usage point's series; group the chosen ones by unit shift for one read each.
    const chosen = new Map<
      number,
      { c: Candidate; tA: TariffModel; s: SeriesRow; shift: number }
    >();
    for (const c of chunk) {
      let tA: TariffModel | null;
      try {
        tA = tariffAOf(c);
      } catch (e) {
        failureCount++;
        if (failures.length < 20) failures.push(`${c.usagePoint}: ${(e as Error).message}`);
        continue;
      }
      if (!tA) {
        exclude('service agreement names no tariff');
        continue;
      }
      if (energyUnit(tA) !== unit) {
        exclude(`tariff A bills in ${energyUnit(tA)}, tariff B in ${unit}`);
        continue;
      }
      const fine = needFine(tA) || needFine(modelB);
      const all = series.get(c.usagePointId) ?? [];
      const usable = all.filter((s) => s.blocks > 0 && (!fine || s.seconds <= 3600));
      const s = usable[0];
      if (!s) {
        exclude(
          all.some((x) => x.blocks > 0)
            ? 'interval data coarser than hourly (time-of-use needs hourly or finer)'
            : 'no interval data in the period',
        );
        continue;
      }
      if (s.blocks < days) {
        exclude('interval data missing on some days of the period');
        continue;
      }
      const shift = shiftOf(s.unit);
      if (shift === null) {
        exclude(`interval data in a unit that is not ${unit}`);
        continue;
      }
      chosen.set(s.seriesId, { c, tA, s, shift });
    }
    const byShift = new Map<number, number[]>();
    for (const [id, x] of chosen) {
      const l = byShift.get(x.shift);
      if (l) l.push(id);
      else byShift.set(x.shift, [id]);
    }
    for (const [shift, ids] of byShift) {
      // A chunk at a time (bounded memory), billed in candidate order.
      const read = new Map<number, SeriesDays>();
      for (const data of readPopulation(db, ids, fromDay, toDay, shift))
        read.set(data.seriesId, data);
      for (const id of ids) {
        const x = chosen.get(id);
        const data = read.get(id);
        if (!x || !data) continue;
        const flags: string[] = [];
        if (data.missing > 0)
          flags.push(`${data.missing} interval readings missing (counted as 0)`);
        if (data.estimated > 0)
          flags.push(`${data.estimated} interval readings estimated or edited`);
        const usage: Usage = {
          unit,
          fromDay,
          toDay,
          days: data.days,
          readsMicro: null,
          priorPeakMicroKw:
            hasRatchet(x.tA) || hasRatchet(modelB) ? priorPeak(db, id, fromDay, shift) : null,
          intervalMicro: data.totalMicro,
          flags: [],
        };
        try {
          const ea = computeEngine(x.tA, usage);
          const eb = computeEngine(modelB, usage);
          billed.push({
            c: x.c,
            tariffA: x.tA.code,
            usageMicro: ea.usageMicro,
            a: ea.totalMicros,
            b: eb.totalMicros,
            flags,
          });
        } catch (e) {
          if (!(e instanceof EdwError)) throw e;
          failureCount++;
          if (failures.length < 20) failures.push(`${x.c.usagePoint}: ${e.message}`);
        }
      }
    }
    opts.progress?.({
      phase: 'billing customers',
      done: Math.min(total, i + chunk.length),
      total,
      unit: 'customers',
    });
    await tick();
  }
  if (opts.signal?.aborted) throw new CancelledError('comparison cancelled');
  return {
    org: orgRow.code,
    rateClass,
    modelA,
    modelB,
    unit,
    candidates: cands.length,
    excluded,
    billed,
    failures,
    failureCount,
  };
}

/** Highest kW of the 335 days before the period (for ratchets), micro-kW. */
function priorPeak(db: Database, seriesId: number, fromDay: number, shift: number): number {
  const prior = readIntervalDays(db, seriesId, fromDay - 335, fromDay, shift);
  let top = 0;
  for (const d of prior.days as (DayData | null)[])
    if (d) for (const v of d.values) top = Math.max(top, (v * 3600) / d.seconds);
  return top;
}

// ───────────── privacy and the result ─────────────

interface Cell {
  from: number;
  to: number;
  members: Billed[];
  verdict: CellVerdict | null;
  suppressed: boolean;
}

const judge = (members: readonly Billed[]): CellVerdict => {
  // A customer is one contributor: net the usage of its usage points first.
  const by = new Map<string, number>();
  for (const m of members) {
    const k = m.c.customerId !== null ? `c${m.c.customerId}` : `a${m.c.accountId}`;
    by.set(k, (by.get(k) ?? 0) + m.usageMicro / 1_000_000);
  }
  return judgeCell(by.values());
};

/** In a group of cells adding up to a released total, one suppressed cell takes another along. */
function complement(cells: { suppressed: boolean; size: number }[]): number {
  const hidden = cells.filter((c) => c.suppressed);
  if (hidden.length !== 1) return 0;
  let pick: { suppressed: boolean; size: number } | null = null;
  for (const c of cells) if (!c.suppressed && (!pick || c.size < pick.size)) pick = c;
  if (!pick) return 0;
  pick.suppressed = true;
  return 1;
}

/** Histogram cells: bins of width w cents from the lowest to the highest change. */
function histogram(billed: readonly Billed[], widthCents: number): Cell[] {
  if (billed.length === 0) return [];
  const idx = billed.map((x) => binOf(x.b - x.a, widthCents));
  const lo = idx.reduce((m, v) => Math.min(m, v), Infinity);
  const hi = idx.reduce((m, v) => Math.max(m, v), -Infinity);
  const cells: Cell[] = [];
  for (let k = lo; k <= hi; k++)
    cells.push({
      from: k * widthCents * 10_000,
      to: (k + 1) * widthCents * 10_000,
      members: [],
      verdict: null,
      suppressed: false,
    });
  billed.forEach((x, i) => (cells[(idx[i] as number) - lo] as Cell).members.push(x));
  return cells;
}

/** Merge failing tail bins inward until each tail passes the 15/15 rule (top/bottom coding). */
function coarsenTails(cells: Cell[]): Cell[] {
  const out = [...cells];
  const merge = (a: Cell, b: Cell): Cell => ({
    from: Math.min(a.from, b.from),
    to: Math.max(a.to, b.to),
    members: [...a.members, ...b.members],
    verdict: null,
    suppressed: false,
  });
  while (out.length > 1 && !judge((out[0] as Cell).members).released)
    out.splice(0, 2, merge(out[0] as Cell, out[1] as Cell));
  while (out.length > 1 && !judge((out[out.length - 1] as Cell).members).released)
    out.splice(out.length - 2, 2, merge(out[out.length - 2] as Cell, out[out.length - 1] as Cell));
  return out;
}

export async function compareRates(
  db: Database,
  req: CompareRequest,
  opts: CompareOptions,
): Promise<CompareResult> {
  const t0 = performance.now();
  const pop = await billPopulation(db, req, opts);
  const billed = pop.billed;
  const policy = POLICY[opts.role];
  const rowsAccess = policy.customer_usage;
  const aggregateOnly = rowsAccess !== 'allow';
  const now = opts.now ?? new Date();
  const consent =
    rowsAccess === 'consent' || policy.pii === 'consent' ? new ConsentChecker(db, now) : null;

  // ── per customer rows ──
  let withheldRows = 0;
  let redactedCells = 0;
  const customers: CompareCustomer[] = [];
  if (rowsAccess !== 'deny') {
    for (const x of billed) {
      const subjects = [{ customerId: x.c.customerId, usagePointId: x.c.usagePointId }];
      if (rowsAccess === 'consent' && !consent?.covers(subjects, 'customer_usage')) {
        withheldRows++;
        continue;
      }
      const showAccount =
        policy.pii === 'allow' ||
        (policy.pii === 'consent' && (consent?.covers(subjects, 'pii') ?? false));
      if (!showAccount) redactedCells++;
      const diff = x.b - x.a;
      customers.push({
        account: showAccount ? x.c.account : REDACTED,
        usagePoint: x.c.usagePoint,
        tariffA: x.tariffA,
        usage: ratText(micro(x.usageMicro), 6),
        billA: dollars(x.a),
        billAMicros: x.a,
        billB: dollars(x.b),
        billBMicros: x.b,
        difference: dollars(diff),
        differenceMicros: diff,
        percentChange: percentChange(x.a, x.b),
        flags: x.flags,
      });
    }
  } else withheldRows = billed.length;

  // ── aggregates ──
  const diffs = billed.map((x) => x.b - x.a);
  const winners = billed.filter((x) => x.b < x.a);
  const losers = billed.filter((x) => x.b > x.a);
  const unchanged = billed.filter((x) => x.b === x.a);
  let sumA = 0n;
  let sumB = 0n;
  for (const x of billed) {
    sumA += BigInt(x.a);
    sumB += BigInt(x.b);
  }
  const widthCents = binWidthCents(diffs.map((d) => d / 10_000));
  let cells = histogram(billed, widthCents);
  let suppressedCells = 0;
  const allVerdict = judge(billed);
  const allHidden = aggregateOnly && !allVerdict.released;
  const groupCells = [winners, losers, unchanged].map((m) => ({
    suppressed: aggregateOnly && (allHidden || !judge(m).released),
    size: m.length,
  }));
  if (aggregateOnly) {
    if (allHidden) {
      suppressedCells += 1 + groupCells.length;
      cells = [];
    } else {
      cells = coarsenTails(cells);
      for (const c of cells) {
        c.verdict = judge(c.members);
        c.suppressed = !c.verdict.released;
      }
      const binSizes = cells.map((c) => ({ suppressed: c.suppressed, size: c.members.length }));
      complement(binSizes);
      binSizes.forEach((b, i) => ((cells[i] as Cell).suppressed = b.suppressed));
      complement(groupCells);
      suppressedCells +=
        cells.filter((c) => c.suppressed).length + groupCells.filter((g) => g.suppressed).length;
    }
  }
  const pctOf = (a: bigint, b: bigint): number | null =>
    a === 0n ? null : Number(roundInt({ n: (b - a) * 10_000n, d: a }, 'half_up')) / 100;
  const pcts = billed.map((x) => percentChange(x.a, x.b)).filter((p): p is number => p !== null);
  const mean = meanMicros(diffs);
  const median = medianMicros(diffs);
  const count = (i: number, n: number) =>
    (groupCells[i] as { suppressed: boolean }).suppressed ? null : n;
  const summary: CompareSummary = allHidden
    ? {
        customers: null,
        winners: null,
        losers: null,
        unchanged: null,
        totalA: null,
        totalB: null,
        meanChange: null,
        meanChangeMicros: null,
        medianChange: null,
        medianChangeMicros: null,
        meanPercent: null,
        totalPercent: null,
        minChange: null,
        maxChange: null,
        suppressed: true,
      }
    : {
        customers: billed.length,
        winners: count(0, winners.length),
        losers: count(1, losers.length),
        unchanged: count(2, unchanged.length),
        totalA: dollars(Number(sumA)),
        totalB: dollars(Number(sumB)),
        meanChange: mean === null ? null : dollars(mean),
        meanChangeMicros: mean,
        medianChange: median === null ? null : dollars(median),
        medianChangeMicros: median,
        meanPercent:
          pcts.length === 0
            ? null
            : Math.round((pcts.reduce((s, p) => s + p, 0) / pcts.length) * 100) / 100,
        totalPercent: pctOf(sumA, sumB),
        minChange:
          aggregateOnly || diffs.length === 0
            ? null
            : dollars(diffs.reduce((m, v) => Math.min(m, v), Infinity)),
        maxChange:
          aggregateOnly || diffs.length === 0
            ? null
            : dollars(diffs.reduce((m, v) => Math.max(m, v), -Infinity)),
        suppressed: false,
      };
  const bins: HistogramBin[] = cells.map((c) => ({
    from: dollars(c.from),
    to: dollars(c.to),
    fromMicros: c.from,
    toMicros: c.to,
    customers: c.suppressed ? null : c.members.length,
    suppressed: c.suppressed,
  }));
  const excluded = [...pop.excluded].map(([reason, n]) => ({ reason, count: n }));
  return {
    org: pop.org,
    rateClass: pop.rateClass,
    customerClass: req.customerClass ?? null,
    tariffA: pop.modelA ? { code: pop.modelA.code, name: pop.modelA.name } : null,
    tariffB: { code: pop.modelB.code, name: pop.modelB.name },
    from: req.from,
    to: req.to,
    days: isoToDay(req.to) - isoToDay(req.from),
    unit: pop.unit,
    role: opts.role,
    rows: rowsAccess === 'allow' ? 'all' : rowsAccess === 'consent' ? 'consented' : 'none',
    candidates: pop.candidates,
    excluded,
    billed: billed.length,
    summary,
    histogram: {
      binWidth: dollars(widthCents * 10_000),
      binWidthMicros: widthCents * 10_000,
      rule: `bins of $${dollars(widthCents * 10_000)}: Freedman–Diaconis width 2·IQR·n^(−1/3) kept between range/${MAX_BINS} and range/8, rounded up to 1, 2 or 5 × 10^k cents; edges on multiples of the width ($0 is an edge); a bin holds [from, to)${aggregateOnly ? '; 15/15 rule: tails merged until they pass, failing bins suppressed (with a complement)' : ''}`,
      bins,
    },
    customers,
    withheldRows,
    redactedCells,
    suppressedCells,
    failures: { count: pop.failureCount, messages: pop.failures },
    seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
  };
}
