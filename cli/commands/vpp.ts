// edw vpp simulate <ws> --scenario <s.json|demo> --out <report.json> [--export-dir D] [--json]
// Runs a VPP season (docs/vpp.md), saves the run and its stage tables in the workspace, writes
// the report JSON; --export-dir writes every stage table as CSV. Progress on stderr; Ctrl+C
// cancels (nothing is saved). Exit 2 when the scenario is infeasible or enrols no DER.
import fs from 'node:fs';
import path from 'node:path';
import { Workbench } from '../../core/api/server';
import type { Output } from '../../core/api/definition';
import { EdwError } from '../../core/workspace/errors';
import { STAGE_TABLE_NAMES } from '../../core/vpp/schema';
import type { Flags, Io } from '../main';
import { callJob } from '../progress';

export async function vppCommand(
  sub: string,
  flags: Flags,
  io: Io,
  args: string[],
): Promise<number> {
  if (sub !== 'simulate')
    throw new EdwError('usage', `edw vpp: unknown subcommand "${sub}" (simulate)`);
  const [ws, ...extra] = args;
  if (!ws || extra.length > 0)
    throw new EdwError('usage', 'edw vpp simulate takes one workspace path');
  if (!flags.scenario)
    throw new EdwError(
      'usage',
      'edw vpp simulate needs --scenario <file.json> (or --scenario demo)',
    );
  if (!flags.out && !flags.json)
    throw new EdwError('usage', 'edw vpp simulate needs --out <report.json> (or --json)');
  const wb = new Workbench({ role: flags.role });
  const showProgress = !flags.quiet;
  try {
    await wb.call('workspace.open', { path: ws });
    let text: string;
    if (flags.scenario === 'demo') {
      text = ((await wb.call('vpp.scenario', { demo: true })) as Output<'vpp.scenario'>).text;
    } else {
      if (!fs.existsSync(flags.scenario))
        throw new EdwError('usage', `no such scenario file: ${flags.scenario}`);
      text = fs.readFileSync(flags.scenario, 'utf8');
    }
    const check = (await wb.call('vpp.scenario', { text })) as Output<'vpp.scenario'>;
    if (!check.valid)
      throw new EdwError(
        'usage',
        `invalid scenario ${flags.scenario}:\n${check.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
        {
          issues: check.issues,
        },
      );
    const report = await callJob(wb, 'vpp.simulate', { scenario: text }, showProgress);
    if (flags.out) fs.writeFileSync(flags.out, JSON.stringify(report, null, 2) + '\n');
    const exported: string[] = [];
    const dir = flags['export-dir'];
    if (dir && report.runId !== null) {
      fs.mkdirSync(dir, { recursive: true });
      for (const table of STAGE_TABLE_NAMES) {
        const t = (await wb.call('vpp.table', {
          runId: report.runId,
          table,
        })) as Output<'vpp.table'>;
        const file = path.join(dir, t.fileName);
        fs.writeFileSync(file, t.csv);
        exported.push(file);
      }
    }
    if (flags.json) {
      const { series: _series, statements, ...rest } = report;
      void _series;
      io.out(
        JSON.stringify({
          ...rest,
          participants: statements.length,
          out: flags.out ?? null,
          exported,
        }) + '\n',
      );
    } else {
      const d = report.distribution;
      const f = report.forecast.fleet;
      const usd = (c: number): string => `$${(c / 100).toFixed(2)}`;
      io.out(
        `VPP run ${report.runId ?? '-'} "${report.scenario}" ${report.season.start} → ${report.season.end} (${report.season.days} days) in ${report.seconds.toFixed(1)} s\n` +
          `  enrolment: ${report.enrolment.enrolled} DERs enrolled, ${report.enrolment.excluded} excluded, ${report.enrolment.participants} participants\n` +
          `  forecast: fleet MAPE ${f.mape === null ? 'n/a' : f.mape.toFixed(2) + ' %'}, MASE ${f.mase === null ? 'n/a' : f.mase.toFixed(3)}\n` +
          `  optimisation: ${report.optimisation.lps} LPs (${report.optimisation.mips} MIPs), ${report.optimisation.coupledCircuits} circuit re-solves, ${report.optimisation.solveSeconds} s\n` +
          `  settlement (${report.settlement.baseline}): ${usd(d.settlementCents)} = payments ${usd(d.paymentsCents)} + aggregator fee ${usd(d.feeCents)}${d.reconciles ? ' (reconciles)' : ' (DOES NOT RECONCILE)'}\n` +
          (flags.out ? `  report: ${flags.out}\n` : '') +
          (exported.length ? `  stage tables: ${exported.length} CSV files in ${dir}\n` : ''),
      );
    }
    return 0;
  } finally {
    wb.close();
  }
}
