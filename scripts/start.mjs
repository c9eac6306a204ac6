// npm start: build, create the demo workspace if there is none, open it in Electron — or,
// where Electron's binary is missing (it cannot be downloaded on every machine), say so in one
// line and start browser mode, printing the URL.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const edw = path.join(root, 'bin', 'edw.cjs');
const workspace = path.resolve(process.env.EDW_WORKSPACE ?? path.join(root, 'demo.edw'));

execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });

if (!fs.existsSync(workspace)) {
  console.error(`creating the Pembroke, NH demo workspace at ${workspace} …`);
  const r = spawnSync(process.execPath, [edw, 'init', workspace, '--demo'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Path of Electron's binary if it is installed, without triggering its download. */
function electronBinary() {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const exe = path.join(
    process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist'),
    fs.readFileSync(pathFile, 'utf8'),
  );
  return fs.existsSync(exe) ? exe : null;
}

/** better-sqlite3 rebuilt for Electron's ABI, kept apart from the Node build the CLI uses. */
function electronSqliteBinding() {
  const version = JSON.parse(
    fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8'),
  ).version;
  const dir = path.join(root, 'dist', 'native', `better-sqlite3-electron-${version}`);
  const binding = path.join(dir, 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(binding)) {
    console.error(`building better-sqlite3 for Electron ${version} …`);
    fs.cpSync(path.join(root, 'node_modules', 'better-sqlite3'), dir, {
      recursive: true,
      filter: (s) => !s.includes(`${path.sep}build${path.sep}`),
    });
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/node-gyp/bin/node-gyp.js'),
        'rebuild',
        '--release',
        `--target=${version}`,
        '--runtime=electron',
        '--dist-url=https://electronjs.org/headers',
      ],
      { cwd: dir, stdio: 'inherit' },
    );
  }
  return binding;
}

function browserMode(reason) {
  console.error(`Electron is not available here (${reason}); starting browser mode instead.`);
  const child = spawn(process.execPath, [edw, 'serve', workspace], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}

const exe = electronBinary();
if (!exe) {
  browserMode('its binary is not installed and cannot be downloaded on this machine');
} else {
  let binding;
  try {
    binding = electronSqliteBinding();
  } catch (e) {
    browserMode(`better-sqlite3 could not be built for Electron: ${e.message}`);
  }
  if (binding) {
    const child = spawn(exe, [path.join(root, 'dist', 'electron', 'main.cjs'), workspace], {
      stdio: 'inherit',
      env: { ...process.env, EDW_SQLITE_BINDING: binding },
    });
    child.on('error', (e) => browserMode(e.message));
    child.on('exit', (code) => process.exit(code ?? 0));
  }
}
