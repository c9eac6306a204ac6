// Export: pick usage points (or one customer: all its usage points), a range, the ESPI version
// and optionally a grantee; the consent panel follows the selection; choose the output file and
// run greenbutton.export (a job: progress and Cancel); the result, or the refusal and why.
import { useMemo, useRef, useState } from 'react';
import { api } from '../../api';
import { ProgressBar, Section, StatCard } from '../../components/ui';
import { baseName, dirName } from '../../lib/download';
import { formatBytes, formatInt, formatInterval, formatNumber } from '../../lib/format';
import { isCancelled, useErrors } from '../../state/errors';
import { useApiQuery } from '../../state/useApiQuery';
import { useWorkspace } from '../../state/workspace';
import { FileDialog } from '../import/FileDialog';
import { CandidatePicker } from './CandidatePicker';
import { ConsentPanel } from './ConsentPanel';
import {
  advanceJob,
  asRefusal,
  dataSpan,
  defaultOutput,
  espiUnit,
  jobFigures,
  rangeProblem,
  startJob,
  toSelection,
  upId,
  type EspiVersion,
  type ExportJob,
  type ExportResult,
  type Mode,
  type PickedCustomer,
  type PickedUp,
  type Refusal,
} from './model';

/** What the last export gave, for the request it answers (`request`: its JSON). */
type Outcome = { request: string } & (
  | { kind: 'done'; result: ExportResult }
  | { kind: 'refused'; refusal: Refusal }
  | { kind: 'cancelled' }
);

export function ExportTab() {
  const { status } = useWorkspace();
  const { report } = useErrors();
  const [mode, setMode] = useState<Mode>('usagePoints');
  const [ups, setUps] = useState<PickedUp[]>([]);
  const [customer, setCustomer] = useState<PickedCustomer | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [espi, setEspi] = useState<EspiVersion>('3.3');
  const [grantee, setGrantee] = useState('');
  const [outTyped, setOutTyped] = useState<string | null>(null);
  const [choosingOut, setChoosingOut] = useState(false);
  const [job, setJob] = useState<ExportJob | null>(null);
  const [lastOutcome, setOutcome] = useState<Outcome | null>(null);
  const controller = useRef<AbortController | null>(null);

  const overview = useApiQuery('overview.get', {}, { reloadKey: status?.path ?? null });
  const problem = rangeProblem(from, to);
  const selection = useMemo(
    () => (problem ? null : toSelection(mode, ups, customer, { from, to }, grantee)),
    [problem, mode, ups, customer, from, to, grantee],
  );
  const out = outTyped ?? defaultOutput(status?.path, selection);
  const span = mode === 'usagePoints' ? dataSpan(ups) : null;
  const running = job !== null;
  const request = JSON.stringify([selection, espi, out.trim()]);
  // A result or refusal stays shown only while the form still describes that export.
  const outcome = lastOutcome?.request === request ? lastOutcome : null;
  const canExport = selection !== null && out.trim() !== '' && !running;

  const toggle = (u: PickedUp) =>
    setUps((list) =>
      list.some((x) => upId(x) === upId(u))
        ? list.filter((x) => upId(x) !== upId(u))
        : [...list, u],
    );

  const run = async () => {
    if (!selection || !canExport) return;
    const ctrl = new AbortController();
    controller.current = ctrl;
    setOutcome(null);
    setJob(startJob(Date.now()));
    try {
      const result = await api['greenbutton.export'](
        { ...selection, espi, out: out.trim() },
        {
          signal: ctrl.signal,
          onProgress: (p) => setJob((j) => (j ? advanceJob(j, p, Date.now()) : j)),
        },
      );
      setOutcome({ request, kind: 'done', result });
    } catch (e) {
      const refusal = asRefusal(e);
      if (refusal) setOutcome({ request, kind: 'refused', refusal });
      else if (isCancelled(e)) setOutcome({ request, kind: 'cancelled' });
      else report(e);
    } finally {
      controller.current = null;
      setJob(null);
    }
  };

  return (
    <>
      <Section
        title="1 · What to export"
        hint="Customer usage data: the role's POLICY and, where it asks for one, the customers' consent decide."
      >
        <div className="gb-modes" role="radiogroup" aria-label="Export by">
          <label className="checkbox">
            <input
              type="radio"
              name="gb-mode"
              checked={mode === 'usagePoints'}
              onChange={() => setMode('usagePoints')}
              data-testid="gb-mode-usage-points"
            />
            Usage points (several: one bulk feed)
          </label>
          <label className="checkbox">
            <input
              type="radio"
              name="gb-mode"
              checked={mode === 'customer'}
              onChange={() => setMode('customer')}
              data-testid="gb-mode-customer"
            />
            A customer (all its usage points in the range)
          </label>
        </div>
        <CandidatePicker
          mode={mode}
          picked={ups}
          onToggle={toggle}
          customer={customer}
          onCustomer={setCustomer}
          reloadKey={status?.path ?? null}
        />
        <div className="gb-chosen" data-testid="gb-chosen">
          <span className="label">Chosen:</span>{' '}
          {mode === 'customer' ? (
            customer ? (
              <span className="gb-chip">
                customer {customer.org}:{customer.key} ({customer.usagePoints.length} usage point
                {customer.usagePoints.length === 1 ? '' : 's'})
                <button
                  type="button"
                  className="icon"
                  aria-label="Clear customer"
                  onClick={() => setCustomer(null)}
                >
                  ×
                </button>
              </span>
            ) : (
              <span className="muted">no customer yet</span>
            )
          ) : ups.length ? (
            ups.map((u) => (
              <span className="gb-chip" key={upId(u)}>
                {upId(u)}
                <button
                  type="button"
                  className="icon"
                  aria-label={`Remove ${upId(u)}`}
                  onClick={() => toggle(u)}
                >
                  ×
                </button>
              </span>
            ))
          ) : (
            <span className="muted">no usage point yet</span>
          )}
        </div>
      </Section>

      <Section title="2 · Range, format and recipient">
        <div className="form-row">
          <label>
            <span className="label">First day (local, inclusive)</span>
            <input
              type="date"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              data-testid="gb-from"
              aria-invalid={problem !== null && from !== ''}
            />
          </label>
          <label>
            <span className="label">Last day (local, inclusive)</span>
            <input
              type="date"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              data-testid="gb-to"
              aria-invalid={problem !== null && to !== ''}
            />
          </label>
          <label>
            <span className="label">ESPI version</span>
            <select
              value={espi}
              onChange={(e) => setEspi(e.target.value === '4.0' ? '4.0' : '3.3')}
              data-testid="gb-espi"
            >
              <option value="3.3">3.3 (default)</option>
              <option value="4.0">4.0</option>
            </select>
          </label>
          <label>
            <span className="label">Grantee (whose consents count)</span>
            <select
              value={grantee}
              onChange={(e) => setGrantee(e.target.value)}
              data-testid="gb-grantee"
            >
              <option value="">Any grantee</option>
              {(overview.data?.organizations ?? []).map((o) => (
                <option key={o.code} value={o.code}>
                  {o.code} — {o.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        {problem ? <div className="field-error">{problem}</div> : null}
        <p className="hint">
          {from || to
            ? 'Days are local calendar days of each usage point; bills overlapping the range are included.'
            : 'No range: everything stored is exported.'}
          {span ? (
            <>
              {' '}
              Data of the chosen usage points:{' '}
              <span className="mono">
                {span.first} … {span.last}
              </span>
              .
            </>
          ) : null}
        </p>
      </Section>

      <Section title="3 · Consent" testId="gb-consent-section">
        <ConsentPanel selection={selection} />
      </Section>

      <Section title="4 · Export">
        <div className="form-row">
          <label className="grow">
            <span className="label">Output file (replaced if it exists)</span>
            <input
              type="text"
              value={out}
              onChange={(e) => setOutTyped(e.target.value)}
              spellCheck={false}
              disabled={running}
              data-testid="gb-out"
            />
          </label>
          <button
            type="button"
            onClick={() => setChoosingOut(true)}
            disabled={running}
            data-testid="gb-out-browse"
          >
            Choose…
          </button>
        </div>
        <div className="form-actions">
          <button
            type="button"
            className="primary"
            disabled={!canExport}
            onClick={() => void run()}
            data-testid="gb-export"
          >
            {running ? 'Exporting…' : 'Export'}
          </button>
          {running ? (
            <button
              type="button"
              onClick={() => controller.current?.abort()}
              data-testid="gb-export-cancel"
            >
              Cancel
            </button>
          ) : null}
          {!selection && !running ? (
            <span className="muted">
              {problem ?? `Choose ${mode === 'customer' ? 'a customer' : 'usage points'} first.`}
            </span>
          ) : null}
        </div>
        {job ? <ExportProgress job={job} /> : null}
        {outcome?.kind === 'cancelled' ? (
          <div className="notice" data-testid="gb-export-cancelled">
            Cancelled: no file was written (the partial file was removed).
          </div>
        ) : null}
        {outcome?.kind === 'refused' ? <RefusalView refusal={outcome.refusal} /> : null}
        {outcome?.kind === 'done' ? <ResultView result={outcome.result} /> : null}
      </Section>

      {choosingOut ? (
        <FileDialog
          startDir={dirName(out) ?? undefined}
          title="Export to file"
          saveName={baseName(out)}
          onClose={() => setChoosingOut(false)}
          onChoose={(paths) => {
            if (paths[0]) setOutTyped(paths[0]);
            setChoosingOut(false);
          }}
        />
      ) : null}
    </>
  );
}

function ExportProgress({ job }: { job: ExportJob }) {
  const f = jobFigures(job);
  return (
    <div className="job" data-testid="gb-export-progress">
      <div className="job-line">
        <span className="job-phase">
          {job.phase === 'export' ? 'Writing readings' : 'Planning'}
        </span>
      </div>
      <ProgressBar value={f.fraction} label="Export progress" />
      <div className="job-figures">
        <span className="mono">
          {formatInt(job.done)}
          {job.total !== null ? ` of ${formatInt(job.total)}` : ''} readings
          {f.fraction !== null ? ` · ${formatNumber(f.fraction * 100, 0)}%` : ''}
        </span>
        {f.perSecond !== null ? <span>{formatInt(f.perSecond)} readings/s</span> : null}
        <span className="muted">{formatNumber((job.now - job.started) / 1000, 1)} s</span>
      </div>
    </div>
  );
}

function RefusalView({ refusal }: { refusal: Refusal }) {
  return (
    <div className="notice gb-refused" data-testid="gb-refused" data-reason={refusal.reason}>
      <strong>
        {refusal.reason === 'privacy_denied'
          ? 'Refused: the role may not export customer usage data.'
          : 'Refused: consent is missing.'}
      </strong>{' '}
      No file was written; the refusal is in the audit log.
      {refusal.missing.length ? (
        <ul data-testid="gb-refused-missing">
          {refusal.missing.map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      ) : (
        <div>{refusal.message}</div>
      )}
    </div>
  );
}

function ResultView({ result: r }: { result: ExportResult }) {
  return (
    <div className="gb-result" data-testid="gb-result">
      <div className="gb-result-file">
        Written:{' '}
        <span className="mono" data-testid="gb-result-file">
          {r.file}
        </span>
      </div>
      <div className="stats">
        <StatCard label="Readings" value={formatInt(r.readings)} testId="gb-result-readings" />
        <StatCard
          label="Interval blocks"
          value={formatInt(r.intervalBlocks)}
          testId="gb-result-blocks"
        />
        <StatCard label="Usage summaries" value={formatInt(r.usageSummaries)} detail="bills" />
        <StatCard label="Size" value={formatBytes(r.bytes)} testId="gb-result-size" />
        <StatCard
          label="Time"
          value={`${formatNumber(r.seconds, 2)} s`}
          detail={
            r.seconds > 0
              ? `${formatInt(r.readings / r.seconds)} readings/s, fixed costs included`
              : undefined
          }
        />
      </div>
      <dl className="facts">
        <dt>ESPI</dt>
        <dd>{r.espi}</dd>
        <dt>Usage points</dt>
        <dd className="mono">{r.usagePoints.join(', ')}</dd>
        {r.customer ? (
          <>
            <dt>Customer</dt>
            <dd className="mono">{r.customer}</dd>
          </>
        ) : null}
        <dt>Range</dt>
        <dd>{r.from || r.to ? `${r.from ?? 'start'} … ${r.to ?? 'end'}` : 'all data'}</dd>
        <dt>Allowed by</dt>
        <dd data-testid="gb-result-basis">
          {r.authorization.basis === 'role'
            ? `role ${r.authorization.role} (POLICY allows customer usage data)`
            : `consent ${r.authorization.consents.map((c) => `#${c}`).join(', ')} (role ${r.authorization.role})`}
        </dd>
      </dl>
      {r.series.length ? (
        <table className="gb-table" data-testid="gb-result-series">
          <thead>
            <tr>
              <th>Usage point</th>
              <th>Reading type</th>
              <th className="num">Interval</th>
              <th className="num">Readings</th>
              <th className="num">Blocks</th>
              <th className="num">Missing (not written)</th>
              <th className="num">Rounded</th>
            </tr>
          </thead>
          <tbody>
            {r.series.map((s, i) => (
              <tr key={i}>
                <td className="mono">{s.usagePoint}</td>
                <td>
                  {s.readingType}{' '}
                  <span className="muted small">{espiUnit(s.uom, s.powerOfTenMultiplier)}</span>
                </td>
                <td className="num">{formatInterval(s.intervalSeconds)}</td>
                <td className="num">{formatInt(s.readings)}</td>
                <td className="num">{formatInt(s.blocks)}</td>
                <td className="num">{formatInt(s.missing)}</td>
                <td className="num">{formatInt(s.rounded)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div className="empty">No interval series in the range.</div>
      )}
      {r.notes.length ? (
        <ul className="findings" data-testid="gb-result-notes">
          {r.notes.map((n, i) => (
            <li key={i}>
              <span className="badge">note</span> {n}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
