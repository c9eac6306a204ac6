// edw dataset <ws> <name> [--param k=v …] --out <file.csv> [--role R] [--json]
// edw dataset <ws> --list [--json]
// Runs a dataset under the role's privacy rules to CSV + <out>.json (docs/datasets.md).
import { Workbench } from '../../core/api/server';
import type { Output } from '../../core/api/definition';
import { paramsFromStrings, parseParams } from '../../core/datasets/params';
import { getDataset } from '../../core/datasets/registry';
import { EdwError } from '../../core/workspace/errors';
import type { Flags, Io } from '../main';
import { callJob } from '../progress';

const n = (x: number): string => x.toLocaleString('en-US');

export async function datasetCommand(
  ws: string,
  flags: Flags,
  io: Io,
  args: string[],
): Promise<number> {
  const [name, ...extra] = args;
  if (flags.list) {
    if (name !== undefined) throw new EdwError('usage', 'edw dataset --list takes no dataset name');
    return list(ws, flags, io);
  }
  if (name === undefined) {
    getDataset(''); // throws the usage error that lists the datasets
  }
  if (extra.length > 0)
    throw new EdwError('usage', `edw dataset takes one dataset name, got: ${args.join(' ')}`);
  const def = getDataset(name as string);
  const params = paramsFromStrings(flags.param ?? []);
  parseParams(def, params); // a bad parameter is a usage error before the workspace is opened
  if (!flags.out) throw new EdwError('usage', 'edw dataset needs --out <file.csv>');
  const wb = new Workbench({ role: flags.role });
  const showProgress = !flags.quiet;
  try {
    await wb.call('workspace.open', { path: ws });
    const r = await callJob(
      wb,
      'dataset.export',
      { name: def.name, params, out: flags.out },
      showProgress,
    );
    if (flags.json) {
      io.out(JSON.stringify({ ok: true, ...r }) + '\n');
      return 0;
    }
    io.out(
      `${r.name} v${r.version}: ${n(r.rowCount)} rows → ${r.outputPath} (dictionary ${r.dictionaryPath}) in ${r.seconds.toFixed(1)} s\n` +
        `  role ${r.role}: ${n(r.redactedCells)} cells redacted, ${n(r.withheldRows)} rows withheld without consent, ${n(r.suppressedCells)} cells suppressed (15/15)\n` +
        `  run ${r.id}, workspace fingerprint ${r.workspaceFingerprint.slice(0, 16)}…\n`,
    );
    return 0;
  } finally {
    wb.close();
  }
}

async function list(ws: string, flags: Flags, io: Io): Promise<number> {
  const wb = new Workbench({ role: flags.role });
  try {
    await wb.call('workspace.open', { path: ws });
    const defs = (await wb.call('dataset.list', {})) as Output<'dataset.list'>;
    if (flags.json) {
      io.out(JSON.stringify({ ok: true, datasets: defs }) + '\n');
      return 0;
    }
    for (const d of defs) {
      io.out(
        `${d.name.padEnd(24)} v${String(d.version).padEnd(3)} ${d.privacyClass.padEnd(15)} ${d.title}\n`,
      );
      for (const p of d.params)
        io.out(
          `    --param ${p.name}=<${p.values ? p.values.join('|') : p.type}>${p.default !== undefined ? ` (default ${String(p.default)})` : ''}${p.description ? `  ${p.description}` : ''}\n`,
        );
    }
    return 0;
  } finally {
    wb.close();
  }
}
