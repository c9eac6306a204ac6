// Test helpers for the importer tests: a demo workspace (organizations, programs, grid) with a
// few known premises and accounts imported from a native CIS file, copied fresh for each test.
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { Workspace } from '../../workspace/workspace';
import { demoCopy } from '../../testing/demoTemplate';
import { runImport } from '../run';
import type { ImportRequest, FileOutcome } from '../schema';

export const CIS_HEADER =
  'org,account,customer,premise,address,city,state,zip,usage_point,meter,commodity,rate_class,start_date,end_date';

/** Known keys: PSNH premises P1..P4 (accounts A1..A4), UES premises U1..U3 (accounts B1..B3). */
export const KNOWN_CIS = [
  CIS_HEADER,
  'PSNH,61000000001,DOE JANE,6100000001,12 MAIN ST,PEMBROKE,NH,03275,900000001,P0000001,electricity,R,2018-01-01,',
  'PSNH,61000000002,ROE RICHARD,6100000002,14 MAIN ST,PEMBROKE,NH,03275,900000002,P0000002,electricity,R,2018-01-01,',
  'PSNH,61000000003,POE ANN,6100000003,16 MAIN ST,PEMBROKE,NH,03275,900000003,P0000003,electricity,R,2018-01-01,',
  'PSNH,61000000004,MAIN ST DELI,6100000004,20 MAIN ST,PEMBROKE,NH,03275,900000004,P0000004,electricity,G,2018-01-01,',
  'UES,110000001,Ann Smith,3000001,5 Buck Street,Pembroke,NH,03275,1100000100,800001,electricity,D,2018-01-01,',
  'UES,110000002,Bob Jones,3000002,7 Buck Street,Pembroke,NH,03275,1100000200,800002,electricity,D,2018-01-01,',
  'UES,110000003,Cy Young,3000003,9 Buck Street,Pembroke,NH,03275,1100000300,800003,electricity,D,2018-01-01,',
].join('\n');

/** The demo plus the known CIS rows above. */
async function importKnownCis(ws: Workspace, dir: string): Promise<void> {
  const cis = path.join(dir, 'known-cis.csv');
  fs.writeFileSync(cis, KNOWN_CIS + '\n');
  const r = await runImport(ws, { kind: 'cis', files: [cis], rejectsDir: dir });
  if (r.files[0]?.rowsRejected !== 0) throw new Error(`known CIS rejected: ${r.files[0]?.message}`);
}

export interface Bench {
  ws: Workspace;
  dir: string;
  /** Write a CSV file in the test's directory. */
  file(name: string, lines: readonly string[]): string;
  run(
    kind: ImportRequest['kind'],
    file: string,
    more?: Partial<z.input<typeof ImportRequest>>,
  ): Promise<FileOutcome>;
  /** One value of a query. */
  one<T = number>(sql: string, ...args: unknown[]): T;
  rows<T = Record<string, unknown>>(sql: string, ...args: unknown[]): T[];
}

/** A fresh copy of the base workspace for one test. */
export async function bench(): Promise<Bench> {
  const { ws, dir } = await demoCopy('known-cis', importKnownCis);
  return {
    ws,
    dir,
    file(name, lines) {
      const f = path.join(dir, name);
      fs.writeFileSync(f, lines.join('\n') + '\n');
      return f;
    },
    async run(kind, f, more = {}) {
      const r = await runImport(ws, { kind, files: [f], rejectsDir: dir, ...more });
      return r.files[0]!;
    },
    one(sql, ...args) {
      return ws.db
        .prepare(sql)
        .pluck()
        .get(...args) as never;
    },
    rows(sql, ...args) {
      return ws.db.prepare(sql).all(...args) as never;
    },
  };
}
