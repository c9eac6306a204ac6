// The chart that fits each dataset, built from its previewed rows (the first page of up to 1000
// rows). Keyed by dataset name; a dataset without an entry shows no chart. Suppressed cells are
// left out of sums (their values are null): the chart shows only what the role may see.
import type { ChartOption } from '../../components/echarts';

type Row = Record<string, unknown>;

export interface ChartSpec {
  title: string;
  build: (rows: readonly Row[]) => ChartOption | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** Sum of `value` per (x, series); categories in first-seen (or sorted) order. */
function pivot(
  rows: readonly Row[],
  x: (r: Row) => string,
  series: (r: Row) => string,
  value: (r: Row) => number | null,
  sortX = true,
): { xs: string[]; names: string[]; data: Map<string, Map<string, number>> } {
  const xs: string[] = [];
  const names: string[] = [];
  const data = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const v = value(r);
    const k = x(r);
    const s = series(r);
    if (!xs.includes(k)) xs.push(k);
    if (!names.includes(s)) names.push(s);
    if (v === null) continue;
    const m = data.get(s) ?? new Map<string, number>();
    m.set(k, (m.get(k) ?? 0) + v);
    data.set(s, m);
  }
  if (sortX) xs.sort();
  return { xs, names, data };
}

/** Every category labelled; slanted when there are many. */
const axisLabel = (n: number) => ({ interval: 0, rotate: n > 6 ? 35 : 0, hideOverlap: true });

function bars(
  p: ReturnType<typeof pivot>,
  yName: string,
  stack: boolean,
  type: 'bar' | 'line' = 'bar',
): ChartOption | null {
  if (p.xs.length === 0) return null;
  return {
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 64, right: 24, top: 28, bottom: 88 },
    xAxis: { type: 'category', data: p.xs, axisLabel: axisLabel(p.xs.length) },
    yAxis: { type: 'value', name: yName },
    series: p.names.map((n) => ({
      name: n,
      type,
      ...(stack ? { stack: 'total' } : {}),
      data: p.xs.map((x) => {
        const v = p.data.get(n)?.get(x);
        return v === undefined ? null : Math.round(v * 1000) / 1000;
      }),
    })),
  } as ChartOption;
}

export const CHARTS: Readonly<Record<string, ChartSpec>> = {
  'core-02-tou': {
    title: 'TOU load shape by period',
    build: (rows) =>
      bars(
        pivot(
          rows,
          (r) => str(r.time_start).slice(0, 16).replace('T', ' '),
          (r) => str(r.tou_period) || 'unlabelled',
          (r) => num(r.read_value),
        ),
        'kWh',
        true,
      ),
  },
  'core-03-demand': {
    title: 'Daily peak kW',
    build: (rows) => {
      const daily = rows.filter((r) => /daily|day/i.test(str(r.level)) || r.level === undefined);
      const use = daily.length > 0 ? daily : rows;
      return bars(
        pivot(
          use,
          (r) => str(r.time_start ?? r.period).slice(0, 10),
          (r) => str(r.premise_id ?? r.class) || 'peak',
          (r) => num(r.read_value ?? r.non_coincident_peak_kw),
        ),
        'kW',
        false,
        'line',
      );
    },
  },
  'core-05-multi-fuel': {
    title: 'Energy by fuel (kWh)',
    build: (rows) =>
      bars(
        pivot(
          rows,
          (r) => str(r.period),
          (r) => str(r.fuel),
          (r) => num(r.kwh),
        ),
        'kWh',
        true,
      ),
  },
  't-04-community': {
    title: 'Community energy by month and fuel (kWh)',
    build: (rows) =>
      bars(
        pivot(
          rows,
          (r) => str(r.month),
          (r) => `${str(r.fuel)} ${str(r.customer_class)}`,
          (r) => num(r.kwh),
        ),
        'kWh',
        true,
      ),
  },
  't-14-cca': {
    title: 'Town energy by month, utility and fuel (MMBtu)',
    build: (rows) =>
      bars(
        pivot(
          rows,
          (r) => str(r.month),
          (r) => `${str(r.utility)} ${str(r.commodity)}`,
          (r) => num(r.energy_mmbtu),
        ),
        'MMBtu',
        true,
      ),
  },
  't-09-system': {
    title: 'Load per circuit (kWh)',
    build: (rows) => {
      const seen = new Set<string>();
      const first = rows.filter((r) => {
        const k = `${str(r.circuit_owner)}:${str(r.circuit_id)}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
      return bars(
        pivot(
          first,
          (r) => `${str(r.circuit_owner)} ${str(r.circuit_id)}`,
          () => 'load (kWh)',
          (r) => num(r.circuit_load_kwh),
          false,
        ),
        'kWh',
        false,
      );
    },
  },
  't-23-der': {
    title: 'Circuit DER capacity vs hosting limit (kW)',
    build: (rows) => {
      const circuits = new Map<string, Row>();
      for (const r of rows) {
        const k = `${str(r.circuit_owner)} ${str(r.circuit_id)}`;
        if (!circuits.has(k)) circuits.set(k, r);
      }
      const xs = [...circuits.keys()];
      if (xs.length === 0) return null;
      // Positive values only: the axis is logarithmic (a few kW of DER beside a limit of
      // thousands would be invisible on a linear one).
      const pick = (f: string) =>
        xs.map((x) => {
          const v = num(circuits.get(x)?.[f]);
          return v !== null && v > 0 ? v : null;
        });
      return {
        tooltip: { trigger: 'axis' },
        legend: { bottom: 0 },
        grid: { left: 64, right: 24, top: 28, bottom: 88 },
        xAxis: { type: 'category', data: xs, axisLabel: axisLabel(xs.length) },
        yAxis: { type: 'log', name: 'kW (log)', min: 1 },
        series: [
          { name: 'DER in operation', type: 'bar', data: pick('circuit_der_kw') },
          { name: 'Queue', type: 'bar', data: pick('circuit_queue_kw') },
          { name: 'Hosting limit', type: 'bar', data: pick('circuit_hosting_limit_kw') },
        ],
      } as ChartOption;
    },
  },
};
