// Small demo workspaces for tests: each template (the demo at 40 premises × 3 days of 2018,
// optionally prepared further) is built once per test process and copied fresh per test.
import fs from 'node:fs';
import path from 'node:path';
import { Workspace } from '../workspace/workspace';
import { generateDemo } from '../../fixtures/demo/generate';
import { tmpDir } from './tmp';

const templates = new Map<string, Promise<string>>();

/** Path of the template named `name`, built on first use by the demo plus `prepare`. */
export function demoTemplate(
  name = 'demo',
  prepare?: (ws: Workspace, dir: string) => Promise<void>,
): Promise<string> {
  let t = templates.get(name);
  if (!t) {
    t = (async () => {
      const dir = tmpDir(`edw-${name}-template-`);
      const file = path.join(dir, 'template.edw');
      const ws = Workspace.create(file);
      try {
        await generateDemo(ws.db, { premises: 40, days: 3 });
        await prepare?.(ws, dir);
      } finally {
        ws.close();
      }
      return file;
    })();
    templates.set(name, t);
  }
  return t;
}

/** A fresh copy of a template in its own temp directory, opened. */
export async function demoCopy(
  name?: string,
  prepare?: (ws: Workspace, dir: string) => Promise<void>,
): Promise<{ ws: Workspace; dir: string; file: string }> {
  const from = await demoTemplate(name, prepare);
  const dir = tmpDir('edw-test-');
  const file = path.join(dir, 'ws.edw');
  fs.copyFileSync(from, file);
  return { ws: Workspace.open(file), dir, file };
}
