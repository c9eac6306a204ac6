// core-02-tou (CORE-02): hourly readings of the usage points enrolled in a time-of-use program,
// each labelled with the TOU block (time period) the program's tariff assigns to that local
// hour. Columns A–F of the seed table (Program Name, TOU Block Name, TimeStart, ReadValue, UOM,
// Quality) plus the platform IDs the seed lists as "additional indexes".
//
// Method (docs/datasets.md "core-02-tou"):
// - programs: the `program` parameter, else every program of kind 'tou';
// - usage points and days: each enrolment's participation (enrolment.ts) × its usage points of
//   the program's commodity, cut to [from, to);
// - readings: the usage point's forward energy interval series of ≤ 1 hour (hourly preferred),
//   summed per clock hour; the block comes from the tariff's TOU schedule for the local hour,
//   day type (weekday / weekend / holiday of the organization's jurisdiction) and month, across
//   DST days (23 / 25 hourly slots), loaded and checked by core/billing/tariff.ts.
// Rows stream per usage point and day (blocks are read with an iterator).
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { slotHours } from '../../billing/engine';
import {
  dayTypeOf,
  loadTariff,
  monthOf,
  type TariffModel,
  type VersionModel,
} from '../../billing/tariff';
import { readBlocks } from '../../metering/intervals';
import { QUALITY, QUALITY_NAMES } from '../../metering/quality';
import { localDayOf } from '../../time/zone';
import {
  participations,
  enrolledUsagePoints,
  resolvePrograms,
  type ProgramRow,
} from '../enrolment';
import {
  Agreements,
  LocalTimeParam,
  PlatformIds,
  QualityLabels,
  QualityStyle,
  badParam,
  localInstant,
  localIso,
  orgByCode,
  resolveUsagePoints,
  uomLabel,
} from '../meter';
import { defineDataset, type ColumnDef, type DatasetRow, col } from '../types';

const COLUMNS: ColumnDef[] = [
  col(
    'program',
    'text',
    null,
    'customer_usage',
    'Program Name (A): the TOU program the usage point is enrolled in, e.g. "UES TOU-RES".',
  ),
  col(
    'tou_block',
    'text',
    null,
    'system',
    'TOU Block Name (B): name of the time period of the hour in the program tariff, e.g. "Mid-Peak Hourly"; empty when the tariff version in force has no TOU schedule.',
  ),
  col(
    'time_start',
    'text',
    null,
    'system',
    'TimeStart (C): local start of the hour with its UTC offset, e.g. 2018-06-12T08:00-04:00.',
  ),
  col(
    'read_value',
    'number',
    'kWh',
    'customer_usage',
    'ReadValue (D): energy of the hour (sum of the valid, estimated or edited slots); empty when every slot is missing. Unit in uom.',
  ),
  col(
    'uom',
    'text',
    null,
    'system',
    'UOM (E): unit of the reading as MDM extracts print it (KWH).',
  ),
  col(
    'quality',
    'text',
    null,
    'system',
    "Quality (F): the organization's own quality code of the hour's worst slot (quality parameter: label, code or normalized).",
  ),
  col(
    'quality_normalized',
    'text',
    null,
    'system',
    'edw normalised quality: valid, estimated, edited, missing, failed.',
  ),
  col(
    'tou_period',
    'text',
    null,
    'system',
    'Code of the time period (mid_peak, critical_peak, off_peak …).',
  ),
  col('time_start_utc', 'integer', 's', 'system', 'Start of the hour, UTC epoch seconds.'),
  col('premise_id', 'text', null, 'system', 'Platform PremiseID of the usage point’s premise.'),
  col('usage_point', 'text', null, 'system', "ORG:key — the utility's own usage point id."),
  col('usage_point_id', 'text', null, 'system', 'Platform UsagePointID.'),
  col(
    'account_id',
    'text',
    null,
    'system',
    'Platform AccountID of the account served on that day.',
  ),
  col('program_id', 'text', null, 'system', 'Platform ProgramID.'),
  col('time_period_id', 'text', null, 'system', 'Platform TimePeriodID of the time period.'),
  col(
    'rate_class_id',
    'text',
    null,
    'system',
    'Platform RateClassID of the service agreement in force.',
  ),
];

const Params = z
  .object({
    program: z
      .string()
      .min(1)
      .optional()
      .describe('TOU program code (or ORG:CODE), e.g. "UES TOU-RES"; default every TOU program.'),
    usage_point: z
      .string()
      .min(1)
      .optional()
      .describe('Only this usage point: a platform UsagePointID or ORG:key.'),
    from: LocalTimeParam.optional().describe(
      'First local date (YYYY-MM-DD) or hour (YYYY-MM-DDTHH:MM) included; default the first reading.',
    ),
    to: LocalTimeParam.optional().describe(
      'Last local date included (YYYY-MM-DD), or the local hour (YYYY-MM-DDTHH:MM) the rows end before; default the last reading.',
    ),
    tariff: z
      .string()
      .min(1)
      .optional()
      .describe(
        "ORG:CODE of the tariff whose TOU schedule labels the hours; default the program's tariff (same organization, code or name equal to the program code).",
      ),
    quality: QualityStyle.default('label').describe(
      "How quality is printed: label (the organization's worded code, e.g. Passed Val), code (its numeric code) or normalized.",
    ),
  })
  .strict();

type P = z.output<typeof Params>;

interface UsagePointRow {
  id: number;
  orgId: number;
  org: string;
  key: string;
  premiseId: number | null;
  zone: string;
}

function usagePointRow(db: Database, id: number): UsagePointRow {
  return db
    .prepare(
      `SELECT u.id, u.org_id AS orgId, o.code AS org, u.source_key AS key, u.premise_id AS premiseId,
              coalesce(u.time_zone, o.time_zone) AS zone
       FROM usage_point u JOIN organization o ON o.id = u.org_id WHERE u.id = ?`,
    )
    .get(id) as UsagePointRow;
}

/** The hourly-or-finer forward energy series of a usage point (hourly preferred), or null. */
function energySeries(db: Database, usagePointId: number): { id: number; unit: string } | null {
  return (
    (db
      .prepare(
        `SELECT s.id, rt.unit FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id
         JOIN unit un ON un.code = rt.unit
         WHERE s.usage_point_id = ? AND rt.accumulation = 'delta' AND rt.measure = 'energy'
           AND rt.flow_direction IN ('forward', 'total') AND un.quantity = 'energy'
           AND rt.interval_seconds <= 3600 AND 3600 % rt.interval_seconds = 0
         ORDER BY rt.interval_seconds DESC, s.id LIMIT 1`,
      )
      .get(usagePointId) as { id: number; unit: string } | undefined) ?? null
  );
}

/** The tariff labelling a program's hours. */
function programTariff(db: Database, program: ProgramRow, ref: string | undefined): TariffModel {
  if (ref !== undefined) {
    const colon = ref.indexOf(':');
    if (colon <= 0)
      throw badParam('tariff', `tariff "${ref}": expected ORG:CODE, e.g. UES:TOU-RES`);
    const org = orgByCode(db, ref.slice(0, colon), 'tariff');
    const id = db
      .prepare('SELECT id FROM tariff WHERE org_id = ? AND code = ? COLLATE NOCASE')
      .pluck()
      .get(org.id, ref.slice(colon + 1)) as number | undefined;
    if (id === undefined)
      throw badParam('tariff', `${org.code} has no tariff "${ref.slice(colon + 1)}"`);
    return loadTariff(db, id);
  }
  const id = db
    .prepare(
      `SELECT id FROM tariff WHERE org_id = ? AND (code = ? COLLATE NOCASE OR name = ? COLLATE NOCASE)
       ORDER BY id LIMIT 1`,
    )
    .pluck()
    .get(program.orgId, program.code, program.code) as number | undefined;
  if (id === undefined)
    throw badParam(
      'tariff',
      `no tariff of ${program.org} has the code or name "${program.code}" of the program; give the TOU tariff as tariff=ORG:CODE`,
    );
  return loadTariff(db, id);
}

function versionOn(t: TariffModel, day: number): VersionModel | null {
  for (const v of t.versions) if (v.fromDay <= day && day < v.endDay) return v;
  return null;
}

interface Label {
  code: string;
  name: string;
  timePeriodId: string | null;
}

/** hour → label of a local day (null entries: no TOU period for that hour). */
function dayLabels(t: TariffModel, day: number, ids: PlatformIds): (Label | null)[] {
  const v = versionOn(t, day);
  const table = v?.energyHours ?? null;
  if (!v || !table) return new Array<Label | null>(24).fill(null);
  const month = monthOf(day);
  const row = table[(month - 1) * 3 + dayTypeOf(v, t, day, month)];
  return Array.from({ length: 24 }, (_, h) => {
    const p = row?.[h] ?? -1;
    const period = p >= 0 ? v.periods[p] : undefined;
    return period
      ? {
          code: period.code,
          name: period.name,
          timePeriodId: ids.get('TimePeriodID', 'time_period', period.id),
        }
      : null;
  });
}

function* tariffRows(db: Database, params: P): Generator<DatasetRow> {
  const programs = resolvePrograms(db, params.program, ['tou'], 'program');
  const only = params.usage_point
    ? new Set(resolveUsagePoints(db, params.usage_point, 'usage_point'))
    : null;
  const ids = new PlatformIds(db);
  const agreements = new Agreements(db);
  const quality = new QualityLabels(db, params.quality);
  for (const program of programs) {
    const tariff = programTariff(db, program, params.tariff);
    const programId = ids.get('ProgramID', 'program', program.id);
    // (usage point → participation intervals), usage points in id order.
    const byUp = new Map<number, { first: number; last: number }[]>();
    for (const part of participations(db, program.id))
      for (const up of enrolledUsagePoints(db, part, program.commodity)) {
        if (only && !only.has(up)) continue;
        byUp.set(up, [...(byUp.get(up) ?? []), { first: part.first, last: part.last }]);
      }
    for (const upId of [...byUp.keys()].sort((a, b) => a - b)) {
      const up = usagePointRow(db, upId);
      const series = energySeries(db, upId);
      if (!series) continue;
      const fromT =
        params.from === undefined ? -Infinity : localInstant(params.from, up.zone, false);
      const toT = params.to === undefined ? Infinity : localInstant(params.to, up.zone, true);
      const fromDay = Number.isFinite(fromT) ? localDayOf(fromT, up.zone) : -1e9;
      const toDay = Number.isFinite(toT) ? localDayOf(toT, up.zone) : 1e9;
      const intervals = byUp.get(upId) ?? [];
      const inProgram = (day: number) => intervals.some((i) => i.first <= day && day <= i.last);
      const premiseId = ids.get('PremiseID', 'premise', up.premiseId);
      const usagePointId = ids.get('UsagePointID', 'usage_point', upId);
      for (const b of readBlocks(db, series.id, fromDay, toDay)) {
        if (!inProgram(b.day)) continue;
        const labels = dayLabels(tariff, b.day, ids);
        const agreement = agreements.at(upId, b.day);
        const subjects = [{ customerId: agreement?.customerId ?? null, usagePointId: upId }];
        const hours = slotHours(up.zone, { ...b, quality: b.quality });
        // Sum slots per clock hour (UTC hour = local hour boundary in whole-hour zones).
        let i = 0;
        while (i < b.values.length) {
          const t0 = b.start + i * b.seconds;
          const hourStart = t0 - (((t0 % 3600) + 3600) % 3600);
          let sum = 0;
          let any = false;
          let worst = 0;
          const localHour = hours[i] ?? 0;
          for (; i < b.values.length && b.start + i * b.seconds < hourStart + 3600; i++) {
            const q = b.quality[i] ?? 0;
            worst = Math.max(worst, q);
            if (q !== QUALITY.missing) {
              sum += b.values[i] ?? 0;
              any = true;
            }
          }
          if (hourStart < fromT || hourStart >= toT) continue;
          const label = labels[localHour] ?? null;
          yield {
            values: {
              program: program.code,
              tou_block: label?.name ?? null,
              time_start: localIso(hourStart, up.zone),
              read_value: any ? sum : null,
              uom: uomLabel(series.unit),
              quality: quality.label(up.orgId, worst),
              quality_normalized: normalizedName(worst),
              tou_period: label?.code ?? null,
              time_start_utc: hourStart,
              premise_id: premiseId,
              usage_point: `${up.org}:${up.key}`,
              usage_point_id: usagePointId,
              account_id: ids.get('AccountID', 'account', agreement?.accountId ?? null),
              program_id: programId,
              time_period_id: label?.timePeriodId ?? null,
              rate_class_id: ids.get('RateClassID', 'rate_class', agreement?.rateClassId ?? null),
            },
            subjects,
          };
        }
      }
    }
  }
}

const normalizedName = (q: number): string => QUALITY_NAMES[q] ?? String(q);

export const core02Tou = defineDataset({
  name: 'core-02-tou',
  version: 1,
  title: 'CORE-02 time-of-use readings',
  description:
    'Hourly readings of the usage points enrolled in a TOU program, each labelled with the TOU block its tariff assigns to the local hour (DST-aware), with quality in the utility’s own codes.',
  privacyClass: 'customer_usage',
  params: Params,
  columns: COLUMNS,
  rows: (ctx, params) => tariffRows(ctx.db, params),
});
