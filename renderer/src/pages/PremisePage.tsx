// Premises: one search box (address in any form, account, meter, usage point, platform ID) and
// the premise page — everything the workspace knows about one platform premise, panel by panel,
// each row with the import batch or index run it came from; PII as the role allows; exports.
// Deep link: #/premise/<PremiseID> (or #/premise/record-<premise row id> for unlinked rows).
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { ColDef } from 'ag-grid-community';
import { api } from '../api';
import { Chart } from '../components/Chart';
import { Grid } from '../components/Grid';
import { Empty, Loading, PageHeader, Section } from '../components/ui';
import { dirName } from '../lib/download';
import { formatInt, formatInterval, formatNumber, unitLabel } from '../lib/format';
import { isCancelled, useErrors } from '../state/errors';
import { navigate, useSubRoute } from '../state/router';
import { useApiQuery } from '../state/useApiQuery';
import { useWorkspace } from '../state/workspace';
import {
  batchLabel,
  dollars,
  isRedacted,
  piiText,
  premiseRoute,
  refOf,
  usageChartOption,
  type ChartView,
  type Pii,
  type Premise,
  type PremiseUsage,
  type SearchHit,
  type SearchResult,
} from './premise/model';
import './premise/premise.css';

export default function PremisePage() {
  const sub = useSubRoute();
  return (
    <div className="page">
      <PageHeader
        title="Premises"
        subtitle="Find a premise by address (any spelling), account, meter, usage point or platform ID"
      />
      <SearchBox current={sub} />
      {sub ? (
        <PremiseView key={sub} sub={sub} />
      ) : (
        <Empty>
          Type in the box to find a premise; every organization’s record of it opens as one page.
        </Empty>
      )}
    </div>
  );
}

// ───────────── search ─────────────

function SearchBox({ current }: { current: string }) {
  const { report } = useErrors();
  const [query, setQuery] = useState('');
  const [result, setResult] = useState<SearchResult | null>(null);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (query.trim() === '') return;
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      api['search.premises']({ query, limit: 12 }, { signal: ctrl.signal }).then(
        (r) => {
          setResult(r);
          setActive(0);
          setOpen(true);
        },
        (e: unknown) => {
          if (!ctrl.signal.aborted && !isCancelled(e)) report(e);
        },
      );
    }, 180);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [query, report]);

  // An emptied box shows no results (the last ones are kept for when it is typed in again).
  const shown = query.trim() === '' ? null : result;
  const hits = shown?.hits ?? [];
  const choose = (h: SearchHit | undefined) => {
    if (!h) return;
    setOpen(false);
    navigate(`premise/${encodeURIComponent(premiseRoute(h))}`);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, hits.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(hits[active]);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };

  return (
    <div className="premise-search" data-testid="premise-search">
      <input
        type="search"
        placeholder="74 North Sing Street, Concord · 108999999 · meter 46920 · 16002"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onKey}
        onFocus={() => setOpen(true)}
        aria-label="Search premises"
        aria-controls="premise-results"
        aria-activedescendant={hits[active] ? `premise-hit-${active}` : undefined}
        data-testid="premise-search-input"
        autoFocus
      />
      {shown && open ? (
        <div className="premise-results" data-testid="premise-results">
          {shown.corrections.length > 0 ? (
            <div className="search-note" data-testid="search-corrections">
              Did you mean:{' '}
              {shown.corrections.map((c) => (
                <span key={c.from}>
                  <s>{c.from}</s> → {c.to.join(' / ')}{' '}
                </span>
              ))}
            </div>
          ) : null}
          {shown.partial ? (
            <div className="search-note" data-testid="search-partial">
              No premise matches every word: showing premises that match some of them.
            </div>
          ) : null}
          {hits.length === 0 ? (
            <div className="search-note">No premise found for “{shown.query}”.</div>
          ) : (
            <ul id="premise-results" role="listbox" aria-label="Premises found">
              {hits.map((h, i) => {
                const route = premiseRoute(h);
                return (
                  <li
                    key={route}
                    id={`premise-hit-${i}`}
                    role="option"
                    aria-selected={i === active}
                    className={[
                      i === active ? 'active' : '',
                      route === current ? 'current' : '',
                    ].join(' ')}
                    data-testid="premise-hit"
                    data-platform-id={h.platformId ?? ''}
                    onMouseEnter={() => setActive(i)}
                    onMouseDown={(e) => {
                      e.preventDefault();
                      choose(h);
                    }}
                  >
                    <span className="hit-address">{h.address || '(no address)'}</span>
                    <span className="hit-orgs">{h.orgs.join(' · ')}</span>
                    <span className="hit-id mono">
                      {h.platformId
                        ? `PremiseID ${h.platformId}`
                        : `unlinked record ${h.premiseIds[0]}`}
                    </span>
                  </li>
                );
              })}
            </ul>
          )}
          <div className="search-foot muted small">
            {hits.length} result{hits.length === 1 ? '' : 's'} · {formatNumber(shown.ms, 1)} ms · ↑↓
            to move, Enter to open
          </div>
        </div>
      ) : null}
    </div>
  );
}

// ───────────── the premise page ─────────────

function PremiseView({ sub }: { sub: string }) {
  const ref = useMemo(() => refOf(sub), [sub]);
  const q = useApiQuery('premise.get', ref);
  const p = q.data;
  if (!p)
    return q.loading ? (
      <Loading what="premise" />
    ) : (
      <Empty>Premise {sub} could not be loaded.</Empty>
    );
  return <PremiseBody p={p} sub={sub} reload={q.reload} />;
}

/**
 * Panels set their height: wide tables scroll sideways, and ag-grid's auto height leaves no room
 * for the horizontal scrollbar (rows end up hidden under it). Header 32 + rows of 28 + scrollbar;
 * long tables scroll inside 14 rows.
 */
function gridHeight(rows: number): number {
  return 32 + Math.min(Math.max(rows, 1), 14) * 28 + 20;
}

function PremiseBody({ p, sub, reload }: { p: Premise; sub: string; reload: () => void }) {
  const addresses = [...new Set(p.addresses.map((a) => a.normalized).filter(Boolean))];
  const orgs = [...new Set(p.records.map((r) => r.org))];
  return (
    <div className="premise" data-testid="premise-view">
      <div className="premise-head">
        <div>
          <div className="premise-id" data-testid="premise-platform-id">
            {p.platformId
              ? `PremiseID ${p.platformId}`
              : `Unlinked premise record ${p.records[0]?.premiseId}`}
          </div>
          <div className="premise-address">{addresses.join(' · ') || '(no address)'}</div>
          <div className="muted">
            {orgs.join(' · ')} · {p.records.length} record{p.records.length === 1 ? '' : 's'}
            {p.requested ? ` · ${p.requested} was merged into ${p.platformId}` : ''}
          </div>
        </div>
        <ExportButtons p={p} sub={sub} onExported={reload} />
      </div>
      <PrivacyNotice p={p} />
      <LinkedIds p={p} />
      <Addresses p={p} />
      <Accounts p={p} />
      <Meters p={p} />
      <Usage sub={sub} />
      <Reads p={p} />
      <Bills p={p} />
      <Der p={p} />
      <Programs p={p} />
      <Sensors p={p} />
      <GridLocationPanel p={p} />
      <Relations p={p} />
      <AuditTrail p={p} />
    </div>
  );
}

function PrivacyNotice({ p }: { p: Premise }) {
  const { privacy } = p;
  if (privacy.notes.length === 0) return null;
  return (
    <div className="notice" data-testid="premise-privacy">
      Role <b>{privacy.role}</b> (PII: {privacy.pii}, customer usage: {privacy.customerUsage},
      consents checked on {privacy.asOf}): {privacy.notes.join('; ')}.{' '}
      {privacy.redactedFields > 0
        ? `${privacy.redactedFields} field(s) shown as “hidden”: hover a cell for why.`
        : ''}
    </div>
  );
}

const sourceCol = <T extends { batch: Premise['records'][number]['batch'] }>(): ColDef<T> => ({
  colId: 'source',
  headerName: 'Source (import batch)',
  valueGetter: (x) => batchLabel(x.data?.batch),
  tooltipValueGetter: (x) => batchLabel(x.data?.batch),
});

const piiCol = <T,>(headerName: string, get: (row: T) => Pii | null | undefined): ColDef<T> => ({
  headerName,
  colId: headerName,
  valueGetter: (x) => (x.data ? piiText(get(x.data)) : ''),
  tooltipValueGetter: (x) => {
    const v = x.data ? get(x.data) : null;
    return isRedacted(v) ? v.reason : null;
  },
  cellClassRules: { 'cell-redacted': (x) => (x.data ? isRedacted(get(x.data)) : false) },
});

function Panel<T>({
  title,
  hint,
  testId,
  rows,
  cols,
  empty,
  children,
}: {
  title: string;
  hint?: ReactNode;
  testId: string;
  rows: T[];
  cols: ColDef<T>[];
  empty: string;
  children?: ReactNode;
}) {
  return (
    <Section title={title} hint={hint} testId={testId}>
      {rows.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <Grid<T>
          testId={`${testId}-grid`}
          rowData={rows}
          columnDefs={cols}
          tooltipShowDelay={300}
          height={gridHeight(rows.length)}
        />
      )}
      {children}
    </Section>
  );
}

function LinkedIds({ p }: { p: Premise }) {
  type Row = Premise['linkedIds'][number];
  const cols: ColDef<Row>[] = [
    { field: 'kind', headerName: 'Kind' },
    { field: 'platformId', headerName: 'Platform ID', cellClass: 'mono' },
    { field: 'org', headerName: 'Org' },
    piiCol<Row>('Source key', (r) => r.sourceKey),
    {
      colId: 'row',
      headerName: 'Source row',
      valueGetter: (x) => `${x.data?.sourceTable} #${x.data?.sourceId}`,
    },
    { field: 'method', headerName: 'Method' },
    { field: 'score', headerName: 'Score', type: 'quantity' },
    {
      colId: 'run',
      headerName: 'Index run',
      valueGetter: (x) => (x.data?.run ? `run ${x.data.run.id}` : 'seed'),
    },
    sourceCol<Row>(),
  ];
  const kinds = new Set(p.linkedIds.map((l) => l.kind)).size;
  return (
    <Panel
      title="Linked IDs"
      hint={`${p.linkedIds.length} links of ${kinds} kinds`}
      testId="premise-ids"
      rows={p.linkedIds}
      cols={cols}
      empty="No platform IDs: run the indexer."
    />
  );
}

function Addresses({ p }: { p: Premise }) {
  type Row = Premise['addresses'][number];
  const cols: ColDef<Row>[] = [
    { field: 'org', headerName: 'Org' },
    { field: 'role', headerName: 'Role' },
    piiCol<Row>('As written', (r) => r.raw),
    { field: 'normalized', headerName: 'Normalised (USPS)' },
    { field: 'platformAddressId', headerName: 'AddressID', cellClass: 'mono' },
    { field: 'premiseId', headerName: 'Premise row', type: 'count' },
    sourceCol<Row>(),
  ];
  return (
    <Panel
      title="Addresses"
      hint="as each organization writes them"
      testId="premise-addresses"
      rows={p.addresses}
      cols={cols}
      empty="No address on record."
    />
  );
}

function Accounts({ p }: { p: Premise }) {
  type Row = {
    account: Premise['accounts'][number];
    agreement: Premise['accounts'][number]['agreements'][number] | null;
    batch: Premise['records'][number]['batch'];
  };
  const rows = p.accounts.flatMap<Row>((a) =>
    a.agreements.length === 0
      ? [{ account: a, agreement: null, batch: a.batch }]
      : a.agreements.map((g) => ({ account: a, agreement: g, batch: g.batch })),
  );
  const cols: ColDef<Row>[] = [
    { colId: 'org', headerName: 'Utility', valueGetter: (x) => x.data?.account.org },
    {
      colId: 'fuel',
      headerName: 'Fuel',
      valueGetter: (x) => x.data?.agreement?.commodity ?? x.data?.account.commodities.join(', '),
    },
    piiCol<Row>('Account', (r) => r.account.accountNumber),
    {
      colId: 'aid',
      headerName: 'AccountID',
      valueGetter: (x) => x.data?.account.platformAccountId,
      cellClass: 'mono',
    },
    piiCol<Row>('Customer', (r) => r.account.customer?.name),
    { colId: 'status', headerName: 'Status', valueGetter: (x) => x.data?.account.status },
    { colId: 'up', headerName: 'Usage point', valueGetter: (x) => x.data?.agreement?.usagePoint },
    {
      colId: 'rate',
      headerName: 'Rate class',
      valueGetter: (x) => {
        const r = x.data?.agreement?.rateClass;
        return r ? `${r.code} — ${r.name}` : '';
      },
    },
    {
      colId: 'tariff',
      headerName: 'Tariff',
      valueGetter: (x) => x.data?.agreement?.tariff?.code ?? '',
    },
    {
      colId: 'from',
      headerName: 'From',
      type: 'day',
      valueGetter: (x) => x.data?.agreement?.startDate ?? x.data?.account.openedOn,
    },
    {
      colId: 'to',
      headerName: 'To',
      type: 'day',
      valueGetter: (x) => x.data?.agreement?.endDate ?? x.data?.account.closedOn ?? 'open',
    },
    sourceCol<Row>(),
  ];
  return (
    <Panel
      title="Accounts and service agreements"
      hint="per utility and fuel"
      testId="premise-accounts"
      rows={rows}
      cols={cols}
      empty="No account serves this premise."
    />
  );
}

function Meters({ p }: { p: Premise }) {
  type Row = {
    up: Premise['usagePoints'][number];
    s: Premise['usagePoints'][number]['series'][number] | null;
    batch: Premise['records'][number]['batch'];
  };
  const rows = p.usagePoints.flatMap<Row>((u) =>
    u.series.length === 0
      ? [{ up: u, s: null, batch: u.batch }]
      : u.series.map((s) => ({ up: u, s, batch: s.batches[0] ?? u.batch })),
  );
  const cols: ColDef<Row>[] = [
    { colId: 'org', headerName: 'Org', valueGetter: (x) => x.data?.up.org },
    { colId: 'up', headerName: 'Usage point', valueGetter: (x) => x.data?.up.sourceKey },
    {
      colId: 'upid',
      headerName: 'UsagePointID',
      valueGetter: (x) => x.data?.up.platformId,
      cellClass: 'mono',
    },
    { colId: 'fuel', headerName: 'Fuel', valueGetter: (x) => x.data?.up.commodity },
    {
      colId: 'meter',
      headerName: 'Meter(s)',
      valueGetter: (x) =>
        x.data?.up.meters
          .map(
            (m) =>
              `${m.serial} (${m.kind}, from ${m.installedOn}${m.removedOn ? ` to ${m.removedOn}` : ''})`,
          )
          .join('; '),
    },
    {
      colId: 'rt',
      headerName: 'Series',
      valueGetter: (x) =>
        x.data?.s
          ? `${x.data.s.readingType}`
          : x.data?.up.withheld
            ? 'withheld'
            : 'no interval data',
    },
    {
      colId: 'first',
      headerName: 'First day',
      type: 'day',
      valueGetter: (x) => x.data?.s?.firstDay,
    },
    { colId: 'last', headerName: 'Last day', type: 'day', valueGetter: (x) => x.data?.s?.lastDay },
    { colId: 'days', headerName: 'Days', type: 'count', valueGetter: (x) => x.data?.s?.days },
    {
      colId: 'gaps',
      headerName: 'Gap days',
      type: 'count',
      valueGetter: (x) => x.data?.s?.gapDays,
      tooltipValueGetter: (x) =>
        x.data?.s?.gaps.map((g) => `${g.from} → ${g.to} (${g.days} d)`).join('\n'),
    },
    {
      colId: 'readings',
      headerName: 'Readings',
      type: 'count',
      valueGetter: (x) => x.data?.s?.readings,
    },
    {
      colId: 'est',
      headerName: 'Estimated',
      type: 'count',
      valueGetter: (x) => x.data?.s?.estimated,
    },
    {
      colId: 'missing',
      headerName: 'Missing',
      type: 'count',
      valueGetter: (x) => x.data?.s?.missing,
    },
    {
      colId: 'total',
      headerName: 'Total',
      valueGetter: (x) =>
        x.data?.s ? `${formatNumber(x.data.s.total)} ${unitLabel(x.data.s.unit)}` : '',
      cellClass: 'cell-num',
    },
    {
      colId: 'reads',
      headerName: 'Register reads',
      valueGetter: (x) =>
        x.data
          ? `${x.data.up.reads.count}${x.data.up.reads.estimated ? ` (${x.data.up.reads.estimated} est.)` : ''}`
          : '',
    },
    {
      colId: 'withheld',
      headerName: 'Privacy',
      valueGetter: (x) => x.data?.up.withheld?.reason ?? '',
    },
    sourceCol<Row>(),
  ];
  return (
    <Panel
      title="Meters and usage points"
      hint="data coverage and quality per series (hover gap days for the gaps)"
      testId="premise-meters"
      rows={rows}
      cols={cols}
      empty="No usage point at this premise."
    />
  );
}

function Usage({ sub }: { sub: string }) {
  const [granularity, setGranularity] = useState<'day' | 'month'>('day');
  const [view, setView] = useState<ChartView>('native');
  const ref = useMemo(() => refOf(sub), [sub]);
  const q = useApiQuery('premise.usage', { ...ref, granularity });
  const chart = useMemo(() => (q.data ? usageChartOption(q.data, view) : null), [q.data, view]);
  const u = q.data;
  return (
    <Section
      title="Usage"
      testId="premise-usage"
      hint={
        u
          ? `${u.from ?? '—'} → ${u.to ?? '—'}${u.series.length ? ` · ${u.series.length} series` : ''}`
          : undefined
      }
      actions={
        <div className="toggles">
          <Toggle
            value={granularity}
            options={[
              ['day', 'Daily'],
              ['month', 'Monthly'],
            ]}
            onChange={setGranularity}
            testId="usage-granularity"
          />
          <Toggle
            value={view}
            options={[
              ['native', 'kWh + therms'],
              ['energy', 'Common energy (kWh)'],
            ]}
            onChange={setView}
            testId="usage-view"
          />
        </div>
      }
    >
      {!u || !chart ? (
        <Loading what="usage" />
      ) : u.series.length === 0 ? (
        <Empty>
          No interval data{u.withheld.length ? ' the role may see' : ''}
          {u.periods.length ? ' (billing-period readings below)' : ''}.
        </Empty>
      ) : (
        <Chart
          option={chart.option}
          height={360}
          testId="usage-chart"
          ariaLabel={`Usage, ${granularity === 'day' ? 'daily' : 'monthly'}`}
        />
      )}
      {u && u.withheld.length > 0 ? (
        <div className="notice">
          Withheld: {u.withheld.map((w) => `${w.org} ${w.usagePoint} — ${w.reason}`).join('; ')}
        </div>
      ) : null}
      {chart && chart.uncharted.length > 0 ? (
        <p className="hint">Not charted (no kWh/therm equivalent): {chart.uncharted.join(', ')}.</p>
      ) : null}
      {u && u.periods.length > 0 ? <Periods periods={u.periods} /> : null}
      {u ? <p className="hint small">Conversions: {u.rules.join(' · ')}.</p> : null}
    </Section>
  );
}

/** Billing-period readings (longer than a day): listed as stored, never spread over days. */
function Periods({ periods }: { periods: PremiseUsage['periods'] }) {
  type Row = PremiseUsage['periods'][number];
  const cols: ColDef<Row>[] = [
    { field: 'org', headerName: 'Org' },
    {
      colId: 'key',
      headerName: 'Usage point',
      valueGetter: (x) => (x.data?.source === 'sensor' ? `sensor ${x.data.key}` : x.data?.key),
    },
    { field: 'readingType', headerName: 'Reading type' },
    { field: 'from', headerName: 'From', type: 'day' },
    { field: 'to', headerName: 'To', type: 'day' },
    { field: 'days', headerName: 'Days', cellClass: ['ag-right-aligned-cell', 'cell-num'] },
    { field: 'value', headerName: 'Value', cellClass: ['ag-right-aligned-cell', 'cell-num'] },
    { field: 'unit', headerName: 'Unit' },
    { field: 'quality', headerName: 'Quality' },
    {
      colId: 'batch',
      headerName: 'Import batch',
      valueGetter: (x) => (x.data?.batchId ? `#${x.data.batchId}` : '—'),
    },
  ];
  return (
    <div data-testid="premise-periods">
      <h3 className="subheading">
        Billing-period readings ({formatInt(periods.length)}): stored whole, not spread over days
      </h3>
      <Grid<Row>
        testId="premise-periods-grid"
        rowData={periods}
        columnDefs={cols}
        height={gridHeight(periods.length)}
      />
    </div>
  );
}

function Toggle<V extends string>({
  value,
  options,
  onChange,
  testId,
}: {
  value: V;
  options: [V, string][];
  onChange: (v: V) => void;
  testId: string;
}) {
  return (
    <div className="toggle" role="group" data-testid={testId}>
      {options.map(([v, label]) => (
        <button
          key={v}
          type="button"
          className={v === value ? 'on' : ''}
          aria-pressed={v === value}
          onClick={() => onChange(v)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

function Reads({ p }: { p: Premise }) {
  type Row = Premise['reads'][number];
  const cols: ColDef<Row>[] = [
    { field: 'org', headerName: 'Org' },
    { field: 'usagePoint', headerName: 'Usage point' },
    { field: 'meter', headerName: 'Meter' },
    { field: 'readDate', headerName: 'Read date', type: 'day' },
    { field: 'reading', headerName: 'Reading', cellClass: ['ag-right-aligned-cell', 'cell-num'] },
    { field: 'unit', headerName: 'Unit' },
    { field: 'multiplier', headerName: 'Multiplier' },
    {
      colId: 'est',
      headerName: 'Estimated',
      valueGetter: (x) => (x.data?.estimated ? 'yes' : 'no'),
    },
    { field: 'quality', headerName: 'Quality' },
    sourceCol<Row>(),
  ];
  return (
    <Panel
      title="Register reads"
      testId="premise-reads"
      rows={p.reads}
      cols={cols}
      empty="No register reads."
    />
  );
}

function Bills({ p }: { p: Premise }) {
  type Row = Premise['bills'][number];
  const cols: ColDef<Row>[] = [
    { field: 'org', headerName: 'Utility' },
    piiCol<Row>('Account', (r) => r.accountNumber),
    { field: 'periodFrom', headerName: 'From', type: 'day' },
    { field: 'periodTo', headerName: 'To', type: 'day' },
    { field: 'issuedOn', headerName: 'Issued', type: 'day' },
    { field: 'meterSerial', headerName: 'Meter (as billed)' },
    {
      colId: 'reads',
      headerName: 'Reads',
      valueGetter: (x) =>
        x.data?.readPrevious ? `${x.data.readPrevious} → ${x.data.readPresent}` : '',
    },
    {
      colId: 'usage',
      headerName: 'Usage',
      valueGetter: (x) => (x.data?.usage ? `${x.data.usage} ${x.data.usageUnit ?? ''}` : ''),
      cellClass: 'cell-num',
    },
    {
      colId: 'total',
      headerName: 'Total',
      valueGetter: (x) => (x.data ? dollars(x.data.totalMicros) : ''),
      cellClass: ['ag-right-aligned-cell', 'cell-num'],
    },
    {
      field: 'status',
      headerName: 'Validation',
      cellClassRules: {
        'cell-ok': (x) => x.value === 'passed',
        'cell-bad': (x) => x.value === 'failed',
      },
      tooltipValueGetter: (x) => x.data?.validations.at(-1)?.summary ?? null,
    },
    { field: 'tariff', headerName: 'Tariff' },
    sourceCol<Row>(),
  ];
  return (
    <Panel
      title="Bills"
      hint="with their validation status"
      testId="premise-bills"
      rows={p.bills}
      cols={cols}
      empty="No bills."
    >
      {p.bills.map((b) => (
        <details key={b.billId} className="bill-lines" data-testid="bill-lines">
          <summary>
            {b.org} bill {b.periodFrom} → {b.periodTo}: {b.lines.length} lines,{' '}
            {dollars(b.totalMicros)}
          </summary>
          <table className="lines">
            <tbody>
              {b.lines.map((l) => (
                <tr key={l.lineNo}>
                  <td>{l.description}</td>
                  <td className="num">{l.quantity ? `${l.quantity} ${l.unit ?? ''}` : ''}</td>
                  <td className="num">{l.rate ?? ''}</td>
                  <td className="num">{dollars(l.amountMicros)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {b.validations.map((v) => (
            <p key={v.validationId} className="hint">
              Validation #{v.validationId} {v.at.slice(0, 10)}: {v.passed ? 'passed' : 'failed'} —
              recomputed {dollars(v.computedTotalMicros)}, difference {dollars(v.differenceMicros)}.{' '}
              {v.summary}
            </p>
          ))}
        </details>
      ))}
    </Panel>
  );
}

function Der({ p }: { p: Premise }) {
  type Row = Premise['assets'][number];
  const cols: ColDef<Row>[] = [
    { field: 'org', headerName: 'Org' },
    { field: 'sourceKey', headerName: 'Asset' },
    { field: 'platformId', headerName: 'AssetID', cellClass: 'mono' },
    { field: 'category', headerName: 'Category' },
    { field: 'label', headerName: 'As labelled' },
    { field: 'owner', headerName: 'Owner' },
    { field: 'nameplateKw', headerName: 'kW', type: 'quantity' },
    { field: 'nameplateKwh', headerName: 'kWh', type: 'quantity' },
    { field: 'installedOn', headerName: 'Installed', type: 'day' },
    {
      colId: 'ic',
      headerName: 'Interconnection (status timeline)',
      valueGetter: (x) =>
        x.data?.applications
          .map(
            (a) =>
              `${a.number}${a.circuit ? ` @${a.circuit}` : ''}: ${a.statuses.map((s) => `${s.status} ${s.date}`).join(' → ')}`,
          )
          .join('; ') ?? '',
      tooltipValueGetter: (x) =>
        x.data?.applications
          .map((a) => a.statuses.map((s) => `${s.date} ${s.status}`).join('\n'))
          .join('\n\n') ?? null,
    },
    sourceCol<Row>(),
  ];
  const timeline = p.assets.flatMap((a) => a.applications.map((app) => ({ a, app })));
  return (
    <Panel
      title="DER and assets"
      hint="with interconnection status history"
      testId="premise-der"
      rows={p.assets}
      cols={cols}
      empty="No assets recorded."
    >
      {timeline.map(({ a, app }) => (
        <ol
          key={app.applicationId}
          className="timeline"
          data-testid="interconnection-timeline"
          aria-label={`Application ${app.number}`}
        >
          <li className="timeline-title">
            {app.number} ({a.category} {a.nameplateKw ?? '?'} kW)
          </li>
          {app.statuses.map((s) => (
            <li key={`${s.status}${s.date}`} className={`st st-${s.status}`}>
              <b>{s.status}</b> {s.date}
            </li>
          ))}
        </ol>
      ))}
    </Panel>
  );
}

function Programs({ p }: { p: Premise }) {
  type Row = Premise['programs'][number];
  const cols: ColDef<Row>[] = [
    { colId: 'program', headerName: 'Program', valueGetter: (x) => x.data?.program.code },
    { colId: 'name', headerName: 'Name', valueGetter: (x) => x.data?.program.name },
    { colId: 'kind', headerName: 'Kind', valueGetter: (x) => x.data?.program.kind.toUpperCase() },
    { colId: 'org', headerName: 'Run by', valueGetter: (x) => x.data?.program.org },
    piiCol<Row>('Account', (r) => r.accountNumber ?? 'premise'),
    { field: 'status', headerName: 'Status' },
    { field: 'effectiveDate', headerName: 'Effective', type: 'day' },
    { field: 'endDate', headerName: 'Ended', type: 'day' },
    {
      colId: 'changes',
      headerName: 'Feed changes',
      valueGetter: (x) => x.data?.changes.map((c) => `${c.change} ${c.effectiveDate}`).join(', '),
    },
    sourceCol<Row>(),
  ];
  return (
    <Panel
      title="Programs"
      hint="WAP, TOU, demand, CCA …"
      testId="premise-programs"
      rows={p.programs}
      cols={cols}
      empty="No program enrolments."
    />
  );
}

function Sensors({ p }: { p: Premise }) {
  type Row = {
    sensor: Premise['sensors'][number];
    s: Premise['sensors'][number]['series'][number] | null;
    batch: Premise['records'][number]['batch'];
  };
  const rows = p.sensors.flatMap<Row>((x) =>
    x.series.length === 0
      ? [{ sensor: x, s: null, batch: x.batch }]
      : x.series.map((s) => ({ sensor: x, s, batch: x.batch })),
  );
  const cols: ColDef<Row>[] = [
    {
      colId: 'vendor',
      headerName: 'Vendor',
      valueGetter: (x) =>
        `${x.data?.sensor.vendorName} (${x.data?.sensor.regulated ? 'regulated' : 'non-utility'})`,
    },
    { colId: 'key', headerName: 'Sensor', valueGetter: (x) => x.data?.sensor.sourceKey },
    { colId: 'kind', headerName: 'Kind', valueGetter: (x) => x.data?.sensor.kind },
    { colId: 'via', headerName: 'Linked by', valueGetter: (x) => x.data?.sensor.via },
    { colId: 'rt', headerName: 'Series', valueGetter: (x) => x.data?.s?.readingType ?? '' },
    {
      colId: 'int',
      headerName: 'Interval',
      valueGetter: (x) => formatInterval(x.data?.s?.intervalSeconds),
    },
    {
      colId: 'first',
      headerName: 'First day',
      type: 'day',
      valueGetter: (x) => x.data?.s?.firstDay,
    },
    { colId: 'last', headerName: 'Last day', type: 'day', valueGetter: (x) => x.data?.s?.lastDay },
    {
      colId: 'readings',
      headerName: 'Readings',
      type: 'count',
      valueGetter: (x) => x.data?.s?.readings,
    },
    {
      colId: 'total',
      headerName: 'Total',
      valueGetter: (x) =>
        x.data?.s ? `${formatNumber(x.data.s.total)} ${unitLabel(x.data.s.unit)}` : '',
    },
    sourceCol<Row>(),
  ];
  return (
    <Panel
      title="Non-utility sensors"
      hint="sub-meters and devices at this premise"
      testId="premise-sensors"
      rows={rows}
      cols={cols}
      empty="No non-utility sensors."
    />
  );
}

function GridLocationPanel({ p }: { p: Premise }) {
  type Row = Premise['grid'][number];
  const cols: ColDef<Row>[] = [
    { field: 'via', headerName: 'Placed by' },
    { field: 'node', headerName: 'Node' },
    { field: 'section', headerName: 'Section' },
    {
      colId: 'circuit',
      headerName: 'Circuit',
      valueGetter: (x) => `${x.data?.circuit} (${x.data?.circuitOrg})`,
    },
    { field: 'hostingLimitKw', headerName: 'Hosting limit kW', type: 'quantity' },
    {
      colId: 'sub',
      headerName: 'Substation',
      valueGetter: (x) => [x.data?.substation, x.data?.substationName].filter(Boolean).join(' — '),
    },
    {
      colId: 'tr',
      headerName: 'Transformers',
      valueGetter: (x) =>
        x.data?.transformers.map((t) => `${t.code}${t.kva ? ` ${t.kva} kVA` : ''}`).join(', '),
    },
    sourceCol<Row>(),
  ];
  return (
    <Panel
      title="Grid location"
      hint="node → section → circuit → substation"
      testId="premise-grid"
      rows={p.grid}
      cols={cols}
      empty="No grid location known."
    />
  );
}

function Relations({ p }: { p: Premise }) {
  type Row = Premise['relations'][number];
  const cols: ColDef<Row>[] = [
    {
      field: 'relation',
      headerName: 'Other record is the',
      valueGetter: (x) => (x.data?.relation === 'building' ? 'building' : 'a unit'),
    },
    { field: 'otherAddress', headerName: 'Address' },
    { field: 'otherOrg', headerName: 'Org' },
    { field: 'otherPlatformId', headerName: 'PremiseID', cellClass: 'mono' },
    { field: 'reason', headerName: 'Why' },
    {
      colId: 'run',
      headerName: 'Index run',
      valueGetter: (x) => (x.data?.run ? `run ${x.data.run.id}` : ''),
    },
  ];
  return (
    <Panel
      title="Units and buildings"
      testId="premise-relations"
      rows={p.relations}
      cols={cols}
      empty="No unit/building relations."
    >
      {p.relations.length > 0 ? (
        <p className="hint">
          {p.relations
            .filter((r) => r.otherPlatformId)
            .map((r) => (
              <a key={r.pairId} href={`#/premise/${r.otherPlatformId}`} className="rel-link">
                open {r.otherPlatformId}
              </a>
            ))}
        </p>
      ) : null}
    </Panel>
  );
}

function AuditTrail({ p }: { p: Premise }) {
  const a = p.audit;
  type B = Premise['audit']['batches'][number];
  const batchCols: ColDef<B>[] = [
    { field: 'id', headerName: 'Batch', type: 'count' },
    { field: 'kind', headerName: 'Kind' },
    { field: 'file', headerName: 'File' },
    { field: 'org', headerName: 'Org' },
    {
      field: 'at',
      headerName: 'Imported',
      valueFormatter: (x) =>
        String(x.value ?? '')
          .replace('T', ' ')
          .slice(0, 16),
    },
    {
      colId: 'rows',
      headerName: 'Rows used here',
      valueGetter: (x) =>
        Object.entries(x.data?.rows ?? {})
          .map(([t, n]) => `${t} ${n}`)
          .join(', '),
    },
  ];
  type L = Premise['audit']['log'][number];
  const logCols: ColDef<L>[] = [
    {
      field: 'at',
      headerName: 'When',
      valueFormatter: (x) =>
        String(x.value ?? '')
          .replace('T', ' ')
          .slice(0, 19),
    },
    { field: 'role', headerName: 'Role' },
    { field: 'action', headerName: 'Action' },
    { field: 'subject', headerName: 'Subject' },
    {
      colId: 'details',
      headerName: 'Details',
      valueGetter: (x) => JSON.stringify(x.data?.details ?? null),
      tooltipValueGetter: (x) => JSON.stringify(x.data?.details ?? null, null, 1),
    },
  ];
  return (
    <Section
      title="Audit trail"
      hint="import batches, index runs and decisions behind the links; exports of this premise"
      testId="premise-audit"
    >
      <h3 className="subheading">Import batches</h3>
      {a.batches.length ? (
        <Grid<B>
          testId="audit-batches"
          rowData={a.batches}
          columnDefs={batchCols}
          height={gridHeight(a.batches.length)}
        />
      ) : (
        <Empty>No import batch.</Empty>
      )}
      <h3 className="subheading">Index runs and matches</h3>
      <ul className="plain" data-testid="audit-runs">
        {a.runs.map((r) => (
          <li key={r.id}>
            Run {r.id} ({r.startedAt.replace('T', ' ').slice(0, 16)}): {formatInt(r.links)} of these
            links
          </li>
        ))}
        {a.matches.map((m) => (
          <li key={m.pairId}>
            Records {m.leftPremiseId} ↔ {m.rightPremiseId}: {m.status.replace('_', ' ')}, score{' '}
            {formatNumber(m.score)}
            {m.decision
              ? ` · reviewer ${m.decision.decision} by ${m.decision.by} on ${m.decision.at.slice(0, 10)}`
              : ''}{' '}
            —{' '}
            <span className="muted">
              {m.reasons
                .map((r) => `${r.feature} ${r.value} (${r.weight >= 0 ? '+' : ''}${r.weight})`)
                .join(', ')}
            </span>
          </li>
        ))}
        {a.events.length > 0 ? (
          <li className="muted">
            ID history:{' '}
            {a.events
              .map(
                (e) =>
                  `${e.kind} ${e.platformId} ${e.event}${e.otherId ? ` → ${e.otherId}` : ''}${e.runId ? ` (run ${e.runId})` : ''}`,
              )
              .join('; ')}
          </li>
        ) : null}
      </ul>
      <h3 className="subheading">Exports and decisions</h3>
      {a.log.length ? (
        <Grid<L>
          testId="audit-log"
          rowData={a.log}
          columnDefs={logCols}
          height={gridHeight(a.log.length)}
          tooltipShowDelay={300}
        />
      ) : (
        <Empty>Nobody has exported this premise’s data yet.</Empty>
      )}
    </Section>
  );
}

// ───────────── exports ─────────────

function ExportButtons({
  p,
  sub,
  onExported,
}: {
  p: Premise;
  sub: string;
  onExported: () => void;
}) {
  const { status } = useWorkspace();
  const { report } = useErrors();
  const base = dirName(status?.path ?? '') ?? '.';
  const sep = base.includes('\\') && !base.includes('/') ? '\\' : '/';
  const name = `premise-${p.platformId ?? `record-${p.records[0]?.premiseId ?? ''}`}`;
  const [dir, setDir] = useState(base);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const ref = refOf(sub);
  const gbOrgs = [...new Set(p.usagePoints.filter((u) => !u.withheld).map((u) => u.org))];
  const run = async (what: 'record' | 'usage' | 'greenbutton') => {
    setBusy(true);
    setDone(null);
    try {
      if (what === 'greenbutton') {
        // One feed per utility: a Green Button file belongs to one data custodian.
        const files: string[] = [];
        for (const org of gbOrgs) {
          const usagePoints = p.usagePoints
            .filter((u) => !u.withheld && u.org === org)
            .map((u) => u.sourceKey);
          const out = `${dir}${sep}${name}-${org}.xml`;
          const r = await api['greenbutton.export']({ usagePoints, org, out });
          files.push(`${formatInt(r.readings)} readings → ${r.file}`);
        }
        setDone(`Green Button: ${files.join('; ')}`);
      } else {
        const out = `${dir}${sep}${name}${what === 'record' ? '.json' : '-usage.csv'}`;
        const r = await api['premise.export']({ ...ref, what, out });
        setDone(
          `${what === 'record' ? 'Record' : 'Usage'}: ${formatInt(r.rows)} row(s), ${formatInt(r.bytes)} bytes → ${r.file}${r.redactedFields ? ` (${r.redactedFields} PII fields redacted)` : ''}`,
        );
      }
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
      // The audit trail lists the export (or the refused attempt).
      onExported();
    }
  };
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="premise-export" data-testid="premise-export">
      <label className="small muted">
        Export to folder{' '}
        <input
          ref={input}
          className="mono"
          value={dir}
          onChange={(e) => setDir(e.target.value)}
          size={28}
        />
      </label>
      <div className="buttons">
        <button
          type="button"
          disabled={busy}
          onClick={() => void run('record')}
          data-testid="export-record"
        >
          Record (JSON)
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => void run('usage')}
          data-testid="export-usage"
        >
          Usage (CSV)
        </button>
        <button
          type="button"
          disabled={busy || gbOrgs.length === 0}
          title="One ESPI feed per utility (checks role and consent)"
          onClick={() => void run('greenbutton')}
          data-testid="export-greenbutton"
        >
          Green Button
        </button>
      </div>
      {done ? (
        <div className="small" data-testid="export-done">
          {done}
        </div>
      ) : null}
    </div>
  );
}
