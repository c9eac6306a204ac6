import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { demoCopy } from '../testing/demoTemplate';
import { runImport } from '../import/run';
import type { Workspace } from '../workspace/workspace';
import { CancelledError, EdwError } from '../workspace/errors';
import { csvField, csvLine } from './csv';
import { workspaceFingerprint } from './fingerprint';
import { joinList, splitList } from './lists';
import { paramInfo, paramsFromStrings, parseParams } from './params';
import { getDataset } from './registry';
import { exportDefinition, listDatasets, previewDefinition, saveDefinition } from './run';
import { defineDataset, type DatasetRow } from './types';

const NOW = new Date('2020-06-15T12:00:00Z');

/** A test definition: n rows; row i has customer i+1; every 10th row is a suppressed cell. */
function testDef(opts: { usage?: boolean; title?: string } = {}) {
  return defineDataset({
    name: 'test-rows',
    version: 2,
    title: opts.title ?? 'Test rows',
    description: 'Rows for framework tests.',
    privacyClass: 'pii',
    params: z
      .object({
        n: z.number().int().min(0).default(3).describe('How many rows.'),
        label: z.string().default('a,b "c"\nd').describe('Text put in every row.'),
        flag: z.boolean().default(false),
      })
      .strict(),
    columns: [
      { name: 'i', type: 'integer', unit: null, description: 'Row number.', dataClass: 'system' },
      { name: 'label', type: 'text', unit: null, description: 'Label.', dataClass: 'system' },
      { name: 'name', type: 'text', unit: null, description: 'Name.', dataClass: 'pii' },
      {
        name: 'kwh',
        type: 'number',
        unit: 'kWh',
        description: 'Usage.',
        dataClass: opts.usage ? 'customer_usage' : 'aggregate',
      },
    ],
    count: (_ctx, p) => p.n,
    *rows(_ctx, p): Generator<DatasetRow> {
      for (let i = 0; i < p.n; i++) {
        const suppressed = i % 10 === 9;
        yield {
          values: { i, label: p.label, name: `Customer ${i + 1}`, kwh: suppressed ? null : i / 2 },
          subjects: [{ customerId: i + 1, usagePointId: null }],
          suppressed,
        };
      }
    },
  });
}

let open: Workspace | null = null;
afterEach(() => {
  open?.close();
  open = null;
});

async function demo() {
  const c = await demoCopy();
  open = c.ws;
  return c;
}

describe('CSV', () => {
  it('quotes commas, quotes and line breaks per RFC 4180, and keeps null apart from ""', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(' spaced ')).toBe(' spaced ');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField(0.1)).toBe('0.1');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(true)).toBe('true');
    expect(csvLine(['x', null, 'y,z', 1])).toBe('x,,"y,z",1\r\n');
  });

  it('lists are sorted, unique, escaped and split back', () => {
    expect(joinList(['UES:2', 'PSNH:1', 'UES:2'])).toBe('PSNH:1;UES:2');
    expect(joinList([])).toBeNull();
    const odd = ['A:x;y', 'B:back\\slash'];
    expect(joinList(odd)).toBe('A:x\\;y;B:back\\\\slash');
    expect(splitList(joinList(odd))).toEqual(odd);
    expect(splitList(null)).toEqual([]);
  });
});

describe('parameters', () => {
  const def = testDef();
  it('derives the parameter dictionary from the zod schema', () => {
    expect(paramInfo(def)).toEqual([
      { name: 'n', type: 'integer', required: false, default: 3, description: 'How many rows.' },
      {
        name: 'label',
        type: 'string',
        required: false,
        default: 'a,b "c"\nd',
        description: 'Text put in every row.',
      },
      { name: 'flag', type: 'boolean', required: false, default: false, description: null },
    ]);
  });

  it('coerces CLI strings by type, fills defaults and names the valid parameters on errors', () => {
    expect(parseParams(def, paramsFromStrings(['n=5', 'flag=yes']))).toEqual({
      n: 5,
      label: 'a,b "c"\nd',
      flag: true,
    });
    expect(() => parseParams(def, { size: '5' })).toThrow(
      /test-rows has no parameter "size"; its parameters: n \(integer, default 3\), label/,
    );
    expect(() => parseParams(def, { n: 'five' })).toThrow(/bad parameters for test-rows: n:/);
    expect(() => parseParams(def, { n: '-1' })).toThrow(EdwError);
    expect(() => paramsFromStrings(['n'])).toThrow(/expected name=value/);
  });

  it('lists the registered datasets; an unknown name lists the valid ones', () => {
    expect(listDatasets().map((d) => [d.name, d.version, d.privacyClass])).toContainEqual([
      'core-06-index',
      1,
      'pii',
    ]);
    expect(() => getDataset('core-99')).toThrow(
      /unknown dataset "core-99"; datasets: .*core-06-index/,
    );
  });
});

describe('export', () => {
  it('writes the CSV, the sidecar dictionary, the definition, the run record and an audit entry', async () => {
    const { ws, dir } = await demo();
    const out = path.join(dir, 'rows.csv');
    const def = testDef();
    const run = await exportDefinition(
      ws,
      def,
      { params: { n: 12 }, out },
      {
        role: 'utility-staff',
        now: NOW,
      },
    );
    // 12 rows; row 9 is a suppressed cell.
    expect(run).toMatchObject({
      name: 'test-rows',
      version: 2,
      parameters: { n: 12, label: 'a,b "c"\nd', flag: false },
      rowCount: 12,
      suppressedCells: 1,
      redactedCells: 0,
      withheldRows: 0,
      role: 'utility-staff',
      outputPath: out,
      dictionaryPath: `${out}.json`,
      createdAt: Math.floor(NOW.getTime() / 1000),
      consentAsOf: null,
    });
    const text = fs.readFileSync(out, 'utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('i,label,name,kwh');
    expect(text.startsWith('i,label,name,kwh\r\n0,"a,b ""c""\nd",Customer 1,0\r\n')).toBe(true);
    // Papa reads it back to the same values (commas, quotes and the newline survive).
    const parsed = Papa.parse<string[]>(text.trimEnd(), { newline: '\r\n' }).data;
    expect(parsed).toHaveLength(13);
    expect(parsed[1]).toEqual(['0', 'a,b "c"\nd', 'Customer 1', '0']);
    expect(parsed[10]).toEqual(['9', 'a,b "c"\nd', 'Customer 10', '']);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);

    const side = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8'));
    expect(side.dataset).toEqual({
      name: 'test-rows',
      version: 2,
      title: 'Test rows',
      description: 'Rows for framework tests.',
      privacyClass: 'pii',
    });
    expect(
      side.columns.map((c: { name: string; unit: string | null; dataClass: string }) => [
        c.name,
        c.unit,
        c.dataClass,
      ]),
    ).toEqual([
      ['i', null, 'system'],
      ['label', null, 'system'],
      ['name', null, 'pii'],
      ['kwh', 'kWh', 'aggregate'],
    ]);
    expect(side.parameters.map((p: { name: string }) => p.name)).toEqual(['n', 'label', 'flag']);
    expect(side.run).toEqual({ ...run });
    expect(side.privacy).toMatchObject({ role: 'utility-staff', suppressedCells: 1 });

    const defRow = ws.db
      .prepare('SELECT * FROM dataset_definition WHERE name = ?')
      .get('test-rows') as Record<string, string | number>;
    expect(defRow).toMatchObject({
      version: 2,
      title: 'Test rows',
      description: 'Rows for framework tests.',
      privacy_class: 'pii',
    });
    expect(JSON.parse(defRow.columns as string)).toHaveLength(4);
    const runRow = ws.db.prepare('SELECT * FROM dataset_run WHERE id = ?').get(run.id) as Record<
      string,
      string | number
    >;
    expect(runRow).toMatchObject({
      name: 'test-rows',
      version: 2,
      workspace_fingerprint: workspaceFingerprint(ws.db),
      row_count: 12,
      suppressed_cells: 1,
      role: 'utility-staff',
      output_path: out,
    });
    expect(JSON.parse(runRow.parameters as string)).toEqual(run.parameters);
    expect(JSON.parse(runRow.details as string)).toMatchObject({
      redactedCells: 0,
      withheldRows: 0,
    });
    const audit = ws.db
      .prepare(`SELECT role, subject, details FROM audit_log WHERE action = 'export'`)
      .all() as { role: string; subject: string; details: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ role: 'utility-staff', subject: 'test-rows' });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({ runId: run.id, rows: 12, out });

    // Running again with a changed title under the same version updates the definition row.
    await exportDefinition(
      ws,
      testDef({ title: 'Renamed' }),
      { params: {}, out },
      {
        role: 'analyst',
        now: NOW,
      },
    );
    const defs = ws.db
      .prepare('SELECT title FROM dataset_definition WHERE name = ?')
      .all('test-rows') as { title: string }[];
    expect(defs).toEqual([{ title: 'Renamed' }]);
    expect(ws.db.prepare('SELECT count(*) AS n FROM dataset_run').get()).toEqual({ n: 2 });
  });

  it('applies the role: analyst PII redacted without consent; consultant rows withheld', async () => {
    const { ws, dir } = await demo();
    // Customers 1 and 2 of the demo consent to PII and usage today; 3 does not.
    const ins = ws.db.prepare(
      `INSERT INTO consent (customer_id, grantee_org_id, scope, valid_from) VALUES (?, 1, ?, '2020-01-01')`,
    );
    ins.run(1, JSON.stringify({ dataClasses: ['pii', 'customer_usage'] }));
    ins.run(2, JSON.stringify({ dataClasses: ['pii', 'customer_usage'] }));
    const out = path.join(dir, 'a.csv');
    const a = await exportDefinition(
      ws,
      testDef({ usage: true }),
      { params: {}, out },
      {
        role: 'analyst',
        now: NOW,
      },
    );
    expect(a).toMatchObject({
      rowCount: 3,
      redactedCells: 1,
      withheldRows: 0,
      consentAsOf: '2020-06-15',
    });
    expect(
      fs
        .readFileSync(out, 'utf8')
        .split('\r\n')
        .slice(1, 4)
        .map((l) => l.split(',').slice(-2)),
    ).toEqual([
      ['Customer 1', '0'],
      ['Customer 2', '0.5'],
      ['[redacted]', '1'],
    ]);
    const c = await exportDefinition(
      ws,
      testDef({ usage: true }),
      { params: {}, out },
      {
        role: 'consultant',
        now: NOW,
      },
    );
    expect(c).toMatchObject({ rowCount: 2, withheldRows: 1, redactedCells: 0 });
    expect(
      (
        ws.db.prepare(`SELECT details FROM dataset_run WHERE id = ?`).get(c.id) as {
          details: string;
        }
      ).details,
    ).toMatch(/"withheldRows":1/);
  });

  it('refuses a role denied a column class, audits the decision and writes nothing', async () => {
    const { ws, dir } = await demo();
    const out = path.join(dir, 'p.csv');
    await expect(
      exportDefinition(ws, testDef({ usage: true }), { params: {}, out }, { role: 'public' }),
    ).rejects.toThrow(
      /role public may not see customer_usage data, and test-rows has customer_usage columns \(kwh\)/,
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(ws.db.prepare('SELECT count(*) AS n FROM dataset_run').get()).toEqual({ n: 0 });
    const audit = ws.db
      .prepare(`SELECT role, action, details FROM audit_log WHERE action = 'privacy_decision'`)
      .get() as { role: string; details: string };
    expect(audit.role).toBe('public');
    expect(JSON.parse(audit.details)).toMatchObject({
      decision: 'refused',
      dataset: 'test-rows',
      dataClass: 'customer_usage',
    });
    // A refused preview is an error too, but writes nothing (reads never write).
    expect(() =>
      previewDefinition(
        ws,
        testDef({ usage: true }),
        { params: {}, offset: 0, limit: 5 },
        {
          role: 'public',
        },
      ),
    ).toThrow(/role public may not see customer_usage/);
    expect(ws.db.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 1 });
  });

  it('reports progress per chunk and cancels cleanly: no file, no run record', async () => {
    const { ws, dir } = await demo();
    const out = path.join(dir, 'big.csv');
    const controller = new AbortController();
    const seen: number[] = [];
    const p = exportDefinition(
      ws,
      testDef(),
      { params: { n: 10_000 }, out },
      {
        role: 'utility-staff',
        signal: controller.signal,
        progress: (x) => {
          seen.push(x.done);
          expect(x.total).toBe(10_000);
          if (x.done >= 4000) controller.abort();
        },
      },
    );
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toEqual([0, 2000, 4000]);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('big'))).toEqual([]);
    expect(ws.db.prepare('SELECT count(*) AS n FROM dataset_run').get()).toEqual({ n: 0 });

    const done = await exportDefinition(
      ws,
      testDef(),
      { params: { n: 10_000 }, out },
      {
        role: 'utility-staff',
      },
    );
    expect(done.rowCount).toBe(10_000);
    expect(done.suppressedCells).toBe(1000);
    expect(fs.readFileSync(out, 'utf8').split('\r\n')).toHaveLength(10_002);
  });

  it('refuses to overwrite the workspace or write into a missing directory', async () => {
    const { ws, file, dir } = await demo();
    await expect(
      exportDefinition(ws, testDef(), { params: {}, out: file }, { role: 'analyst' }),
    ).rejects.toThrow(/refusing to overwrite the workspace/);
    await expect(
      exportDefinition(
        ws,
        testDef(),
        { params: {}, out: path.join(dir, 'no', 'x.csv') },
        {
          role: 'analyst',
        },
      ),
    ).rejects.toThrow(/does not exist/);
  });

  it('previews a page with privacy applied and tells when it reached the end', async () => {
    const { ws } = await demo();
    const p1 = previewDefinition(
      ws,
      testDef(),
      { params: { n: 25 }, offset: 8, limit: 10 },
      {
        role: 'public',
        now: NOW,
      },
    );
    expect(p1.rows.map((r) => r.values[0])).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(p1.rows.map((r) => r.suppressed)).toEqual([
      false,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(p1.rows[0]?.values).toEqual([8, 'a,b "c"\nd', '[redacted]', 4]);
    expect(p1.done).toBe(false);
    // Rows 0..17 were redacted (18 cells), not the look-ahead row.
    expect(p1.redactedCells).toBe(18);
    const p2 = previewDefinition(
      ws,
      testDef(),
      { params: { n: 25 }, offset: 20, limit: 10 },
      {
        role: 'public',
      },
    );
    expect(p2.rows.map((r) => r.values[0])).toEqual([20, 21, 22, 23, 24]);
    expect(p2.done).toBe(true);
    expect(ws.db.prepare('SELECT count(*) AS n FROM dataset_run').get()).toEqual({ n: 0 });
  });
});

describe('workspace fingerprint', () => {
  it('is stable, and changes after an import, an index link and a reviewer decision', async () => {
    const { ws, dir } = await demo();
    const a = workspaceFingerprint(ws.db);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(workspaceFingerprint(ws.db)).toBe(a);
    // Export records and audit entries do not change it.
    saveDefinition(ws.db, testDef());
    ws.audit('analyst', 'export', 'x', {});
    expect(workspaceFingerprint(ws.db)).toBe(a);

    const cis = path.join(dir, 'one.csv');
    fs.writeFileSync(
      cis,
      'org,account,customer,premise,address,city,state,zip,usage_point,meter,commodity,rate_class,start_date,end_date\n' +
        'UES,ACC-1,CUST-1,PREM-1,1 Test Road,Pembroke,NH,03275,UP-1,MTR-1,electricity,D,2018-01-01,\n',
    );
    const r = await runImport(ws, { kind: 'cis', files: [cis], org: 'UES' });
    expect(r.files[0]?.status).toBe('committed');
    const b = workspaceFingerprint(ws.db);
    expect(b).not.toBe(a);
    // Re-importing the same file is a no-op: same fingerprint.
    await runImport(ws, { kind: 'cis', files: [cis], org: 'UES' });
    expect(workspaceFingerprint(ws.db)).toBe(b);

    ws.db.exec(`INSERT INTO platform_id (kind, id, created_at) VALUES ('PremiseID', 'T-1', 1)`);
    ws.db.exec(
      `INSERT INTO platform_link (kind, platform_id, source_table, source_id, method, linked_at)
       VALUES ('PremiseID', 'T-1', 'premise', (SELECT max(id) FROM premise), 'manual', 2)`,
    );
    const c = workspaceFingerprint(ws.db);
    expect(c).not.toBe(b);
    ws.db.exec(
      `INSERT INTO match_decision (left_premise_id, right_premise_id, decision, decided_by, decided_at)
       VALUES (1, 2, 'reject', 'analyst', 3)`,
    );
    expect(workspaceFingerprint(ws.db)).not.toBe(c);
  });
});

describe('registered definitions', () => {
  it('every column names a data class and every definition parses its defaults', () => {
    for (const d of listDatasets()) {
      expect(d.columns.length).toBeGreaterThan(0);
      expect(new Set(d.columns.map((c) => c.name)).size).toBe(d.columns.length);
      expect(() => parseParams(getDataset(d.name), {})).not.toThrow();
    }
  });
});
