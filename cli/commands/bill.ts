// edw bill compute|validate: the billing engine and the test-bill validator (docs/billing.md).
//   compute  <ws> --account A --from D --to D [--org ORG] [--tariff CODE] [--proration days|usage]
//   validate <ws> <bill.json> [--tolerance 0.01] [--proration days|usage]
//   compare  <ws> --org ORG --tariff-b CODE --from D --to D [--tariff-a CODE] [--rate-class CODE]
// Exit codes: validate exits 2 when the bill fails at the tolerance.
import { Workbench } from '../../core/api/server';
import type { Output } from '../../core/api/definition';
import { EdwError } from '../../core/workspace/errors';
import type { Flags, Io } from '../main';
import { endProgress, stderrProgress } from '../progress';

function proration(flags: Flags): 'days' | 'usage' | undefined {
  const p = flags.proration;
  if (p === undefined) return undefined;
  if (p !== 'days' && p !== 'usage')
    throw new EdwError('usage', `--proration must be days or usage, not "${p}"`);
  return p;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

export async function billCommand(
  sub: string,
  flags: Flags,
  io: Io,
  args: string[],
): Promise<number> {
  const [ws, ...files] = args;
  if (sub !== 'compute' && sub !== 'validate' && sub !== 'compare')
    throw new EdwError(
      'usage',
      `edw bill: unknown subcommand "${sub}" (compute, validate or compare)`,
    );
  if (!ws) throw new EdwError('usage', `edw bill ${sub} needs a workspace path`);
  const wb = new Workbench({ role: flags.role });
  const showProgress = !flags.quiet;
  try {
    await wb.call('workspace.open', { path: ws });
    if (sub === 'compare') return await compare(wb, flags, io, files, showProgress);
    if (sub === 'compute') {
      if (files.length > 0)
        throw new EdwError('usage', 'edw bill compute takes one workspace path');
      if (!flags.account || !flags.from || !flags.to)
        throw new EdwError(
          'usage',
          'edw bill compute needs --account A --from YYYY-MM-DD --to YYYY-MM-DD',
        );
      const p = proration(flags);
      const b = (await wb.call('bill.compute', {
        account: flags.account,
        from: flags.from,
        to: flags.to,
        ...(flags.org ? { org: flags.org } : {}),
        ...(flags.tariff ? { tariff: flags.tariff } : {}),
        ...(p ? { proration: p } : {}),
      })) as Output<'bill.compute'>;
      if (flags.json) {
        io.out(JSON.stringify({ ok: true, ...b }) + '\n');
        return 0;
      }
      const d = b.determinants;
      io.out(
        `${b.org} account ${b.account} (usage point ${b.usagePoint}), tariff ${b.tariff.code} ${b.tariff.name}\n` +
          `period ${b.from} → ${b.to} (${b.days} days), ${d.usage} ${d.unit} from ${d.source}` +
          `${d.peakKw !== null ? `, peak ${d.peakKw} kW` : ''}; rounding ${b.rounding}` +
          `${b.versions.length > 1 ? `; prorated by ${b.proration} over versions ${b.versions.map((v) => `${v.from} (${v.days} d)`).join(', ')}` : ''}\n`,
      );
      for (const [k, v] of Object.entries(d.usageByPeriod))
        io.out(`  ${pad(k, 20)} ${v} ${d.unit}\n`);
      for (const f of d.flags) io.out(`  ! ${f.message}\n`);
      for (const l of b.lines)
        io.out(
          `  ${pad(l.description, 32)} ${lpad(l.quantity, 12)} ${pad(l.unit ?? '', 5)} × ${pad(l.rate, 12)} ${lpad(l.amount, 10)}\n`,
        );
      io.out(`  ${pad('Total', 32)} ${lpad(b.total, 43)}\n`);
      return 0;
    }
    const [file, ...extra] = files;
    if (!file || extra.length > 0)
      throw new EdwError(
        'usage',
        'edw bill validate needs a workspace path and one bill JSON file',
      );
    const p = proration(flags);
    const r = (await wb.call(
      'bill.validate',
      { file, tolerance: flags.tolerance ?? '0.01', ...(p ? { proration: p } : {}) },
      { progress: stderrProgress(showProgress) },
    )) as Output<'bill.validate'>;
    endProgress(showProgress);
    if (flags.json) {
      io.out(JSON.stringify({ ok: r.passed, ...r }) + '\n');
      return r.passed ? 0 : 2;
    }
    io.out(`${r.summary}\n`);
    for (const f of r.findings) io.out(`  finding: ${f}\n`);
    io.out(
      `  ${pad('line', 30)} ${lpad('billed', 9)} ${lpad('recomputed', 10)} ${lpad('diff', 7)}\n`,
    );
    for (const l of r.lines) {
      io.out(
        `  ${pad(l.description, 30)} ${lpad(l.billed ?? '-', 9)} ${lpad(l.recomputed ?? '-', 10)} ${lpad(l.difference, 7)}  ${l.cause}\n`,
      );
      if (l.cause !== 'match' || l.differenceMicros !== 0) io.out(`      ${l.explanation}\n`);
    }
    return r.passed ? 0 : 2;
  } finally {
    wb.close();
  }
}

async function compare(
  wb: Workbench,
  flags: Flags,
  io: Io,
  extra: string[],
  showProgress: boolean,
): Promise<number> {
  if (extra.length > 0) throw new EdwError('usage', 'edw bill compare takes one workspace path');
  if (!flags.org || !flags['tariff-b'] || !flags.from || !flags.to)
    throw new EdwError(
      'usage',
      'edw bill compare needs --org ORG --tariff-b CODE --from YYYY-MM-DD --to YYYY-MM-DD',
    );
  const r = (await wb.call(
    'bill.compare',
    {
      org: flags.org,
      tariffB: flags['tariff-b'],
      from: flags.from,
      to: flags.to,
      ...(flags['tariff-a'] ? { tariffA: flags['tariff-a'] } : {}),
      ...(flags['rate-class'] ? { rateClass: flags['rate-class'] } : {}),
    },
    { progress: stderrProgress(showProgress) },
  )) as Output<'bill.compare'>;
  endProgress(showProgress);
  if (flags.json) {
    io.out(JSON.stringify({ ok: true, ...r }) + '\n');
    return 0;
  }
  const s = r.summary;
  const v = (x: string | number | null) => (x === null ? 'suppressed' : String(x));
  io.out(
    `${r.org} rate class ${r.rateClass}: ${r.tariffA ? r.tariffA.code : "each agreement's tariff"} → ${r.tariffB.code}, ${r.from} → ${r.to} (${r.days} days)\n` +
      `  ${r.candidates} agreements, ${r.billed} billed on both tariffs` +
      `${r.failures.count ? `, ${r.failures.count} failed` : ''} (${r.seconds} s)\n`,
  );
  for (const x of r.excluded) io.out(`  excluded ${x.count}: ${x.reason}\n`);
  io.out(
    `  winners ${v(s.winners)}, losers ${v(s.losers)}, unchanged ${v(s.unchanged)}\n` +
      `  mean change ${v(s.meanChange)} (${v(s.meanPercent)} %), median ${v(s.medianChange)}, total ${v(s.totalA)} → ${v(s.totalB)} (${v(s.totalPercent)} %)\n` +
      `  histogram, ${r.histogram.rule}\n`,
  );
  for (const b of r.histogram.bins)
    io.out(`    ${lpad(b.from, 9)} to ${lpad(b.to, 9)}  ${v(b.customers)}\n`);
  for (const m of r.failures.messages) io.out(`  ! ${m}\n`);
  return 0;
}
