import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workbench } from './server';
import { createClient, type Transport } from './client';
import { EdwError } from '../workspace/errors';
import { api, methodNames } from './definition';
import { tmpDir } from '../testing/tmp';

// The in-process transport: what a host does, minus the wire.
function inProcess(wb: Workbench): Transport {
  return {
    call: (m, input, opts) => wb.call(m, input, { progress: opts.onProgress, signal: opts.signal }),
  };
}

describe('Workbench API', () => {
  it('derives the client from the definition: one function per method', () => {
    const client = createClient(inProcess(new Workbench()));
    expect(Object.keys(client).sort()).toEqual([...methodNames].sort());
    expect(methodNames.every((m) => typeof api[m].description === 'string')).toBe(true);
  });

  it('rejects unknown methods and invalid input as usage errors', async () => {
    const wb = new Workbench();
    await expect(wb.call('nope.nothing', {})).rejects.toMatchObject({
      code: 'usage',
      message: /unknown method/,
    });
    await expect(wb.call('workspace.open', { path: 42 })).rejects.toMatchObject({
      code: 'usage',
      message: /invalid input for workspace.open: path/,
    });
    await expect(wb.call('overview.get', {})).rejects.toMatchObject({
      code: 'usage',
      message: /no workspace is open/,
    });
  });

  it('creates, reports and reopens a workspace; keeps a recent list', async () => {
    const dir = tmpDir();
    const recentFile = path.join(dir, 'recent.json');
    const client = createClient(inProcess(new Workbench({ recentFile })));
    const file = path.join(dir, 'a.edw');
    const created = await client['workspace.create']({ path: file });
    expect(created.workspace).toMatchObject({ open: true, name: 'a.edw', demo: false });
    const overview = await client['overview.get']({});
    expect(overview.organizations).toEqual([]);
    expect(overview.entities.find((e) => e.entity === 'platform IDs')?.count).toBe(0);
    await client['workspace.close']({});
    expect((await client['workspace.status']({})).open).toBe(false);
    const opened = await client['workspace.open']({ path: file });
    expect(opened.path).toBe(path.resolve(file));
    expect(await client['workspace.recent']({})).toEqual([path.resolve(file)]);
  });

  it('maps workspace refusals to workspace errors (exit code 3)', async () => {
    const file = path.join(tmpDir(), 'text.edw');
    fs.writeFileSync(file, 'hello');
    const wb = new Workbench();
    const err = await wb.call('workspace.open', { path: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdwError);
    expect((err as EdwError).exitCode).toBe(3);
    expect(fs.readFileSync(file, 'utf8')).toBe('hello');
  });

  it('honours an already-aborted signal before doing any work', async () => {
    const wb = new Workbench();
    const c = new AbortController();
    c.abort();
    const file = path.join(tmpDir(), 'never.edw');
    await expect(
      wb.call('workspace.create', { path: file, demo: true }, { signal: c.signal }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('exclusive calls', () => {
  it('run one at a time, in order, while reads go on', async () => {
    const dir = tmpDir();
    const wb = new Workbench();
    await wb.call('workspace.create', { path: path.join(dir, 'x.edw') });
    const csv = (n: number) => {
      const f = path.join(dir, `cis${n}.csv`);
      fs.writeFileSync(
        f,
        'org,account,customer,premise,address,city,state,zip,usage_point,meter,commodity,rate_class,start_date,end_date\n' +
          Array.from(
            { length: 2000 },
            (_, i) =>
              `X,A${n}-${i},C,P${n}-${i},${i} Main St,Pembroke,NH,03275,U${n}-${i},M${n}-${i},electricity,D,2018-01-01,`,
          ).join('\n'),
      );
      return f;
    };
    const ws = wb.session.requireWorkspace();
    ws.db.prepare("INSERT INTO organization (code, name, kind) VALUES ('X', 'X', 'utility')").run();
    const waits: string[] = [];
    const a = wb.call('import.run', { kind: 'cis', files: [csv(1)] });
    const b = wb.call(
      'import.run',
      { kind: 'cis', files: [csv(2)] },
      { progress: (p) => waits.push(p.phase) },
    );
    const status = await wb.call('workspace.status', {});
    expect(status).toMatchObject({ open: true });
    const [ra, rb] = (await Promise.all([a, b])) as {
      files: { status: string; rowsAccepted: number }[];
    }[];
    expect(ra!.files[0]).toMatchObject({ status: 'committed', rowsAccepted: 2000 });
    expect(rb!.files[0]).toMatchObject({ status: 'committed', rowsAccepted: 2000 });
    expect(waits[0]).toBe('waiting for the previous change to finish');
    expect(ws.db.prepare('SELECT count(*) AS n FROM account').get()).toEqual({ n: 4000 });
    wb.close();
  });
});
