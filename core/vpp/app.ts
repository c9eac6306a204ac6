// Handlers for vpp.* methods: validate or load a scenario, run a season simulation (a job:
// progress, cancel, nothing saved unless complete), list runs, read a run's report, export a
// stage table as CSV.
import type { HandlerMap } from '../api/server';
import type { Session } from '../api/session';
import { EdwError } from '../workspace/errors';
import { access } from '../privacy/roles';
import demoScenario from '../../fixtures/vpp/summer-2018.json';
import { buildReport } from './report';
import { parseScenarioText, validateScenario } from './scenario';
import { simulate } from './simulate';
import { storeRun, tableCsv } from './store';
import type { VppReportT } from './schema';

type VppMethods = 'vpp.scenario' | 'vpp.simulate' | 'vpp.runs' | 'vpp.report' | 'vpp.table';

export const DEMO_SCENARIO_TEXT = JSON.stringify(demoScenario, null, 2);

/**
 * Per-participant results (enrolment, dispatch, baselines, payments) are customer energy usage:
 * a role the privacy policy denies it (public) may not run a workspace fleet or read its tables.
 * Consent-bound roles may: every participant enrolled with a valid consent (stage .1 excludes
 * the others).
 */
function requireParticipantAccess(session: Session): void {
  if (access(session.role, 'customer_usage') === 'deny') {
    throw new EdwError(
      'usage',
      `the ${session.role} role cannot see per-participant VPP results (customer energy usage); run it as analyst, OCA, consultant or utility staff`,
      { reason: 'privacy_denied', role: session.role },
    );
  }
}

function seasonDays(start: string, end: string): number {
  return (Date.parse(end) - Date.parse(start)) / 86_400_000 + 1;
}

export function vppApp(session: Session): HandlerMap<VppMethods> {
  return {
    'vpp.scenario': (input) => {
      const text = input.demo || input.text === undefined ? DEMO_SCENARIO_TEXT : input.text;
      const v = parseScenarioText(text);
      return v.ok
        ? {
            valid: true,
            issues: [],
            text,
            name: v.scenario.name,
            days: seasonDays(v.scenario.season.start, v.scenario.season.end),
          }
        : { valid: false, issues: v.issues, text, name: null, days: null };
    },
    'vpp.simulate': async (input, ctx) => {
      const v =
        typeof input.scenario === 'string'
          ? parseScenarioText(input.scenario)
          : validateScenario(input.scenario);
      if (!v.ok)
        throw new EdwError(
          'usage',
          `invalid scenario: ${v.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          { issues: v.issues },
        );
      const ws = v.scenario.fleet.fromWorkspace ? session.requireWorkspace() : session.workspace;
      if (v.scenario.fleet.fromWorkspace) requireParticipantAccess(session);
      const t0 = performance.now();
      const r = await simulate(ws?.db ?? null, v.scenario, {
        progress: ctx.progress,
        signal: ctx.signal,
      });
      const seconds = (performance.now() - t0) / 1000;
      const report = buildReport(r, null, seconds);
      if (input.save && ws) {
        const runId = await storeRun(ws.db, r, { ...report, runId: null }, seconds, session.role, {
          progress: ctx.progress,
          signal: ctx.signal,
        });
        report.runId = runId;
        ws.db
          .prepare('UPDATE vpp_run SET summary = ? WHERE id = ?')
          .run(JSON.stringify(report), runId);
      }
      return report as VppReportT;
    },
    'vpp.runs': () => {
      const db = session.requireWorkspace().db;
      return db
        .prepare(
          `SELECT id, name, season_start AS seasonStart, season_end AS seasonEnd, created_at AS createdAt, seconds,
                  settlement_cents AS settlementCents, fee_cents AS feeCents FROM vpp_run ORDER BY id DESC`,
        )
        .all() as {
        id: number;
        name: string;
        seasonStart: string;
        seasonEnd: string;
        createdAt: number;
        seconds: number;
        settlementCents: number;
        feeCents: number;
      }[];
    },
    'vpp.report': (input) => {
      const db = session.requireWorkspace().db;
      requireParticipantAccess(session);
      const row = db.prepare('SELECT summary FROM vpp_run WHERE id = ?').get(input.runId) as
        { summary: string } | undefined;
      if (!row) throw new EdwError('not_found', `no VPP run ${input.runId}`);
      return JSON.parse(row.summary) as VppReportT;
    },
    'vpp.table': (input) => {
      const db = session.requireWorkspace().db;
      requireParticipantAccess(session);
      const run = db.prepare('SELECT name FROM vpp_run WHERE id = ?').get(input.runId) as
        { name: string } | undefined;
      if (!run) throw new EdwError('not_found', `no VPP run ${input.runId}`);
      const { csv, rows } = tableCsv(db, input.runId, input.table);
      db.prepare(
        `INSERT INTO audit_log (at, role, action, subject, details) VALUES (?,?,?,?,?)`,
      ).run(
        Math.floor(Date.now() / 1000),
        session.role,
        'export',
        `${input.table} of vpp_run ${input.runId}`,
        JSON.stringify({ rows }),
      );
      return { fileName: `vpp-run${input.runId}-${input.table}.csv`, rows, csv };
    },
  };
}
