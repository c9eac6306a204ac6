// Test helpers for the billing engine: a bare workspace with one organization, tariffs written
// straight into the tables (so tests can also hold what the importers refuse), and hand-made
// interval days in local time.
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { Workspace } from '../workspace/workspace';
import { tmpDir } from '../testing/tmp';
import { isoToDay, localDay } from '../time/zone';
import type { DayData } from './meterData';
import type { Usage } from './engine';

export const ZONE = 'America/New_York';

export interface ComponentSpec {
  code: string;
  kind: 'fixed_bill' | 'fixed_day' | 'energy' | 'demand' | 'minimum' | 'rider' | 'tax';
  rate: string;
  unit?: string;
  period?: string;
  season?: string;
  ratchet?: string;
  tiers?: [string | null, string][];
  section?: 'delivery' | 'supply' | 'other';
}

export interface VersionSpec {
  from: string;
  to?: string | null;
  rounding?: string;
  periods?: string[];
  schedule?: [months: string, dayType: string, start: number, end: number, period: string][];
  components: ComponentSpec[];
}

export function bareWorkspace(): { ws: Workspace; db: Database; orgId: number } {
  const ws = Workspace.create(path.join(tmpDir('edw-billing-'), 'ws.edw'));
  const orgId = Number(
    ws.db
      .prepare(
        `INSERT INTO organization (code, name, kind, jurisdiction_code, regulated, time_zone)
         VALUES ('TST', 'Test Electric', 'utility', 'NH', 1, ?)`,
      )
      .run(ZONE).lastInsertRowid,
  );
  ws.db
    .prepare(
      `INSERT OR IGNORE INTO holiday (jurisdiction_code, date, name) VALUES ('NH', '2018-07-04', 'Independence Day')`,
    )
    .run();
  return { ws, db: ws.db, orgId };
}

export function insertTariff(
  db: Database,
  orgId: number,
  code: string,
  versions: VersionSpec[],
): number {
  const tariffId = Number(
    db
      .prepare(`INSERT INTO tariff (org_id, code, name, commodity) VALUES (?, ?, ?, 'electricity')`)
      .run(orgId, code, `Tariff ${code}`).lastInsertRowid,
  );
  for (const v of versions) {
    const vid = Number(
      db
        .prepare(
          'INSERT INTO tariff_version (tariff_id, effective_from, effective_to, rounding_rule) VALUES (?, ?, ?, ?)',
        )
        .run(tariffId, v.from, v.to ?? null, v.rounding ?? 'line_half_up').lastInsertRowid,
    );
    const periods = new Map<string, number>();
    for (const p of v.periods ?? [])
      periods.set(
        p,
        Number(
          db
            .prepare('INSERT INTO time_period (tariff_version_id, code, name) VALUES (?, ?, ?)')
            .run(vid, p, p).lastInsertRowid,
        ),
      );
    for (const [months, dayType, start, end, p] of v.schedule ?? [])
      db.prepare(
        'INSERT INTO tou_schedule (tariff_version_id, months, day_type, start_hour, end_hour, time_period_id) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(vid, months, dayType, start, end, periods.get(p));
    v.components.forEach((c, i) => {
      const cid = Number(
        db
          .prepare(
            `INSERT INTO charge_component (tariff_version_id, line_order, code, name, kind, section, unit, rate, time_period_id, season, ratchet_percent)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            vid,
            i + 1,
            c.code,
            c.code.replace(/_/g, ' '),
            c.kind,
            c.section ?? 'delivery',
            c.unit ??
              (c.kind === 'fixed_bill'
                ? 'bill'
                : c.kind === 'fixed_day'
                  ? 'day'
                  : c.kind === 'demand'
                    ? 'kW'
                    : 'kWh'),
            c.rate,
            c.period ? (periods.get(c.period) ?? null) : null,
            c.season ?? null,
            c.ratchet ?? null,
          ).lastInsertRowid,
      );
      (c.tiers ?? []).forEach(([upto, rate], k) =>
        db
          .prepare(
            'INSERT INTO charge_tier (charge_id, tier_index, upto, rate) VALUES (?, ?, ?, ?)',
          )
          .run(cid, k, upto, rate),
      );
    });
  }
  return tariffId;
}

/**
 * Interval days [from, from + n) in local time: `kwh(dayIndex, slot, localHour)` gives each
 * slot's kWh (exact decimals); DST days get 23 or 25 hourly slots.
 */
export function intervalDays(
  fromIso: string,
  n: number,
  kwh: (day: number, slot: number) => number,
  seconds = 3600,
): DayData[] {
  const from = isoToDay(fromIso);
  const out: DayData[] = [];
  for (let i = 0; i < n; i++) {
    const ld = localDay(from + i, ZONE);
    const count = ld.seconds / seconds;
    const values = new Float64Array(count);
    for (let s = 0; s < count; s++) values[s] = Math.round(kwh(i, s) * 1_000_000);
    out.push({ day: from + i, start: ld.start, seconds, values, quality: null });
  }
  return out;
}

export function usageOf(
  fromIso: string,
  toIso: string,
  days: DayData[] | null,
  readsKwh: number | null = null,
  extra: Partial<Usage> = {},
): Usage {
  return {
    unit: 'kWh',
    fromDay: isoToDay(fromIso),
    toDay: isoToDay(toIso),
    days,
    readsMicro: readsKwh === null ? null : Math.round(readsKwh * 1_000_000),
    priorPeakMicroKw: null,
    flags: [],
    ...extra,
  };
}
