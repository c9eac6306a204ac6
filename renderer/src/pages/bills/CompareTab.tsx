// Compare tab: the rate-design comparison (bill.compare, a job with Cancel): a population
// (organization, rate class, period) billed on its current tariff and on a proposed one; the
// histogram of bill changes, winners / losers, and one grid row per customer (as the role may
// see them: account numbers redacted, rows withheld, aggregates under the 15/15 rule).
import { useMemo, useRef, useState } from 'react';
import type { ColDef, ValueFormatterParams } from 'ag-grid-community';
import { api } from '../../api';
import { Chart } from '../../components/Chart';
import { Grid } from '../../components/Grid';
import { Empty, Section, StatCard } from '../../components/ui';
import { formatInt } from '../../lib/format';
import { isCancelled, useErrors } from '../../state/errors';
import { JobBar, type Job } from './JobBar';
import {
  dollarsMicros,
  histogramOption,
  money,
  percent,
  type CompareRow,
  type Comparison,
} from './model';

const moneyCol = (p: ValueFormatterParams<CompareRow, number>) => money(p.value);
const signedCol = (p: ValueFormatterParams<CompareRow, number>) => money(p.value, true);

const COLUMNS: ColDef<CompareRow>[] = [
  { field: 'account', headerName: 'Account', cellClass: 'mono' },
  { field: 'usagePoint', headerName: 'Usage point', cellClass: 'mono' },
  { field: 'tariffA', headerName: 'Current', width: 90 },
  {
    field: 'usage',
    headerName: 'kWh',
    type: 'quantity',
    valueGetter: (p) => (p.data ? Number(p.data.usage) : null),
  },
  { field: 'billAMicros', headerName: 'Bill A', type: 'quantity', valueFormatter: moneyCol },
  { field: 'billBMicros', headerName: 'Bill B', type: 'quantity', valueFormatter: moneyCol },
  {
    field: 'differenceMicros',
    headerName: 'Change',
    type: 'quantity',
    valueFormatter: signedCol,
    cellClassRules: {
      'cell-saving': (p) => (p.value ?? 0) < 0,
      'cell-increase': (p) => (p.value ?? 0) > 0,
    },
    sort: 'desc',
  },
  {
    field: 'percentChange',
    headerName: 'Change %',
    type: 'quantity',
    valueFormatter: (p: ValueFormatterParams<CompareRow, number | null>) => percent(p.value),
  },
  {
    field: 'flags',
    headerName: 'Data flags',
    valueFormatter: (p: ValueFormatterParams<CompareRow, string[]>) => (p.value ?? []).join('; '),
  },
];

interface Params {
  org: string;
  rateClass: string;
  tariffA: string;
  tariffB: string;
  from: string;
  to: string;
}

export function CompareTab() {
  const { report } = useErrors();
  const [p, setP] = useState<Params>({
    org: 'UES',
    rateClass: 'D',
    tariffA: '',
    tariffB: 'TOU-RES',
    from: '2018-07-17',
    to: '2018-08-16',
  });
  const [job, setJob] = useState<Job | null>(null);
  const [result, setResult] = useState<Comparison | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const ctrl = useRef<AbortController | null>(null);

  const run = async () => {
    if (job) return;
    const c = new AbortController();
    ctrl.current = c;
    setJob({ startedAt: Date.now(), progress: null });
    setNote(null);
    try {
      const r = await api['bill.compare'](
        {
          org: p.org.trim(),
          tariffB: p.tariffB.trim(),
          from: p.from.trim(),
          to: p.to.trim(),
          ...(p.rateClass.trim() ? { rateClass: p.rateClass.trim() } : {}),
          ...(p.tariffA.trim() ? { tariffA: p.tariffA.trim() } : {}),
        },
        {
          signal: c.signal,
          onProgress: (x) => setJob((j) => (j ? { ...j, progress: x } : j)),
        },
      );
      setResult(r);
    } catch (e) {
      if (isCancelled(e)) setNote('Cancelled: nothing was kept.');
      else report(e);
    } finally {
      ctrl.current = null;
      setJob(null);
    }
  };

  const field = (k: keyof Params, label: string, ph = '') => (
    <label>
      <span className="label">{label}</span>
      <input
        type="text"
        className={k === 'from' || k === 'to' ? undefined : 'num-input'}
        value={p[k]}
        placeholder={ph}
        onChange={(e) => setP((x) => ({ ...x, [k]: e.target.value }))}
        spellCheck={false}
        data-testid={`compare-${k}`}
      />
    </label>
  );

  return (
    <>
      <Section
        title="Rate-design comparison"
        testId="compare-form"
        hint="Every customer of the rate class with interval data on each day of the period, billed on both tariffs from the same data."
      >
        <form
          className="form-row"
          onSubmit={(e) => {
            e.preventDefault();
            void run();
          }}
        >
          {field('org', 'Organization')}
          {field('rateClass', 'Rate class')}
          {field('tariffA', 'Current tariff (A)', 'their own')}
          {field('tariffB', 'Proposed tariff (B)')}
          {field('from', 'From (read date)', 'YYYY-MM-DD')}
          {field('to', 'To (read date)', 'YYYY-MM-DD')}
          <button
            type="submit"
            className="primary"
            disabled={job !== null || !p.org.trim() || !p.tariffB.trim()}
            data-testid="compare-run"
          >
            Compare
          </button>
        </form>
        {job ? (
          <JobBar
            job={job}
            label="Comparison progress"
            onCancel={() => ctrl.current?.abort()}
            testId="compare-progress"
          />
        ) : null}
        {note ? <div className="notice">{note}</div> : null}
      </Section>
      {result ? <CompareResultView r={result} /> : null}
    </>
  );
}

function CompareResultView({ r }: { r: Comparison }) {
  const s = r.summary;
  const option = useMemo(() => histogramOption(r), [r]);
  const count = (n: number | null) => (n === null ? 'suppressed' : formatInt(n));
  const a = r.tariffA ? `${r.tariffA.code}` : 'current tariffs';
  return (
    <>
      <Section
        title={`${a} → ${r.tariffB.code}: ${r.org} rate class ${r.rateClass}`}
        testId="compare-result"
        hint={`${r.from} → ${r.to} (${r.days} days) · ${formatInt(r.billed)} of ${formatInt(r.candidates)} agreements billed · ${r.seconds} s`}
      >
        {s.suppressed ? (
          <div className="notice" data-testid="compare-suppressed">
            Fewer than 15 customers (or one dominant customer): the 15/15 rule withholds every
            aggregate from your role ({r.role}).
          </div>
        ) : (
          <div className="stats" data-testid="compare-stats">
            <StatCard label="Customers" value={count(s.customers)} testId="compare-customers" />
            <StatCard
              label="Winners"
              value={count(s.winners)}
              detail={`pay less on ${r.tariffB.code}`}
              testId="compare-winners"
            />
            <StatCard
              label="Losers"
              value={count(s.losers)}
              detail={`pay more on ${r.tariffB.code}`}
              testId="compare-losers"
            />
            <StatCard label="Unchanged" value={count(s.unchanged)} testId="compare-unchanged" />
            <StatCard
              label="Mean change"
              value={money(dollarsMicros(s.meanChange), true)}
              detail={`mean of the percents ${percent(s.meanPercent)}`}
              testId="compare-mean"
            />
            <StatCard
              label="Median change"
              value={money(dollarsMicros(s.medianChange), true)}
              detail={
                s.minChange !== null && s.maxChange !== null
                  ? `range ${money(dollarsMicros(s.minChange), true)} to ${money(dollarsMicros(s.maxChange), true)}`
                  : undefined
              }
              testId="compare-median"
            />
            <StatCard
              label="All bills"
              value={percent(s.totalPercent)}
              detail={`${money(dollarsMicros(s.totalA))} → ${money(dollarsMicros(s.totalB))}`}
              testId="compare-total"
            />
          </div>
        )}
        {r.excluded.length > 0 || r.failures.count > 0 ? (
          <ul className="findings small" data-testid="compare-excluded">
            {r.excluded.map((x) => (
              <li key={x.reason}>
                {formatInt(x.count)} not billed: {x.reason}
              </li>
            ))}
            {r.failures.count > 0 ? (
              <li>
                {formatInt(r.failures.count)} failed: {r.failures.messages.slice(0, 3).join('; ')}
              </li>
            ) : null}
          </ul>
        ) : null}
        {r.histogram.bins.length > 0 ? (
          <>
            <Chart
              option={option}
              height={320}
              testId="compare-histogram"
              ariaLabel="Histogram of bill changes"
            />
            <p className="hint small" data-testid="compare-bins">
              {r.histogram.bins.length} bins of ${r.histogram.binWidth}; green: savings, red:
              increases{r.suppressedCells ? `, grey: suppressed (${r.suppressedCells} cells)` : ''}.
              Each bin holds changes from its label up to the next (bins never straddle $0).
            </p>
          </>
        ) : null}
      </Section>
      <Section
        title="Per customer"
        testId="compare-customers-section"
        hint={
          r.rows === 'all'
            ? `${formatInt(r.customers.length)} customers${r.redactedCells ? ` · ${formatInt(r.redactedCells)} account numbers redacted for your role (${r.role})` : ''}`
            : r.rows === 'consented'
              ? `only customers who consented: ${formatInt(r.customers.length)} shown, ${formatInt(r.withheldRows)} withheld`
              : undefined
        }
      >
        {r.rows === 'none' ? (
          <Empty>Your role ({r.role}) sees aggregates only: no per-customer rows.</Empty>
        ) : r.customers.length === 0 ? (
          <Empty>No customer rows to show.</Empty>
        ) : (
          <Grid<CompareRow>
            testId="compare-grid"
            rowData={r.customers}
            columnDefs={COLUMNS}
            height={420}
          />
        )}
      </Section>
    </>
  );
}
