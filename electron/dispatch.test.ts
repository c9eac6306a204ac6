import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workbench } from '../core/api/server';
import { createDispatcher } from './dispatch';
import { tmpDir } from '../core/testing/tmp';

describe('Electron IPC dispatcher', () => {
  it('answers calls for methods of the definition and refuses anything else', async () => {
    const wb = new Workbench();
    const d = createDispatcher(wb);
    const none = () => {};
    expect(await d.call('1', 'workspace.status', {}, none)).toMatchObject({
      ok: true,
      result: { open: false },
    });
    expect(await d.call('2', 'require', {}, none)).toMatchObject({
      ok: false,
      error: { code: 'usage' },
    });
    expect(await d.call(42, 'workspace.status', {}, none)).toMatchObject({
      ok: false,
      error: { code: 'usage' },
    });
    const file = path.join(tmpDir(), 'ipc.edw');
    expect(await d.call('3', 'workspace.create', { path: file }, none)).toMatchObject({
      ok: true,
      result: { workspace: { open: true } },
    });
    expect(await d.call('4', 'workspace.open', { path: 7 }, none)).toMatchObject({
      ok: false,
      error: { code: 'usage', message: /invalid input/ },
    });
    expect(d.running.size).toBe(0);
    wb.close();
  });

  it('cancels a running call by id', async () => {
    const wb = new Workbench();
    const d = createDispatcher(wb);
    const file = path.join(tmpDir(), 'cancel.edw');
    const progress: string[] = [];
    const reply = d.call(
      'job',
      'workspace.create',
      { path: file, demo: true, scale: { premises: 200, days: 30 } },
      (id, p) => {
        progress.push(p.phase);
        d.cancel(id);
      },
    );
    expect(await reply).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(progress.length).toBeGreaterThan(0);
    wb.close();
  });
});
