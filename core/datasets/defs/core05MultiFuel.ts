// core-05-multi-fuel (CORE-05): electric, gas and water usage per premise — every usage point of
// every organization linked to the same platform PremiseID — per day, month or the whole
// period, in native units and in common energy units (kWh, MMBtu), with a per-premise total of
// the energy fuels.
//
// Method (docs/datasets.md "core-05-multi-fuel"):
// - premises: usage points grouped by the PremiseID of their premise record (the indexer's
//   links); a premise record without a PremiseID is its own group (premise_id empty);
// - quantities: block totals (valid, estimated and edited slots; missing slots excluded) of each
//   forward / reverse energy or volume interval series, summed per local day or month;
// - conversion: energyUnits.ts (electric units; therm; MMBtu; gas volume with the
//   `gas_btu_per_cf` heat content, default EIA 1,037 Btu/ft³); water has no energy value;
// - the premise total row (fuel 'all') sums kWh and MMBtu of the forward energy rows.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { dayToIso } from '../../time/zone';
import { DEFAULT_GAS_BTU_PER_CF, energyConversion, round6, round9 } from '../energyUnits';
import {
  Agreements,
  DateParam,
  PlatformIds,
  badParam,
  dayOf,
  monthDays,
  orgByCode,
  resolvePremises,
  subjectsOf,
} from '../meter';
import type { Subject } from '../../privacy/consent';
import { defineDataset, type ColumnDef, type DatasetRow, col } from '../types';

const COLUMNS: ColumnDef[] = [
  col(
    'premise_id',
    'text',
    null,
    'system',
    'Platform PremiseID; empty for a premise record the indexer has not linked.',
  ),
  col('premise', 'text', null, 'system', "ORG:key of the usage point's premise record."),
  col('town', 'text', null, 'system', 'Town and state of the premise record.'),
  col(
    'fuel',
    'text',
    null,
    'system',
    "electricity, gas, water …; 'all' for the premise's energy total of the period.",
  ),
  col('org', 'text', null, 'system', 'Organization code of the usage point.'),
  col('usage_point', 'text', null, 'system', "The organization's own usage point id."),
  col('usage_point_id', 'text', null, 'system', 'Platform UsagePointID.'),
  col(
    'flow',
    'text',
    null,
    'system',
    'forward (delivered), reverse (received, e.g. PV export), net or total.',
  ),
  col(
    'period',
    'text',
    null,
    'system',
    'Local date (YYYY-MM-DD), month (YYYY-MM), or from/to for granularity total (an open end is ..).',
  ),
  col(
    'quantity',
    'number',
    null,
    'customer_usage',
    'Usage in the native unit (sum of the readings; missing readings excluded).',
  ),
  col('unit', 'text', null, 'system', 'Native unit: kWh, therm, CCF, gal …'),
  col(
    'kwh',
    'number',
    'kWh',
    'customer_usage',
    'Energy in kWh; empty for quantities that are not energy (water).',
  ),
  col(
    'mmbtu',
    'number',
    'MMBtu',
    'customer_usage',
    'Energy in MMBtu; empty for quantities that are not energy.',
  ),
  col('conversion', 'text', null, 'system', 'The conversion rule applied to the native unit.'),
  col(
    'readings',
    'integer',
    null,
    'customer_usage',
    'Interval readings (slots) behind the quantity.',
  ),
];

const Params = z
  .object({
    premise: z
      .string()
      .min(1)
      .optional()
      .describe('Only this PremiseID (or ORG:key of a premise record).'),
    org: z.string().min(1).optional().describe('Only usage points of this organization.'),
    town: z.string().min(1).optional().describe('Only premises in this town.'),
    granularity: z
      .enum(['day', 'month', 'total'])
      .default('month')
      .describe('Rows per local day, per month, or one per series for the whole period.'),
    from: DateParam.optional().describe('First local date included; default the first reading.'),
    to: DateParam.optional().describe('Last local date included; default the last reading.'),
    gas_btu_per_cf: z
      .number()
      .positive()
      .max(5000)
      .default(DEFAULT_GAS_BTU_PER_CF)
      .describe(
        'Heat content of gas volume (CCF, MCF, ft³, m³) in Btu per cubic foot; default 1037 (EIA 2018 average).',
      ),
    totals: z
      .boolean()
      .default(true)
      .describe(
        "Add one row per premise and period with fuel 'all': the sum of its forward energy.",
      ),
  })
  .strict();

type P = z.output<typeof Params>;

interface UpRow {
  up: number;
  org: string;
  key: string;
  commodity: string;
  premiseRow: number | null;
  premiseKey: string | null;
  premiseOrg: string | null;
  town: string | null;
  state: string | null;
  pid: string | null;
}

interface SeriesRow {
  id: number;
  unit: string;
  flow: string;
}

function* premiseRows(db: Database, p: P): Generator<DatasetRow> {
  const conds: string[] = ['1 = 1'];
  const args: (string | number)[] = [];
  if (p.org !== undefined) {
    conds.push('u.org_id = ?');
    args.push(orgByCode(db, p.org, 'org').id);
  }
  if (p.premise !== undefined)
    conds.push(`u.premise_id IN (${resolvePremises(db, p.premise, 'premise').join(',')})`);
  if (p.town !== undefined) {
    conds.push('p.town = ? COLLATE NOCASE');
    args.push(p.town);
  }
  const fromDay = p.from === undefined ? -1e9 : dayOf(p.from);
  const toDay = p.to === undefined ? 1e9 : dayOf(p.to);
  if (fromDay > toDay) throw badParam('to', `to (${p.to}) is before from (${p.from})`);
  const ids = new PlatformIds(db);
  const agreements = new Agreements(db);
  const series = db.prepare(
    `SELECT s.id, rt.unit, rt.flow_direction AS flow FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id
     WHERE s.usage_point_id = ? AND rt.accumulation = 'delta' AND rt.interval_seconds IS NOT NULL
       AND rt.measure IN ('energy', 'volume') ORDER BY rt.flow_direction, rt.interval_seconds, s.id`,
  );
  const periodExpr =
    p.granularity === 'day'
      ? 'day'
      : p.granularity === 'month'
        ? `strftime('%Y-%m', day * 86400, 'unixepoch')`
        : `'all'`;
  const sums = db.prepare(
    `SELECT ${periodExpr} AS period, sum(total) AS quantity, sum(count) AS readings,
            min(day) AS first, max(day) AS last
     FROM interval_block WHERE series_id = ? AND day BETWEEN ? AND ? GROUP BY 1 ORDER BY 1`,
  );
  const ups = db
    .prepare(
      `SELECT u.id AS up, o.code AS org, u.source_key AS key, u.commodity, u.premise_id AS premiseRow,
              p.source_key AS premiseKey, po.code AS premiseOrg, p.town, p.state, pl.platform_id AS pid
       FROM usage_point u JOIN organization o ON o.id = u.org_id
       LEFT JOIN premise p ON p.id = u.premise_id LEFT JOIN organization po ON po.id = p.org_id
       LEFT JOIN platform_link pl ON pl.kind = 'PremiseID' AND pl.source_table = 'premise' AND pl.source_id = u.premise_id
       WHERE ${conds.join(' AND ')}
       ORDER BY pl.platform_id IS NULL, pl.platform_id, po.code, p.source_key, u.id`,
    )
    .iterate(...args) as IterableIterator<UpRow>;

  const groupOf = (r: UpRow) =>
    r.pid !== null ? `P|${r.pid}` : r.premiseRow !== null ? `R|${r.premiseRow}` : `U|${r.up}`;
  let group: string | null = null;
  // Per period of the current premise: energy totals and the subjects behind them.
  let totals = new Map<string, { kwh: number; mmbtu: number; subjects: Subject[] }>();
  let groupPid: string | null = null;
  let groupTown: string | null = null;

  const flush = function* (): Generator<DatasetRow> {
    if (p.totals)
      for (const period of [...totals.keys()].sort()) {
        const t = totals.get(period) as { kwh: number; mmbtu: number; subjects: Subject[] };
        yield {
          values: {
            premise_id: groupPid,
            town: groupTown,
            fuel: 'all',
            period,
            kwh: round6(t.kwh),
            mmbtu: round6(t.mmbtu),
            unit: null,
            conversion: 'sum of the forward energy rows',
          },
          subjects: t.subjects,
        };
      }
    totals = new Map();
  };

  for (const r of ups) {
    const g = groupOf(r);
    if (g !== group) {
      yield* flush();
      group = g;
      groupPid = r.pid;
      groupTown = r.town === null ? null : r.state ? `${r.town} ${r.state}` : r.town;
    }
    const premise = r.premiseKey === null ? null : `${r.premiseOrg}:${r.premiseKey}`;
    const usagePointId = ids.get('UsagePointID', 'usage_point', r.up);
    for (const s of series.all(r.up) as SeriesRow[]) {
      const conv = energyConversion(s.unit, r.commodity, p.gas_btu_per_cf);
      for (const x of sums.all(s.id, fromDay, toDay) as {
        period: string | number;
        quantity: number;
        readings: number;
        first: number;
        last: number;
      }[]) {
        const period =
          p.granularity === 'day'
            ? dayToIso(x.period as number)
            : p.granularity === 'month'
              ? (x.period as string)
              : `${p.from ?? '..'}/${p.to ?? '..'}`;
        const first =
          p.granularity === 'month' ? Math.max(fromDay, monthDays(period).first) : x.first;
        const last = p.granularity === 'month' ? Math.min(toDay, monthDays(period).last) : x.last;
        const subjects = subjectsOf(r.up, agreements.during(r.up, first, last));
        const kwh = conv ? x.quantity * conv.kwhPerUnit : null;
        const mmbtu = conv ? x.quantity * conv.mmbtuPerUnit : null;
        if (
          conv &&
          kwh !== null &&
          mmbtu !== null &&
          (s.flow === 'forward' || s.flow === 'total')
        ) {
          const t = totals.get(period) ?? { kwh: 0, mmbtu: 0, subjects: [] };
          t.kwh += kwh;
          t.mmbtu += mmbtu;
          for (const sub of subjects)
            if (
              !t.subjects.some(
                (y) => y.customerId === sub.customerId && y.usagePointId === sub.usagePointId,
              )
            )
              t.subjects.push(sub);
          totals.set(period, t);
        }
        yield {
          values: {
            premise_id: r.pid,
            premise,
            town: r.town === null ? null : r.state ? `${r.town} ${r.state}` : r.town,
            fuel: r.commodity,
            org: r.org,
            usage_point: r.key,
            usage_point_id: usagePointId,
            flow: s.flow,
            period,
            quantity: round9(x.quantity),
            unit: s.unit,
            kwh: kwh === null ? null : round6(kwh),
            mmbtu: mmbtu === null ? null : round6(mmbtu),
            conversion: conv?.rule ?? 'not energy',
            readings: x.readings,
          },
          subjects,
        };
      }
    }
  }
  yield* flush();
}

export const core05MultiFuel = defineDataset({
  name: 'core-05-multi-fuel',
  version: 1,
  title: 'CORE-05 multi-fuel usage per premise',
  description:
    'Electric, gas and water usage per platform PremiseID across utilities, per day, month or period, in native units and in kWh and MMBtu (documented factors, gas heat content as a parameter), with a per-premise energy total.',
  privacyClass: 'customer_usage',
  params: Params,
  columns: COLUMNS,
  rows: (ctx, params) => premiseRows(ctx.db, params),
});
