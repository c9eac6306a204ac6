// Test helpers for the intervals, reads and submeter importer tests: a small demo workspace
// (organizations, usage points, meters, quality codes; 2018 data) built once and copied fresh
// for each test, CSV files in a temp dir, and readers of what an import stored.
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { demoCopy } from '../../testing/demoTemplate';
import { readBlocks, type StoredBlock } from '../../metering/intervals';
import { tmpDir } from '../../testing/tmp';
import { Workspace } from '../../workspace/workspace';
import { runImport } from '../run';
import type { FileOutcome, ImportRequest } from '../schema';

const dir = tmpDir('edw-metering-');
let n = 0;

/** A fresh copy of a small demo workspace (40 premises, 3 days of 2018 data). */
export async function demoWorkspace(): Promise<Workspace> {
  return (await demoCopy()).ws;
}

export function csvFile(name: string, lines: readonly string[]): string {
  const file = path.join(dir, `${n++}-${name}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export async function importFile(
  ws: Workspace,
  kind: z.input<typeof ImportRequest>['kind'],
  file: string,
  opts: Partial<z.input<typeof ImportRequest>> = {},
): Promise<FileOutcome> {
  const r = await runImport(ws, {
    kind,
    files: [file],
    rejectsDir: path.join(dir, 'rejects'),
    ...opts,
  });
  return r.files[0] as FileOutcome;
}

/** Source keys of an organization's usage points of a commodity (in id order). */
export function usagePoints(ws: Workspace, org: string, commodity = 'electricity'): string[] {
  return (
    ws.db
      .prepare(
        `SELECT u.source_key FROM usage_point u JOIN organization o ON o.id = u.org_id
         WHERE o.code = ? AND u.commodity = ? ORDER BY u.id`,
      )
      .all(org, commodity) as { source_key: string }[]
  ).map((r) => r.source_key);
}

/** The series of a usage point (by source key) and reading type name, or null. */
export function seriesOf(
  ws: Workspace,
  org: string,
  upKey: string,
  readingType: string,
): number | null {
  const row = ws.db
    .prepare(
      `SELECT s.id FROM series s JOIN usage_point u ON u.id = s.usage_point_id
       JOIN organization o ON o.id = u.org_id JOIN reading_type rt ON rt.id = s.reading_type_id
       WHERE o.code = ? AND u.source_key = ? AND rt.name = ?`,
    )
    .get(org, upKey, readingType) as { id: number } | undefined;
  return row?.id ?? null;
}

/** The tests write 2019 data; the demo's own data is 2018. */
export const FROM_DAY = 17897; // 2019-01-01

/** Decoded blocks of a series from 2019 on. */
export function blocks(ws: Workspace, seriesId: number | null): StoredBlock[] {
  if (seriesId === null) throw new Error('no such series');
  return [...readBlocks(ws.db, seriesId, FROM_DAY)];
}

export interface ViewRow {
  day: number;
  slot: number;
  start: number;
  value: number;
  quality_name: string;
}

/** Readings of a series through the documented interval_reading view. */
export function viewRows(ws: Workspace, seriesId: number | null): ViewRow[] {
  return ws.db
    .prepare(
      'SELECT day, slot, start, value, quality_name FROM interval_reading WHERE series_id = ? AND day >= ? ORDER BY start',
    )
    .all(seriesId, FROM_DAY) as ViewRow[];
}

export function count(ws: Workspace, sql: string, ...params: unknown[]): number {
  return (ws.db.prepare(sql).get(...params) as { n: number }).n;
}

/** "2019-06-01T00:00:00-04:00" … for `hours` hourly starts from a UTC epoch, in New York. */
export function isoHours(
  fromUtc: string,
  hours: number,
  offsetFor: (epoch: number) => string,
): string[] {
  const t0 = Date.parse(fromUtc) / 1000;
  return Array.from({ length: hours }, (_, h) => {
    const t = t0 + h * 3600;
    const off = offsetFor(t);
    const sign = off.startsWith('-') ? -1 : 1;
    const secs = sign * (Number(off.slice(1, 3)) * 3600 + Number(off.slice(4, 6)) * 60);
    return new Date((t + secs) * 1000).toISOString().slice(0, 19) + off;
  });
}
