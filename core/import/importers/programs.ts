// programs: program enrolments as the nightly delta feed delivers them (DESIGN.md native layout
// `program,account,premise,status,effective_date,change`, change add|update|end).
// An enrolment is keyed by (program, account) — or (program, premise) when the feed has no
// account. Rows are applied in effective-date order (then add, update, end; then file order),
// whatever order the file has them in, and every applied row is recorded in
// program_enrolment_change as received. Semantics:
// - add: creates an enrolment; an add for an enrolment that is still active is reported and
//   applied as an update; after an end, an add re-enrols (a new enrolment).
// - update: changes the status of the active enrolment (to ended: ends it); an update dated
//   before the enrolment's latest change is recorded but leaves the current status alone.
// - end: sets end_date and status ended; ending what is not there is rejected.
// A row identical to one already recorded (a re-sent night) is accepted and changes nothing.
import type { Database, Statement } from 'better-sqlite3';
import { RowError, type ImportContext, type ImporterResult } from '../types';
import { readMapped, type MappedRow } from '../tabular';
import { date, required } from '../parse';
import { guardRow } from '../run';
import { keepAttributes } from '../attributes';
import { Findings, Written, requireOrg, type Org } from './common';

export const ENROLMENT_STATUSES = ['enrolled', 'pending', 'completed', 'ended'] as const;
type Status = (typeof ENROLMENT_STATUSES)[number];
const CHANGES = ['add', 'update', 'end'] as const;
type Change = (typeof CHANGES)[number];

const STATUS_ALIASES: Record<string, Status> = {
  enroled: 'enrolled',
  enrol: 'enrolled',
  enroll: 'enrolled',
  active: 'enrolled',
  enr: 'enrolled',
  pend: 'pending',
  applied: 'pending',
  complete: 'completed',
  done: 'completed',
  end: 'ended',
  inactive: 'ended',
  cancelled: 'ended',
  canceled: 'ended',
  terminated: 'ended',
  'opt out': 'ended',
  'opted out': 'ended',
  optout: 'ended',
  withdrawn: 'ended',
  dropped: 'ended',
};

const CHANGE_ALIASES: Record<string, Change> = {
  a: 'add',
  new: 'add',
  enrol: 'add',
  enroll: 'add',
  insert: 'add',
  u: 'update',
  upd: 'update',
  chg: 'update',
  change: 'update',
  modify: 'update',
  mod: 'update',
  e: 'end',
  d: 'end',
  del: 'end',
  delete: 'end',
  term: 'end',
  terminate: 'end',
  drop: 'end',
};

function parseStatus(v: string): Status {
  const s = v
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
  if ((ENROLMENT_STATUSES as readonly string[]).includes(s)) return s as Status;
  const alias = STATUS_ALIASES[s];
  if (alias) return alias;
  throw new RowError(
    'status',
    v,
    `unknown enrolment status "${v}"; expected one of ${ENROLMENT_STATUSES.join(', ')}`,
  );
}

function parseChange(v: string): Change {
  const s = v.trim().toLowerCase();
  if ((CHANGES as readonly string[]).includes(s)) return s as Change;
  const alias = CHANGE_ALIASES[s];
  if (alias) return alias;
  throw new RowError('change', v, `unknown change "${v}"; expected add, update or end`);
}

/** A row of the feed, validated; applied once the whole file is read. */
interface Pending {
  line: number;
  program: { id: number; code: string };
  accountId: number | null;
  premiseId: number | null;
  /** How the row names its enrolment, for messages: "UES TOU-RES for account 110000001". */
  who: string;
  status: Status;
  day: string;
  change: Change;
  extras: Record<string, string>;
}

interface Enrolment {
  id: number;
  status: Status;
  effective_date: string;
  end_date: string | null;
}

const RANK: Record<Change, number> = { add: 0, update: 1, end: 2 };

class ProgramWriter {
  readonly written = new Written();
  readonly findings = new Findings();
  readonly pending: Pending[] = [];
  private readonly programs = new Map<string, { id: number; code: string }>();
  private readonly accounts = new Map<string, number>();
  private readonly premises = new Map<string, number>();
  private duplicates = 0;
  private readonly s: Record<string, Statement>;

  constructor(
    private readonly db: Database,
    private readonly org: Org,
    private readonly ctx: ImportContext,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      program: p('SELECT id, code FROM program WHERE org_id = ? AND code = ? COLLATE NOCASE'),
      programs: p('SELECT code FROM program WHERE org_id = ? ORDER BY code'),
      account: p('SELECT id FROM account WHERE org_id = ? AND account_number = ?'),
      premise: p('SELECT id FROM premise WHERE org_id = ? AND source_key = ?'),
      byAccount: p(
        'SELECT id, status, effective_date, end_date FROM program_enrolment WHERE program_id = ? AND account_id = ? ORDER BY end_date IS NULL DESC, id DESC LIMIT 1',
      ),
      byPremise: p(
        'SELECT id, status, effective_date, end_date FROM program_enrolment WHERE program_id = ? AND premise_id = ? ORDER BY end_date IS NULL DESC, id DESC LIMIT 1',
      ),
      insert: p(
        `INSERT INTO program_enrolment (program_id, account_id, premise_id, status, effective_date, end_date, import_batch_id)
         VALUES (?, ?, ?, ?, ?, NULL, ?)`,
      ),
      setStatus: p('UPDATE program_enrolment SET status = ?, import_batch_id = ? WHERE id = ?'),
      end: p(
        "UPDATE program_enrolment SET status = 'ended', end_date = ?, import_batch_id = ? WHERE id = ?",
      ),
      fillPremise: p(
        'UPDATE program_enrolment SET premise_id = coalesce(premise_id, ?), account_id = coalesce(account_id, ?) WHERE id = ?',
      ),
      recordedByAccount: p(
        `SELECT 1 FROM program_enrolment_change c JOIN program_enrolment e ON e.id = c.enrolment_id
         WHERE e.program_id = ? AND e.account_id = ? AND c.change = ? AND c.effective_date = ? AND c.status = ?`,
      ),
      recordedByPremise: p(
        `SELECT 1 FROM program_enrolment_change c JOIN program_enrolment e ON e.id = c.enrolment_id
         WHERE e.program_id = ? AND e.premise_id = ? AND c.change = ? AND c.effective_date = ? AND c.status = ?`,
      ),
      latestChange: p(
        'SELECT max(effective_date) AS day FROM program_enrolment_change WHERE enrolment_id = ?',
      ),
      record: p(
        'INSERT INTO program_enrolment_change (enrolment_id, change, effective_date, status, import_batch_id) VALUES (?, ?, ?, ?, ?) RETURNING id',
      ),
    };
  }

  private lookup(
    cache: Map<string, number>,
    stmt: string,
    column: string,
    key: string,
    what: string,
  ): number {
    let id = cache.get(key);
    if (id === undefined) {
      const row = this.s[stmt]!.get(this.org.id, key) as { id: number } | undefined;
      if (!row)
        throw new RowError(
          column,
          key,
          `unknown ${what} ${key} for ${this.org.code}; import the CIS file that has it first`,
        );
      id = row.id;
      cache.set(key, id);
    }
    return id;
  }

  private program(code: string): { id: number; code: string } {
    let p = this.programs.get(code.toLowerCase());
    if (!p) {
      p = this.s.program!.get(this.org.id, code) as { id: number; code: string } | undefined;
      if (!p) {
        const known = (this.s.programs!.all(this.org.id) as { code: string }[]).map((r) => r.code);
        throw new RowError(
          'program',
          code,
          `unknown program "${code}" for ${this.org.code}; ${known.length ? `its programs are ${known.join(', ')}` : 'it has no programs in this workspace'}`,
        );
      }
      this.programs.set(code.toLowerCase(), p);
    }
    return p;
  }

  /** Phase 1: validate a row and keep it for applying in date order. */
  read(r: MappedRow): void {
    const program = this.program(required('program', r.get('program')));
    const account = r.get('account');
    const premise = r.get('premise');
    if (!account && !premise)
      throw new RowError('account', '', 'an enrolment needs an account or a premise');
    const accountId = account
      ? this.lookup(this.accounts, 'account', 'account', account, 'account')
      : null;
    const premiseId = premise
      ? this.lookup(this.premises, 'premise', 'premise', premise, 'premise')
      : null;
    const status = parseStatus(required('status', r.get('status')));
    const day = date(
      'effective_date',
      required('effective_date', r.get('effective_date')),
      this.ctx.profile.dateFormat,
    );
    const change = parseChange(required('change', r.get('change')));
    if (change === 'add' && status === 'ended')
      throw new RowError('status', r.get('status'), 'an add cannot have status ended');
    this.pending.push({
      line: r.line,
      program,
      accountId,
      premiseId,
      who: `${program.code} for ${account ? `account ${account}` : `premise ${premise}`}`,
      status,
      day,
      change,
      extras: r.extras(),
    });
  }

  private find(p: Pending): Enrolment | null {
    const row =
      p.accountId !== null
        ? this.s.byAccount!.get(p.program.id, p.accountId)
        : this.s.byPremise!.get(p.program.id, p.premiseId);
    return (row as Enrolment | undefined) ?? null;
  }

  private record(p: Pending, enrolmentId: number): void {
    const id = (
      this.s.record!.get(enrolmentId, p.change, p.day, p.status, this.ctx.batchId) as {
        id: number;
      }
    ).id;
    this.written.add('program_enrolment_change');
    keepAttributes(this.db, 'program_enrolment_change', id, p.extras, this.ctx.batchId);
  }

  /** The same change of the same enrolment (any of its enrolments) is already recorded. */
  private isReplay(p: Pending): boolean {
    const seen =
      p.accountId !== null
        ? this.s.recordedByAccount!.get(p.program.id, p.accountId, p.change, p.day, p.status)
        : this.s.recordedByPremise!.get(p.program.id, p.premiseId, p.change, p.day, p.status);
    if (!seen) return false;
    this.duplicates++;
    return true;
  }

  private end(p: Pending, e: Enrolment): void {
    if (p.day < e.effective_date)
      throw new RowError(
        'effective_date',
        p.day,
        `${p.who}: end ${p.day} is before the enrolment's start ${e.effective_date}`,
      );
    this.s.end!.run(p.day, this.ctx.batchId, e.id);
    this.written.touch('program_enrolment', e.id);
  }

  private update(p: Pending, e: Enrolment): void {
    if (p.day < e.effective_date)
      throw new RowError(
        'effective_date',
        p.day,
        `${p.who}: ${p.change} dated ${p.day} is before the enrolment's start ${e.effective_date}`,
      );
    if (p.status === 'ended') return this.end(p, e);
    const latest = (this.s.latestChange!.get(e.id) as { day: string | null }).day;
    if (latest !== null && p.day < latest) {
      this.findings.add({
        kind: 'tolerated',
        subject: p.who,
        message: `line ${p.line}: ${p.who}: ${p.change} to ${p.status} dated ${p.day} arrived after a change dated ${latest}; recorded, current status ${e.status} kept`,
      });
      return;
    }
    this.s.setStatus!.run(p.status, this.ctx.batchId, e.id);
    this.s.fillPremise!.run(p.premiseId, p.accountId, e.id);
    this.written.touch('program_enrolment', e.id);
  }

  /** Phase 2: apply one row to the enrolments (throws RowError to reject it). */
  apply(p: Pending): void {
    const e = this.find(p);
    const active = e && e.end_date === null ? e : null;
    if (this.isReplay(p)) return;
    switch (p.change) {
      case 'add': {
        if (active) {
          this.findings.add({
            kind: 'tolerated',
            subject: p.who,
            message: `line ${p.line}: ${p.who}: add on ${p.day} for an enrolment active since ${active.effective_date}; applied as an update`,
          });
          this.update(p, active);
          this.record(p, active.id);
          return;
        }
        const id = Number(
          this.s.insert!.run(
            p.program.id,
            p.accountId,
            p.premiseId,
            p.status,
            p.day,
            this.ctx.batchId,
          ).lastInsertRowid,
        );
        this.written.touch('program_enrolment', id);
        this.record(p, id);
        return;
      }
      case 'update':
      case 'end': {
        if (!active) {
          if (e && p.change === 'end' && e.end_date === p.day) {
            this.duplicates++; // ended that day already: the same end, another status word
            return;
          }
          throw new RowError(
            'change',
            p.change,
            e
              ? `${p.who}: the enrolment ended on ${e.end_date}; ${p.change === 'end' ? 'it cannot end again' : 'an add re-enrols'}`
              : `${p.who}: no enrolment to ${p.change}; the feed must add it first`,
          );
        }
        if (p.change === 'end') this.end(p, active);
        else this.update(p, active);
        this.record(p, active.id);
        return;
      }
    }
  }

  /** Apply the rows in effective-date order; returns how many were rejected. */
  async applyAll(): Promise<number> {
    const rows = [...this.pending].sort(
      (a, b) =>
        (a.day < b.day ? -1 : a.day > b.day ? 1 : 0) ||
        RANK[a.change] - RANK[b.change] ||
        a.line - b.line,
    );
    const outOfOrder = rows.some((r, i) => r !== this.pending[i]);
    let rejected = 0;
    for (const [i, p] of rows.entries()) {
      if (!guardRow(this.ctx, p.line, () => this.apply(p))) rejected++;
      if (i % 5000 === 4999) await this.ctx.breathe();
    }
    if (outOfOrder)
      this.findings.add({
        kind: 'note',
        message: 'the rows are not in effective-date order; they were applied in date order',
      });
    if (this.duplicates)
      this.findings.add({
        kind: 'duplicate',
        count: this.duplicates,
        message: `${this.duplicates} row${this.duplicates > 1 ? 's' : ''} repeat changes already recorded; nothing to change`,
      });
    return rejected;
  }
}

export async function importPrograms(ctx: ImportContext): Promise<ImporterResult> {
  const org = requireOrg(ctx);
  const w = new ProgramWriter(ctx.db, org, ctx);
  const stats = await readMapped(ctx, (r) => w.read(r));
  const rejected = await w.applyAll();
  return {
    rowsTotal: stats.rowsTotal,
    rowsAccepted: stats.rowsAccepted - rejected,
    written: w.written.counts(),
    findings: w.findings.all(),
  };
}
