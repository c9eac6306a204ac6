// bill.compute and bill.validate: the billing engine and the test-bill validator (issue 6).
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { HandlerMap } from '../api/server';
import type { Session } from '../api/session';
import { EdwError } from '../workspace/errors';
import { toMicros } from '../import/decimal';
import { dollars } from './money';
import { runImport } from '../import/run';
import { computeBill } from './compute';
import { storeValidation, validateBill, type Validation } from './validate';
import { compareRates } from './compare';
import { reportCsv, reportHtml } from './report';
import { ConsentChecker } from '../privacy/consent';
import { accountVisible, storedBillJson } from './stored';
import { POLICY, REDACTED, type Role } from '../privacy/roles';
import type { BillSummary } from './schema';

function readBillFile(file: string): unknown {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new EdwError('usage', `no such file: ${file}`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EdwError('input_rejected', `${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** The stored bill of the same organization, account and period with the same lines, if any. */
function storedBill(db: Database, v: Validation): { id: number | null; differs: boolean } {
  const rows = db
    .prepare(
      'SELECT id, total_micros FROM bill WHERE org_id = ? AND account_id = ? AND period_from = ? AND period_to = ? ORDER BY id',
    )
    .all(v.ctx.orgId, v.ctx.accountId, v.bill.period_from, v.bill.period_to) as {
    id: number;
    total_micros: number;
  }[];
  const lines = v.result.lines.filter((l) => l.billedMicros !== null).map((l) => l.billedMicros);
  const lineStmt = db.prepare(
    'SELECT amount_micros FROM bill_line WHERE bill_id = ? ORDER BY line_no',
  );
  for (const r of rows) {
    const held = (lineStmt.all(r.id) as { amount_micros: number }[]).map((x) => x.amount_micros);
    if (
      toMicros(v.result.billedTotal).ok &&
      held.length === lines.length &&
      held.every((x, i) => x === lines[i])
    )
      return { id: r.id, differs: false };
  }
  return { id: null, differs: rows.length > 0 };
}

function insertManual(db: Database, v: Validation): number {
  const b = v.bill;
  const total = toMicros(String(b.total));
  const id = Number(
    db
      .prepare(
        `INSERT INTO bill (org_id, account_id, usage_point_id, tariff_id, bill_number, period_from, period_to,
           issued_on, meter_serial, read_previous, read_present, usage, usage_unit, total_micros, source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'manual')`,
      )
      .run(
        v.ctx.orgId,
        v.ctx.accountId,
        v.ctx.usagePointId,
        v.ctx.tariff.id,
        b.bill_number ?? null,
        b.period_from,
        b.period_to,
        b.issued_on ?? null,
        b.meter_serial ?? null,
        b.read_previous ?? null,
        b.read_present ?? null,
        b.usage ?? null,
        b.usage_unit ?? null,
        total.ok ? total.micros : 0,
      ).lastInsertRowid,
  );
  const ins = db.prepare(
    'INSERT INTO bill_line (bill_id, line_no, code, description, quantity, unit, rate, amount_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  b.lines.forEach((l, i) => {
    const m = toMicros(String(l.amount));
    ins.run(
      id,
      i + 1,
      l.code ?? null,
      l.description,
      l.quantity ?? null,
      l.unit ?? null,
      l.rate ?? null,
      m.ok ? m.micros : 0,
    );
  });
  return id;
}

/**
 * Recomputing a bill reads the customer's meter data (customer_usage): never for a role the
 * policy denies it (public); for consent-bound roles (consultant) only when the customer's valid
 * consent covers every usage point of the account.
 */
function requireUsageAccess(db: Database, role: Role, accountId: number): void {
  const rule = POLICY[role].customer_usage;
  if (rule === 'allow') return;
  if (rule === 'consent') {
    const subjects = db
      .prepare(
        `SELECT a.customer_id AS customerId, sa.usage_point_id AS usagePointId FROM account a
         LEFT JOIN service_agreement sa ON sa.account_id = a.id WHERE a.id = ?`,
      )
      .all(accountId) as { customerId: number | null; usagePointId: number | null }[];
    if (new ConsentChecker(db, new Date()).covers(subjects, 'customer_usage')) return;
    throw new EdwError(
      'usage',
      `the ${role} role may recompute this account's bill only with the customer's consent to use their energy data, and none covers it`,
      { reason: 'consent_missing', role },
    );
  }
  throw new EdwError(
    'usage',
    `the ${role} role cannot recompute a customer's bill (customer energy usage is not available to it)`,
    { reason: 'privacy_denied', role },
  );
}

function billInput(
  ws: { db: Database },
  input: { file?: string | undefined; bill?: unknown; billId?: number | undefined },
): unknown {
  const given = [input.file, input.bill, input.billId].filter((x) => x !== undefined).length;
  if (given !== 1)
    throw new EdwError('usage', 'give one of: a bill JSON file, a bill object or a stored bill id');
  if (input.file !== undefined) return readBillFile(input.file);
  if (input.billId !== undefined) return storedBillJson(ws.db, input.billId);
  return input.bill;
}

export function billingApp(
  session: Session,
): HandlerMap<
  'bill.compute' | 'bill.validate' | 'bill.list' | 'bill.exportReport' | 'bill.compare'
> {
  return {
    'bill.compute': (input) => {
      const ws = session.requireWorkspace();
      const ids = ws.db
        .prepare(
          `SELECT a.id FROM account a JOIN organization o ON o.id = a.org_id
           WHERE a.account_number = ? AND (? IS NULL OR o.code = ? COLLATE NOCASE)`,
        )
        .pluck()
        .all(input.account, input.org ?? null, input.org ?? null) as number[];
      for (const id of ids) requireUsageAccess(ws.db, session.role, id);
      return computeBill(ws.db, input);
    },
    'bill.validate': async (input, ctx) => {
      const ws = session.requireWorkspace();
      const raw = billInput(ws, input);
      const tol = toMicros(input.tolerance);
      if (!tol.ok || tol.micros < 0)
        throw new EdwError('usage', `--tolerance "${input.tolerance}" is not an amount of dollars`);
      ctx.progress({ phase: 'recomputing the bill', done: 0 });
      const v = validateBill(ws.db, raw, {
        toleranceMicros: tol.micros,
        ...(input.proration ? { proration: input.proration } : {}),
      });
      requireUsageAccess(ws.db, session.role, v.ctx.accountId);
      if (!input.store) return v.result;
      let held = storedBill(ws.db, v);
      if (held.id === null && !held.differs) {
        if (input.file !== undefined) {
          // Through the importer: one import batch, audit and findings like any bill import.
          await runImport(ws, { kind: 'bill', files: [input.file] }, { signal: ctx.signal });
          held = storedBill(ws.db, v);
        }
        if (held.id === null)
          held = { id: ws.db.transaction(() => insertManual(ws.db, v))(), differs: false };
      }
      if (held.id === null) {
        v.result.findings.push(
          'a different bill for this account and period is in the workspace (bills as billed are never overwritten): this validation is not stored',
        );
        return v.result;
      }
      v.result.billId = held.id;
      v.result.id = storeValidation(ws.db, v, held.id);
      return v.result;
    },
    'bill.list': (input) => {
      const ws = session.requireWorkspace();
      const rows = ws.db
        .prepare(
          `SELECT b.id, o.code AS org, a.account_number AS account, a.customer_id AS customerId,
                  b.usage_point_id AS usagePointId, up.source_key AS usagePoint, t.code AS tariff,
                  b.period_from AS "from", b.period_to AS "to", b.total_micros AS total, b.source,
                  (SELECT count(*) FROM bill_line l WHERE l.bill_id = b.id) AS lines,
                  v.id AS vId, v.passed AS vPassed, v.created_at AS vAt, v.summary AS vSummary
           FROM bill b JOIN organization o ON o.id = b.org_id JOIN account a ON a.id = b.account_id
           LEFT JOIN usage_point up ON up.id = b.usage_point_id LEFT JOIN tariff t ON t.id = b.tariff_id
           LEFT JOIN bill_validation v ON v.id = (SELECT max(id) FROM bill_validation WHERE bill_id = b.id)
           WHERE (? IS NULL OR a.account_number = ?) AND (? IS NULL OR o.code = ? COLLATE NOCASE)
           ORDER BY b.period_from DESC, b.id DESC LIMIT ?`,
        )
        .all(
          input.account ?? null,
          input.account ?? null,
          input.org ?? null,
          input.org ?? null,
          input.limit,
        ) as {
        id: number;
        org: string;
        account: string;
        customerId: number | null;
        usagePointId: number | null;
        usagePoint: string | null;
        tariff: string | null;
        from: string;
        to: string;
        total: number;
        source: string;
        lines: number;
        vId: number | null;
        vPassed: number | null;
        vAt: number | null;
        vSummary: string | null;
      }[];
      const consent = new ConsentChecker(ws.db, new Date());
      return rows.map((r): BillSummary => {
        // The user typed the account number: echoing it back discloses nothing new.
        const shown =
          input.account !== undefined ||
          accountVisible(ws.db, session.role, r.customerId, r.usagePointId, consent);
        return {
          id: r.id,
          org: r.org,
          account: shown ? r.account : REDACTED,
          accountShown: shown,
          usagePoint: r.usagePoint,
          tariff: r.tariff,
          from: r.from,
          to: r.to,
          total: dollars(r.total),
          lines: r.lines,
          source: r.source,
          lastValidation:
            r.vId === null
              ? null
              : {
                  id: r.vId,
                  passed: r.vPassed === 1,
                  at: r.vAt ?? 0,
                  summary: r.vSummary ?? '',
                },
        };
      });
    },
    'bill.exportReport': (input, ctx) => {
      const ws = session.requireWorkspace();
      const role = session.role;
      if (POLICY[role].customer_usage === 'deny') {
        ws.audit(role, 'privacy_decision', 'bill validation report', {
          decision: 'refused',
          dataClass: 'customer_usage',
        });
        throw new EdwError(
          'usage',
          `role ${role} may not see customer_usage data, and a bill validation report is a customer's bill; ask a user with another role`,
          { reason: 'privacy_denied', role, dataClass: 'customer_usage' },
        );
      }
      const tol = toMicros(input.tolerance);
      if (!tol.ok || tol.micros < 0)
        throw new EdwError('usage', `tolerance "${input.tolerance}" is not an amount of dollars`);
      const out = path.resolve(input.out);
      if (!fs.existsSync(path.dirname(out)) || !fs.statSync(path.dirname(out)).isDirectory())
        throw new EdwError('usage', `no such folder: ${path.dirname(out)}`);
      if (fs.existsSync(out) && fs.statSync(out).isDirectory())
        throw new EdwError('usage', `${out} is a folder: give a file name`);
      ctx.progress({ phase: 'recomputing the bill', done: 0 });
      const v = validateBill(ws.db, billInput(ws, input), {
        toleranceMicros: tol.micros,
        ...(input.proration ? { proration: input.proration } : {}),
      });
      const customer = ws.db
        .prepare('SELECT customer_id AS id FROM account WHERE id = ?')
        .get(v.ctx.accountId) as { id: number | null } | undefined;
      const subjects = [{ customerId: customer?.id ?? null, usagePointId: v.ctx.usagePointId }];
      const consent = new ConsentChecker(ws.db, new Date());
      if (
        POLICY[role].customer_usage === 'consent' &&
        !consent.covers(subjects, 'customer_usage')
      ) {
        ws.audit(role, 'privacy_decision', 'bill validation report', {
          decision: 'refused',
          dataClass: 'customer_usage',
          reason: 'no consent',
        });
        throw new EdwError(
          'usage',
          `role ${role} sees a customer's bills only with the customer's consent, and this customer has not consented to customer_usage`,
          { reason: 'privacy_denied', role, dataClass: 'customer_usage' },
        );
      }
      const shown = accountVisible(
        ws.db,
        role,
        subjects[0]?.customerId ?? null,
        v.ctx.usagePointId,
        consent,
      );
      const header = {
        org: v.ctx.org,
        account: shown ? v.ctx.account : REDACTED,
        usagePoint: v.ctx.usagePoint,
        tariff: v.ctx.tariff.code,
        from: v.ctx.from,
        to: v.ctx.to,
        generatedAt: new Date(),
        role,
      };
      const text =
        input.format === 'csv' ? reportCsv(v.result, header) : reportHtml(v.result, header);
      fs.writeFileSync(out, text, 'utf8');
      const bytes = Buffer.byteLength(text, 'utf8');
      ws.audit(role, 'export', out, {
        what: 'bill_validation_report',
        format: input.format,
        org: v.ctx.org,
        account: shown ? v.ctx.account : REDACTED,
        period: [v.ctx.from, v.ctx.to],
        lines: v.result.lines.length,
        passed: v.result.passed,
        tolerance: v.result.tolerance,
        redactedFields: shown ? 0 : 1,
        bytes,
      });
      return {
        file: out,
        format: input.format,
        bytes,
        lines: v.result.lines.length,
        passed: v.result.passed,
        redactedFields: shown ? 0 : 1,
      };
    },
    'bill.compare': (input, ctx) => {
      const ws = session.requireWorkspace();
      return compareRates(ws.db, input, {
        role: session.role,
        signal: ctx.signal,
        progress: ctx.progress,
      });
    },
  };
}
