// Creating a workspace file, optionally with the demo, without ever leaving a half-built
// file behind: the work happens in a sibling temp file that is renamed into place on success.
import fs from 'node:fs';
import path from 'node:path';
import { Workspace } from './workspace';
import { CancelledError } from './errors';
import { generateDemo } from '../../fixtures/demo/generate';
import type { DemoScale, Progress } from '../api/definition';

export interface CreateOptions {
  demo?: boolean;
  scale?: Partial<DemoScale>;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface CreateResult {
  workspace: Workspace;
  seconds: number;
  counts: Record<string, number>;
}

export async function createWorkspaceFile(
  file: string,
  opts: CreateOptions = {},
): Promise<CreateResult> {
  const t0 = performance.now();
  Workspace.assertCreatable(file);
  if (opts.signal?.aborted) throw new CancelledError();
  if (!opts.demo) {
    const ws = Workspace.create(file);
    ws.audit('analyst', 'create', path.basename(file), { demo: false });
    return { workspace: ws, seconds: (performance.now() - t0) / 1000, counts: {} };
  }
  const tmp = path.join(
    path.dirname(path.resolve(file)),
    `.${path.basename(file)}.creating-${process.pid}`,
  );
  removeDbFiles(tmp);
  let ws: Workspace | null = null;
  try {
    ws = Workspace.create(tmp);
    const scale = { premises: opts.scale?.premises ?? 1500, days: opts.scale?.days ?? 365 };
    const counts = await generateDemo(ws.db, {
      ...scale,
      onProgress: opts.onProgress,
      signal: opts.signal,
    });
    ws.setMeta('demo', JSON.stringify({ name: 'Pembroke, NH', ...scale }));
    ws.audit('analyst', 'create', path.basename(file), { demo: true, ...scale, counts });
    opts.onProgress?.({ phase: 'finishing', done: 0, message: 'optimizing the workspace file' });
    ws.db.exec('ANALYZE');
    ws.close();
    ws = null;
    fs.renameSync(tmp, file);
    removeDbFiles(tmp);
    return { workspace: Workspace.open(file), seconds: (performance.now() - t0) / 1000, counts };
  } catch (e) {
    ws?.db.close();
    removeDbFiles(tmp);
    throw e;
  }
}

function removeDbFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`])
    fs.rmSync(f, { force: true });
}
