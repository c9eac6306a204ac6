// VPP simulation (seed 003, SMV-03 .1–.7): edit or load a scenario (JSON, validated as you
// type), run it with progress and Cancel, see the fleet dispatch against its baseline, prices
// and bids, the batteries' state of charge, every participant's payment, the exclusions, and
// export every stage's table as CSV.
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, type Progress } from '../api';
import { Chart } from '../components/Chart';
import { Grid } from '../components/Grid';
import { Empty, PageHeader, ProgressBar, Section, StatCard } from '../components/ui';
import { isCancelled, useErrors } from '../state/errors';
import {
  STAGES,
  dispatchOption,
  exclusionColumns,
  participantColumns,
  pct,
  priceOption,
  socOption,
  statementRows,
  usd,
  type VppReport,
} from './vpp/model';

type Issues = { path: string; message: string }[];

export default function VppPage() {
  const { report } = useErrors();
  const [text, setText] = useState('');
  const [issues, setIssues] = useState<Issues>([]);
  const [valid, setValid] = useState<boolean | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<VppReport | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);

  const loadDemo = async () => {
    try {
      const r = await api['vpp.scenario']({ demo: true });
      setText(r.text);
      setIssues(r.issues);
      setValid(r.valid);
    } catch (e) {
      report(e);
    }
  };

  // Start from the shipped demo scenario (the state is set in the promise's callback).
  useEffect(() => {
    let live = true;
    api['vpp.scenario']({ demo: true })
      .then((r) => {
        if (!live) return;
        setText(r.text);
        setIssues(r.issues);
        setValid(r.valid);
      })
      .catch(report);
    return () => {
      live = false;
    };
  }, [report]);

  // Validate as the user types (debounced).
  useEffect(() => {
    if (text === '') return;
    const t = setTimeout(() => {
      api['vpp.scenario']({ text })
        .then((r) => {
          setIssues(r.issues);
          setValid(r.valid);
        })
        .catch(report);
    }, 300);
    return () => clearTimeout(t);
  }, [text, report]);

  const run = async () => {
    const ctrl = new AbortController();
    controller.current = ctrl;
    setRunning(true);
    setFailure(null);
    setProgress({ phase: 'starting', done: 0 });
    try {
      const r = await api['vpp.simulate'](
        { scenario: text },
        { signal: ctrl.signal, onProgress: setProgress },
      );
      setResult(r);
    } catch (e) {
      if (isCancelled(e)) setFailure('Cancelled: nothing was saved.');
      else {
        setFailure(e instanceof Error ? e.message : String(e));
      }
    } finally {
      setRunning(false);
      setProgress(null);
      controller.current = null;
    }
  };

  return (
    <div className="page" data-testid="vpp-page">
      <PageHeader
        title="VPP simulation"
        subtitle="A DER aggregation season, stage by stage (SMV-03 .1–.7): enrolment, forecast, opportunities, optimisation (HiGHS), dispatch, M&V and settlement, value distribution"
      />
      <Section
        title="Scenario"
        hint={
          valid === null ? null : valid ? (
            <span data-testid="vpp-valid">valid</span>
          ) : (
            <span data-testid="vpp-invalid">{issues.length} issue(s)</span>
          )
        }
        actions={
          <>
            <button
              type="button"
              onClick={() => void loadDemo()}
              disabled={running}
              data-testid="vpp-load-demo"
            >
              Load demo scenario
            </button>
            <button
              type="button"
              onClick={() => void run()}
              disabled={running || valid !== true}
              data-testid="vpp-run"
            >
              Run simulation
            </button>
            {running ? (
              <button
                type="button"
                onClick={() => controller.current?.abort()}
                data-testid="vpp-cancel"
              >
                Cancel
              </button>
            ) : null}
          </>
        }
      >
        <textarea
          className="vpp-editor"
          aria-label="Scenario JSON"
          data-testid="vpp-scenario"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={18}
          style={{ width: '100%', fontFamily: 'ui-monospace, monospace', fontSize: 12 }}
        />
        {issues.length > 0 ? (
          <ul className="vpp-issues" data-testid="vpp-issues">
            {issues.map((i, k) => (
              <li key={k}>
                <code>{i.path}</code>: {i.message}
              </li>
            ))}
          </ul>
        ) : null}
        {running && progress ? (
          <div data-testid="vpp-progress">
            <ProgressBar
              value={progress.total ? progress.done / progress.total : null}
              label="Simulation progress"
            />
            <div className="section-hint">
              {progress.phase}
              {progress.total ? ` — ${progress.done}/${progress.total} ${progress.unit ?? ''}` : ''}
            </div>
          </div>
        ) : null}
        {failure ? (
          <div className="error" role="alert" data-testid="vpp-failure">
            {failure}
          </div>
        ) : null}
      </Section>
      {result ? (
        <Results r={result} />
      ) : running ? null : (
        <Empty>Run the scenario to see the season.</Empty>
      )}
    </div>
  );
}

function Results({ r }: { r: VppReport }) {
  const { report } = useErrors();
  const rows = useMemo(() => statementRows(r), [r]);
  const d = r.distribution;
  const exportTable = async (table: (typeof STAGES)[number]['table']) => {
    if (r.runId === null) return;
    try {
      const t = await api['vpp.table']({ runId: r.runId, table });
      const url = URL.createObjectURL(new Blob([t.csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = t.fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      report(e);
    }
  };
  return (
    <div data-testid="vpp-results">
      <div className="stats">
        <StatCard
          label="DERs enrolled"
          value={String(r.enrolment.enrolled)}
          detail={`${r.enrolment.excluded} excluded`}
          testId="vpp-stat-enrolled"
        />
        <StatCard
          label="Participants"
          value={String(r.enrolment.participants)}
          testId="vpp-stat-participants"
        />
        <StatCard
          label="Fleet forecast MAPE"
          value={pct(r.forecast.fleet.mape)}
          detail={`MASE ${r.forecast.fleet.mase === null ? 'n/a' : r.forecast.fleet.mase.toFixed(3)}`}
          testId="vpp-stat-mape"
        />
        <StatCard
          label="Settlement"
          value={usd(d.settlementCents)}
          detail={`${r.settlement.baseline}`}
          testId="vpp-stat-settlement"
        />
        <StatCard
          label="Payments + aggregator fee"
          value={`${usd(d.paymentsCents)} + ${usd(d.feeCents)}`}
          detail={d.reconciles ? 'reconciles to the cent' : 'DOES NOT RECONCILE'}
          testId="vpp-stat-reconcile"
        />
      </div>
      <Section
        title="Fleet dispatch vs baseline"
        hint={`${r.season.start} → ${r.season.end}, run ${r.runId ?? '(not saved)'} in ${r.seconds.toFixed(1)} s`}
        testId="vpp-section-dispatch"
      >
        <Chart
          option={dispatchOption(r)}
          height={340}
          testId="vpp-chart-dispatch"
          ariaLabel="Fleet injection by DER kind and baseline"
        />
      </Section>
      <Section title="Energy prices and bids" testId="vpp-section-price">
        <Chart
          option={priceOption(r)}
          height={280}
          testId="vpp-chart-price"
          ariaLabel="Energy price and fleet bids"
        />
      </Section>
      <Section title="Battery state of charge" testId="vpp-section-soc">
        <Chart
          option={socOption(r)}
          height={220}
          testId="vpp-chart-soc"
          ariaLabel="Fleet battery state of charge"
        />
      </Section>
      <Section
        title="Participants"
        hint="statements: value contributed and payment (largest-remainder split of settlement − fee)"
      >
        <Grid
          rowData={rows}
          columnDefs={participantColumns}
          height={420}
          testId="vpp-participants"
        />
      </Section>
      <Section title="Events" hint="delivered per baseline method">
        <table className="vpp-events" data-testid="vpp-events">
          <thead>
            <tr>
              <th>Event</th>
              <th>Kind</th>
              <th>Date</th>
              <th>Telemetry kWh</th>
              <th>10-in-10 kW</th>
              <th>CalTRACK kW</th>
            </tr>
          </thead>
          <tbody>
            {r.events.map((e) => {
              const x = e as unknown as {
                id: string;
                kind: string;
                date: string;
                telemetryKwh: number;
                tenInTen: { deliveredKw: number };
                caltrack: { deliveredKw: number };
              };
              return (
                <tr key={x.id}>
                  <td>{x.id}</td>
                  <td>{x.kind}</td>
                  <td>{x.date}</td>
                  <td>{x.telemetryKwh.toFixed(1)}</td>
                  <td>{x.tenInTen.deliveredKw.toFixed(1)}</td>
                  <td>{x.caltrack.deliveredKw.toFixed(1)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>
      <Section title="Excluded DERs" hint="stage .1: why each DER was left out">
        {r.enrolment.exclusions.length ? (
          <Grid
            rowData={r.enrolment.exclusions}
            columnDefs={exclusionColumns}
            height={260}
            testId="vpp-exclusions"
          />
        ) : (
          <Empty>None.</Empty>
        )}
      </Section>
      <Section title="Stage tables" hint="CSV export of each stage's output table">
        <div className="vpp-exports">
          {STAGES.map((s) => (
            <button
              key={s.table}
              type="button"
              disabled={r.runId === null}
              onClick={() => void exportTable(s.table)}
              data-testid={`vpp-export-${s.table}`}
            >
              {s.stage} ({s.table})
            </button>
          ))}
        </div>
      </Section>
    </div>
  );
}
