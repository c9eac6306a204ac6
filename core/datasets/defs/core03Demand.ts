// core-03-demand (CORE-03): demand (kW) for demand studies — per usage point the daily or
// monthly peak, and per rate class the coincident and non-coincident peaks by day or month
// under the 15/15 rule. The per-usage-point rows carry the seed table's columns (PremID,
// UsagePointID, MeterID, Program name, Class, TimeStart, ReadID, Read Value, UOM, Qty).
//
// Method (docs/datasets.md "core-03-demand"):
// - a usage point's demand comes from its demand series (reading type measure 'demand', e.g.
//   'KW Daily': the peak of its values per day), else from its forward energy interval series of
//   ≤ 1 hour (the largest interval kWh × 3600 / seconds per day);
// - rate-class levels work on clock-hour demand (each hour's kWh = average kW) of the interval
//   series: the coincident peak (CP) is the largest hourly sum over the class's usage points,
//   the non-coincident peak (NCP) the sum of each usage point's own largest hour; usage points
//   join the class of the service agreement in force on each day;
// - every rate-class cell passes the 15/15 rule on both published quantities (per-customer NCP
//   and per-customer demand at the CP hour), else its values are nulled and it is counted.
import { defineDataset, type ColumnDef, col } from '../types';
import { rateClassRows } from './core03/rateClass';
import { Params, Scope } from './core03/shared';
import { usagePointRows } from './core03/usagePoints';

const COLUMNS: ColumnDef[] = [
  col(
    'level',
    'text',
    null,
    'system',
    'Row kind: daily or monthly (one usage point), rate_class_daily or rate_class_monthly (one rate class).',
  ),
  col(
    'premise_id',
    'text',
    null,
    'system',
    'PremID (A): platform PremiseID of the usage point’s premise.',
  ),
  col('usage_point_id', 'text', null, 'system', 'Usage Point ID (B): platform UsagePointID.'),
  col(
    'meter_id',
    'text',
    null,
    'system',
    'Meter ID (C): platform SensorID of the meter installed that day.',
  ),
  col(
    'program',
    'text',
    null,
    'customer_usage',
    'Program name (D): the demand program the usage point is enrolled in that day (e.g. KW Daily).',
  ),
  col(
    'class',
    'text',
    null,
    'system',
    'Class (E): rate class code of the service agreement in force (rate-class rows: the class).',
  ),
  col(
    'time_start',
    'text',
    null,
    'system',
    'TimeStart (F): local start of the day or month, with UTC offset.',
  ),
  col(
    'read_id',
    'text',
    null,
    'system',
    "ReadID (G): edw's key of the reading, S<series id>:<local date> of the peak's day (block storage keeps no source read ID).",
  ),
  col(
    'read_value',
    'number',
    'kW',
    'customer_usage',
    'Read Value (H): peak demand of the usage point in the day or month.',
  ),
  col('uom', 'text', null, 'system', 'UOM (I): KW.'),
  col(
    'quality',
    'text',
    null,
    'system',
    "Qty (J): the organization's quality code of the peak reading (quality parameter: code, label or normalized).",
  ),
  col('quality_normalized', 'text', null, 'system', 'edw normalised quality of the peak reading.'),
  col(
    'peak_time',
    'text',
    null,
    'system',
    'Local start of the interval (or clock hour for rate-class rows) at the peak.',
  ),
  col(
    'source',
    'text',
    null,
    'system',
    'demand: the usage point’s demand series; interval: derived from energy intervals; hourly: clock-hour demand (rate-class rows).',
  ),
  col(
    'usage_point',
    'text',
    null,
    'system',
    "ORG:key — the utility's own usage point id (rate-class rows: the organization).",
  ),
  col('period', 'text', null, 'system', 'Local date (YYYY-MM-DD) or month (YYYY-MM) of the row.'),
  col(
    'customers',
    'integer',
    null,
    'aggregate',
    'Rate-class rows: distinct customers in the cell.',
  ),
  col('usage_points', 'integer', null, 'aggregate', 'Rate-class rows: usage points in the cell.'),
  col(
    'coincident_peak_kw',
    'number',
    'kW',
    'aggregate',
    'Rate-class rows: largest clock-hour sum of the class’s demand.',
  ),
  col(
    'coincident_peak_time',
    'text',
    null,
    'aggregate',
    'Rate-class rows: local start of the coincident peak hour.',
  ),
  col(
    'non_coincident_peak_kw',
    'number',
    'kW',
    'aggregate',
    "Rate-class rows: sum of each usage point's own largest clock hour.",
  ),
  col(
    'suppressed',
    'boolean',
    null,
    'system',
    'Rate-class rows: the cell failed the 15/15 rule and its values are empty.',
  ),
  col(
    'suppression_reason',
    'text',
    null,
    'system',
    'too_few_customers, dominant_customer or zero_total.',
  ),
];

export const core03Demand = defineDataset({
  name: 'core-03-demand',
  version: 1,
  title: 'CORE-03 demand study',
  description:
    'Daily and monthly peak kW per usage point (the seed\'s "KW Daily" rows), and coincident and non-coincident peaks per rate class by day or month under the 15/15 rule.',
  privacyClass: 'customer_usage',
  params: Params,
  columns: COLUMNS,
  rows(ctx, params) {
    const scope = new Scope(ctx.db, params);
    return params.level === 'daily' || params.level === 'monthly'
      ? usagePointRows(ctx.db, params, scope)
      : rateClassRows(ctx.db, params, scope);
  },
});
