import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Workbench } from '../api/server';
import type { Output } from '../api/definition';
import { demoCopy } from '../testing/demoTemplate';

let wb: Workbench | null = null;
afterEach(() => {
  wb?.close();
  wb = null;
});

describe('dataset.* API', () => {
  it('lists, previews and exports through the Workbench with the session role', async () => {
    const { file, dir, ws } = await demoCopy();
    ws.close();
    wb = new Workbench({ role: 'oca' });
    await wb.call('workspace.open', { path: file });
    const list = (await wb.call('dataset.list', {})) as Output<'dataset.list'>;
    expect(list.map((d) => d.name)).toContain('core-06-index');

    const page = (await wb.call('dataset.preview', {
      name: 'core-06-index',
      limit: 5,
    })) as Output<'dataset.preview'>;
    expect(page.rows).toHaveLength(5);
    expect(page.done).toBe(false);
    expect(page.columns[7]).toMatchObject({ name: 'addresses_raw', dataClass: 'pii' });
    // OCA has PII only with consent; the demo's consents have expired.
    expect(page.rows.every((r) => r.values[7] === '[redacted]')).toBe(true);

    const phases: string[] = [];
    const out = path.join(dir, 'i.csv');
    const rec = (await wb.call(
      'dataset.export',
      { name: 'core-06-index', params: { org: 'PSNH' }, out },
      { progress: (p) => phases.push(p.phase) },
    )) as Output<'dataset.export'>;
    expect(rec).toMatchObject({ role: 'oca', rowCount: 7, outputPath: out });
    expect(phases[0]).toBe('dataset core-06-index');

    await expect(wb.call('dataset.export', { name: 'core-06-index' })).rejects.toThrow(
      /invalid input for dataset.export: out/,
    );
    await expect(
      wb.call('dataset.preview', { name: 'core-06-index', params: { org: 1 } }),
    ).rejects.toThrow(/bad parameters for core-06-index/);
  });
});
