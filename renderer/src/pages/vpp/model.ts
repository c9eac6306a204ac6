// Pure helpers of the VPP page: chart options and grid columns from a run report.
import type { ColDef } from 'ag-grid-community';
import type { ChartOption } from '../../components/echarts';
import type { Output } from '../../api';

export type VppReport = Output<'vpp.simulate'>;
export type StatementRow = VppReport['statements'][number] & { ders_text: string; payment: number };

const KIND_LABEL: Record<string, string> = {
  storage: 'Batteries',
  ev_charger: 'EV chargers',
  thermostat: 'Thermostats (AC)',
  pv: 'PV',
};

const zoom = [{ type: 'inside' as const }, { type: 'slider' as const, height: 18, bottom: 4 }];

/** Fleet net injection stacked by DER kind (actual) against the fleet's baseline without the VPP. */
export function dispatchOption(r: VppReport): ChartOption {
  const s = r.series;
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 16, top: 32, bottom: 56 },
    dataZoom: zoom,
    xAxis: { type: 'category', data: s.local },
    yAxis: { type: 'value', name: 'kW (+ injection)' },
    series: [
      ...Object.entries(s.byKindKw).map(([k, data]) => ({
        name: KIND_LABEL[k] ?? k,
        type: 'line' as const,
        stack: 'fleet',
        areaStyle: {},
        symbol: 'none',
        lineStyle: { width: 0.5 },
        data,
      })),
      {
        name: 'Baseline (no VPP)',
        type: 'line' as const,
        symbol: 'none',
        lineStyle: { type: 'dashed', width: 1.5 },
        data: s.baselineKw,
      },
    ],
  };
}

export function priceOption(r: VppReport): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 56, top: 32, bottom: 56 },
    dataZoom: zoom,
    xAxis: { type: 'category', data: r.series.local },
    yAxis: [
      { type: 'value', name: 'USD/MWh' },
      { type: 'value', name: 'planned kW' },
    ],
    series: [
      { name: 'Energy price', type: 'line', symbol: 'none', data: r.series.priceUsdPerMwh },
      {
        name: 'Fleet bid (planned flexibility)',
        type: 'bar',
        yAxisIndex: 1,
        data: r.series.plannedFlexKw,
      },
    ],
  };
}

export function socOption(r: VppReport): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 24, bottom: 56 },
    dataZoom: zoom,
    xAxis: { type: 'category', data: r.series.local },
    yAxis: { type: 'value', name: '% of fleet kWh', min: 0, max: 100 },
    series: [
      {
        name: 'Battery state of charge',
        type: 'line',
        symbol: 'none',
        areaStyle: { opacity: 0.15 },
        data: r.series.socPct,
      },
    ],
  };
}

export function statementRows(r: VppReport): StatementRow[] {
  return r.statements.map((s) => ({
    ...s,
    ders_text: s.ders.map((d) => `${d.kind} ${d.der}`).join(', '),
    payment: s.paymentCents / 100,
  }));
}

export const participantColumns: ColDef<StatementRow>[] = [
  { field: 'participant', headerName: 'Participant', pinned: 'left' },
  { field: 'ders_text', headerName: 'DERs', maxWidth: 360 },
  { field: 'energyOutKwh', headerName: 'Energy out kWh', type: 'quantity' },
  { field: 'energyInKwh', headerName: 'Energy in kWh', type: 'quantity' },
  { field: 'eventKwh', headerName: 'Event kWh delivered', type: 'quantity' },
  { field: 'energyValueUsd', headerName: 'Energy value $', type: 'quantity' },
  { field: 'eventValueUsd', headerName: 'Event value $', type: 'quantity' },
  { field: 'payment', headerName: 'Payment $', type: 'quantity', sort: 'desc' },
];

export type ExclusionRow = VppReport['enrolment']['exclusions'][number];
export const exclusionColumns: ColDef<ExclusionRow>[] = [
  { field: 'der', headerName: 'DER' },
  { field: 'kind', headerName: 'Kind' },
  { field: 'participant', headerName: 'Participant' },
  { field: 'reason', headerName: 'Reason excluded', flex: 1 },
];

export type StageTable = Parameters<(typeof import('../../api'))['api']['vpp.table']>[0]['table'];

export const STAGES: readonly { table: StageTable; stage: string }[] = [
  { table: 'vpp_enrolment', stage: '.1 enrolment' },
  { table: 'vpp_forecast', stage: '.2 forecast' },
  { table: 'vpp_opportunity', stage: '.3 opportunities' },
  { table: 'vpp_plan', stage: '.4 plan' },
  { table: 'vpp_bid', stage: '.4 bids' },
  { table: 'vpp_dispatch', stage: '.5 dispatch' },
  { table: 'vpp_performance', stage: '.6 M&V' },
  { table: 'vpp_delivery', stage: '.6 delivery per DER' },
  { table: 'vpp_settlement', stage: '.6 settlement' },
  { table: 'vpp_distribution', stage: '.7 distribution' },
  { table: 'vpp_interval', stage: 'signals' },
];

export function usd(cents: number): string {
  return (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' });
}

export function pct(x: number | null): string {
  return x === null ? 'n/a' : `${x.toFixed(1)} %`;
}
