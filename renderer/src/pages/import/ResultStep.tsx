// Step 4: what happened to each file, the rejects in a grid, and the rejects file to save.
import { useState } from 'react';
import type { ColDef } from 'ag-grid-community';
import { api } from '../../api';
import { Grid } from '../../components/Grid';
import { Section, StatCard } from '../../components/ui';
import { baseName, downloadText } from '../../lib/download';
import { formatInt } from '../../lib/format';
import { useErrors } from '../../state/errors';
import {
  formatSeconds,
  statusLabel,
  totals,
  writtenSummary,
  type FileOutcome,
  type ImportResult,
  type Reject,
} from './model';

const rejectColumns: ColDef<Reject>[] = [
  {
    field: 'file',
    headerName: 'File',
    valueFormatter: (p) => baseName(String(p.value ?? '')),
    tooltipField: 'file',
  },
  { field: 'line', headerName: 'Line', type: 'count', width: 80 },
  { field: 'column', headerName: 'Column', valueFormatter: (p) => (p.value as string) ?? '' },
  {
    field: 'value',
    headerName: 'Value',
    valueFormatter: (p) => (p.value === null ? '' : String(p.value)),
    cellClass: 'mono',
  },
  { field: 'reason', headerName: 'Reason', flex: 1, tooltipField: 'reason' },
];

export function ResultStep({
  result,
  elapsedMs,
  onNew,
  title = '4 · Result',
}: {
  result: ImportResult;
  elapsedMs: number;
  onNew: () => void;
  title?: string;
}) {
  const t = totals(result);
  const seconds = elapsedMs / 1000;
  const withRejects = result.files.filter((f) => f.rejects.length > 0 || f.rejectsFile);
  return (
    <Section
      title={title}
      testId="import-result"
      actions={
        <button type="button" className="primary" onClick={onNew} data-testid="import-new">
          New import
        </button>
      }
    >
      <div className="stats">
        <StatCard label="Files" value={formatInt(t.files)} />
        <StatCard label="Rows read" value={formatInt(t.rowsTotal)} />
        <StatCard
          label="Accepted"
          value={formatInt(t.rowsAccepted)}
          testId="import-total-accepted"
        />
        <StatCard
          label="Rejected"
          value={formatInt(t.rowsRejected)}
          testId="import-total-rejected"
        />
        <StatCard
          label="Rows/s"
          value={seconds > 0 && t.rowsTotal > 0 ? formatInt(t.rowsTotal / seconds) : '—'}
          detail={`rows read ÷ ${formatSeconds(seconds)} (measured, whole run)`}
        />
      </div>
      <table className="outcomes">
        <thead>
          <tr>
            <th>File</th>
            <th>Status</th>
            <th className="num">Rows</th>
            <th className="num">Accepted</th>
            <th className="num">Rejected</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {result.files.map((f) => (
            <OutcomeRow key={f.file} f={f} />
          ))}
        </tbody>
      </table>
      {withRejects.length ? <Rejects files={withRejects} /> : null}
    </Section>
  );
}

function OutcomeRow({ f }: { f: FileOutcome }) {
  const s = statusLabel(f);
  const written = writtenSummary(f.written);
  return (
    <tr data-testid="import-result-file" data-status={f.status}>
      <td className="mono" title={f.file}>
        {baseName(f.file)}
      </td>
      <td>
        <span className={`badge tone-${s.tone}`}>{s.text}</span>
      </td>
      <td className="num">{formatInt(f.rowsTotal)}</td>
      <td className="num" data-testid="import-result-accepted">
        {formatInt(f.rowsAccepted)}
      </td>
      <td className="num" data-testid="import-result-rejected">
        {formatInt(f.rowsRejected)}
      </td>
      <td>
        <div data-testid="import-result-message">{f.message}</div>
        {written ? <div className="muted small">Written: {written}</div> : null}
        {f.findings.length ? (
          <ul className="findings">
            {f.findings.map((x, i) => (
              <li key={i}>
                <span className="badge">{x.kind}</span> {x.message}
                {x.count !== undefined ? ` (${formatInt(x.count)})` : ''}
                {x.subject ? <span className="mono muted"> {x.subject}</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
      </td>
    </tr>
  );
}

function Rejects({ files }: { files: FileOutcome[] }) {
  const { report } = useErrors();
  const [selected, setSelected] = useState(files[0]!.file);
  const [saving, setSaving] = useState(false);
  const current = files.find((f) => f.file === selected) ?? files[0]!;
  const rows = current.rejects;

  const save = async () => {
    if (!current.rejectsFile) return;
    setSaving(true);
    try {
      const { text } = await api['import.rejectsFile']({ path: current.rejectsFile });
      downloadText(baseName(current.rejectsFile), text);
    } catch (e) {
      report(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <div className="subheading rejects-heading">
        <span>Rejects</span>
        {files.length > 1 ? (
          <select
            value={current.file}
            onChange={(e) => setSelected(e.target.value)}
            aria-label="Rejects of file"
            data-testid="import-rejects-file"
          >
            {files.map((f) => (
              <option key={f.file} value={f.file}>
                {baseName(f.file)} ({formatInt(f.rowsRejected)})
              </option>
            ))}
          </select>
        ) : null}
        <button
          type="button"
          onClick={() => void save()}
          disabled={!current.rejectsFile || saving}
          title={current.rejectsFile ?? 'No rejects file was written'}
          data-testid="import-save-rejects"
        >
          {saving ? 'Saving…' : 'Save rejects file'}
        </button>
      </div>
      {current.rowsRejected > current.rejects.length ? (
        <div className="muted small">
          Showing the first {formatInt(current.rejects.length)} of {formatInt(current.rowsRejected)}{' '}
          rejects; the rejects file has them all.
        </div>
      ) : null}
      {current.rejectsFile ? (
        <div className="muted small mono" title="Written beside the workspace">
          {current.rejectsFile}
        </div>
      ) : null}
      <Grid<Reject>
        testId="import-rejects-grid"
        rowData={rows}
        columnDefs={rejectColumns}
        height={rows.length > 12 ? 380 : undefined}
      />
    </>
  );
}
