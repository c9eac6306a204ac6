import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workspace } from '../workspace/workspace';
import { tmpDir } from '../testing/tmp';
import { ConsentChecker, parseScope } from './consent';
import { planPrivacy, RowPrivacy, type ClassedColumn } from './redact';
import { REDACTED, parseRole } from './roles';

let ws: Workspace;
const NOW = new Date('2020-06-15T12:00:00Z');
const NOW_EPOCH = Math.floor(NOW.getTime() / 1000);

/** Customers 1..6 of one utility with consents (hand-made, see each line). */
function seed(db: Workspace['db']): void {
  db.exec(`INSERT INTO organization (id, code, name, kind) VALUES (1, 'UES', 'Unitil', 'utility')`);
  for (let c = 1; c <= 7; c++)
    db.prepare(`INSERT INTO customer (id, org_id, source_key) VALUES (?, 1, ?)`).run(c, `C${c}`);
  const ins = db.prepare(
    `INSERT INTO consent (customer_id, grantee_org_id, scope, valid_from, valid_to, revoked_at)
     VALUES (?, 1, ?, ?, ?, ?)`,
  );
  const both = JSON.stringify({ dataClasses: ['pii', 'customer_usage'] });
  // 1: valid, open-ended, both classes.
  ins.run(1, both, '2020-01-01', null, null);
  // 2: ends exactly today (valid_to inclusive) — valid.
  ins.run(2, both, '2019-01-01', '2020-06-15', null);
  // 3: expired yesterday.
  ins.run(3, both, '2019-01-01', '2020-06-14', null);
  // 4: starts tomorrow.
  ins.run(4, both, '2020-06-16', null, null);
  // 5: revoked one second before now; 6: revocation one second after now (still valid).
  ins.run(5, both, '2020-01-01', null, NOW_EPOCH - 1);
  ins.run(
    6,
    JSON.stringify({ dataClasses: ['customer_usage'] }),
    '2020-01-01',
    null,
    NOW_EPOCH + 1,
  );
  // 7: pii only for usage point 70, plus a malformed consent that grants nothing.
  ins.run(
    7,
    JSON.stringify({ dataClasses: ['pii'], usagePointIds: [70] }),
    '2020-01-01',
    null,
    null,
  );
  ins.run(7, '{"classes":"all"', '2020-01-01', null, null);
}

beforeEach(() => {
  ws = Workspace.create(path.join(tmpDir(), 'p.edw'));
  seed(ws.db);
});
afterEach(() => ws.close());

const s = (customerId: number | null, usagePointId: number | null = null) => ({
  customerId,
  usagePointId,
});

describe('consent', () => {
  it('is valid between valid_from and valid_to inclusive and until revoked', () => {
    const c = new ConsentChecker(ws.db, NOW);
    expect(c.asOfDate).toBe('2020-06-15');
    const pii = [1, 2, 3, 4, 5, 6].map((id) => c.coversSubject(s(id), 'pii'));
    expect(pii).toEqual([true, true, false, false, false, false]);
    const usage = [1, 2, 3, 4, 5, 6].map((id) => c.coversSubject(s(id), 'customer_usage'));
    expect(usage).toEqual([true, true, false, false, false, true]);
  });

  it('honours usage points named in the scope and ignores malformed scopes', () => {
    const c = new ConsentChecker(ws.db, NOW);
    expect(c.coversSubject(s(7, 70), 'pii')).toBe(true);
    expect(c.coversSubject(s(7, 71), 'pii')).toBe(false);
    expect(c.coversSubject(s(7, null), 'pii')).toBe(false);
    expect(c.coversSubject(s(7, 70), 'customer_usage')).toBe(false);
    expect(c.malformed).toBe(1);
    expect(parseScope('not json')).toBeNull();
    expect(parseScope('{"dataClasses":["pii"]}')?.classes.has('pii')).toBe(true);
  });

  it('covers a row only when it has subjects and every one consented', () => {
    const c = new ConsentChecker(ws.db, NOW);
    expect(c.covers([s(1), s(2)], 'pii')).toBe(true);
    expect(c.covers([s(1), s(3)], 'pii')).toBe(false);
    expect(c.covers([], 'pii')).toBe(false);
    expect(c.covers([s(null)], 'pii')).toBe(false);
  });
});

const COLUMNS: ClassedColumn[] = [
  { name: 'premise_id', dataClass: 'system' },
  { name: 'address', dataClass: 'pii' },
  { name: 'account', dataClass: 'pii' },
  { name: 'programs', dataClass: 'customer_usage' },
];
const ROW = ['P1', '1 Main St', 'A-1', 'TOU'];

describe('redaction by role and consent', () => {
  it('utility-staff sees PII as is', () => {
    const p = new RowPrivacy(planPrivacy(COLUMNS, 'utility-staff'), null);
    expect(p.apply(ROW, [s(3)])).toEqual(ROW);
    expect(p.redactedCells).toBe(0);
  });

  it('analyst: PII kept for consenting customers, redacted otherwise; usage rows all kept', () => {
    const plan = planPrivacy(COLUMNS, 'analyst');
    expect(plan.consentClasses).toEqual([]);
    const p = new RowPrivacy(plan, new ConsentChecker(ws.db, NOW));
    expect(p.apply(ROW, [s(1)])).toEqual(ROW);
    expect(p.apply(ROW, [s(3)])).toEqual(['P1', REDACTED, REDACTED, 'TOU']);
    // One consenting and one non-consenting customer: redacted.
    expect(p.apply(ROW, [s(1), s(3)])).toEqual(['P1', REDACTED, REDACTED, 'TOU']);
    // No customer: nobody consented, redacted; an empty value stays empty.
    expect(p.apply(['P2', null, '', 'TOU'], [])).toEqual(['P2', null, '', 'TOU']);
    expect(p.apply(['P2', 'x', null, null], [])).toEqual(['P2', REDACTED, null, null]);
    expect(p.redactedCells).toBe(5);
    expect(p.withheldRows).toBe(0);
  });

  it('consultant: rows of customers without usage consent are withheld and counted', () => {
    const p = new RowPrivacy(planPrivacy(COLUMNS, 'consultant'), new ConsentChecker(ws.db, NOW));
    expect(p.apply(ROW, [s(1)])).toEqual(ROW);
    // Customer 6 consented to usage only: row kept, PII redacted.
    expect(p.apply(ROW, [s(6)])).toEqual(['P1', REDACTED, REDACTED, 'TOU']);
    expect(p.apply(ROW, [s(3)])).toBeNull();
    expect(p.apply(ROW, [s(1), s(4)])).toBeNull();
    expect(p.apply(ROW, [])).toBeNull();
    expect(p.withheldRows).toBe(3);
    expect(p.redactedCells).toBe(2);
  });

  it('public: a dataset with customer_usage columns refuses to run, naming role and class', () => {
    expect(() => planPrivacy(COLUMNS, 'public', 'core-06-index')).toThrow(
      /role public may not see customer_usage data, and core-06-index has customer_usage columns \(programs\)/,
    );
    // Without usage columns the public gets the rows with PII always redacted, no consent asked.
    const plan = planPrivacy(COLUMNS.slice(0, 3), 'public');
    expect(plan.needsConsent).toBe(false);
    const p = new RowPrivacy(plan, null);
    expect(p.apply(ROW.slice(0, 3), [s(1)])).toEqual(['P1', REDACTED, REDACTED]);
  });

  it('parses role names', () => {
    expect(parseRole('oca')).toBe('oca');
    expect(parseRole('admin')).toBeNull();
  });
});
