// Test helpers for Green Button exports: a small workspace with electric and gas usage points,
// interval series across both DST days of 2018 (with every quality code), a bill, a customer
// with an account; xmllint validation against the ESPI schemas in reference/espi/.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BlockWriter, ensureSeries } from '../metering/intervals';
import { QUALITY } from '../metering/quality';
import { dayNumber, localDay } from '../time/zone';
import { Workspace } from '../workspace/workspace';
import { tmpDir } from '../testing/tmp';

export const ZONE = 'America/New_York';
export const REFERENCE = path.join(__dirname, '../../reference/espi');
export const SPRING = dayNumber(2018, 3, 11); // 23 hours in New York
export const FALL = dayNumber(2018, 11, 4); // 25 hours
export const DAYS = [
  dayNumber(2018, 3, 10),
  SPRING,
  dayNumber(2018, 3, 12),
  dayNumber(2018, 7, 1),
  dayNumber(2018, 11, 3),
  FALL,
  dayNumber(2018, 11, 5),
];

/** Deterministic pseudo-random numbers. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Source {
  ws: Workspace;
  dir: string;
  file: string;
  /** usage point keys */
  elec: string;
  gas: string;
  customerId: number;
  elecId: number;
  gasId: number;
}

function readingType(ws: Workspace, name: string): number {
  return (ws.db.prepare('SELECT id FROM reading_type WHERE name = ?').get(name) as { id: number })
    .id;
}

/**
 * Organization NHU (America/New_York) with electric usage point E-100 (hourly kWh with 4
 * decimals, 15-minute kWh, hourly kWh received) and gas usage point G-200 (daily therms, 3
 * decimals), all over DAYS; slot qualities include estimated, edited, failed and missing
 * (value 0). Customer C-1 holds account A-1 serving both since 2017-01-01, and a bill on E-100.
 */
export function buildSource(): Source {
  const dir = tmpDir('edw-gb-export-');
  const file = path.join(dir, 'source.edw');
  const ws = Workspace.create(file);
  const db = ws.db;
  db.prepare(
    "INSERT INTO organization (id, code, name, kind, jurisdiction_code, regulated) VALUES (1, 'NHU', 'NH Utility', 'utility', 'NH', 1)",
  ).run();
  db.prepare(
    "INSERT INTO organization (id, code, name, kind) VALUES (2, 'AGG', 'An aggregator', 'aggregator')",
  ).run();
  db.prepare(
    "INSERT INTO usage_point (id, org_id, source_key, commodity) VALUES (1, 1, 'E-100', 'electricity'), (2, 1, 'G-200', 'gas')",
  ).run();
  db.prepare(
    "INSERT INTO customer (id, org_id, source_key, name) VALUES (1, 1, 'C-1', 'Jane Sample')",
  ).run();
  db.prepare(
    "INSERT INTO account (id, org_id, account_number, customer_id) VALUES (1, 1, 'A-1', 1)",
  ).run();
  db.prepare(
    "INSERT INTO service_agreement (account_id, usage_point_id, start_date) VALUES (1, 1, '2017-01-01'), (1, 2, '2017-01-01')",
  ).run();
  const r = rng(11);
  const w = new BlockWriter(db);
  const put = (sid: number, seconds: number, decimals: number, day: number, i0: number) => {
    const d = localDay(day, ZONE);
    const n = seconds === 86400 ? 1 : d.seconds / seconds;
    const values: number[] = [];
    const quality: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = (i0 + i) % 41;
      const q =
        k === 3
          ? QUALITY.estimated
          : k === 7
            ? QUALITY.edited
            : k === 11
              ? QUALITY.failed
              : k === 13 && seconds !== 86400
                ? QUALITY.missing
                : QUALITY.valid;
      quality.push(q);
      values.push(
        q === QUALITY.missing ? 0 : Math.round(r() * 5 * 10 ** decimals) / 10 ** decimals,
      );
    }
    w.put({
      seriesId: sid,
      day,
      start: d.start,
      seconds: seconds === 86400 ? d.seconds : seconds,
      values,
      quality,
    });
  };
  db.transaction(() => {
    const hourly = ensureSeries(db, {
      usagePointId: 1,
      readingTypeId: readingType(ws, 'Electricity kWh hourly'),
    });
    const quarter = ensureSeries(db, {
      usagePointId: 1,
      readingTypeId: readingType(ws, 'Electricity kWh 15-minute'),
    });
    const received = ensureSeries(db, {
      usagePointId: 1,
      readingTypeId: readingType(ws, 'Electricity kWh hourly received'),
    });
    const therms = ensureSeries(db, {
      usagePointId: 2,
      readingTypeId: readingType(ws, 'Gas therms daily'),
    });
    DAYS.forEach((day, k) => {
      put(hourly, 3600, 4, day, k * 5);
      put(quarter, 900, 3, day, k * 7);
      put(received, 3600, 2, day, k * 3);
    });
    // Gas: every day from 2018-03-05 to 2018-03-20 and 2018-10-28 to 2018-11-10.
    for (let d = dayNumber(2018, 3, 5); d <= dayNumber(2018, 3, 20); d++)
      put(therms, 86400, 3, d, d);
    for (let d = dayNumber(2018, 10, 28); d <= dayNumber(2018, 11, 10); d++)
      put(therms, 86400, 3, d, d);
    const bill = db
      .prepare(
        `INSERT INTO bill (org_id, account_id, usage_point_id, period_from, period_to, issued_on, usage, usage_unit, total_micros)
         VALUES (1, 1, 1, '2018-06-15', '2018-07-16', '2018-07-18', '612.5', 'kWh', 106512345)`,
      )
      .run().lastInsertRowid;
    const line = db.prepare(
      'INSERT INTO bill_line (bill_id, line_no, code, description, quantity, unit, rate, amount_micros) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    line.run(bill, 1, 'customer_charge', 'Customer Charge', null, null, null, 16120000);
    line.run(bill, 2, 'delivery', 'Delivery Charge', '612.5', 'kWh', '0.0614', 37607500);
    line.run(bill, 3, 'energy_service', 'Energy Service', '612.5', 'kWh', '0.0857', 52784845);
  })();
  return { ws, dir, file, elec: 'E-100', gas: 'G-200', customerId: 1, elecId: 1, gasId: 2 };
}

/** xmllint against reference/espi/v<version>/feed.xsd: { ok, message }. */
export function xmllint(file: string, version: '3.3' | '4.0'): { ok: boolean; message: string } {
  const r = spawnSync(
    'xmllint',
    ['--noout', '--nonet', '--schema', path.join(REFERENCE, `v${version}`, 'feed.xsd'), file],
    { encoding: 'utf8' },
  );
  if (r.error)
    throw new Error(
      `xmllint is not available (${r.error.message}): install Debian's libxml2-utils (npm test does)`,
    );
  return { ok: r.status === 0, message: `${r.stderr}`.trim() };
}
