// core-01-billing (CORE-01, issue 6 item 5): one row per line of every bill held in the
// workspace, with the amount billed, the amount recomputed from the tariff and the meter data,
// the difference and the validator's explanation (docs/billing.md "The validator").
//
// Method: each bill (filtered by organization, account and period) is validated afresh by
// core/billing/validate.ts, nothing stored — the rows follow the workspace's current tariff and
// meter data. A bill that cannot be recomputed (no meter data, no tariff …) still gives its
// billed lines, with recomputed empty and the reason in `explanation` (cause `not_recomputed`).
// Lines the tariff charges but the bill lacks come as rows with billed empty (`missing_line`),
// and a last row per bill (line_no empty, charge "Total") carries the totals.
// Amounts are exact decimal text of dollars (two decimals at least; micro-dollars when needed).
import { z } from 'zod';
import { validateBill } from '../../billing/validate';
import { storedBillJson } from '../../billing/stored';
import { toMicros } from '../../import/decimal';
import { EdwError } from '../../workspace/errors';
import { DateParam, badParam, orgByCode } from '../meter';
import { defineDataset, type ColumnDef, type DatasetRow, col } from '../types';

const COLUMNS: ColumnDef[] = [
  col('bill_id', 'integer', null, 'system', 'Row id of the bill in the workspace.'),
  col('org', 'text', null, 'system', 'Organization code of the bill (e.g. UES).'),
  col('account', 'text', null, 'pii', 'Account number as billed.'),
  col(
    'premise',
    'text',
    null,
    'system',
    "The utility's key of the premise of the billed usage point.",
  ),
  col('usage_point', 'text', null, 'system', "The utility's key of the billed usage point."),
  col('tariff', 'text', null, 'system', 'Rate code the bill was recomputed on.'),
  col(
    'period_from',
    'date',
    null,
    'customer_usage',
    'Opening read date; the bill covers local days [period_from, period_to).',
  ),
  col('period_to', 'date', null, 'customer_usage', 'Closing read date.'),
  col(
    'line_no',
    'integer',
    null,
    'system',
    'Line number in the validation (bill lines in printed order, then lines the bill lacks); empty on the total row.',
  ),
  col(
    'charge_code',
    'text',
    null,
    'system',
    "The line's charge code (the bill's, else the tariff's).",
  ),
  col(
    'charge',
    'text',
    null,
    'system',
    'The charge as printed on the bill (or the tariff component name when the bill lacks the line).',
  ),
  col(
    'rate',
    'text',
    null,
    'system',
    'Rate as printed on the bill (decimal text), else the tariff rate.',
  ),
  col(
    'quantity',
    'text',
    null,
    'customer_usage',
    'Quantity as printed on the bill (decimal text), else the recomputed quantity.',
  ),
  col('unit', 'text', null, 'system', 'Unit of the quantity (kWh, bill, day …).'),
  col(
    'billed',
    'number',
    'USD',
    'customer_usage',
    'Amount billed (exact decimal dollars); empty for a line the bill lacks.',
  ),
  col(
    'recomputed',
    'number',
    'USD',
    'customer_usage',
    "Amount recomputed under the tariff's rule; empty when the line matches no charge or the bill could not be recomputed.",
  ),
  col(
    'difference',
    'number',
    'USD',
    'customer_usage',
    'billed − recomputed (a missing line counts as 0 billed).',
  ),
  col(
    'within_tolerance',
    'boolean',
    null,
    'customer_usage',
    '|difference| ≤ the tolerance parameter.',
  ),
  col(
    'cause',
    'text',
    null,
    'customer_usage',
    'match, rounding, proration, usage_mismatch, wrong_rate, missing_line, unmatched_line, unexplained, not_recomputed; PASS or FAIL on the total row.',
  ),
  col(
    'explanation',
    'text',
    null,
    'customer_usage',
    'The most likely explanation, with its arithmetic (the validator summary on the total row).',
  ),
];

const Params = z
  .object({
    org: z.string().min(1).optional().describe('Only bills of this organization (code).'),
    account: z.string().min(1).optional().describe('Only bills of this account number.'),
    from: DateParam.optional().describe('Only bills whose period starts on or after this date.'),
    to: DateParam.optional().describe('Only bills whose period ends on or before this date.'),
    tolerance: z
      .string()
      .default('0.01')
      .describe('Dollars: a line is within tolerance when |billed − recomputed| ≤ it.'),
  })
  .strict();

interface BillRow {
  id: number;
  org: string;
  account: string;
  customerId: number | null;
  usagePointId: number | null;
  usagePoint: string | null;
  premise: string | null;
  tariff: string | null;
  from: string;
  to: string;
}

const SELECT = `SELECT b.id, o.code AS org, a.account_number AS account, a.customer_id AS customerId,
    b.usage_point_id AS usagePointId, up.source_key AS usagePoint, p.source_key AS premise,
    t.code AS tariff, b.period_from AS "from", b.period_to AS "to"
  FROM bill b JOIN organization o ON o.id = b.org_id JOIN account a ON a.id = b.account_id
  LEFT JOIN usage_point up ON up.id = b.usage_point_id LEFT JOIN premise p ON p.id = up.premise_id
  LEFT JOIN tariff t ON t.id = b.tariff_id
  WHERE (? IS NULL OR b.org_id = ?) AND (? IS NULL OR a.account_number = ?)
    AND (? IS NULL OR b.period_from >= ?) AND (? IS NULL OR b.period_to <= ?)
  ORDER BY o.code, a.account_number, b.period_from, b.id`;

export const core01Billing = defineDataset({
  name: 'core-01-billing',
  version: 1,
  title: 'CORE-01 bill lines: billed vs recomputed',
  description:
    "One row per bill line of the workspace's bills: account, premise, period, charge, rate, quantity, the amount billed, the amount recomputed from the tariff and meter data, the difference and its explanation; a total row per bill.",
  privacyClass: 'pii',
  params: Params,
  columns: COLUMNS,

  count(ctx, params) {
    return (
      ctx.db.prepare(`SELECT count(*) AS n FROM (${SELECT})`).get(...args(ctx, params)) as {
        n: number;
      }
    ).n;
  },

  *rows(ctx, params): Generator<DatasetRow> {
    const tol = toMicros(params.tolerance);
    if (!tol.ok || tol.micros < 0)
      throw badParam('tolerance', `tolerance "${params.tolerance}" is not an amount of dollars`);
    const bills = ctx.db.prepare(SELECT).all(...args(ctx, params)) as BillRow[];
    for (const b of bills) {
      const head = {
        bill_id: b.id,
        org: b.org,
        account: b.account,
        premise: b.premise,
        usage_point: b.usagePoint,
        tariff: b.tariff,
        period_from: b.from,
        period_to: b.to,
      };
      const subjects = [{ customerId: b.customerId, usagePointId: b.usagePointId }];
      const json = storedBillJson(ctx.db, b.id);
      let v: ReturnType<typeof validateBill> | null = null;
      let failure = '';
      try {
        v = validateBill(ctx.db, json, { toleranceMicros: tol.micros });
      } catch (e) {
        if (!(e instanceof EdwError)) throw e;
        failure = e.message;
      }
      if (!v) {
        const lines = json.lines as {
          code?: string;
          description: string;
          quantity?: string;
          unit?: string;
          rate?: string;
          amount: string;
        }[];
        for (const [i, l] of lines.entries())
          yield {
            subjects,
            values: {
              ...head,
              line_no: i + 1,
              charge_code: l.code ?? null,
              charge: l.description,
              rate: l.rate ?? null,
              quantity: l.quantity ?? null,
              unit: l.unit ?? null,
              billed: l.amount,
              recomputed: null,
              difference: null,
              within_tolerance: null,
              cause: 'not_recomputed',
              explanation: `not recomputed: ${failure}`,
            },
          };
        yield {
          subjects,
          values: {
            ...head,
            line_no: null,
            charge: 'Total',
            billed: String(json.total),
            cause: 'FAIL',
            explanation: `not recomputed: ${failure}`,
          },
        };
        continue;
      }
      const r = v.result;
      const printed = v.bill.lines;
      const computed = new Map(r.computed.lines.map((l) => [l.code, l]));
      for (const l of r.lines) {
        // Bill lines come first, in printed order; the rest are lines the bill lacks.
        const p = l.billed !== null ? printed[l.lineNo - 1] : undefined;
        const c = l.code !== null ? computed.get(l.code) : undefined;
        yield {
          subjects,
          values: {
            ...head,
            tariff: r.computed.tariff.code,
            line_no: l.lineNo,
            charge_code: l.code,
            charge: l.description,
            rate: p?.rate ?? c?.rate ?? null,
            quantity: p?.quantity ?? c?.quantity ?? null,
            unit: p?.unit ?? c?.unit ?? null,
            billed: l.billed,
            recomputed: l.recomputed,
            difference: l.difference,
            within_tolerance: l.withinTolerance,
            cause: l.cause,
            explanation: l.explanation,
          },
        };
      }
      yield {
        subjects,
        values: {
          ...head,
          tariff: r.computed.tariff.code,
          line_no: null,
          charge: 'Total',
          billed: r.billedTotal,
          recomputed: r.recomputedTotal,
          difference: r.difference,
          within_tolerance: Math.abs(diffMicros(r.difference)) <= tol.micros,
          cause: r.passed ? 'PASS' : 'FAIL',
          explanation: r.summary,
        },
      };
    }
  },
});

function diffMicros(d: string): number {
  const m = toMicros(d);
  return m.ok ? m.micros : Number.POSITIVE_INFINITY;
}

function args(
  ctx: { db: import('better-sqlite3').Database },
  p: z.output<typeof Params>,
): (string | number | null)[] {
  const orgId = p.org === undefined ? null : orgByCode(ctx.db, p.org, 'org').id;
  const account = p.account ?? null;
  const from = p.from ?? null;
  const to = p.to ?? null;
  return [orgId, orgId, account, account, from, from, to, to];
}
