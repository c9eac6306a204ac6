// Pure shaping of overview.get for the page: headline numbers, the entity pivot and the
// monthly chart option. No React here.
import type { Output } from '../../api';
import type { ChartOption } from '../../components/echarts';
import {
  capitalize,
  formatCompact,
  formatMonth,
  formatQuantity,
  unitLabel,
} from '../../lib/format';

export type Overview = Output<'overview.get'>;
export type CoverageRow = Overview['coverage'][number];
export type OrganizationRow = Overview['organizations'][number];

export interface Headline {
  organizations: number;
  premises: number;
  accounts: number;
  usagePoints: number;
  intervalReadings: number;
  intervalSeries: number;
  firstDay: string | null;
  lastDay: string | null;
}

function entityTotal(o: Overview, entity: string): number {
  return o.entities.filter((e) => e.entity === entity).reduce((s, e) => s + e.count, 0);
}

export function headline(o: Overview): Headline {
  const days = o.coverage.flatMap((c) => [c.firstDay, c.lastDay]).sort();
  return {
    organizations: o.organizations.length,
    premises: entityTotal(o, 'premises'),
    accounts: entityTotal(o, 'accounts'),
    usagePoints: entityTotal(o, 'usage points'),
    intervalReadings: o.coverage.reduce((s, c) => s + c.readings, 0),
    intervalSeries: o.coverage.reduce((s, c) => s + c.series, 0),
    firstDay: days[0] ?? null,
    lastDay: days[days.length - 1] ?? null,
  };
}

/** One row per entity; `counts[org]` per organization, null for workspace-wide entities. */
export interface EntityRow {
  entity: string;
  /** Counted per organization (false: a workspace-wide count such as platform IDs). */
  perOrg: boolean;
  counts: Record<string, number>;
  total: number;
}

/** Organization codes in the overview's organization order, then any others seen in counts. */
export function orgColumns(o: Overview): string[] {
  const seen = new Set(o.entities.map((e) => e.org).filter((x): x is string => x !== null));
  const ordered = o.organizations.map((x) => x.code).filter((c) => seen.has(c));
  const extra = [...seen].filter((c) => !ordered.includes(c)).sort();
  return [...ordered, ...extra];
}

export function pivotEntities(o: Overview): EntityRow[] {
  const rows = new Map<string, EntityRow>();
  for (const e of o.entities) {
    let row = rows.get(e.entity);
    if (!row) {
      row = { entity: capitalize(e.entity), perOrg: false, counts: {}, total: 0 };
      rows.set(e.entity, row);
    }
    if (e.org !== null) {
      row.perOrg = true;
      row.counts[e.org] = (row.counts[e.org] ?? 0) + e.count;
    }
    row.total += e.count;
  }
  return [...rows.values()];
}

const COMMODITY_ORDER = ['electricity', 'gas', 'water', 'steam', 'propane', 'oil'];

function commodityRank(c: string): number {
  const i = COMMODITY_ORDER.indexOf(c);
  return i < 0 ? COMMODITY_ORDER.length : i;
}

export interface MonthlyAxis {
  unit: string;
  commodities: string[];
}

/** The units in the monthly totals, electricity's first: one y-axis each. */
export function monthlyAxes(o: Overview): MonthlyAxis[] {
  const byUnit = new Map<string, Set<string>>();
  for (const m of o.monthly) {
    const set = byUnit.get(m.unit) ?? new Set<string>();
    set.add(m.commodity);
    byUnit.set(m.unit, set);
  }
  const rank = (cs: Set<string>) => Math.min(...[...cs].map(commodityRank));
  return [...byUnit.entries()]
    .sort((a, b) => rank(a[1]) - rank(b[1]) || a[0].localeCompare(b[0]))
    .map(([unit, cs]) => ({
      unit,
      commodities: [...cs].sort((a, b) => commodityRank(a) - commodityRank(b)),
    }));
}

/**
 * Monthly consumption by utility and fuel. The first unit (electricity, kWh) is drawn as bars
 * stacked per organization on the left axis; every other unit (gas therms, …) as one line per
 * organization on its own right axis, since different units never share a scale.
 */
export function monthlyChartOption(o: Overview): ChartOption {
  const months = [...new Set(o.monthly.map((m) => m.month))].sort();
  const monthIndex = new Map(months.map((m, i) => [m, i]));
  const axes = monthlyAxes(o);
  const axisIndex = new Map(axes.map((a, i) => [a.unit, i]));

  interface SeriesAcc {
    org: string;
    commodity: string;
    unit: string;
    data: (number | null)[];
  }
  const series = new Map<string, SeriesAcc>();
  for (const m of o.monthly) {
    const key = `${m.unit}\u0000${m.commodity}\u0000${m.org}`;
    let s = series.get(key);
    if (!s) {
      s = { org: m.org, commodity: m.commodity, unit: m.unit, data: months.map(() => null) };
      series.set(key, s);
    }
    const i = monthIndex.get(m.month)!;
    s.data[i] = (s.data[i] ?? 0) + m.total;
  }
  const ordered = [...series.values()].sort(
    (a, b) =>
      (axisIndex.get(a.unit) ?? 0) - (axisIndex.get(b.unit) ?? 0) ||
      commodityRank(a.commodity) - commodityRank(b.commodity) ||
      a.org.localeCompare(b.org),
  );

  const rightAxes = Math.max(0, axes.length - 1);
  return {
    legend: { type: 'scroll', top: 0, left: 0, right: 0, itemWidth: 14, itemHeight: 10 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      confine: true,
    },
    grid: {
      left: 8,
      right: 8 + Math.max(0, rightAxes - 1) * 64,
      top: 56,
      bottom: 40,
    },
    xAxis: {
      type: 'category',
      data: months.map(formatMonth),
      axisTick: { alignWithLabel: true },
    },
    yAxis: axes.map((a, i) => ({
      type: 'value' as const,
      name: `${a.commodities.map(capitalize).join(', ')} (${unitLabel(a.unit)})`,
      nameTextStyle: { align: i === 0 ? ('left' as const) : ('right' as const) },
      position: i === 0 ? ('left' as const) : ('right' as const),
      offset: i <= 1 ? 0 : (i - 1) * 64,
      alignTicks: i > 0,
      splitLine: { show: i === 0 },
      axisLine: { show: i > 0 },
      axisLabel: { formatter: (v: number) => formatCompact(v) },
    })),
    dataZoom: [
      { type: 'inside', xAxisIndex: 0 },
      { type: 'slider', xAxisIndex: 0, height: 18, bottom: 6 },
    ],
    series: ordered.map((s) => {
      const yAxisIndex = axisIndex.get(s.unit) ?? 0;
      const name = `${s.org} ${s.commodity}`;
      const tooltip = {
        valueFormatter: (v: unknown) => formatQuantity(v, s.unit),
      };
      if (yAxisIndex === 0) {
        return {
          type: 'bar' as const,
          name,
          stack: s.unit,
          yAxisIndex,
          data: s.data,
          barMaxWidth: 28,
          tooltip,
        };
      }
      return {
        type: 'line' as const,
        name,
        yAxisIndex,
        data: s.data,
        symbolSize: 5,
        lineStyle: { width: 2 },
        connectNulls: false,
        tooltip,
      };
    }),
  };
}
