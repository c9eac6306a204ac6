import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edw } from './testkit';
import { demoCopy } from '../core/testing/demoTemplate';

let file = '';
let dir = '';
beforeAll(async () => {
  const c = await demoCopy();
  c.ws.close();
  file = c.file;
  dir = c.dir;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('edw dataset', () => {
  it('--list prints names, versions, titles and privacy classes', async () => {
    const r = await edw('dataset', file, '--list', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      ok: boolean;
      datasets: { name: string; version: number; title: string; privacyClass: string }[];
    };
    expect(json.ok).toBe(true);
    expect(json.datasets).toContainEqual(
      expect.objectContaining({
        name: 'core-06-index',
        version: 1,
        title: 'CORE-06 statewide premise index',
        privacyClass: 'pii',
      }),
    );
    const text = await edw('dataset', file, '--list');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^core-06-index\s+v1\s+pii\s+CORE-06 statewide premise index$/m);
    expect(text.out).toMatch(/--param org=<string>/);
  });

  it('exports with --role and --param, prints the run record as JSON, exit 0', async () => {
    const out = path.join(dir, 'index.csv');
    const r = await edw(
      'dataset',
      file,
      'core-06-index',
      '--param',
      'org=UES',
      '--out',
      out,
      '--role',
      'utility-staff',
      '--json',
      '-q',
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    // The UES seed premises: 16002, 1602, 1612, 1677.
    expect(json).toMatchObject({
      ok: true,
      name: 'core-06-index',
      version: 1,
      role: 'utility-staff',
      rowCount: 4,
      parameters: { org: 'UES' },
      outputPath: out,
    });
    expect(fs.readFileSync(out, 'utf8').split('\r\n')[0]).toMatch(/^premise_id,premise_kind,/);
    expect(JSON.parse(fs.readFileSync(`${out}.json`, 'utf8')).run.id).toBe(json.id);
    const text = await edw('dataset', file, 'core-06-index', '--out', out, '-q');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/core-06-index v1: 12 rows → .*index\.csv/);
    expect(text.out).toMatch(/role analyst: \d+ cells redacted, 0 rows withheld/);
  });

  it('unknown dataset, bad parameter, bad role, missing --out: exit 1 with the valid choices', async () => {
    const out = path.join(dir, 'x.csv');
    const unknown = await edw('dataset', file, 'core-99', '--out', out, '--json');
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.out)).toMatchObject({
      ok: false,
      error: { code: 'usage', message: expect.stringMatching(/datasets: .*core-06-index/) },
    });
    const noName = await edw('dataset', file);
    expect(noName.code).toBe(1);
    expect(noName.err).toMatch(/datasets: .*core-06-index/);
    const badParam = await edw('dataset', file, 'core-06-index', '--param', 'size=3', '--out', out);
    expect(badParam.code).toBe(1);
    expect(badParam.err).toMatch(/no parameter "size"; its parameters: org/);
    const noEq = await edw('dataset', file, 'core-06-index', '--param', 'org', '--out', out);
    expect(noEq.code).toBe(1);
    const badOrg = await edw('dataset', file, 'core-06-index', '--param', 'org=XX', '--out', out);
    expect(badOrg.code).toBe(1);
    expect(badOrg.err).toMatch(/unknown organization "XX".*UES/);
    const badRole = await edw('dataset', file, 'core-06-index', '--role', 'admin', '--out', out);
    expect(badRole.code).toBe(1);
    expect(badRole.err).toMatch(/unknown role "admin"; roles: analyst, oca, consultant/);
    const noOut = await edw('dataset', file, 'core-06-index');
    expect(noOut.code).toBe(1);
    expect(noOut.err).toMatch(/needs --out/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a role denied the data exits 1 naming role and class; a missing workspace exits 3', async () => {
    const out = path.join(dir, 'pub.csv');
    const r = await edw('dataset', file, 'core-06-index', '--role', 'public', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/role public may not see customer_usage data/);
    expect(fs.existsSync(out)).toBe(false);
    const missing = await edw('dataset', path.join(dir, 'nope.edw'), 'core-06-index', '--out', out);
    expect(missing.code).toBe(3);
  });
});
