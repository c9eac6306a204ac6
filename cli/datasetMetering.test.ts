// The metering datasets from the CLI on the demo: the CORE-02 seed readings and the CORE-03
// seed rows, with their sidecar dictionaries.
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

describe('edw dataset (metering datasets)', () => {
  it('core-02-tou: the 24 seed readings', async () => {
    const out = path.join(dir, 'tou.csv');
    const r = await edw(
      'dataset',
      file,
      'core-02-tou',
      '--param',
      'program=UES TOU-RES',
      '--param',
      'usage_point=110002',
      '--param',
      'from=2018-06-12T08:00',
      '--param',
      'to=2018-06-13T08:00',
      '--out',
      out,
      '--json',
      '-q',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, rowCount: 24 });
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^program,tou_block,time_start,read_value,uom,quality,/);
    expect(lines[1]).toMatch(
      /^UES TOU-RES,Mid-Peak Hourly,2018-06-12T08:00-04:00,1.25,KWH,Passed Val,/,
    );
    const dict = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8')) as {
      columns: { name: string; unit: string | null }[];
    };
    expect(dict.columns.find((c) => c.name === 'read_value')?.unit).toBe('kWh');
  });

  it('core-03-demand: PremiseID 1602 KW Daily; a bad level is a usage error', async () => {
    const out = path.join(dir, 'demand.csv');
    const r = await edw(
      'dataset',
      file,
      'core-03-demand',
      '--param',
      'premise=1602',
      '--param',
      'from=2018-07-17',
      '--param',
      'to=2018-07-17',
      '--out',
      out,
      '-q',
    );
    expect(r.code).toBe(0);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^daily,1602,1002,1222,KW Daily,R,2018-07-17T00:00-04:00,S\d+:2018-07-17,6.851563,KW,9,valid,/,
    );
    const bad = await edw(
      'dataset',
      file,
      'core-03-demand',
      '--param',
      'level=hourly',
      '--out',
      out,
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/level/);
  });
});
