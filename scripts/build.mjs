// Build every host: the Node bundles (CLI, Electron main + preload, benchmarks) with esbuild
// and the renderer with Vite. `--node-only` skips the renderer (benchmarks need no UI).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeOnly = process.argv.includes('--node-only');
const t0 = Date.now();

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Native and host-provided modules stay external; everything else is bundled.
  // highs loads its WebAssembly binary from beside its own module: keep it in node_modules.
  external: ['better-sqlite3', 'electron', 'highs'],
  absWorkingDir: root,
};

await Promise.all([
  build({ ...common, entryPoints: ['cli/edw.ts'], outfile: 'dist/cli/edw.cjs' }),
  build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/electron/main.cjs' }),
  // Sandboxed preloads may only require 'electron': bundle everything else in.
  build({
    ...common,
    entryPoints: ['electron/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: fs
      .readdirSync(path.join(root, 'bench'))
      .filter((f) => f.endsWith('.bench.ts'))
      .map((f) => `bench/${f}`),
    outdir: 'dist/bench',
    outExtension: { '.js': '.cjs' },
  }),
]);

if (!nodeOnly) {
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
console.error(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
