import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCopy } from '../testing/demoTemplate';
import { runIndex } from '../indexer/run';
import { runImport } from '../import/run';
import type { Workspace } from '../workspace/workspace';
import { corrections, editDistance, queryTokens, searchPremises } from './query';

let ws: Workspace;
let dir: string;
/** The CORE-01 seed premise: account 108999999 at 74 N Sing St, Concord. */
let seedPlatformId: string;

beforeAll(async () => {
  ({ ws, dir } = await demoCopy());
  await runIndex(ws);
  seedPlatformId = ws.db
    .prepare(
      `SELECT l.platform_id FROM account ac
       JOIN service_agreement sa ON sa.account_id = ac.id
       JOIN usage_point up ON up.id = sa.usage_point_id
       JOIN platform_link l ON l.kind = 'PremiseID' AND l.source_table = 'premise' AND l.source_id = up.premise_id
       WHERE ac.account_number = '108999999'`,
    )
    .pluck()
    .get() as string;
}, 60_000);
afterAll(() => ws.close());

const top = (query: string, role: 'analyst' | 'utility-staff' | 'consultant' = 'analyst') =>
  searchPremises(ws.db, { query, role, now: new Date('2018-06-01T12:00:00Z') });

describe('searchPremises', () => {
  it.each([
    '74 N Sing St',
    '74 North Sing Street, Concord NH',
    '74 n. sing st.',
    '74 NORTH SING STREET CONCORD NH 03301',
    '74 N Sing St Concord',
    '74 N Si', // while typing
  ])('finds the seed premise by the address written as %s', (q) => {
    const r = top(q);
    expect(r.hits[0]?.platformId).toBe(seedPlatformId);
    expect(r.partial).toBe(false);
  });

  it('tolerates a typo and says what it searched instead', () => {
    const r = top('74 N Sinng Street');
    expect(r.hits[0]?.platformId).toBe(seedPlatformId);
    expect(r.corrections).toEqual([{ from: 'sinng', to: expect.arrayContaining(['sing']) }]);
  });

  it('finds a premise by account number, and by its platform ID before longer IDs', () => {
    expect(top('108999999').hits[0]?.platformId).toBe(seedPlatformId);
    expect(top(seedPlatformId).hits[0]?.platformId).toBe(seedPlatformId);
  });

  it('returns one hit per platform premise, listing every organization’s record', () => {
    const r = top('74 N Sing St');
    const ids = r.hits.map((h) => h.platformId);
    expect(new Set(ids).size).toBe(ids.length);
    const members = ws.db
      .prepare("SELECT count(*) FROM platform_link WHERE kind = 'PremiseID' AND platform_id = ?")
      .pluck()
      .get(seedPlatformId);
    expect(r.hits[0]?.premiseIds).toHaveLength(members as number);
  });

  it('ranks the exact unit first among the units of a building', () => {
    const unit = ws.db
      .prepare(
        `SELECT a.house_number || ' ' || a.street_name || ' ' || a.street_suffix || ' ' || a.unit_type || ' ' || a.unit_number AS q,
                l.platform_id FROM address a
         JOIN premise_address pa ON pa.address_id = a.id
         JOIN platform_link l ON l.kind = 'PremiseID' AND l.source_table = 'premise' AND l.source_id = pa.premise_id
         WHERE a.unit_number IS NOT NULL AND a.street_suffix IS NOT NULL AND a.unit_type IS NOT NULL
         ORDER BY a.id LIMIT 1`,
      )
      .get() as { q: string; platform_id: string };
    expect(top(unit.q).hits[0]?.platformId).toBe(unit.platform_id);
  });

  it('finds by customer name only where the role and consent allow it', () => {
    // Lisa U. Hayes consented to PII use (2018-05-01 to 2019-04-30) for her usage point.
    const consented = ws.db
      .prepare("SELECT count(*) FROM customer WHERE name = 'Lisa U. Hayes'")
      .pluck()
      .get() as number;
    expect(consented).toBe(1);
    expect(top('Lisa Hayes', 'consultant').hits.length).toBeGreaterThan(0);
    const later = searchPremises(ws.db, {
      query: 'Lisa Hayes',
      role: 'consultant',
      now: new Date('2020-01-01T00:00:00Z'),
    });
    expect(later.hits).toEqual([]);
    // Emily Cook (the seed account) gave no consent: utility staff find her, others do not.
    expect(top('Emily Cook', 'utility-staff').hits[0]?.platformId).toBe(seedPlatformId);
    expect(top('Emily Cook', 'analyst').hits.map((h) => h.platformId)).not.toContain(
      seedPlatformId,
    );
  });

  it('refuses the public role and answers an empty query with nothing', () => {
    expect(() => searchPremises(ws.db, { query: '74 N Sing St', role: 'public' })).toThrow(
      /public role/,
    );
    expect(top('  ,, ').hits).toEqual([]);
  });

  it('returns partial matches when no premise has every word', () => {
    const r = top('74 N Sing St Atlantis');
    expect(r.partial).toBe(true);
    expect(r.hits[0]?.platformId).toBe(seedPlatformId);
  });

  it('sees an imported premise at once, before any index run', async () => {
    const csv = path.join(dir, 'new.csv');
    fs.writeFileSync(
      csv,
      'org,account,customer,premise,address,city,state,zip,usage_point,meter,commodity,rate_class,start_date,end_date\n' +
        'UES,777000111,New Customer,UNEW1,9 Quillwort Lane,Pembroke,NH,03275,UPNEW1,MNEW1,electricity,D,2024-01-01,\n',
    );
    await runImport(ws, { kind: 'cis', files: [csv], mode: 'strict' });
    const r = top('9 Quillwort Ln');
    expect(r.partial).toBe(false);
    expect(r.hits[0]?.platformId).toBeNull();
    expect(r.hits[0]?.address).toContain('QUILLWORT');
    expect(top('777000111').hits).toHaveLength(1);
  });
});

describe('query helpers', () => {
  it('tokenises like FTS5 unicode61', () => {
    expect(queryTokens('74 N. Sing St., Apt #2 — Café')).toEqual([
      '74',
      'n',
      'sing',
      'st',
      'apt',
      '2',
      'cafe',
    ]);
  });

  it('measures edits with adjacent swaps as one', () => {
    expect(editDistance('pembroke', 'pmebroke', 2)).toBe(1);
    expect(editDistance('glass', 'glss', 1)).toBe(1);
    expect(editDistance('main', 'mian', 1)).toBe(1);
    expect(editDistance('front', 'borough', 1)).toBe(2);
  });

  it('corrects only unknown words, against known ones, most frequent first', () => {
    const words = new Map([
      ['pembroke', 50],
      ['pembrook', 2],
      ['main', 30],
    ]);
    expect(corrections('pembroke', words)).toEqual([]);
    expect(corrections('pembrok', words)).toEqual(['pembroke', 'pembrook']);
    expect(corrections('mian', words)).toEqual(['main']);
    expect(corrections('st', words)).toEqual([]);
  });
});
