// npm run bench: run every built benchmark (dist/bench/*.bench.cjs) and print their JSON lines.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bench');
const only = process.argv[2];
let failed = 0;
for (const f of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.cjs'))
  .sort()) {
  if (only && !f.startsWith(only)) continue;
  const r = spawnSync(process.execPath, [path.join(dir, f)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) {
    failed++;
    console.error(`${f} failed with exit code ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
