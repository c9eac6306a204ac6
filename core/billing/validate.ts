// bill.validate: recompute a bill as billed and explain, line by line, where and why the
// utility's numbers differ. Explanations are hypotheses tested by recomputation, never
// guesses: a line is "reproduced" only when the hypothesis gives its billed amount exactly.
//
// Hypotheses, simplest first (the first that reproduces every line wins):
//   1. the tariff's own rounding rule (the recomputed bill);
//   2. another rounding rule (per line half-even, truncate, floor, ceiling; at the total);
//   3. proration at a rate-change date inside the period (each first of a month), by days;
//   4. the same, by the usage the interval data measured on each side;
//   5. the same, with the usage split the bill must have used (searched in whole units).
// Per line, before those: a usage figure that does not match the meter data, a rate that is
// not the tariff's, a line that matches no charge, a charge the bill lacks.
import type { Database } from 'better-sqlite3';
import { BillJson } from '../import/importers/bill';
import { parseDec, sameDec, toMicros } from '../import/decimal';
import { EdwError } from '../workspace/errors';
import {
  computeFor,
  meterData,
  resolveBill,
  storeComputed,
  type BillContext,
  type MeterData,
} from './compute';
import {
  exactText,
  ruleName,
  ruleSpec,
  type EngineBill,
  type EngineLine,
  type RuleSpec,
} from './engine';
import {
  centsToMicros,
  dollars,
  micro,
  mul,
  rat,
  ratOf,
  ratText,
  toCents,
  type Rat,
  type RoundMode,
} from './money';
import { isoDay, type ComponentModel } from './tariff';
import type { ProrationMethod, ValidationLine, ValidationResult } from './schema';

interface Alt {
  name: string;
  description: string;
  cause: 'match' | 'rounding' | 'proration';
  /** Amount per computed line code, and the arithmetic that gave it. */
  amounts: Map<string, { micros: number; how: string }>;
  total: number;
}

export interface ValidateOptions {
  toleranceMicros: number;
  proration?: ProrationMethod;
}

export interface Validation {
  result: ValidationResult;
  ctx: BillContext;
  engine: EngineBill;
  bill: BillJson;
}

function norm(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function segText(l: EngineLine, mode: RoundMode | null): string {
  const unit = l.unit ?? '';
  const parts = l.segments.map((s) => {
    const q = `${ratText(s.quantity, 6)}${unit && unit !== 'bill' ? ` ${unit}` : unit === 'bill' ? ' bill' : ''}`;
    const r = mode ? ` → ${dollars(centsToMicros(toCents(s.exact, mode)))}` : '';
    return `${q} × ${s.rateText} = ${exactText(s.exact)}${r}`;
  });
  if (parts.length === 1) return parts[0] as string;
  return `${parts.join('; ')}; sum ${dollars(mode ? centsToMicros(l.segments.reduce((a, s) => a + toCents(s.exact, mode), 0n)) : 0)}`;
}

function altFrom(
  name: string,
  description: string,
  cause: Alt['cause'],
  e: EngineBill,
  rule: RuleSpec,
): Alt {
  const amounts = new Map<string, { micros: number; how: string }>();
  for (const l of e.lines)
    amounts.set(l.code, {
      micros: l.amountMicros,
      how:
        rule.per === 'line'
          ? segText(l, rule.mode)
          : `${segText(l, null)} (exact; the total is rounded once)`,
    });
  return { name, description, cause, amounts, total: e.totalMicros };
}

/** Bill JSON (parsed or raw) → validation, without writing anything. */
export function validateBill(db: Database, raw: unknown, opts: ValidateOptions): Validation {
  const parsed = BillJson.safeParse(raw);
  if (!parsed.success)
    throw new EdwError(
      'input_rejected',
      `not an edw bill: ${parsed.error.issues
        .slice(0, 4)
        .map((x) => `${x.path.length ? `${x.path.map(String).join('.')}: ` : ''}${x.message}`)
        .join('; ')}`,
    );
  const b = parsed.data;
  const billedMicros = (v: string | number, what: string): number => {
    if (typeof v === 'number')
      throw new EdwError('input_rejected', `${what} must be a decimal string such as "16.12"`);
    const r = toMicros(v);
    if (!r.ok) throw new EdwError('input_rejected', `${what} "${v}" ${r.reason}`);
    return r.micros;
  };
  const lines = b.lines.map((l, i) => ({
    ...l,
    micros: billedMicros(l.amount, `lines[${i}].amount`),
  }));
  const totalMicros = billedMicros(b.total, 'total');
  let usagePointId: number | null = null;
  if (b.usage_point !== undefined) {
    const up = db
      .prepare(
        `SELECT up.id FROM usage_point up JOIN organization o ON o.id = up.org_id
         WHERE up.source_key = ? AND (? IS NULL OR o.code = ? COLLATE NOCASE)`,
      )
      .get(b.usage_point, b.org ?? null, b.org ?? null) as { id: number } | undefined;
    if (!up)
      throw new EdwError('not_found', `usage point ${b.usage_point} is not in this workspace`);
    usagePointId = up.id;
  }
  const ctx = resolveBill(db, {
    account: b.account,
    ...(b.org ? { org: b.org } : {}),
    from: b.period_from,
    to: b.period_to,
    ...(b.tariff ? { tariff: b.tariff } : {}),
    usagePointId,
  });
  const md = meterData(db, ctx);
  const base = computeFor(ctx, md, { proration: opts.proration ?? 'days' });
  const e = base.engine;
  const tariffRule = ruleSpec(base.bill.rounding);
  const findings: string[] = [];
  const unit = md.usage.unit;

  // ── header: reads and usage as printed vs the meter data ──
  const usageQ = micro(e.usageMicro);
  if (b.read_previous !== undefined && b.read_present !== undefined) {
    const p = parseDec(b.read_previous);
    const q = parseDec(b.read_present);
    if (p && q) {
      const diff = ratText(
        {
          n:
            q.digits * 10n ** BigInt(Math.max(p.scale, q.scale) - q.scale) -
            p.digits * 10n ** BigInt(Math.max(p.scale, q.scale) - p.scale),
          d: 10n ** BigInt(Math.max(p.scale, q.scale)),
        },
        6,
      );
      if (b.usage !== undefined && !sameDec(diff, b.usage))
        findings.push(
          `the printed reads ${b.read_previous} → ${b.read_present} give ${diff} ${unit}, but the bill's usage is ${b.usage} ${unit}${sameDec(b.usage, ratText(usageQ, 6)) ? ` (which the meter data confirms: ${ratText(usageQ, 6)} ${unit}); a misprinted read` : ''}`,
        );
      if (md.reads) {
        if (!sameDec(md.reads.previous.reading, b.read_previous))
          findings.push(
            `previous read printed ${b.read_previous}, the workspace holds ${md.reads.previous.reading} on ${md.reads.previous.date}`,
          );
        if (!sameDec(md.reads.present.reading, b.read_present))
          findings.push(
            `present read printed ${b.read_present}, the workspace holds ${md.reads.present.reading} on ${md.reads.present.date}`,
          );
      }
    }
  }
  if (b.usage !== undefined && !sameDec(b.usage, ratText(usageQ, 6)))
    findings.push(
      `the bill's usage is ${b.usage} ${unit}, the meter data gives ${ratText(usageQ, 6)} ${unit} (${base.bill.determinants.source})`,
    );
  const lineSum = lines.reduce((a, l) => a + l.micros, 0);
  if (lines.length > 0 && lineSum !== totalMicros)
    findings.push(
      `the bill's lines add up to ${dollars(lineSum)}, its total is ${dollars(totalMicros)}`,
    );
  for (const f of e.flags) findings.push(`meter data: ${f.message}`);

  // ── match bill lines to computed lines ──
  const used = new Set<string>();
  const match: { bill: (typeof lines)[number]; line: EngineLine | null; by: string }[] = [];
  for (const bl of lines) {
    let l: EngineLine | undefined;
    let by = 'none';
    const free = e.lines.filter((x) => !used.has(x.code));
    if (bl.code !== undefined) l = free.find((x) => x.code === bl.code);
    if (l) by = 'code';
    if (!l) {
      l = free.find((x) => norm(x.description) === norm(bl.description));
      if (l) by = 'description';
    }
    if (!l && bl.rate !== undefined) {
      l = free.find(
        (x) =>
          sameDec(x.rateText, bl.rate ?? null) && (bl.unit === undefined || x.unit === bl.unit),
      );
      if (l) by = 'rate';
    }
    if (l) used.add(l.code);
    match.push({ bill: bl, line: l ?? null, by });
  }
  const missing = e.lines.filter((x) => !used.has(x.code));

  // ── hypotheses ──
  const alts: Alt[] = [
    altFrom(
      `tariff rule: ${ruleName(tariffRule)}`,
      `the tariff's rule (${base.bill.rounding})`,
      'match',
      e,
      tariffRule,
    ),
  ];
  const rules: RuleSpec[] = [
    { per: 'line', mode: 'half_up' },
    { per: 'line', mode: 'half_even' },
    { per: 'line', mode: 'truncate' },
    { per: 'total', mode: 'half_up' },
    { per: 'line', mode: 'floor' },
    { per: 'line', mode: 'ceil' },
  ].filter((r) => r.per !== tariffRule.per || r.mode !== tariffRule.mode) as RuleSpec[];
  for (const rule of rules) {
    const x = computeFor(ctx, md, { proration: opts.proration ?? 'days', rule });
    alts.push(
      altFrom(
        `rounding ${ruleName(rule)}`,
        `rounded ${ruleName(rule)} instead of the tariff's rule`,
        'rounding',
        x.engine,
        rule,
      ),
    );
  }
  // Candidate rate-change dates: each first of a month strictly inside the period, unless the
  // tariff already changes version there.
  const boundaries = new Set(e.segments.map((g) => g.fromDay));
  const candidates: number[] = [];
  for (let d = ctx.fromDay + 1; d < ctx.toDay; d++)
    if (isoDay(d).endsWith('-01') && !boundaries.has(d)) candidates.push(d);
  for (const d of candidates) {
    const days1 = d - ctx.fromDay;
    const x = computeFor(ctx, md, { proration: 'days', rule: tariffRule, splitDays: [d] });
    alts.push(
      altFrom(
        `proration at ${isoDay(d)} by days`,
        `billed in two parts split at ${isoDay(d)} (a rate change), quantities by days (${days1}/${ctx.toDay - ctx.fromDay} before), each part rounded ${ruleName(tariffRule)}`,
        'proration',
        x.engine,
        tariffRule,
      ),
    );
    if (md.intervals) {
      const y = computeFor(ctx, md, { proration: 'usage', rule: tariffRule, splitDays: [d] });
      alts.push(
        altFrom(
          `proration at ${isoDay(d)} by usage`,
          `billed in two parts split at ${isoDay(d)}, quantities as the interval data measured on each side, each part rounded ${ruleName(tariffRule)}`,
          'proration',
          y.engine,
          tariffRule,
        ),
      );
    }
    const implied = impliedSplit(ctx, md, x.engine, d, tariffRule, match);
    if (implied) alts.push(implied);
  }

  const matched = match.filter((m) => m.line !== null);
  const reproducedBy = (a: Alt) =>
    matched.filter((m) => a.amounts.get((m.line as EngineLine).code)?.micros === m.bill.micros)
      .length;
  const scored = alts.map((a) => ({ a, n: reproducedBy(a) }));
  let best = scored[0] as (typeof scored)[number];
  for (const s of scored) if (s.n > best.n) best = s;
  const everyLine = best.n === matched.length;

  // ── per line ──
  const out: ValidationLine[] = [];
  const tol = opts.toleranceMicros;
  const rateOf = (l: EngineLine) => l.rateText;
  for (const m of match) {
    const bl = m.bill;
    if (!m.line) {
      out.push({
        lineNo: out.length + 1,
        code: bl.code ?? null,
        description: bl.description,
        billed: dollars(bl.micros),
        billedMicros: bl.micros,
        recomputed: null,
        recomputedMicros: null,
        difference: dollars(bl.micros),
        differenceMicros: bl.micros,
        withinTolerance: Math.abs(bl.micros) <= tol,
        matchedBy: 'none',
        explanation: `"${bl.description}" matches no charge of tariff ${ctx.tariff.org} ${ctx.tariff.code} (its charges: ${e.lines.map((x) => x.code).join(', ')})`,
        cause: 'unmatched_line',
        reproduced: false,
      });
      continue;
    }
    const l = m.line;
    const diff = bl.micros - l.amountMicros;
    let cause = 'match';
    let reproduced = diff === 0;
    let explanation = `matches: ${segText(l, tariffRule.per === 'line' ? tariffRule.mode : null)}`;
    const mode: RoundMode = tariffRule.mode;
    if (diff !== 0) {
      const q = bl.quantity !== undefined && parseDec(bl.quantity) ? ratOf(bl.quantity) : null;
      const r = bl.rate !== undefined && parseDec(bl.rate) ? ratOf(bl.rate) : null;
      const flat =
        l.segments.length === 1 && l.component !== null && flatRate(l.component) !== null;
      const seg = l.segments[0];
      const usageMismatch =
        q !== null && seg !== undefined && flat && !sameDec(ratText(q, 6), ratText(l.quantity, 6))
          ? centsToMicros(toCents(mul(q, l.component?.rate ?? rat(0n)), mode))
          : null;
      const wrongRate =
        r !== null && flat && l.component && !sameDec(bl.rate ?? null, l.component.rateText)
          ? centsToMicros(toCents(mul(q ?? l.quantity, r), mode))
          : null;
      const bestAmt = best.a.amounts.get(l.code);
      const other = scored.find((s) => s.a.amounts.get(l.code)?.micros === bl.micros);
      if (usageMismatch !== null && usageMismatch === bl.micros) {
        cause = 'usage_mismatch';
        reproduced = true;
        explanation = `priced on ${bl.quantity} ${l.unit ?? ''}, but the meter data gives ${ratText(l.quantity, 6)}: ${bl.quantity} × ${l.rateText} = ${exactText(mul(q as Rat, l.component?.rate ?? rat(0n)))} → ${dollars(bl.micros)}`;
      } else if (wrongRate !== null && wrongRate === bl.micros) {
        cause = 'wrong_rate';
        reproduced = true;
        explanation = `billed at ${bl.rate} per ${l.unit ?? 'unit'}, the tariff's rate is ${l.component?.rateText}: ${ratText(q ?? l.quantity, 6)} × ${bl.rate} = ${exactText(mul(q ?? l.quantity, r as Rat))} → ${dollars(bl.micros)}`;
      } else if (bestAmt && bestAmt.micros === bl.micros) {
        cause = best.a.cause === 'match' ? 'rounding' : best.a.cause;
        reproduced = true;
        explanation = `${best.a.name}: ${bestAmt.how}`;
      } else if (other) {
        cause = other.a.cause === 'match' ? 'rounding' : other.a.cause;
        reproduced = true;
        explanation = `${other.a.name}: ${other.a.amounts.get(l.code)?.how ?? ''}`;
      } else {
        cause = 'unexplained';
        const implied =
          q !== null && q.n !== 0n
            ? ` (the billed amount is ${ratText(mul(micro(bl.micros), { n: q.d, d: q.n }), 7)} per ${l.unit ?? 'unit'} of the billed quantity; the tariff's rate is ${rateOf(l)})`
            : '';
        explanation = `differs by ${dollars(diff)}: no rounding rule or proration tried reproduces ${dollars(bl.micros)} from ${segText(l, mode)}${implied}`;
      }
      if (reproduced && cause !== 'usage_mismatch' && cause !== 'wrong_rate') {
        const also = scored
          .filter(
            (s) =>
              s.a !== best.a &&
              s.a.cause !== 'match' &&
              s.a.amounts.get(l.code)?.micros === bl.micros,
          )
          .map((s) => s.a.name)
          .filter((n) => !explanation.startsWith(n))
          .slice(0, 3);
        if (also.length > 0) explanation += ` (also reproduced by: ${also.join('; ')})`;
      }
    } else if (everyLine && best.a.cause !== 'match') {
      const h = best.a.amounts.get(l.code);
      if (h) explanation += `; under ${best.a.name}: ${h.how}`;
    }
    out.push({
      lineNo: out.length + 1,
      code: bl.code ?? l.code,
      description: bl.description,
      billed: dollars(bl.micros),
      billedMicros: bl.micros,
      recomputed: dollars(l.amountMicros),
      recomputedMicros: l.amountMicros,
      difference: dollars(diff),
      differenceMicros: diff,
      withinTolerance: Math.abs(diff) <= tol,
      matchedBy: m.by,
      explanation,
      cause,
      reproduced,
    });
  }
  for (const l of missing) {
    if (l.amountMicros === 0) continue;
    out.push({
      lineNo: out.length + 1,
      code: l.code,
      description: l.description,
      billed: null,
      billedMicros: null,
      recomputed: dollars(l.amountMicros),
      recomputedMicros: l.amountMicros,
      difference: dollars(-l.amountMicros),
      differenceMicros: -l.amountMicros,
      withinTolerance: Math.abs(l.amountMicros) <= tol,
      matchedBy: 'none',
      explanation: `the tariff charges ${l.description} (${segText(l, tariffRule.per === 'line' ? tariffRule.mode : null)}), the bill has no such line`,
      cause: 'missing_line',
      reproduced: false,
    });
  }
  const totalDiff = totalMicros - e.totalMicros;
  const passed = out.every((x) => x.withinTolerance) && Math.abs(totalDiff) <= tol;
  const differing = out.filter((x) => x.differenceMicros !== 0);
  const unexplained = differing.filter((x) => !x.reproduced);
  const hypotheses = scored.map((s) => ({
    name: s.a.name,
    description: s.a.description,
    linesReproduced: s.n,
    lines: matched.length,
    total: dollars(s.a.total),
  }));
  const bestH = hypotheses[scored.indexOf(best)] ?? null;
  const summary =
    `${passed ? 'PASS' : 'FAIL'} at tolerance ${dollars(tol)}: ${out.length} lines, ${differing.length} differ` +
    ` (largest ${dollars(Math.max(0, ...differing.map((x) => Math.abs(x.differenceMicros))))});` +
    ` billed total ${dollars(totalMicros)}, recomputed ${dollars(e.totalMicros)} (${dollars(totalDiff)}).` +
    (differing.length === 0
      ? ' Every line matches the tariff.'
      : unexplained.length === 0
        ? everyLine && best.a.cause !== 'match'
          ? ` Every line is reproduced to the cent by one rule: ${best.a.name} — ${best.a.description}.`
          : ' Every differing line is explained to the cent.'
        : ` ${unexplained.length} line(s) not explained: ${unexplained.map((x) => x.description).join(', ')}.`);
  const result: ValidationResult = {
    id: null,
    billId: null,
    passed,
    tolerance: dollars(tol),
    billedTotal: dollars(totalMicros),
    recomputedTotal: dollars(e.totalMicros),
    difference: dollars(totalDiff),
    summary,
    bestHypothesis: bestH,
    hypotheses,
    findings,
    lines: out,
    computed: base.bill,
  };
  return { result, ctx, engine: e, bill: b };
}

/**
 * The usage split a two-part bill must have used: the whole-unit quantities before and after
 * `day` for which every flat per-unit line rounds to its billed amount, the other lines
 * prorated by days. Returns the hypothesis with the split nearest the by-days share.
 */
function impliedSplit(
  ctx: BillContext,
  md: MeterData,
  byDays: EngineBill,
  day: number,
  rule: RuleSpec,
  match: { bill: { micros: number }; line: EngineLine | null }[],
): Alt | null {
  if (rule.per !== 'line') return null;
  const Q = byDays.usageMicro;
  if (Q % 1_000_000 !== 0 || Q <= 0 || Q > 200_000 * 1_000_000) return null;
  const units = Q / 1_000_000;
  const flat = match.filter(
    (m) =>
      m.line !== null &&
      m.line.component !== null &&
      m.line.component.basis === 'energy' &&
      flatRate(m.line.component) !== null &&
      m.line.component.period < 0 &&
      m.line.component.months === null &&
      byDays.lines.find((x) => x.code === (m.line as EngineLine).code)?.segments.length === 2,
  );
  if (flat.length === 0) return null;
  const flatCodes = new Set(flat.map((m) => (m.line as EngineLine).code));
  // Every other matched line must already be reproduced by the by-days split.
  for (const m of match)
    if (m.line && !flatCodes.has(m.line.code)) {
      const l = byDays.lines.find((x) => x.code === (m.line as EngineLine).code);
      if (!l || l.amountMicros !== m.bill.micros) return null;
    }
  const rates = flat.map((m) => ({
    code: (m.line as EngineLine).code,
    r1: flatRate((m.line as EngineLine).component as ComponentModel) as Rat,
    billed: BigInt(m.bill.micros / 10_000),
  }));
  const solutions: number[] = [];
  for (let a = 0; a <= units; a++) {
    let ok = true;
    for (const x of rates) {
      const c =
        toCents(mul(rat(BigInt(a)), x.r1), rule.mode) +
        toCents(mul(rat(BigInt(units - a)), x.r1), rule.mode);
      if (c !== x.billed) {
        ok = false;
        break;
      }
    }
    if (ok) solutions.push(a);
  }
  if (solutions.length === 0) return null;
  const D = ctx.toDay - ctx.fromDay;
  const share = (units * (day - ctx.fromDay)) / D;
  const sorted = [...solutions].sort((x, y) => Math.abs(x - share) - Math.abs(y - share) || x - y);
  const a = sorted[0] as number;
  const ties = sorted.filter((x) => Math.abs(x - share) === Math.abs(a - share));
  let measured = '';
  if (md.intervals) {
    let s = 0;
    for (let d = ctx.fromDay; d < day; d++) {
      const dd = md.intervals.days[d - ctx.fromDay];
      if (dd) for (const v of dd.values) s += v;
    }
    measured = `; the workspace's interval data puts ${ratText(micro(Math.round(s)), 3)} ${md.usage.unit} before ${isoDay(day)}`;
  }
  const amounts = new Map<string, { micros: number; how: string }>();
  for (const l of byDays.lines)
    amounts.set(l.code, { micros: l.amountMicros, how: segText(l, rule.mode) });
  let total = byDays.totalMicros;
  for (const x of rates) {
    const l = byDays.lines.find((y) => y.code === x.code) as EngineLine;
    const e1 = mul(rat(BigInt(a)), x.r1);
    const e2 = mul(rat(BigInt(units - a)), x.r1);
    const c1 = toCents(e1, rule.mode);
    const c2 = toCents(e2, rule.mode);
    const micros = centsToMicros(c1 + c2);
    total += micros - l.amountMicros;
    amounts.set(x.code, {
      micros,
      how: `${a} ${md.usage.unit} × ${l.component?.rateText} = ${exactText(e1)} → ${dollars(centsToMicros(c1))}; ${units - a} × ${l.component?.rateText} = ${exactText(e2)} → ${dollars(centsToMicros(c2))}; sum ${dollars(micros)}`,
    });
  }
  return {
    name: `proration at ${isoDay(day)} with ${a} of ${units} ${md.usage.unit} before it`,
    description: `billed in two parts split at ${isoDay(day)}, each part's lines rounded ${ruleName(rule)}; every per-${md.usage.unit} line is reproduced when ${a} ${md.usage.unit} fall before the split${ties.length > 1 ? ` (or ${ties.filter((x) => x !== a).join(', ')})` : ''} — ${solutions.length} of ${units + 1} whole-${md.usage.unit} splits reproduce them; by days it would be ${ratText(micro(Math.round(share * 1_000_000)), 3)}${measured}`,
    cause: 'proration',
    amounts,
    total,
  };
}

/** The single rate of a component priced flat per unit (one unbounded tier counts as flat). */
function flatRate(c: ComponentModel): Rat | null {
  if (!c.tiers) return c.rate;
  const t = c.tiers[0];
  return c.tiers.length === 1 && t && t.upto === null ? t.rate : null;
}

/** Store a validation: computed bill + bill_validation (+ lines). */
export function storeValidation(db: Database, v: Validation, billId: number): number {
  return db.transaction(() => {
    const computedId = storeComputed(db, v.ctx, v.engine, v.result.computed, billId);
    v.result.computed.id = computedId;
    const id = Number(
      db
        .prepare(
          `INSERT INTO bill_validation (bill_id, computed_bill_id, tolerance_micros, passed, summary, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(
          billId,
          computedId,
          toMicrosOf(v.result.tolerance),
          v.result.passed ? 1 : 0,
          v.result.summary,
          Math.floor(Date.now() / 1000),
        ).lastInsertRowid,
    );
    const ins = db.prepare(
      `INSERT INTO bill_validation_line (validation_id, line_no, code, billed_micros, computed_micros, diff_micros, explanation)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const l of v.result.lines)
      ins.run(
        id,
        l.lineNo,
        l.code,
        l.billedMicros,
        l.recomputedMicros,
        l.differenceMicros,
        `${l.cause}: ${l.explanation}`,
      );
    return id;
  })();
}

function toMicrosOf(d: string): number {
  const r = toMicros(d);
  return r.ok ? r.micros : 0;
}
