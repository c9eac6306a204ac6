// npm test: typecheck, lint, build, unit tests, end-to-end tests — then one plain summary
// line "N passed, N failed[, N skipped]" over all of them, and a non-zero exit on any failure.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };

function run(cmd, args, opts = {}) {
  console.error(`\n▶ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts }).status === 0;
}

function check(name, ok) {
  totals[ok ? 'passed' : 'failed'] += 1;
  console.error(`${ok ? '✔' : '✘'} ${name}`);
  return ok;
}

const npx = (bin, args) =>
  run(process.execPath, [path.join(root, 'node_modules', '.bin', bin), ...args]);

function vitest(config, report) {
  const out = path.join(results, report);
  fs.rmSync(out, { force: true });
  npx('vitest', [
    'run',
    '--config',
    config,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  if (!fs.existsSync(out)) return check(`${config} (no report written)`, false);
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  totals.passed += r.numPassedTests;
  // A suite that fails to load has no failed tests of its own: count it once as a failure.
  const loadFailures = (r.testResults ?? []).filter(
    (s) => s.status === 'failed' && !s.assertionResults.some((a) => a.status === 'failed'),
  ).length;
  totals.failed += r.numFailedTests + loadFailures;
  totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  console.error(`${config}: ${r.numPassedTests} passed, ${r.numFailedTests + loadFailures} failed`);
}

/**
 * Debian packages the tests need, installed when missing and apt-get is usable: chromium for the
 * e2e tests, libxml2-utils (xmllint) for the Green Button schema validation of the unit tests.
 */
function ensureChromium() {
  const missing = [
    ['/usr/bin/chromium', 'chromium'],
    ['/usr/bin/xmllint', 'libxml2-utils'],
  ].filter(([bin]) => !fs.existsSync(bin));
  if (missing.length === 0) return true;
  const canApt =
    process.getuid?.() === 0 &&
    spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!canApt) {
    console.error(
      `tests need ${missing.map(([, pkg]) => pkg).join(' and ')}: install with \`sudo apt-get install ${missing.map(([, pkg]) => pkg).join(' ')}\` (Debian) and run npm test again.`,
    );
    return false;
  }
  return (
    run('apt-get', ['update', '-qq']) &&
    run(
      'apt-get',
      ['install', '-y', '-qq', '--no-install-recommends', ...missing.map(([, pkg]) => pkg)],
      {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      },
    )
  );
}

check('typecheck', npx('tsc', ['-p', 'tsconfig.json', '--noEmit']));
check('lint', run('npm', ['run', '--silent', 'lint']));
const built = check('build', run(process.execPath, [path.join(root, 'scripts', 'build.mjs')]));
const packages = check('chromium and xmllint available', ensureChromium());
vitest('vitest.config.ts', 'unit.json');
if (built && packages) vitest('vitest.e2e.config.ts', 'e2e.json');

const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(totals.failed > 0 ? 1 : 0);
