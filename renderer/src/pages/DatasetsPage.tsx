// Datasets: pick a dataset, set its parameters (a form generated from the parameter
// dictionary), look at the rows in an ag-grid with the infinite row model (dataset.preview,
// paged), a chart that fits the dataset, and export it to CSV with its sidecar data dictionary
// (dataset.export: progress, Cancel, the run record). Suppressed (15/15) and redacted cells are
// marked; column headers carry units and a tooltip with the description and data class.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ColDef, GridApi, IDatasource, IGetRowsParams } from 'ag-grid-community';
import { api } from '../api';
import { Chart } from '../components/Chart';
import { Grid } from '../components/Grid';
import { Empty, Loading, PageHeader, ProgressBar, Section, StatCard } from '../components/ui';
import { baseName, dirName } from '../lib/download';
import { formatInt, formatNumber } from '../lib/format';
import { isCancelled, useErrors } from '../state/errors';
import { useApiQuery } from '../state/useApiQuery';
import { useWorkspace } from '../state/workspace';
import { FileDialog } from './import/FileDialog';
import { CHARTS } from './datasets/charts';
import {
  DATA_CLASS_LABEL,
  REDACTED,
  defaultOut,
  fieldOf,
  formToParams,
  headerName,
  headerTooltip,
  initialForm,
  inputKind,
  isSuppressedCell,
  lastRow,
  toGridRows,
  toNamedRows,
  type DatasetInfo,
  type FormValues,
  type GridRow,
  type ParamValue,
  type PreviewPage,
  type RunRecord,
} from './datasets/model';
import './datasets/datasets.css';

const PAGE_ROWS = 100;

export default function DatasetsPage() {
  const list = useApiQuery('dataset.list', {});
  const [name, setName] = useState<string | null>(null);
  const datasets = list.data ?? [];
  const def = datasets.find((d) => d.name === name) ?? null;

  return (
    <div className="page">
      <PageHeader
        title="Datasets"
        subtitle="The SB284 use-case datasets: set parameters, preview under your role's privacy rules, export CSV with a data dictionary."
      />
      <div className="ds-layout">
        <nav className="ds-list" aria-label="Datasets" data-testid="ds-list">
          {list.loading && !list.data ? <Loading what="datasets" /> : null}
          {datasets.map((d) => (
            <button
              key={d.name}
              type="button"
              className={d.name === name ? 'ds-item active' : 'ds-item'}
              onClick={() => setName(d.name)}
              aria-pressed={d.name === name}
              data-testid={`ds-item-${d.name}`}
            >
              <span className="ds-item-title">{d.title}</span>
              <span className="ds-item-meta">
                <span className="mono">
                  {d.name} v{d.version}
                </span>
                <span className={`badge ds-class ds-class-${d.privacyClass}`}>
                  {d.privacyClass}
                </span>
              </span>
              <span className="ds-item-desc">{d.description}</span>
            </button>
          ))}
        </nav>
        <div className="ds-main">
          {def ? (
            <DatasetView key={def.name} def={def} />
          ) : (
            <Empty>Choose a dataset on the left.</Empty>
          )}
        </div>
      </div>
    </div>
  );
}

function DatasetView({ def }: { def: DatasetInfo }) {
  const [form, setForm] = useState<FormValues>(() => initialForm(def.params));
  const checked = useMemo(() => formToParams(def.params, form), [def.params, form]);
  const ok = Object.keys(checked.problems).length === 0;
  // The parameters the grid, chart and export use: applied by the Preview button.
  const [applied, setApplied] = useState<Record<string, ParamValue> | null>(() =>
    ok ? checked.values : null,
  );
  const apply = () => {
    if (ok) setApplied(checked.values);
  };

  return (
    <>
      <Section
        title={def.title}
        hint={<span className="mono">{`${def.name} v${def.version}`}</span>}
      >
        <p className="ds-desc">{def.description}</p>
        <form
          className="ds-params"
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
          data-testid="ds-params"
        >
          {def.params.length === 0 ? <span className="muted">No parameters.</span> : null}
          {def.params.map((p) => {
            const kind = inputKind(p);
            const v = form[p.name] ?? '';
            const problem = checked.problems[p.name];
            const set = (x: string) => setForm((f) => ({ ...f, [p.name]: x }));
            return (
              <label key={p.name} className="ds-param" title={p.description ?? undefined}>
                <span className="label">
                  {p.name}
                  {p.required ? ' *' : ''}
                  {p.default !== undefined && p.default !== null ? (
                    <span className="muted"> (default {String(p.default)})</span>
                  ) : null}
                </span>
                {kind === 'select' ? (
                  <select
                    value={v}
                    onChange={(e) => set(e.target.value)}
                    data-testid={`ds-param-${p.name}`}
                  >
                    {p.required ? null : <option value="">(any)</option>}
                    {(p.values ?? []).map((x) => (
                      <option key={x} value={x}>
                        {x}
                      </option>
                    ))}
                  </select>
                ) : kind === 'boolean' ? (
                  <select
                    value={v}
                    onChange={(e) => set(e.target.value)}
                    data-testid={`ds-param-${p.name}`}
                  >
                    <option value="">(default)</option>
                    <option value="true">true</option>
                    <option value="false">false</option>
                  </select>
                ) : (
                  <input
                    type="text"
                    inputMode={kind === 'number' ? 'decimal' : undefined}
                    placeholder={kind === 'month' ? 'YYYY-MM' : kind === 'date' ? 'YYYY-MM-DD' : ''}
                    value={v}
                    onChange={(e) => set(e.target.value)}
                    aria-invalid={problem !== undefined}
                    spellCheck={false}
                    data-testid={`ds-param-${p.name}`}
                  />
                )}
                <span className="ds-param-help">
                  {problem ? <span className="field-error">{problem}</span> : p.description}
                </span>
              </label>
            );
          })}
          <div className="form-actions">
            <button type="submit" className="primary" disabled={!ok} data-testid="ds-preview">
              Preview
            </button>
          </div>
        </form>
      </Section>
      {applied ? <Results def={def} params={applied} /> : null}
    </>
  );
}

interface PreviewStats {
  rows: number | null;
  /** Rows loaded so far (a lower bound while the end is not reached). */
  seen: number;
  role: string;
  redactedCells: number;
  withheldRows: number;
  suppressedCells: number;
}

function Results({ def, params }: { def: DatasetInfo; params: Record<string, ParamValue> }) {
  const { report } = useErrors();
  const [stats, setStats] = useState<PreviewStats | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const gridApi = useRef<GridApi<GridRow> | null>(null);
  const paramsJson = JSON.stringify(params);

  const columnDefs = useMemo<ColDef<GridRow>[]>(
    () =>
      def.columns.map((c, i) => {
        const numeric = c.type === 'integer' || c.type === 'number';
        return {
          field: fieldOf(i),
          colId: c.name,
          headerName: headerName(c),
          headerTooltip: headerTooltip(c),
          headerClass: [`ds-h-${c.dataClass}`, ...(numeric ? ['ag-right-aligned-header'] : [])],
          sortable: false,
          filter: false,
          cellClass: numeric ? ['ag-right-aligned-cell', 'cell-num'] : undefined,
          cellClassRules: {
            'ds-cell-redacted': (p) => p.value === REDACTED,
            'ds-cell-suppressed': (p) => isSuppressedCell(p.data, c, p.value),
          },
          valueFormatter: (p) => {
            if (isSuppressedCell(p.data, c, p.value)) return 'suppressed';
            if (p.value === null || p.value === undefined) return '';
            if (c.type === 'number' && typeof p.value === 'number') return formatNumber(p.value, 3);
            if (c.type === 'integer' && typeof p.value === 'number') return formatInt(p.value);
            return String(p.value);
          },
        };
      }),
    [def.columns],
  );

  const datasource = useMemo<IDatasource>(
    () => ({
      getRows: (p: IGetRowsParams) => {
        const input = {
          name: def.name,
          params: JSON.parse(paramsJson) as Record<string, ParamValue>,
          offset: p.startRow,
          limit: Math.min(1000, p.endRow - p.startRow),
        };
        api['dataset.preview'](input).then(
          (page: PreviewPage) => {
            const last = lastRow(page);
            // The first page of a (new) datasource starts the counters afresh.
            setStats((prev) => {
              const s = p.startRow === 0 ? null : prev;
              return {
                rows: last >= 0 ? last : (s?.rows ?? null),
                seen: Math.max(s?.seen ?? 0, page.offset + page.rows.length),
                role: page.role,
                // Counters cover the rows up to this page: keep the largest seen.
                redactedCells: Math.max(s?.redactedCells ?? 0, page.redactedCells),
                withheldRows: Math.max(s?.withheldRows ?? 0, page.withheldRows),
                suppressedCells: Math.max(s?.suppressedCells ?? 0, page.suppressedCells),
              };
            });
            setFailed(null);
            p.successCallback(toGridRows(page), last);
          },
          (e: unknown) => {
            p.failCallback();
            if (isCancelled(e)) return;
            setFailed(e instanceof Error ? e.message : String(e));
            report(e);
          },
        );
      },
    }),
    [def.name, paramsJson, report],
  );

  useEffect(() => {
    gridApi.current?.setGridOption('datasource', datasource);
  }, [datasource]);

  const hasRedacted = (stats?.redactedCells ?? 0) > 0;
  const hasSuppressed = (stats?.suppressedCells ?? 0) > 0;

  return (
    <>
      <Section
        title="Rows"
        hint={
          stats ? (
            <span data-testid="ds-row-count">
              {stats.rows === null
                ? `${formatInt(stats.seen)}+ rows (more load as you scroll)`
                : `${formatInt(stats.rows)} rows`}{' '}
              · role{' '}
              <span className="mono" data-testid="ds-role">
                {stats.role}
              </span>
            </span>
          ) : null
        }
      >
        {failed ? (
          <div className="notice" data-testid="ds-preview-error">
            {failed}
          </div>
        ) : null}
        <div className="ds-legend" data-testid="ds-legend">
          <span>
            <span className="ds-swatch ds-cell-suppressed">suppressed</span> 15/15 rule: fewer than
            15 customers or one above 15 % of the cell
            {stats ? ` (${formatInt(stats.suppressedCells)} so far)` : ''}
          </span>
          <span>
            <span className="ds-swatch ds-cell-redacted">{REDACTED}</span> PII your role may not see
            {stats ? ` (${formatInt(stats.redactedCells)} so far)` : ''}
          </span>
          {stats && stats.withheldRows > 0 ? (
            <span>{formatInt(stats.withheldRows)} rows withheld (no consent)</span>
          ) : null}
          <span className="muted">Hover a header for its description and data class.</span>
        </div>
        <Grid<GridRow>
          testId="ds-grid"
          className={[hasRedacted ? 'has-redacted' : '', hasSuppressed ? 'has-suppressed' : '']
            .filter(Boolean)
            .join(' ')}
          height={420}
          rowModelType="infinite"
          cacheBlockSize={PAGE_ROWS}
          maxBlocksInCache={20}
          infiniteInitialRowCount={PAGE_ROWS}
          columnDefs={columnDefs}
          tooltipShowDelay={300}
          onGridReady={(e) => {
            gridApi.current = e.api;
            e.api.setGridOption('datasource', datasource);
          }}
        />
      </Section>
      {CHARTS[def.name] ? <DatasetChart def={def} params={params} /> : null}
      <ExportPanel def={def} params={params} />
    </>
  );
}

function DatasetChart({ def, params }: { def: DatasetInfo; params: Record<string, ParamValue> }) {
  const spec = CHARTS[def.name];
  const page = useApiQuery('dataset.preview', { name: def.name, params, offset: 0, limit: 1000 });
  const option = useMemo(
    () => (spec && page.data ? spec.build(toNamedRows(page.data)) : null),
    [spec, page.data],
  );
  if (!spec) return null;
  return (
    <Section
      title={spec.title}
      hint={page.data && !page.data.done ? 'first 1,000 rows' : undefined}
      testId="ds-chart-section"
    >
      {page.loading && !page.data ? <Loading what="chart" /> : null}
      {option ? (
        <Chart option={option} height={300} testId="ds-chart" ariaLabel={spec.title} />
      ) : page.data ? (
        <Empty>Nothing to chart: no released values.</Empty>
      ) : null}
    </Section>
  );
}

interface Job {
  started: number;
  now: number;
  done: number;
  total: number | null;
}

function ExportPanel({ def, params }: { def: DatasetInfo; params: Record<string, ParamValue> }) {
  const { status } = useWorkspace();
  const { report } = useErrors();
  const [outTyped, setOutTyped] = useState<string | null>(null);
  const [choosing, setChoosing] = useState(false);
  const [job, setJob] = useState<Job | null>(null);
  const [result, setResult] = useState<RunRecord | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const controller = useRef<AbortController | null>(null);
  const out = outTyped ?? defaultOut(status?.path ?? undefined, def.name);

  const run = useCallback(async () => {
    const ctrl = new AbortController();
    controller.current = ctrl;
    setResult(null);
    setCancelled(false);
    const t = Date.now();
    setJob({ started: t, now: t, done: 0, total: null });
    try {
      const r = await api['dataset.export'](
        { name: def.name, params, out: out.trim() },
        {
          signal: ctrl.signal,
          onProgress: (p) =>
            setJob((j) =>
              j ? { ...j, now: Date.now(), done: p.done, total: p.total ?? j.total } : j,
            ),
        },
      );
      setResult(r);
    } catch (e) {
      if (isCancelled(e)) setCancelled(true);
      else report(e);
    } finally {
      controller.current = null;
      setJob(null);
    }
  }, [def.name, params, out, report]);

  const fraction = job?.total ? Math.min(1, job.done / job.total) : null;
  return (
    <Section title="Export to CSV" testId="ds-export-section">
      <div className="form-row">
        <label className="grow">
          <span className="label">
            Output file (replaced if it exists; the data dictionary goes to file.json)
          </span>
          <input
            type="text"
            value={out}
            onChange={(e) => setOutTyped(e.target.value)}
            spellCheck={false}
            disabled={job !== null}
            data-testid="ds-out"
          />
        </label>
        <button type="button" onClick={() => setChoosing(true)} disabled={job !== null}>
          Choose…
        </button>
      </div>
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          disabled={job !== null || out.trim() === ''}
          onClick={() => void run()}
          data-testid="ds-export"
        >
          {job ? 'Exporting…' : 'Export'}
        </button>
        {job ? (
          <button
            type="button"
            onClick={() => controller.current?.abort()}
            data-testid="ds-export-cancel"
          >
            Cancel
          </button>
        ) : null}
      </div>
      {job ? (
        <div className="job" data-testid="ds-export-progress">
          <ProgressBar value={fraction} label="Export progress" />
          <div className="job-figures">
            <span className="mono">
              {formatInt(job.done)}
              {job.total !== null ? ` of ${formatInt(job.total)}` : ''} rows
              {fraction !== null ? ` · ${formatNumber(fraction * 100, 0)}%` : ''}
            </span>
            <span className="muted">{formatNumber((job.now - job.started) / 1000, 1)} s</span>
          </div>
        </div>
      ) : null}
      {cancelled ? (
        <div className="notice" data-testid="ds-export-cancelled">
          Cancelled: nothing was written or recorded.
        </div>
      ) : null}
      {result ? <RunView run={result} /> : null}
      {choosing ? (
        <FileDialog
          startDir={dirName(out) ?? undefined}
          title="Export dataset to"
          saveName={baseName(out)}
          onClose={() => setChoosing(false)}
          onChoose={(paths) => {
            if (paths[0]) setOutTyped(paths[0]);
            setChoosing(false);
          }}
        />
      ) : null}
    </Section>
  );
}

function RunView({ run }: { run: RunRecord }) {
  return (
    <div className="ds-run" data-testid="ds-run">
      <div className="stats">
        <StatCard label="Rows" value={formatInt(run.rowCount)} testId="ds-run-rows" />
        <StatCard
          label="Suppressed cells"
          value={formatInt(run.suppressedCells)}
          detail="15/15 rule"
          testId="ds-run-suppressed"
        />
        <StatCard
          label="Redacted cells"
          value={formatInt(run.redactedCells)}
          detail={DATA_CLASS_LABEL.pii.split(' — ')[0]}
          testId="ds-run-redacted"
        />
        <StatCard label="Withheld rows" value={formatInt(run.withheldRows)} detail="no consent" />
        <StatCard label="Role" value={run.role} testId="ds-run-role" />
        <StatCard label="Time" value={`${formatNumber(run.seconds, 2)} s`} />
      </div>
      <dl className="facts">
        <dt>CSV</dt>
        <dd className="mono" data-testid="ds-run-file">
          {run.outputPath}
        </dd>
        <dt>Data dictionary</dt>
        <dd className="mono" data-testid="ds-run-dictionary">
          {run.dictionaryPath}
        </dd>
        <dt>Run</dt>
        <dd>
          #{run.id} · {run.name} v{run.version} · parameters{' '}
          <span className="mono">{JSON.stringify(run.parameters)}</span>
        </dd>
        <dt>Workspace fingerprint</dt>
        <dd className="mono" title={run.workspaceFingerprint}>
          {run.workspaceFingerprint.slice(0, 16)}…
        </dd>
        {run.consentAsOf ? (
          <>
            <dt>Consents as of</dt>
            <dd>{run.consentAsOf}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}
