// edw greenbutton export|import: Green Button (ESPI) feeds out of and into a workspace.
//   export <ws> --usage-point UP [--usage-point UP…] [--customer C] [--org ORG] [--from D --to D]
//          [--espi 3.3|4.0] [--grantee ORG] --out <file.xml>
//   import <ws> <file…> [--org ORG] …   (an alias of `edw import <ws> greenbutton <file…>`)
import { Workbench } from '../../core/api/server';
import { EdwError } from '../../core/workspace/errors';
import type { Flags, Io } from '../main';
import { callJob } from '../progress';

type ImportCommand = (ws: string, flags: Flags, io: Io, args: string[]) => Promise<number>;

export async function greenbuttonCommand(
  sub: string,
  flags: Flags,
  io: Io,
  args: string[],
  importCommand: ImportCommand,
): Promise<number> {
  const [ws, ...files] = args;
  if (sub === 'import') {
    if (!ws) throw new EdwError('usage', 'edw greenbutton import needs a workspace and files');
    return importCommand(ws, flags, io, ['greenbutton', ...files]);
  }
  if (sub !== 'export')
    throw new EdwError('usage', `edw greenbutton: unknown subcommand "${sub}" (export or import)`);
  if (!ws || files.length > 0)
    throw new EdwError('usage', 'edw greenbutton export needs exactly one workspace path');
  if (!flags.out) throw new EdwError('usage', 'edw greenbutton export needs --out <file.xml>');
  if (flags.espi !== undefined && flags.espi !== '3.3' && flags.espi !== '4.0')
    throw new EdwError('usage', `--espi must be 3.3 or 4.0, not "${flags.espi}"`);
  const wb = new Workbench({ role: flags.role });
  const showProgress = !flags.quiet;
  try {
    await wb.call('workspace.open', { path: ws });
    const r = await callJob(
      wb,
      'greenbutton.export',
      {
        usagePoints: flags['usage-point'] ?? [],
        customer: flags.customer,
        org: flags.org,
        from: flags.from,
        to: flags.to,
        grantee: flags.grantee,
        espi: flags.espi ?? '3.3',
        out: flags.out,
      },
      showProgress,
    );
    if (flags.json) {
      io.out(JSON.stringify({ ok: true, ...r }) + '\n');
      return 0;
    }
    io.out(
      `wrote ${r.file} (ESPI ${r.espi}, ${(r.bytes / 1e6).toFixed(1)} MB) in ${r.seconds.toFixed(1)} s: ` +
        `${r.usagePoints.length} usage point${r.usagePoints.length === 1 ? '' : 's'}, ` +
        `${r.readings.toLocaleString('en-US')} readings in ${r.intervalBlocks.toLocaleString('en-US')} interval blocks, ` +
        `${r.usageSummaries} usage summar${r.usageSummaries === 1 ? 'y' : 'ies'}; ` +
        `allowed by ${r.authorization.basis === 'role' ? `role ${r.authorization.role}` : `consent ${r.authorization.consents.map((c) => `#${c}`).join(', ')}`}\n`,
    );
    for (const s of r.series)
      io.out(
        `  ${s.usagePoint} ${s.readingType}: ${s.readings.toLocaleString('en-US')} readings, uom ${s.uom} × 10^${s.powerOfTenMultiplier}` +
          `${s.missing ? `, ${s.missing} missing not written` : ''}${s.rounded ? `, ${s.rounded} rounded` : ''}\n`,
      );
    for (const n of r.notes) io.out(`  note: ${n}\n`);
    return 0;
  } finally {
    wb.close();
  }
}
