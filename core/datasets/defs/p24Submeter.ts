// p-24-submeter (OCA use case #24, seed 004 "Integration of utility and non-utility energy
// data"): for a platform PremiseID, the utility's monthly usage of each usage point at the
// premise and the non-utility sub-meter / sensor readings at the premise, side by side, joined
// by PremiseID (docs/datasets.md "p-24-submeter"). The seed's step 6: "monthly data from the
// utility and the real time data from the non-utility sub-meter".
//
// Premises are those of platform_link(PremiseID → premise rows): the indexer must have run.
// Sensors reach a PremiseID as in core-06-index (sensor.premise_id, or the sensor's address
// among the premises' addresses). Sensor readings are decoded block by block (one local day at
// a time), so memory is one day of one sensor.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { decodeBlock, type DecodedBlock } from '../../metering/intervalCodec';
import { QUALITY_NAMES } from '../../metering/quality';
import { isoToDay, dayToIso } from '../../time/zone';
import { EdwError } from '../../workspace/errors';
import { defineDataset, type DatasetRow } from '../types';
import {
  DateParam,
  agreementSubjects,
  col,
  fuelUnit,
  monthlyUsage,
  round6,
  toFuelUnit,
} from './regulator';

const Params = z
  .object({
    premise_id: z
      .string()
      .min(1)
      .optional()
      .describe('One platform PremiseID (e.g. 980); default: every PremiseID with a sensor.'),
    from: DateParam.optional().describe('First local day (YYYY-MM-DD); default: all data.'),
    to: DateParam.optional().describe('Last local day (YYYY-MM-DD), inclusive; default: all data.'),
    sensor_resolution: z
      .enum(['native', 'hour', 'day'])
      .default('native')
      .describe('Sensor readings as recorded (native), or summed per UTC hour or per local day.'),
  })
  .strict();

const COLUMNS = [
  col('premise_id', 'text', null, 'system', 'Platform PremiseID joining both sources.'),
  col(
    'source',
    'text',
    null,
    'system',
    "'utility' (regulated meter data) or 'non-utility' (sub-meter, sensor).",
  ),
  col(
    'organization',
    'text',
    null,
    'system',
    'Code of the organization that supplied the data (UES, PSNH, EK …).',
  ),
  col(
    'device_kind',
    'text',
    null,
    'system',
    "'meter' for a utility usage point; the sensor kind (submeter, thermostat …) otherwise.",
  ),
  col('device', 'text', null, 'system', 'ORG:key of the usage point or the sensor.'),
  col(
    'device_id',
    'text',
    null,
    'system',
    'Platform UsagePointID (utility) or SensorID (non-utility).',
  ),
  col('commodity', 'text', null, 'system', 'electricity, gas, water.'),
  col(
    'resolution',
    'text',
    null,
    'system',
    "'month' (utility), or the sensor's: '900 s', 'hour', 'day'.",
  ),
  col(
    'period_start',
    'text',
    null,
    'system',
    "Start of the period: 'YYYY-MM' (month), 'YYYY-MM-DD' (local day), or an ISO 8601 UTC instant.",
  ),
  col('seconds', 'integer', 's', 'system', 'Length of an interval; null for months and days.'),
  col(
    'value',
    'number',
    null,
    'customer_usage',
    'Consumption in the period, in the unit of `unit`.',
  ),
  col('unit', 'text', null, 'system', 'kWh for electricity, therm for gas; else the series unit.'),
  col('days', 'integer', 'days', 'system', 'Local days with data in a monthly or daily period.'),
  col(
    'quality',
    'text',
    null,
    'customer_usage',
    'Worst quality of the readings in the period (valid, estimated, edited, missing, failed).',
  ),
];

const PAGE = 200;
/** Days of blocks read per query (no statement stays open while rows are handed out). */
const DAYS = 31;

interface Block extends DecodedBlock {
  day: number;
  start: number;
  seconds: number;
}

/** Decoded blocks of a series between two local days, read DAYS at a time. */
function* blocks(db: Database, series: number, fromDay: number, toDay: number): Generator<Block> {
  const stmt = db.prepare(
    `SELECT day, start, seconds, count, scale, base, width, vals, quality FROM interval_block
     WHERE series_id = ? AND day > ? AND day <= ? ORDER BY day LIMIT ${DAYS}`,
  );
  let after = fromDay - 1;
  for (;;) {
    const rows = stmt.all(series, after, toDay) as {
      day: number;
      start: number;
      seconds: number;
      count: number;
      scale: number;
      base: number;
      width: number;
      vals: Buffer;
      quality: Buffer | null;
    }[];
    for (const r of rows) {
      yield {
        day: r.day,
        start: r.start,
        seconds: r.seconds,
        ...decodeBlock(r.count, r.scale, r.base, r.width, r.vals, r.quality),
      };
    }
    if (rows.length < DAYS) return;
    after = (rows[rows.length - 1] as { day: number }).day;
  }
}

interface Sensor {
  id: number;
  org: string;
  key: string;
  kind: string;
  platform: string | null;
  series: number;
  commodity: string;
  unit: string;
}

function worst(q: Uint8Array, from: number, to: number): number {
  let w = 0;
  for (let i = from; i < to; i++) w = Math.max(w, q[i] ?? 0);
  return w;
}

export const p24Submeter = defineDataset({
  name: 'p-24-submeter',
  version: 1,
  title: '#24 utility and non-utility data by PremiseID',
  description:
    "A premise's monthly utility usage and its non-utility sub-meter and sensor readings side by side, joined by platform PremiseID.",
  privacyClass: 'customer_usage',
  params: Params,
  columns: COLUMNS,

  *rows(ctx, p): Generator<DatasetRow> {
    const db = ctx.db;
    if (p.from !== undefined && p.to !== undefined && p.from > p.to)
      throw new EdwError('usage', `bad parameters: from ${p.from} is after to ${p.to}`, {
        reason: 'bad_param',
        param: 'from',
      });
    const fromDay = p.from === undefined ? -1e9 : isoToDay(p.from);
    const toDay = p.to === undefined ? 1e9 : isoToDay(p.to);
    const fromMonth = p.from?.slice(0, 7) ?? '0000-01';
    const toMonth = p.to?.slice(0, 7) ?? '9999-12';
    if (p.premise_id !== undefined) {
      const known = db
        .prepare("SELECT 1 FROM platform_id WHERE kind = 'PremiseID' AND id = ?")
        .get(p.premise_id);
      if (!known)
        throw new EdwError(
          'usage',
          `unknown PremiseID "${p.premise_id}" for parameter premise_id (run the indexer, or see core-06-index)`,
          { reason: 'bad_param', param: 'premise_id' },
        );
    }
    const premisesOf = `SELECT l.source_id FROM platform_link l
      WHERE l.kind = 'PremiseID' AND l.source_table = 'premise' AND l.platform_id = ?`;
    const sensorsOf = `SELECT s.id FROM sensor s WHERE s.premise_id IN (${premisesOf})
      UNION SELECT s.id FROM sensor s JOIN premise_address pa ON pa.address_id = s.address_id
      WHERE pa.premise_id IN (${premisesOf})`;
    const page = db
      .prepare(
        p.premise_id !== undefined
          ? `SELECT ? AS pid WHERE ? > ''`
          : `SELECT DISTINCT l.platform_id AS pid FROM sensor s
             JOIN premise_address pa ON pa.address_id = s.address_id OR pa.premise_id = s.premise_id
             JOIN platform_link l ON l.kind = 'PremiseID' AND l.source_table = 'premise' AND l.source_id = pa.premise_id
             WHERE l.platform_id > ? ORDER BY l.platform_id LIMIT ${PAGE}`,
      )
      .pluck();
    const usagePoints = db.prepare(
      `SELECT up.id, up.commodity, o.code AS org, up.source_key AS key, ul.platform_id AS platform
       FROM usage_point up JOIN organization o ON o.id = up.org_id
       LEFT JOIN platform_link ul ON ul.kind = 'UsagePointID' AND ul.source_table = 'usage_point' AND ul.source_id = up.id
       WHERE up.premise_id IN (${premisesOf}) ORDER BY o.code, up.source_key`,
    );
    const sensors = db.prepare(
      `SELECT x.id, o.code AS org, x.source_key AS key, x.kind, sl.platform_id AS platform,
              se.id AS series, rt.commodity, rt.unit
       FROM sensor x JOIN organization o ON o.id = x.org_id
       JOIN series se ON se.sensor_id = x.id
       JOIN reading_type rt ON rt.id = se.reading_type_id AND rt.flow_direction = 'forward'
         AND rt.interval_seconds IS NOT NULL AND rt.measure IN ('energy', 'volume')
       LEFT JOIN platform_link sl ON sl.kind = 'SensorID' AND sl.source_table = 'sensor' AND sl.source_id = x.id
       WHERE x.id IN (${sensorsOf}) ORDER BY o.code, x.source_key, se.id`,
    );
    const cache = new Map<string, number | null>();
    let after = '';
    for (;;) {
      const ids = (
        p.premise_id !== undefined
          ? after === ''
            ? page.all(p.premise_id, p.premise_id)
            : []
          : page.all(after)
      ) as string[];
      if (ids.length === 0) return;
      after = ids[ids.length - 1] as string;
      for (const pid of ids) {
        const ups = usagePoints.all(pid) as {
          id: number;
          commodity: string;
          org: string;
          key: string;
          platform: string | null;
        }[];
        const upById = new Map(ups.map((u) => [u.id, u]));
        const subjectsOf = new Map<number, ReturnType<typeof agreementSubjects>>();
        const subjects = (upIds: number[]) => agreementSubjects(db, upIds);
        // Utility: monthly totals per usage point.
        const months = monthlyUsage(
          db,
          `SELECT up.id FROM usage_point up WHERE up.premise_id IN (${premisesOf})`,
          [pid],
          fromMonth,
          toMonth,
        );
        for (const m of months) {
          const up = upById.get(m.usagePointId);
          if (!up) continue;
          let subj = subjectsOf.get(up.id);
          if (!subj) subjectsOf.set(up.id, (subj = subjects([up.id])));
          yield {
            values: {
              premise_id: pid,
              source: 'utility',
              organization: up.org,
              device_kind: 'meter',
              device: `${up.org}:${up.key}`,
              device_id: up.platform,
              commodity: m.commodity,
              resolution: 'month',
              period_start: m.month,
              seconds: null,
              value: round6(m.value),
              unit: m.unit,
              days: m.days,
              quality: null,
            },
            subjects: subj,
          };
        }
        // Non-utility: the sensors' series; subjects are the customers of the premise's usage
        // points of the same fuel (the sub-meter measures behind their meter).
        for (const s of sensors.all(pid, pid) as Sensor[]) {
          const f = toFuelUnit(db, s.commodity, s.unit, cache);
          if (f === null) continue;
          const subj = subjects(ups.filter((u) => u.commodity === s.commodity).map((u) => u.id));
          const base = {
            premise_id: pid,
            source: 'non-utility',
            organization: s.org,
            device_kind: s.kind,
            device: `${s.org}:${s.key}`,
            device_id: s.platform,
            commodity: s.commodity,
            unit: fuelUnit(s.commodity, s.unit),
          };
          for (const b of blocks(db, s.series, fromDay, toDay)) {
            const n = b.values.length;
            if (p.sensor_resolution === 'day') {
              let sum = 0;
              for (let i = 0; i < n; i++) if ((b.quality[i] ?? 0) !== 3) sum += b.values[i] ?? 0;
              yield {
                values: {
                  ...base,
                  resolution: 'day',
                  period_start: dayToIso(b.day),
                  seconds: null,
                  value: round6(sum * f),
                  days: 1,
                  quality: QUALITY_NAMES[worst(b.quality, 0, n)] ?? null,
                },
                subjects: subj,
              };
              continue;
            }
            const step =
              p.sensor_resolution === 'hour' ? Math.max(1, Math.round(3600 / b.seconds)) : 1;
            for (let i = 0; i < n;) {
              const t = b.start + i * b.seconds;
              // An hour bucket ends at the next UTC hour boundary.
              const end =
                step === 1 ? i + 1 : Math.min(n, i + Math.ceil((3600 - (t % 3600)) / b.seconds));
              let sum = 0;
              let present = false;
              for (let k = i; k < end; k++) {
                if ((b.quality[k] ?? 0) === 3) continue;
                sum += b.values[k] ?? 0;
                present = true;
              }
              yield {
                values: {
                  ...base,
                  resolution: step === 1 ? `${b.seconds} s` : 'hour',
                  period_start: new Date(t * 1000).toISOString().replace('.000Z', 'Z'),
                  seconds: step === 1 ? b.seconds : (end - i) * b.seconds,
                  value: present ? round6(sum * f) : null,
                  days: null,
                  quality: QUALITY_NAMES[worst(b.quality, i, end)] ?? null,
                },
                subjects: subj,
              };
              i = end;
            }
          }
        }
      }
      if (p.premise_id !== undefined || ids.length < PAGE) return;
    }
  },
});
