// edw index <ws>: run the statewide indexer and print its metrics.
import { Workbench } from '../../core/api/server';
import type { Flags, Io } from '../main';
import { callJob } from '../progress';

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
const n = (x: number): string => x.toLocaleString('en-US');

export async function indexCommand(ws: string, flags: Flags, io: Io): Promise<number> {
  const wb = new Workbench({ role: flags.role });
  const showProgress = !flags.quiet;
  try {
    await wb.call('workspace.open', { path: ws });
    const r = await callJob(wb, 'index.run', {}, showProgress);
    if (flags.json) {
      io.out(JSON.stringify({ ok: true, ...r }) + '\n');
      return 0;
    }
    io.out(
      `index run ${r.runId} in ${r.seconds.toFixed(1)} s: ${n(r.premises)} premise records, ` +
        `${n(r.pairsScored)} pairs scored, ${n(r.autoLinks)} auto links, ` +
        `${n(r.buildingRelations)} unit/building relations, review queue ${n(r.reviewQueue)}` +
        (r.decisionsApplied ? `, ${n(r.decisionsApplied)} reviewer decisions applied` : '') +
        (r.decisionConflicts ? `, ${n(r.decisionConflicts)} contradictory decisions` : '') +
        '\n',
    );
    const e = r.evaluation;
    if (e) {
      io.out(
        `premise matching against ground truth (${n(e.records)} records): ` +
          `precision ${pct(e.precision)}, recall ${pct(e.recall)}, F1 ${pct(e.f1)}\n`,
      );
    }
    io.out(
      `${'kind'.padEnd(18)} ${'IDs'.padStart(9)} ${'links'.padStart(9)} ${'new'.padStart(7)} ${'merged'.padStart(7)} ${'split'.padStart(7)}\n`,
    );
    for (const k of r.kinds) {
      io.out(
        `${k.kind.padEnd(18)} ${n(k.ids).padStart(9)} ${n(k.links).padStart(9)} ${n(k.created).padStart(7)} ${n(k.merged).padStart(7)} ${n(k.split).padStart(7)}\n`,
      );
    }
    return 0;
  } finally {
    wb.close();
  }
}
