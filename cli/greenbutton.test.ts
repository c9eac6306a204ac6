// edw greenbutton export|import: the CLI contract (flags, --json, exit codes, audit).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { edw } from './testkit';
import { buildSource, xmllint } from '../core/greenbutton/testkit';
import { tmpDir } from '../core/testing/tmp';
import { Workspace } from '../core/workspace/workspace';

describe('edw greenbutton', () => {
  it('exports a bulk feed, refuses a consultant without consent, imports through the alias', async () => {
    const src = buildSource();
    const expected = src.ws.db
      .prepare(`SELECT count(*) FROM interval_reading WHERE quality <> 3 AND day BETWEEN ? AND ?`)
      .pluck()
      .get(Date.UTC(2018, 2, 10) / 86400000, Date.UTC(2018, 2, 12) / 86400000) as number;
    src.ws.close();
    const dir = tmpDir();
    const out = path.join(dir, 'bulk.xml');
    const r = await edw(
      'greenbutton',
      'export',
      src.file,
      '--usage-point',
      'E-100',
      '--usage-point',
      'G-200',
      '--from',
      '2018-03-10',
      '--to',
      '2018-03-12',
      '--espi',
      '4.0',
      '--out',
      out,
      '--json',
      '-q',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      ok: boolean;
      usagePoints: string[];
      readings: number;
      espi: string;
    };
    expect(json).toMatchObject({ ok: true, usagePoints: ['E-100', 'G-200'], espi: '4.0' });
    expect(json.readings).toBe(expected);
    expect(xmllint(out, '4.0').ok).toBe(true);

    const refused = await edw(
      'greenbutton',
      'export',
      src.file,
      '--usage-point',
      'E-100',
      '--role',
      'consultant',
      '--out',
      path.join(dir, 'no.xml'),
      '--json',
      '-q',
    );
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out)).toMatchObject({
      ok: false,
      error: { code: 'usage', details: { reason: 'consent_missing' } },
    });
    expect(refused.err).toMatch(/customer C-1: no consent on record/);
    expect(fs.existsSync(path.join(dir, 'no.xml'))).toBe(false);

    expect((await edw('greenbutton', 'export', src.file, '--usage-point', 'E-100')).code).toBe(1);
    expect((await edw('greenbutton', 'frob', src.file)).code).toBe(1);

    const fresh = path.join(dir, 'fresh.edw');
    const ws = Workspace.create(fresh);
    ws.db
      .prepare(
        "INSERT INTO organization (code, name, kind) VALUES ('NHU', 'NH Utility', 'utility')",
      )
      .run();
    ws.close();
    const imp = await edw('greenbutton', 'import', fresh, out, '--org', 'NHU', '--json', '-q');
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.out)).toMatchObject({
      ok: true,
      files: [{ status: 'committed', rowsRejected: 0 }],
    });

    const check = Workspace.open(src.file);
    const audit = check.db
      .prepare(
        "SELECT role, json_extract(details, '$.status') AS status FROM audit_log WHERE action = 'export' ORDER BY id",
      )
      .all();
    expect(audit).toEqual([
      { role: 'analyst', status: 'written' },
      { role: 'consultant', status: 'refused' },
    ]);
    check.close();
  });
});
