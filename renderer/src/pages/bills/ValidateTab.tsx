// Validate tab: pick a bill held in the workspace (by account) or recompute an account's period
// and enter the billed amounts, or enter a whole bill by hand; run bill.validate (a job, with
// Cancel); see billed vs recomputed per line, differences highlighted and explained; export the
// report as CSV or a printable HTML page.
import { useRef, useState, type ReactNode } from 'react';
import { api } from '../../api';
import { Empty, Section, StatCard } from '../../components/ui';
import { dirName } from '../../lib/download';
import { formatInt } from '../../lib/format';
import { isCancelled, useErrors } from '../../state/errors';
import { useWorkspace } from '../../state/workspace';
import { FileDialog } from '../import/FileDialog';
import { JobBar, type Job } from './JobBar';
import {
  CAUSE_LABELS,
  emptyForm,
  emptyLine,
  formFromComputed,
  formToBill,
  linesSum,
  money,
  moneyMicros,
  reportName,
  validateForm,
  type BillForm,
  type BillSummary,
  type ComputedBill,
  type FormErrors,
  type LineForm,
  type Validation,
} from './model';

type Source = { billId: number } | { bill: Record<string, unknown> };
type Mode = 'workspace' | 'hand';

export function ValidateTab() {
  const { report } = useErrors();
  const [mode, setMode] = useState<Mode>('workspace');
  const [form, setForm] = useState<BillForm>(emptyForm);
  const [tolerance, setTolerance] = useState('0.01');
  const [job, setJob] = useState<Job | null>(null);
  const [result, setResult] = useState<{ v: Validation; source: Source } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const ctrl = useRef<AbortController | null>(null);

  const validate = async (source: Source) => {
    if (job) return;
    const c = new AbortController();
    ctrl.current = c;
    setJob({ startedAt: Date.now(), progress: null });
    setNote(null);
    try {
      const v = await api['bill.validate'](
        { ...source, tolerance: tolerance.trim() || '0.01' },
        {
          signal: c.signal,
          onProgress: (p) => setJob((j) => (j ? { ...j, progress: p } : j)),
        },
      );
      setResult({ v, source });
    } catch (e) {
      if (isCancelled(e)) setNote('Cancelled.');
      else report(e);
    } finally {
      ctrl.current = null;
      setJob(null);
    }
  };

  return (
    <>
      <Section
        title="Bill to validate"
        testId="bill-source"
        actions={
          <div className="segmented" role="tablist" aria-label="Bill source">
            <button
              type="button"
              role="tab"
              aria-selected={mode === 'workspace'}
              className={mode === 'workspace' ? 'active' : ''}
              onClick={() => setMode('workspace')}
              data-testid="bill-mode-workspace"
            >
              From the workspace
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={mode === 'hand'}
              className={mode === 'hand' ? 'active' : ''}
              onClick={() => setMode('hand')}
              data-testid="bill-mode-hand"
            >
              Enter by hand
            </button>
          </div>
        }
      >
        {mode === 'workspace' ? (
          <WorkspacePicker
            busy={job !== null}
            onValidate={(id) => void validate({ billId: id })}
            onStartForm={(b) => {
              setForm(formFromComputed(b));
              setMode('hand');
            }}
          />
        ) : (
          <BillFormView
            form={form}
            setForm={setForm}
            busy={job !== null}
            onValidate={() => void validate({ bill: formToBill(form) })}
          />
        )}
        <div className="form-row bills-tolerance">
          <label>
            <span className="label">Tolerance ($ per line and total)</span>
            <input
              type="text"
              className="num-input"
              value={tolerance}
              onChange={(e) => setTolerance(e.target.value)}
              data-testid="bill-tolerance"
            />
          </label>
        </div>
        {job ? (
          <JobBar
            job={job}
            label="Validation progress"
            onCancel={() => ctrl.current?.abort()}
            testId="bill-validate-progress"
          />
        ) : null}
        {note ? <div className="notice">{note}</div> : null}
      </Section>
      {result ? <ResultView v={result.v} source={result.source} tolerance={tolerance} /> : null}
    </>
  );
}

// ───────────── bills in the workspace ─────────────

function WorkspacePicker({
  busy,
  onValidate,
  onStartForm,
}: {
  busy: boolean;
  onValidate: (billId: number) => void;
  onStartForm: (b: ComputedBill) => void;
}) {
  const { report } = useErrors();
  const [account, setAccount] = useState('');
  const [org, setOrg] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [bills, setBills] = useState<BillSummary[] | null>(null);
  const [computed, setComputed] = useState<ComputedBill | null>(null);
  const [loading, setLoading] = useState(false);

  const find = async () => {
    setLoading(true);
    try {
      setBills(
        await api['bill.list']({
          ...(account.trim() ? { account: account.trim() } : {}),
          ...(org.trim() ? { org: org.trim() } : {}),
        }),
      );
    } catch (e) {
      report(e);
    } finally {
      setLoading(false);
    }
  };
  const recompute = async () => {
    setLoading(true);
    try {
      setComputed(
        await api['bill.compute']({
          account: account.trim(),
          from: from.trim(),
          to: to.trim(),
          store: false,
          ...(org.trim() ? { org: org.trim() } : {}),
        }),
      );
    } catch (e) {
      report(e);
    } finally {
      setLoading(false);
    }
  };

  return (
    <div data-testid="bill-picker">
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <label>
          <span className="label">Account number</span>
          <input
            type="text"
            value={account}
            onChange={(e) => setAccount(e.target.value)}
            placeholder="all accounts"
            data-testid="pick-account"
          />
        </label>
        <label>
          <span className="label">Organization</span>
          <input
            type="text"
            className="num-input"
            value={org}
            onChange={(e) => setOrg(e.target.value)}
            placeholder="any"
            data-testid="pick-org"
          />
        </label>
        <button type="submit" disabled={loading} data-testid="pick-find">
          List bills
        </button>
      </form>
      {bills === null ? null : bills.length === 0 ? (
        <Empty>No bills in the workspace{account.trim() ? ` for account ${account}` : ''}.</Empty>
      ) : (
        <table className="bills-table" data-testid="pick-bills">
          <thead>
            <tr>
              <th>Org</th>
              <th>Account</th>
              <th>Period</th>
              <th>Tariff</th>
              <th className="num">Total</th>
              <th className="num">Lines</th>
              <th>Last validation</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {bills.map((b) => (
              <tr key={b.id} data-testid="pick-bill" data-bill={b.id}>
                <td>{b.org}</td>
                <td className="mono">{b.account}</td>
                <td className="mono">
                  {b.from} → {b.to}
                </td>
                <td>{b.tariff ?? '—'}</td>
                <td className="num">{b.total}</td>
                <td className="num">{formatInt(b.lines)}</td>
                <td>
                  {b.lastValidation ? (
                    <span className={b.lastValidation.passed ? 'badge tone-ok' : 'badge tone-bad'}>
                      {b.lastValidation.passed ? 'pass' : 'fail'}
                    </span>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    className="primary"
                    disabled={busy}
                    onClick={() => onValidate(b.id)}
                    data-testid="pick-validate"
                  >
                    Validate
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 className="subheading">Or recompute a period and enter what was billed</h3>
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          void recompute();
        }}
      >
        <label>
          <span className="label">From (opening read)</span>
          <input
            type="text"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            placeholder="YYYY-MM-DD"
            data-testid="pick-from"
          />
        </label>
        <label>
          <span className="label">To (closing read)</span>
          <input
            type="text"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            placeholder="YYYY-MM-DD"
            data-testid="pick-to"
          />
        </label>
        <button
          type="submit"
          disabled={loading || !account.trim() || !from.trim() || !to.trim()}
          data-testid="pick-recompute"
        >
          Recompute
        </button>
      </form>
      {computed ? (
        <div className="bills-computed" data-testid="pick-computed">
          <p className="hint">
            {computed.org} account {computed.account}, tariff {computed.tariff.code}:{' '}
            {computed.determinants.usage} {computed.determinants.unit} from{' '}
            {computed.determinants.source}, {computed.days} days — recomputed total{' '}
            <strong>{computed.total}</strong>.
          </p>
          <button type="button" onClick={() => onStartForm(computed)} data-testid="pick-start-form">
            Enter the billed amounts for these lines
          </button>
        </div>
      ) : null}
    </div>
  );
}

// ───────────── the form ─────────────

function Field({
  label,
  error,
  children,
  grow,
}: {
  label: string;
  error?: string | undefined;
  children: ReactNode;
  grow?: boolean;
}) {
  return (
    <label className={grow ? 'grow' : undefined}>
      <span className="label">{label}</span>
      {children}
      {error ? <span className="field-error small">{error}</span> : null}
    </label>
  );
}

const HEADER: [keyof BillForm, string, string][] = [
  ['org', 'Organization', 'UES'],
  ['account', 'Account *', ''],
  ['tariff', 'Rate code', 'the account’s'],
  ['periodFrom', 'From (read date) *', 'YYYY-MM-DD'],
  ['periodTo', 'To (read date) *', 'YYYY-MM-DD'],
  ['issuedOn', 'Issued on', 'YYYY-MM-DD'],
  ['meterSerial', 'Meter', ''],
  ['readPrevious', 'Previous read', ''],
  ['readPresent', 'Present read', ''],
  ['usage', 'Usage', ''],
  ['usageUnit', 'Unit', 'kWh'],
  ['total', 'Total billed ($) *', ''],
];

const LINE_FIELDS: [keyof Omit<LineForm, 'key'>, string, string][] = [
  ['code', 'Code', 'delivery'],
  ['description', 'Description *', 'Delivery Charge'],
  ['quantity', 'Quantity', '609'],
  ['unit', 'Unit', 'kWh'],
  ['rate', 'Rate', '0.06175'],
  ['amount', 'Amount ($) *', '37.60'],
];

function BillFormView({
  form,
  setForm,
  busy,
  onValidate,
}: {
  form: BillForm;
  setForm: (f: BillForm | ((f: BillForm) => BillForm)) => void;
  busy: boolean;
  onValidate: () => void;
}) {
  const [shown, setShown] = useState(false);
  const errors: FormErrors = shown ? validateForm(form) : {};
  const set = (k: keyof BillForm, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const setLine = (i: number, k: keyof LineForm, v: string) =>
    setForm((f) => ({ ...f, lines: f.lines.map((l, j) => (j === i ? { ...l, [k]: v } : l)) }));
  const sum = linesSum(form);
  const totalOk = /^-?\d+(\.\d{1,6})?$/.test(form.total.trim());
  const mismatch = sum !== null && totalOk && sum !== moneyMicros(form.total);
  return (
    <form
      className="bill-form"
      data-testid="bill-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setShown(true);
        if (Object.keys(validateForm(form)).length === 0) onValidate();
      }}
    >
      <div className="bill-header-fields">
        {HEADER.map(([k, label, ph]) => (
          <Field key={k} label={label} error={errors[k]}>
            <input
              type="text"
              value={form[k] as string}
              onChange={(e) => set(k, e.target.value)}
              placeholder={ph}
              aria-invalid={errors[k] ? true : undefined}
              spellCheck={false}
              data-testid={`bill-${k}`}
            />
          </Field>
        ))}
      </div>
      <table className="bill-lines-form" data-testid="bill-lines">
        <thead>
          <tr>
            <th>#</th>
            {LINE_FIELDS.map(([k, label]) => (
              <th key={k} className={k === 'description' ? 'wide' : undefined}>
                {label}
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {form.lines.map((l, i) => (
            <tr key={l.key} data-testid="bill-line">
              <td className="num muted">{i + 1}</td>
              {LINE_FIELDS.map(([k, label, ph]) => {
                const err = errors[`lines.${i}.${k}`];
                return (
                  <td key={k}>
                    <input
                      type="text"
                      value={l[k]}
                      onChange={(e) => setLine(i, k, e.target.value)}
                      placeholder={i === 0 ? ph : ''}
                      aria-label={`Line ${i + 1} ${label}`}
                      aria-invalid={err ? true : undefined}
                      title={err}
                      spellCheck={false}
                      className={['quantity', 'rate', 'amount'].includes(k) ? 'num' : undefined}
                      data-testid={`bill-line-${i}-${k}`}
                    />
                    {err ? <div className="field-error small">{err}</div> : null}
                  </td>
                );
              })}
              <td>
                <button
                  type="button"
                  className="icon"
                  aria-label={`Remove line ${i + 1}`}
                  onClick={() =>
                    setForm((f) => ({ ...f, lines: f.lines.filter((_, j) => j !== i) }))
                  }
                  disabled={form.lines.length === 1}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {errors.lines ? <div className="field-error">{errors.lines}</div> : null}
      <div className="form-actions">
        <button
          type="button"
          onClick={() => setForm((f) => ({ ...f, lines: [...f.lines, emptyLine()] }))}
          data-testid="bill-add-line"
        >
          + Add line
        </button>
        <button type="button" onClick={() => setForm(emptyForm())} disabled={busy}>
          Clear
        </button>
        <span className="grow" />
        {sum !== null ? (
          <span
            className={mismatch ? 'small bills-warn' : 'small muted'}
            data-testid="bill-lines-sum"
          >
            Lines add up to {money(sum)}
            {mismatch ? ` — not the total ${money(moneyMicros(form.total))}` : ''}
          </span>
        ) : null}
        <button type="submit" className="primary" disabled={busy} data-testid="bill-validate">
          Validate
        </button>
      </div>
      {shown && Object.keys(errors).length > 0 ? (
        <div className="field-error" data-testid="bill-form-errors">
          {Object.keys(errors).length} field(s) to correct before validating.
        </div>
      ) : null}
    </form>
  );
}

// ───────────── the result ─────────────

function ResultView({
  v,
  source,
  tolerance,
}: {
  v: Validation;
  source: Source;
  tolerance: string;
}) {
  const c = v.computed;
  return (
    <Section
      title="Billed vs recomputed"
      testId="validation-result"
      hint={`${c.org} account ${c.account} · ${c.from} → ${c.to} (${c.days} days) · tariff ${c.tariff.code} · ${c.determinants.usage} ${c.determinants.unit} from ${c.determinants.source}`}
      actions={<ExportButtons v={v} source={source} tolerance={tolerance} />}
    >
      <div className="validation-verdict" data-testid="validation-summary">
        <span
          className={v.passed ? 'badge tone-ok verdict' : 'badge tone-bad verdict'}
          data-testid="validation-verdict"
        >
          {v.passed ? 'PASS' : 'FAIL'}
        </span>
        <span>{v.summary}</span>
      </div>
      <div className="stats">
        <StatCard label="Billed total" value={`$${v.billedTotal}`} testId="validation-billed" />
        <StatCard
          label="Recomputed total"
          value={`$${v.recomputedTotal}`}
          detail={`rounding ${c.rounding}`}
          testId="validation-recomputed"
        />
        <StatCard
          label="Difference"
          value={money(moneyMicros(v.difference), true)}
          detail={`tolerance ± $${v.tolerance}`}
          testId="validation-difference"
        />
        <StatCard
          label="Best explanation"
          value={
            v.bestHypothesis
              ? `${v.bestHypothesis.linesReproduced} / ${v.bestHypothesis.lines} lines`
              : '—'
          }
          detail={v.bestHypothesis?.name}
          testId="validation-best"
        />
      </div>
      <table className="bills-table validation-lines" data-testid="validation-lines">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Line</th>
            <th className="num">Billed</th>
            <th className="num">Recomputed</th>
            <th className="num">Difference</th>
            <th>Cause</th>
            <th className="wide">Explanation</th>
          </tr>
        </thead>
        <tbody>
          {v.lines.map((l) => (
            <tr
              key={l.lineNo}
              className={
                !l.withinTolerance ? 'line-out' : l.differenceMicros !== 0 ? 'line-diff' : undefined
              }
              data-testid="validation-line"
              data-code={l.code ?? ''}
              data-reproduced={l.reproduced ? 'yes' : 'no'}
            >
              <td className="num muted">{l.lineNo}</td>
              <td>
                {l.description}
                {l.code ? <div className="small muted mono">{l.code}</div> : null}
              </td>
              <td className="num mono">{l.billed ?? '—'}</td>
              <td className="num mono">{l.recomputed ?? '—'}</td>
              <td className="num mono strong-diff">
                {l.differenceMicros === 0 ? '0.00' : l.difference}
              </td>
              <td>
                <span className={`cause cause-${l.cause}`}>{CAUSE_LABELS[l.cause] ?? l.cause}</span>
                {l.reproduced && l.differenceMicros !== 0 ? (
                  <div
                    className="small muted"
                    title="The explanation gives the billed amount exactly"
                  >
                    reproduced ✓
                  </div>
                ) : null}
              </td>
              <td className="small explanation" data-testid="validation-explanation">
                {l.explanation}
              </td>
            </tr>
          ))}
          <tr className="total-row" data-testid="validation-total">
            <td />
            <td>Total</td>
            <td className="num mono">{v.billedTotal}</td>
            <td className="num mono">{v.recomputedTotal}</td>
            <td className="num mono">{v.difference}</td>
            <td>{v.passed ? 'pass' : 'fail'}</td>
            <td className="small">
              {v.bestHypothesis && v.bestHypothesis.linesReproduced === v.bestHypothesis.lines
                ? `${v.bestHypothesis.name}: total ${v.bestHypothesis.total}`
                : ''}
            </td>
          </tr>
        </tbody>
      </table>
      {v.findings.length > 0 ? (
        <>
          <h3 className="subheading">Findings</h3>
          <ul className="findings" data-testid="validation-findings">
            {v.findings.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  );
}

function ExportButtons({
  v,
  source,
  tolerance,
}: {
  v: Validation;
  source: Source;
  tolerance: string;
}) {
  const { status } = useWorkspace();
  const { report } = useErrors();
  const [dialog, setDialog] = useState<'csv' | 'html' | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const start = dirName(status?.path ?? '') ?? undefined;
  const save = async (format: 'csv' | 'html', out: string) => {
    setDialog(null);
    setBusy(true);
    setDone(null);
    try {
      const r = await api['bill.exportReport']({
        ...source,
        tolerance: tolerance.trim() || '0.01',
        format,
        out,
      });
      setDone(
        `${format.toUpperCase()} report: ${formatInt(r.lines)} lines, ${formatInt(r.bytes)} bytes → ${r.file}${r.redactedFields ? ' (account number redacted for your role)' : ''}`,
      );
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="bills-export">
      <button
        type="button"
        disabled={busy}
        onClick={() => setDialog('csv')}
        data-testid="export-csv"
      >
        Export CSV
      </button>
      <button
        type="button"
        disabled={busy}
        onClick={() => setDialog('html')}
        data-testid="export-html"
      >
        Export printable HTML
      </button>
      {done ? (
        <div className="small" data-testid="export-done">
          {done}
        </div>
      ) : null}
      {dialog ? (
        <FileDialog
          startDir={start}
          title={`Save the validation report (${dialog.toUpperCase()})`}
          saveName={reportName(
            v.computed.account === '[redacted]' ? 'bill' : v.computed.account,
            v.computed.from,
            dialog,
          )}
          onChoose={(paths) => paths[0] && void save(dialog, paths[0])}
          onClose={() => setDialog(null)}
        />
      ) : null}
    </div>
  );
}
