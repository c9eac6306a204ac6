// Overview: what is in the workspace at a glance — headline counts, monthly consumption by
// utility and fuel, interval coverage, entity counts per organization, organizations.
import { useMemo } from 'react';
import type { ColDef } from 'ag-grid-community';
import { Chart } from '../components/Chart';
import { Grid } from '../components/Grid';
import { Empty, Loading, PageHeader, Section, StatCard } from '../components/ui';
import { formatDateTime, formatInt, formatInterval, unitLabel } from '../lib/format';
import { useApiQuery } from '../state/useApiQuery';
import { useWorkspace } from '../state/workspace';
import {
  headline,
  monthlyAxes,
  monthlyChartOption,
  orgColumns,
  pivotEntities,
  type CoverageRow,
  type EntityRow,
  type OrganizationRow,
  type Overview,
} from './overview/model';

export default function OverviewPage() {
  const { status } = useWorkspace();
  const query = useApiQuery('overview.get', {}, { reloadKey: status?.path ?? null });
  const o = query.data;

  return (
    <div className="page">
      <PageHeader
        title="Overview"
        subtitle={
          o ? (
            <>
              {o.workspace.path ?? o.workspace.name}
              {o.workspace.createdAt ? ` · created ${formatDateTime(o.workspace.createdAt)}` : ''}
              {o.workspace.demo ? ' · Pembroke, NH demo' : ''}
            </>
          ) : null
        }
        actions={
          <button type="button" onClick={query.reload} disabled={query.loading}>
            {query.loading && o ? 'Refreshing…' : 'Refresh'}
          </button>
        }
      />
      {o ? <OverviewBody o={o} /> : query.loading ? <Loading what="overview" /> : null}
    </div>
  );
}

function OverviewBody({ o }: { o: Overview }) {
  const h = useMemo(() => headline(o), [o]);
  return (
    <>
      <div className="stats">
        <StatCard
          label="Organizations"
          value={formatInt(h.organizations)}
          testId="stat-organizations"
        />
        <StatCard label="Premises" value={formatInt(h.premises)} testId="stat-premises" />
        <StatCard label="Accounts" value={formatInt(h.accounts)} testId="stat-accounts" />
        <StatCard
          label="Usage points"
          value={formatInt(h.usagePoints)}
          testId="stat-usage-points"
        />
        <StatCard
          label="Interval readings"
          value={formatInt(h.intervalReadings)}
          testId="stat-interval-readings"
          detail={
            h.firstDay ? (
              <>
                {formatInt(h.intervalSeries)} series
                <br />
                {h.firstDay} → {h.lastDay}
              </>
            ) : (
              'no interval data'
            )
          }
        />
      </div>
      <MonthlySection o={o} />
      <Section
        title="Interval coverage"
        hint="per commodity, organization and reading type"
        testId="overview-coverage"
      >
        <CoverageGrid rows={o.coverage} />
      </Section>
      <Section title="Entities" hint="counts per organization" testId="overview-entities">
        <EntitiesGrid o={o} />
      </Section>
      <Section title="Organizations" testId="overview-organizations">
        <OrganizationsGrid rows={o.organizations} />
      </Section>
    </>
  );
}

function MonthlySection({ o }: { o: Overview }) {
  const option = useMemo(() => monthlyChartOption(o), [o]);
  const axes = useMemo(() => monthlyAxes(o), [o]);
  const hint = axes
    .map(
      (a, i) =>
        `${a.commodities.join(', ')} in ${unitLabel(a.unit)} (${i === 0 ? 'stacked bars, left axis' : 'lines, right axis'})`,
    )
    .join(' · ');
  return (
    <Section title="Monthly consumption by utility and fuel" hint={hint || undefined}>
      {o.monthly.length === 0 ? (
        <Empty>No interval data yet: import intervals to see monthly consumption.</Empty>
      ) : (
        <Chart
          option={option}
          height={340}
          testId="monthly-chart"
          ariaLabel="Monthly consumption by utility and fuel"
        />
      )}
    </Section>
  );
}

function EntitiesGrid({ o }: { o: Overview }) {
  const rows = useMemo(() => pivotEntities(o), [o]);
  const columnDefs = useMemo<ColDef<EntityRow>[]>(() => {
    const names = new Map(o.organizations.map((x) => [x.code, x.name]));
    return [
      {
        field: 'entity',
        headerName: 'Entity',
        pinned: 'left',
        minWidth: 190,
        filter: 'agTextColumnFilter',
      },
      ...orgColumns(o).map((code): ColDef<EntityRow> => ({
        colId: `org:${code}`,
        headerName: code,
        headerTooltip: names.get(code) ?? code,
        type: 'count',
        valueGetter: (p) => (p.data?.perOrg ? (p.data.counts[code] ?? 0) : null),
      })),
      {
        field: 'total',
        headerName: 'Total',
        type: 'count',
        cellClass: ['ag-right-aligned-cell', 'cell-num', 'cell-total'],
      },
    ];
  }, [o]);
  return (
    <Grid<EntityRow>
      testId="overview-entities-grid"
      rowData={rows}
      columnDefs={columnDefs}
      getRowId={(p) => p.data.entity}
    />
  );
}

const coverageColumns: ColDef<CoverageRow>[] = [
  { field: 'commodity', headerName: 'Commodity' },
  { field: 'org', headerName: 'Org' },
  { field: 'readingType', headerName: 'Reading type', tooltip: true },
  {
    field: 'unit',
    headerName: 'Unit',
    valueFormatter: (p) => (typeof p.value === 'string' ? unitLabel(p.value) : ''),
  },
  {
    field: 'intervalSeconds',
    headerName: 'Interval',
    type: 'count',
    valueFormatter: (p) => formatInterval(p.value as number | null),
  },
  { field: 'series', headerName: 'Series', type: 'count' },
  { field: 'firstDay', headerName: 'First day', type: 'day' },
  { field: 'lastDay', headerName: 'Last day', type: 'day' },
  {
    field: 'days',
    headerName: 'Series-days',
    headerTooltip: 'Days of data summed over all series (one stored block per series and day)',
    type: 'count',
  },
  { field: 'readings', headerName: 'Readings', type: 'count' },
];

function CoverageGrid({ rows }: { rows: CoverageRow[] }) {
  return (
    <Grid<CoverageRow>
      testId="overview-coverage-grid"
      rowData={rows}
      columnDefs={coverageColumns}
      getRowId={(p) => `${p.data.org}\u0000${p.data.commodity}\u0000${p.data.readingType}`}
    />
  );
}

const organizationColumns: ColDef<OrganizationRow>[] = [
  { field: 'code', headerName: 'Code' },
  { field: 'name', headerName: 'Name', tooltip: true },
  { field: 'kind', headerName: 'Kind' },
  { field: 'jurisdiction', headerName: 'Jurisdiction' },
  {
    colId: 'regulated',
    headerName: 'Regulated',
    cellDataType: 'text',
    valueGetter: (p) => (p.data ? (p.data.regulated ? 'yes' : 'no') : ''),
  },
  {
    colId: 'commodities',
    headerName: 'Commodities',
    cellDataType: 'text',
    valueGetter: (p) => p.data?.commodities.join(', ') ?? '',
  },
];

function OrganizationsGrid({ rows }: { rows: OrganizationRow[] }) {
  return (
    <Grid<OrganizationRow>
      testId="overview-organizations-grid"
      rowData={rows}
      columnDefs={organizationColumns}
      getRowId={(p) => p.data.code}
    />
  );
}
