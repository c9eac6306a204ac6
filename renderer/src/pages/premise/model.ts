// Pure shaping of premise.* results for the Premises page: PII display, provenance labels and
// the usage chart options. No React here.
import type { Output } from '../../api';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { ChartOption } from '../../components/echarts';
import { formatCompact, formatNumber } from '../../lib/format';

export type Premise = Output<'premise.get'>;
export type PremiseUsage = Output<'premise.usage'>;
export type SearchResult = Output<'search.premises'>;
export type SearchHit = SearchResult['hits'][number];
export type Pii = Premise['accounts'][number]['accountNumber'];
export type BatchRef = NonNullable<Premise['records'][number]['batch']>;

/** The route segment of a premise: its platform ID, or `record-<id>` for an unlinked row. */
export function premiseRoute(hit: { platformId: string | null; premiseIds: number[] }): string {
  return hit.platformId ?? `record-${hit.premiseIds[0] ?? 0}`;
}

/** The API reference of a route segment. */
export function refOf(sub: string): { platformId: string } | { premiseId: number } {
  const m = /^record-(\d+)$/.exec(sub);
  return m ? { premiseId: Number(m[1]) } : { platformId: sub };
}

export function isRedacted(p: Pii | null | undefined): p is { redacted: true; reason: string } {
  return typeof p === 'object' && p !== null;
}

/** A PII field as text: the value, or "hidden — <why>". */
export function piiText(p: Pii | null | undefined): string {
  if (p === null || p === undefined) return '';
  if (typeof p === 'string') return p;
  return `hidden — ${p.reason.replace(/^hidden for role [^:]+: /, '')}`;
}

/** "#3 cis file.csv (UES, 2024-01-02)". */
export function batchLabel(b: BatchRef | null | undefined): string {
  if (!b) return '—';
  return `#${b.id} ${b.kind} ${b.file}${b.org ? ` (${b.org}` : ' ('}${b.org ? ', ' : ''}${b.at.slice(0, 10)})`;
}

export function dollars(micros: number): string {
  const neg = micros < 0;
  const abs = Math.abs(micros);
  const cents = Math.round(abs / 10_000);
  const s = `${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;
  return `${neg ? '−' : ''}$${s}`;
}

export type ChartView = 'native' | 'energy';

interface Axis {
  name: string;
  /** Which value of a point this axis plots. */
  pick: (p: PremiseUsage['series'][number]['points'][number]) => number | null;
}

function seriesLabel(s: PremiseUsage['series'][number]): string {
  const flow = s.flowDirection === 'forward' ? '' : ` (${s.flowDirection})`;
  const who = s.source === 'sensor' ? `sensor ${s.key}` : s.key;
  return `${s.org} ${s.commodity} ${who}${flow}`;
}

/**
 * The usage chart: native view = electricity (and any kWh) on the left axis in kWh, gas on the
 * right axis in therms; energy view = every series in kWh on one axis (stacked). Daily data on a
 * time axis (gaps stay visible), monthly on categories. Both zoom (slider + wheel).
 */
export function usageChartOption(
  u: PremiseUsage,
  view: ChartView,
): {
  option: ChartOption;
  uncharted: string[];
} {
  const daily = u.granularity === 'day';
  const axes: Axis[] =
    view === 'energy'
      ? [{ name: 'kWh (common energy)', pick: (p) => p.kwh }]
      : [
          { name: 'kWh', pick: (p) => p.kwh },
          { name: 'therms', pick: (p) => p.therms },
        ];
  const uncharted: string[] = [];
  const periods = [...new Set(u.series.flatMap((s) => s.points.map((p) => p.period)))].sort();
  const out: (BarSeriesOption | LineSeriesOption)[] = [];
  for (const s of u.series) {
    let axis = 0;
    if (view === 'native') {
      if (s.commodity === 'gas' && s.points.some((p) => p.therms !== null)) axis = 1;
      else if (s.points.some((p) => p.kwh !== null)) axis = 0;
      else {
        uncharted.push(`${seriesLabel(s)} (${s.unit})`);
        continue;
      }
    } else if (!s.points.some((p) => p.kwh !== null)) {
      uncharted.push(`${seriesLabel(s)} (${s.unit}, no energy equivalent)`);
      continue;
    }
    const a = axes[axis]!;
    const bar = view === 'energy' || s.commodity === 'electricity';
    const data = daily
      ? s.points.map((p) => [p.period, a.pick(p)] as [string, number | null])
      : periods.map((per) => {
          const p = s.points.find((x) => x.period === per);
          return p ? a.pick(p) : null;
        });
    out.push({
      name: seriesLabel(s),
      type: bar ? 'bar' : 'line',
      yAxisIndex: axis,
      ...(view === 'energy' ? { stack: 'energy' } : {}),
      ...(bar
        ? { barMaxWidth: 28 }
        : { symbolSize: 5, showSymbol: s.points.length <= 62, connectNulls: false }),
      data,
    } as BarSeriesOption | LineSeriesOption);
  }
  const option: ChartOption = {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => (typeof v === 'number' ? formatNumber(v, 3) : '—'),
    },
    legend: { top: 0, type: 'scroll' },
    grid: { left: 64, right: view === 'native' ? 64 : 24, top: 40, bottom: 72 },
    xAxis: daily ? { type: 'time' } : { type: 'category', data: periods },
    yAxis: axes.map((a, i) => ({
      type: 'value',
      name: a.name,
      position: i === 0 ? 'left' : 'right',
      axisLabel: { formatter: (v: number) => formatCompact(v) },
      splitLine: { show: i === 0 },
    })),
    dataZoom: [
      { type: 'inside', xAxisIndex: 0 },
      { type: 'slider', xAxisIndex: 0, bottom: 16, height: 22 },
    ],
    series: out,
  };
  return { option, uncharted };
}
