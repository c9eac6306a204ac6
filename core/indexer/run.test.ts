import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../fixtures/demo/generate';
import { runImport } from '../import/run';
import { tmpDir } from '../testing/tmp';
import { CancelledError } from '../workspace/errors';
import { Workspace } from '../workspace/workspace';
import { decide, listReview } from './review';
import { runIndex } from './run';

// The default demo population (1,500 premises, one day of data) built once, copied per test.
let template = '';
beforeAll(async () => {
  const dir = tmpDir('edw-index-template-');
  template = path.join(dir, 'template.edw');
  const ws = Workspace.create(template);
  await generateDemo(ws.db, { premises: 1500, days: 1 });
  ws.close();
}, 120_000);

function copy(): Workspace {
  const file = path.join(tmpDir('edw-index-'), 'ws.edw');
  fs.copyFileSync(template, file);
  return Workspace.open(file);
}

type Link = { kind: string; source_table: string; source_id: number; platform_id: string };
const links = (ws: Workspace): Link[] =>
  ws.db
    .prepare(
      'SELECT kind, source_table, source_id, platform_id FROM platform_link ORDER BY kind, source_table, source_id',
    )
    .all() as Link[];
const premiseId = (ws: Workspace, premise: number): string =>
  ws.db
    .prepare(
      "SELECT platform_id FROM platform_link WHERE kind = 'PremiseID' AND source_table = 'premise' AND source_id = ?",
    )
    .pluck()
    .get(premise) as string;
const maxIssued = (ws: Workspace, kind: string): number =>
  ws.db
    .prepare(
      "SELECT max(CAST(id AS INTEGER)) FROM platform_id WHERE kind = ? AND id NOT GLOB '*[^0-9]*'",
    )
    .pluck()
    .get(kind) as number;

describe('runIndex on the demo', () => {
  it('meets the precision and recall targets and links every row of every kind', async () => {
    const ws = copy();
    const seeds = ws.db.prepare("SELECT * FROM platform_link WHERE method = 'seed'").all();
    const r = await runIndex(ws);
    expect(r.evaluation).not.toBeNull();
    expect(r.evaluation!.precision).toBeGreaterThanOrEqual(0.995);
    expect(r.evaluation!.recall).toBeGreaterThanOrEqual(0.99);
    expect(r.kinds.map((k) => k.kind)).toHaveLength(13);
    const tables: Record<string, string> = {
      PremiseID: 'premise',
      AddressID: 'address',
      PersonID: 'person',
      UsagePointID: 'usage_point',
      OrgID: 'organization',
      SensorID: 'meter', // + sensor, below
      AccountID: 'account',
      AssetID: 'asset',
      InstanceID: 'series',
      TimePeriodID: 'time_period',
      ProgramID: 'program',
      BlockDefinitionID: 'block_definition',
      RateClassID: 'rate_class',
    };
    for (const k of r.kinds) {
      let rows = ws.db.prepare(`SELECT count(*) FROM ${tables[k.kind]}`).pluck().get() as number;
      if (k.kind === 'SensorID')
        rows += ws.db.prepare('SELECT count(*) FROM sensor').pluck().get() as number;
      expect(k.links, k.kind).toBe(rows);
    }
    // Seed IDs are kept on the rows the seed documents put them on.
    const after = ws.db.prepare("SELECT * FROM platform_link WHERE method = 'seed'").all();
    expect(after.map((l) => JSON.stringify({ ...(l as object), run_id: null }))).toEqual(
      seeds.map((l) => JSON.stringify({ ...(l as object), run_id: null })),
    );
    // Normalised parts are written back for users' own queries.
    const blank = ws.db.prepare('SELECT count(*) FROM address WHERE normalized IS NULL').pluck();
    expect(blank.get()).toBe(0);
    ws.close();
  }, 60_000);

  it('changes nothing when run again', async () => {
    const ws = copy();
    await runIndex(ws);
    const first = links(ws);
    const r = await runIndex(ws);
    expect(links(ws)).toEqual(first);
    for (const k of r.kinds)
      expect([k.kind, k.created, k.merged, k.split]).toEqual([k.kind, 0, 0, 0]);
    ws.close();
  }, 60_000);

  it('keeps every existing ID when a new organization’s record arrives, and links it', async () => {
    const ws = copy();
    await runIndex(ws);
    const before = links(ws).filter((l) => l.kind === 'PremiseID');
    // A PSNH-only building: a gas record for it arrives in a new CIS file, written differently.
    const target = ws.db
      .prepare(
        `SELECT p.id, a.line1, a.city, a.zip FROM premise p
         JOIN organization o ON o.id = p.org_id AND o.code = 'PSNH'
         JOIN premise_address pa ON pa.premise_id = p.id JOIN address a ON a.id = pa.address_id
         JOIN platform_link l ON l.kind = 'PremiseID' AND l.source_table = 'premise' AND l.source_id = p.id
         WHERE a.unit_number IS NULL AND a.unit_type IS NULL AND a.house_number IS NOT NULL
           AND a.street_suffix = 'ST' AND a.zip IS NOT NULL
           AND (SELECT count(*) FROM platform_link l2 WHERE l2.kind = 'PremiseID' AND l2.platform_id = l.platform_id) = 1
         ORDER BY p.id LIMIT 1`,
      )
      .get() as { id: number; line1: string; city: string; zip: string };
    const line1 = `${target.line1.toLowerCase().replace(/ st$/, ' street')}`;
    const csv = path.join(tmpDir(), 'liberty-new.csv');
    fs.writeFileSync(
      csv,
      'org,account,customer,premise,address,city,state,zip,usage_point,meter,commodity,rate_class,start_date,end_date\n' +
        `LIBERTY,9990001,Test Customer,LNEW1,${line1},${target.city},NH,${target.zip},LUPNEW1,LMNEW1,gas,R-3,2024-01-01,\n`,
    );
    const imp = await runImport(ws, { kind: 'cis', files: [csv], mode: 'strict' });
    expect(imp.files[0]?.rowsAccepted).toBe(1);
    const r = await runIndex(ws);
    const newPremise = ws.db
      .prepare("SELECT id FROM premise WHERE source_key = 'LNEW1'")
      .pluck()
      .get() as number;
    expect(premiseId(ws, newPremise)).toBe(premiseId(ws, target.id));
    const after = links(ws).filter((l) => l.kind === 'PremiseID' && l.source_id !== newPremise);
    expect(after).toEqual(before);
    expect(r.kinds.find((k) => k.kind === 'PremiseID')?.created).toBe(0);
    ws.close();
  }, 60_000);

  it('applies an accepted review pair on the next run and on every run after', async () => {
    const ws = copy();
    const first = await runIndex(ws);
    const open = listReview(ws, 'analyst', { filter: 'open', limit: 100, offset: 0 });
    expect(open.total).toBe(first.reviewQueue);
    const pair = open.items.find((i) => i.left.platformId !== i.right.platformId);
    expect(pair).toBeDefined();
    const { left, right } = pair!;
    const item = decide(ws, 'analyst', {
      left: left.premiseId,
      right: right.premiseId,
      decision: 'accept',
    });
    expect(item.decision).toBe('accept');
    expect(item.decidedBy).toBe('analyst');

    const second = await runIndex(ws);
    expect(second.decisionsApplied).toBe(1);
    expect(second.reviewQueue).toBe(first.reviewQueue - 1);
    const id = premiseId(ws, left.premiseId);
    expect(premiseId(ws, right.premiseId)).toBe(id);
    const method = ws.db
      .prepare("SELECT method FROM platform_link WHERE kind = 'PremiseID' AND source_id = ?")
      .pluck();
    expect([method.get(left.premiseId), method.get(right.premiseId)]).toContain('review');
    // The other ID, if no other row carries it, is retired as merged, never deleted.
    const loser = [left.platformId, right.platformId].find((x) => x !== id)!;
    const retired = ws.db
      .prepare(
        "SELECT retired_at, merged_into FROM platform_id WHERE kind = 'PremiseID' AND id = ?",
      )
      .get(loser) as { retired_at: number | null; merged_into: string | null };
    expect(retired.merged_into).toBe(id);
    expect(retired.retired_at).not.toBeNull();
    const events = ws.db
      .prepare(
        "SELECT event, other_id FROM platform_event WHERE kind = 'PremiseID' AND platform_id = ?",
      )
      .all(loser);
    expect(events).toContainEqual({ event: 'merge', other_id: id });

    await runIndex(ws);
    expect(premiseId(ws, right.premiseId)).toBe(premiseId(ws, left.premiseId));
    const decided = listReview(ws, 'analyst', { filter: 'decided', limit: 10, offset: 0 });
    expect(decided.items.map((i) => [i.left.premiseId, i.decision])).toEqual([
      [left.premiseId, 'accept'],
    ]);
    ws.close();
  }, 60_000);

  it('splits an auto-linked pair with a new ID that is never reused, and rejoins on undo', async () => {
    const ws = copy();
    await runIndex(ws);
    const linked = listReview(ws, 'analyst', { filter: 'linked', limit: 1000, offset: 0 });
    const clusterSize = ws.db.prepare(
      "SELECT count(*) FROM platform_link WHERE kind = 'PremiseID' AND platform_id = ?",
    );
    const pair = linked.items.find(
      (i) =>
        clusterSize.pluck().get(i.left.platformId) === 2 &&
        i.left.platformId === i.right.platformId,
    )!;
    expect(pair).toBeDefined();
    const shared = pair.left.platformId!;
    const highest = maxIssued(ws, 'PremiseID');
    decide(ws, 'oca', {
      left: pair.left.premiseId,
      right: pair.right.premiseId,
      decision: 'split',
    });
    const r = await runIndex(ws);
    expect(r.kinds.find((k) => k.kind === 'PremiseID')?.split).toBe(1);
    const a = premiseId(ws, pair.left.premiseId);
    const b = premiseId(ws, pair.right.premiseId);
    expect(a).not.toBe(b);
    expect([a, b]).toContain(shared);
    const fresh = a === shared ? b : a;
    expect(Number(fresh)).toBe(highest + 1);
    const split = ws.db
      .prepare(
        "SELECT other_id FROM platform_event WHERE kind = 'PremiseID' AND platform_id = ? AND event = 'split'",
      )
      .pluck()
      .all(shared);
    expect(split).toEqual([fresh]);

    // Undo: the matcher links them again; the older ID survives, the split one is retired.
    decide(ws, 'oca', { left: pair.left.premiseId, right: pair.right.premiseId, decision: null });
    await runIndex(ws);
    expect(premiseId(ws, pair.left.premiseId)).toBe(shared);
    expect(premiseId(ws, pair.right.premiseId)).toBe(shared);
    const gone = ws.db
      .prepare("SELECT merged_into FROM platform_id WHERE kind = 'PremiseID' AND id = ?")
      .pluck()
      .get(fresh);
    expect(gone).toBe(shared);
    // A later new ID continues after the retired one.
    decide(ws, 'oca', {
      left: pair.left.premiseId,
      right: pair.right.premiseId,
      decision: 'reject',
    });
    await runIndex(ws);
    const again = [premiseId(ws, pair.left.premiseId), premiseId(ws, pair.right.premiseId)];
    expect(again).toContain(String(highest + 2));
    ws.close();
  }, 60_000);

  it('rolls back a cancelled run', async () => {
    const ws = copy();
    const before = links(ws);
    const ac = new AbortController();
    ac.abort();
    await expect(runIndex(ws, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(links(ws)).toEqual(before);
    expect(ws.db.prepare('SELECT count(*) FROM index_run').pluck().get()).toBe(0);
    ws.close();
  }, 60_000);

  it('records the run, its metrics and an audit entry', async () => {
    const ws = copy();
    const r = await runIndex(ws, { role: 'oca' });
    const run = ws.db.prepare('SELECT * FROM index_run WHERE id = ?').get(r.runId) as {
      finished_at: number | null;
      metrics: string;
    };
    expect(run.finished_at).not.toBeNull();
    expect(JSON.parse(run.metrics)).toMatchObject({ runId: r.runId, premises: r.premises });
    const audit = ws.db.prepare("SELECT role, subject FROM audit_log WHERE action = 'index'").all();
    expect(audit).toEqual([{ role: 'oca', subject: `run ${r.runId}` }]);
    ws.close();
  }, 60_000);
});

describe('review queue privacy', () => {
  it('redacts addresses for the public role only', async () => {
    const ws = copy();
    await runIndex(ws);
    const [analyst] = listReview(ws, 'analyst', { filter: 'linked', limit: 1, offset: 0 }).items;
    const [pub] = listReview(ws, 'public', { filter: 'linked', limit: 1, offset: 0 }).items;
    expect(analyst?.left.raw).not.toBe('[redacted]');
    expect(pub?.left.raw).toBe('[redacted]');
    expect(pub?.left.normalized).toBe('[redacted]');
    expect(() => decide(ws, 'analyst', { left: 1, right: 1, decision: 'accept' })).toThrow(
      /itself/,
    );
    expect(() => decide(ws, 'analyst', { left: 1, right: 99_999_999, decision: 'accept' })).toThrow(
      /no premise/,
    );
    ws.close();
  }, 60_000);
});
