// edw — the command-line host of the core API (contract: DESIGN.md "CLI contract").
// Exit codes: 0 success, 1 usage error, 2 input rejected, 3 workspace error.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Workbench } from '../core/api/server';
import { EdwError } from '../core/workspace/errors';
import { Workspace } from '../core/workspace/workspace';
import type { Output } from '../core/api/definition';
import { startHttpHost } from './serve/httpHost';
import { callJob, endProgress, stderrProgress } from './progress';
import { indexCommand } from './commands/index';
import { greenbuttonCommand } from './commands/greenbutton';
import { datasetCommand } from './commands/dataset';
import { billCommand } from './commands/bill';
import { vppCommand } from './commands/vpp';
import { ROLES, Role } from '../core/privacy/roles';

const USAGE = `edw — Energy Data Workbench

Usage:
  edw init <workspace> [--demo] [--scale premises=N,days=D] [--json]
  edw info <workspace> [--json]
  edw migrate <workspace> [--json]
  edw serve <workspace> [--port N]
  edw import <workspace> <kind> <file…> [--org ORG] [--profile P] [--strict] [--rejects-dir D] [--json]
      kinds: cis, intervals, reads, greenbutton, tariff, topology, der, programs, submeter, bill
      --profile: a saved profile's name or a profile JSON file
  edw index <workspace> [--json]
      run the statewide indexer: match premises, assign platform IDs, print metrics
  edw greenbutton export <workspace> --usage-point UP [--usage-point UP…] [--customer C] [--org ORG]
      [--from D --to D] [--espi 3.3|4.0] [--grantee ORG] --out <file.xml> [--json]
      Green Button (ESPI) feed of usage points (several: a bulk feed) or of a customer's usage
      points; dates are local and inclusive; checks role and consent; audited
  edw greenbutton import <workspace> <file…> --org ORG   (same as edw import <ws> greenbutton)
  edw dataset <workspace> <name> [--param k=v …] --out <file.csv> [--json]
      run a dataset under the role's privacy rules to CSV plus <file.csv>.json (data
      dictionary and run record); audited
  edw dataset <workspace> --list [--json]   datasets with versions, privacy class, parameters
  edw bill compute <workspace> --account A --from D --to D [--org ORG] [--tariff CODE]
      [--proration days|usage] [--json]
      an account's bill from its tariff and meter data; D are the read dates (days [from, to))
  edw bill validate <workspace> <bill.json> [--tolerance 0.01] [--proration days|usage] [--json]
      recompute a bill as billed and explain each line; exit 2 when it fails at the tolerance
  edw bill compare <workspace> --org ORG --tariff-b CODE --from D --to D [--tariff-a CODE]
                   [--rate-class CODE] [--json]
      rate-design comparison: bill the rate class's customers on tariff A (default: their own)
      and on tariff B from the same interval data; winners, losers, mean/median change
  edw vpp simulate <workspace> --scenario <s.json|demo> --out <report.json> [--export-dir D] [--json]
      simulate a VPP season (SMV-03 .1–.7) and save its stage tables; --export-dir writes them
      as CSV; Ctrl+C cancels; exit 2 when the scenario is infeasible or enrols no DER

Every command takes --json to print one JSON object on stdout; progress goes to stderr.
--role R (analyst, oca, consultant, utility-staff, public; default analyst) decides what exports
may contain and is written to the audit log.
Exit codes: 0 success, 1 usage error, 2 input rejected, 3 workspace error.
`;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

export function parseScale(spec: string): { premises?: number; days?: number } {
  const out: { premises?: number; days?: number } = {};
  for (const part of spec.split(',')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    const n = Number(v);
    if ((k !== 'premises' && k !== 'days') || !v || !Number.isInteger(n) || n <= 0) {
      throw new EdwError(
        'usage',
        `bad --scale part "${part}": expected premises=N,days=D with positive integers`,
      );
    }
    out[k] = n;
  }
  return out;
}

function rendererDir(): string {
  // dist/cli/edw.cjs → dist/renderer
  return path.resolve(__dirname, '..', 'renderer');
}

async function init(ws: string, flags: Flags, io: Io): Promise<number> {
  const wb = new Workbench({ role: flags.role });
  const showProgress = !flags.quiet;
  try {
    const scale = flags.scale ? parseScale(flags.scale) : undefined;
    if (scale && !flags.demo) throw new EdwError('usage', '--scale needs --demo');
    const r = (await wb.call(
      'workspace.create',
      { path: ws, demo: flags.demo ?? false, scale },
      { progress: stderrProgress(showProgress) },
    )) as Output<'workspace.create'>;
    endProgress(showProgress);
    if (flags.json) io.out(JSON.stringify({ ok: true, ...r }) + '\n');
    else {
      io.out(
        `created ${r.workspace.path} (data model v${r.workspace.version}) in ${r.seconds.toFixed(1)} s\n`,
      );
      for (const [k, v] of Object.entries(r.counts))
        io.out(`  ${k.padEnd(32)} ${v.toLocaleString('en-US')}\n`);
    }
    return 0;
  } finally {
    wb.close();
  }
}

async function info(ws: string, flags: Flags, io: Io): Promise<number> {
  const wb = new Workbench({ role: flags.role });
  try {
    await wb.call('workspace.open', { path: ws });
    const o = (await wb.call('overview.get', {})) as Output<'overview.get'>;
    if (flags.json) {
      io.out(JSON.stringify({ ok: true, ...o }) + '\n');
      return 0;
    }
    io.out(
      `${o.workspace.path}\n  data model v${o.workspace.version}, created ${o.workspace.createdAt ?? '?'}\n`,
    );
    io.out('organizations:\n');
    for (const org of o.organizations) {
      io.out(
        `  ${org.code.padEnd(14)} ${org.name} (${org.kind}${org.jurisdiction ? ', ' + org.jurisdiction : ''}; ${org.commodities.join(', ')})\n`,
      );
    }
    io.out('entities:\n');
    for (const e of o.entities)
      io.out(
        `  ${e.entity.padEnd(30)} ${(e.org ?? '').padEnd(14)} ${e.count.toLocaleString('en-US')}\n`,
      );
    io.out('interval coverage:\n');
    for (const c of o.coverage) {
      io.out(
        `  ${c.org.padEnd(14)} ${c.readingType.padEnd(26)} ${c.firstDay} → ${c.lastDay}  ${c.series} series, ${c.readings.toLocaleString('en-US')} readings\n`,
      );
    }
    return 0;
  } finally {
    wb.close();
  }
}

function migrate(ws: string, flags: Flags, io: Io): number {
  const w = Workspace.open(ws);
  const m = w.lastMigration ?? { from: w.version, to: w.version, applied: [], backup: null };
  w.close();
  if (flags.json) io.out(JSON.stringify({ ok: true, ...m }) + '\n');
  else if (m.applied.length === 0) io.out(`${ws} is up to date (data model v${m.to})\n`);
  else
    io.out(
      `${ws} migrated from v${m.from} to v${m.to}${m.backup ? `; backup of v${m.from} at ${m.backup}` : ''}\n`,
    );
  return 0;
}

function loadProfile(p: string | undefined): unknown {
  if (p === undefined) return undefined;
  if (p.endsWith('.json')) {
    if (!fs.existsSync(p)) throw new EdwError('usage', `no such profile file: ${p}`);
    try {
      return JSON.parse(fs.readFileSync(p, 'utf8'));
    } catch (e) {
      throw new EdwError('usage', `${p} is not valid JSON: ${(e as Error).message}`);
    }
  }
  return p;
}

async function importCommand(ws: string, flags: Flags, io: Io, args: string[]): Promise<number> {
  const [kind, ...files] = args;
  if (!kind || files.length === 0)
    throw new EdwError('usage', 'edw import needs a kind and at least one file');
  const wb = new Workbench({ role: flags.role });
  const showProgress = !flags.quiet;
  try {
    await wb.call('workspace.open', { path: ws });
    const r = await callJob(
      wb,
      'import.run',
      {
        kind,
        files,
        org: flags.org,
        profile: loadProfile(flags.profile),
        mode: flags.strict ? 'strict' : 'lenient',
        rejectsDir: flags['rejects-dir'],
      },
      showProgress,
    );
    const rejected = r.files.some((f) => f.status === 'rejected' || f.rowsRejected > 0);
    const cancelled =
      r.files.some((f) => f.status === 'cancelled') || r.files.length < files.length;
    if (flags.json) io.out(JSON.stringify({ ...r, ok: !rejected && !cancelled }) + '\n');
    else {
      for (const f of r.files) {
        io.out(`${f.message}\n`);
        for (const x of f.findings) io.out(`  ${x.kind}: ${x.message}\n`);
        for (const x of f.rejects.slice(0, 5))
          io.out(
            `  line ${x.line}${x.column ? ` ${x.column}` : ''}${x.value !== null && x.value !== '' ? ` "${x.value}"` : ''}: ${x.reason}\n`,
          );
        if (f.rejects.length > 5) io.out(`  … ${f.rowsRejected - 5} more in ${f.rejectsFile}\n`);
      }
    }
    return cancelled ? 130 : rejected ? 2 : 0;
  } finally {
    wb.close();
  }
}

async function serve(ws: string, flags: Flags, io: Io): Promise<number> {
  const wb = new Workbench({ role: flags.role });
  await wb.call('workspace.open', { path: ws });
  const port = flags.port ? Number(flags.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new EdwError('usage', `bad --port: ${flags.port}`);
  const host = await startHttpHost({ workbench: wb, rendererDir: rendererDir(), port });
  if (flags.json) io.out(JSON.stringify({ ok: true, url: host.url, port: host.port }) + '\n');
  else
    io.out(
      `edw browser mode: open ${host.url}\n(serving ${path.resolve(ws)} on 127.0.0.1 only; Ctrl+C stops)\n`,
    );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  wb.close();
  return 0;
}

export interface Flags {
  json?: boolean;
  demo?: boolean;
  scale?: string;
  port?: string;
  quiet?: boolean;
  help?: boolean;
  org?: string;
  profile?: string;
  strict?: boolean;
  'rejects-dir'?: string;
  /** Validated in run(): one of core/privacy/roles.ts ROLES. */
  role?: Role;
  'usage-point'?: string[];
  customer?: string;
  from?: string;
  to?: string;
  espi?: string;
  out?: string;
  grantee?: string;
  param?: string[];
  list?: boolean;
  account?: string;
  tariff?: string;
  tolerance?: string;
  proration?: string;
  'rate-class'?: string;
  'tariff-a'?: string;
  'tariff-b'?: string;
  scenario?: string;
  'export-dir'?: string;
}

export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        demo: { type: 'boolean' },
        scale: { type: 'string' },
        port: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        org: { type: 'string' },
        profile: { type: 'string' },
        strict: { type: 'boolean' },
        'rejects-dir': { type: 'string' },
        role: { type: 'string' },
        'usage-point': { type: 'string', multiple: true },
        customer: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        espi: { type: 'string' },
        out: { type: 'string' },
        param: { type: 'string', multiple: true },
        list: { type: 'boolean' },
        account: { type: 'string' },
        tariff: { type: 'string' },
        tolerance: { type: 'string' },
        proration: { type: 'string' },
        'rate-class': { type: 'string' },
        'tariff-a': { type: 'string' },
        'tariff-b': { type: 'string' },
        scenario: { type: 'string' },
        'export-dir': { type: 'string' },
        grantee: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`edw: ${(e as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const flags = parsed.values as Flags;
  if (flags.role !== undefined && !Role.safeParse(flags.role).success) {
    io.err(`edw: unknown role "${flags.role}"; roles: ${ROLES.join(', ')}\n`);
    return 1;
  }
  const [command, ws, ...rest] = parsed.positionals;
  if (flags.help || !command) {
    (command ? io.out : io.err)(USAGE);
    return command ? 0 : 1;
  }
  const commands: Record<
    string,
    (ws: string, f: Flags, io: Io, args: string[]) => Promise<number> | number
  > = {
    init,
    info,
    migrate,
    serve,
    import: importCommand,
    index: indexCommand,
    greenbutton: (sub, f, o, args) => greenbuttonCommand(sub, f, o, args, importCommand),
    dataset: datasetCommand,
    bill: (sub, f, o, args) => billCommand(sub, f, o, args),
    vpp: (sub, f, o, args) => vppCommand(sub, f, o, args),
  };
  const takesArgs = new Set(['import', 'greenbutton', 'dataset', 'bill', 'vpp']);
  const fn = commands[command];
  if (!fn) {
    io.err(`edw: unknown command "${command}"\n\n${USAGE}`);
    return 1;
  }
  if (!ws || (rest.length > 0 && !takesArgs.has(command))) {
    io.err(`edw ${command}: expected exactly one workspace path\n\n${USAGE}`);
    return 1;
  }
  try {
    return await fn(ws, flags, io, rest);
  } catch (e) {
    const err =
      e instanceof EdwError ? e : new EdwError('internal', (e as Error).message ?? String(e));
    if (flags.json)
      io.out(
        JSON.stringify({
          ok: false,
          error: {
            code: err.code,
            message: err.message,
            ...(err.details ? { details: err.details } : {}),
          },
        }) + '\n',
      );
    io.err(`edw ${command}: ${err.message}\n`);
    return err.exitCode;
  }
}
