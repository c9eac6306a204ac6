// Step 3: choose strict or lenient, run the import (a job: progress frames and Cancel).
import { ProgressBar, Section } from '../../components/ui';
import { baseName } from '../../lib/download';
import { capitalize, formatBytes, formatInt, formatNumber } from '../../lib/format';
import {
  KINDS,
  figures,
  formatRate,
  formatSeconds,
  type ImportKind,
  type ImportMode,
  type RunProgress,
} from './model';

export function RunStep({
  kind,
  org,
  profileName,
  files,
  mode,
  onMode,
  job,
  rowBytes,
  note,
  onRun,
  onCancel,
  onBack,
}: {
  kind: ImportKind;
  org: string;
  profileName: string;
  files: string[];
  mode: ImportMode;
  onMode: (m: ImportMode) => void;
  job: RunProgress | null;
  /** Estimated bytes per source row (from the preview), for a rows/s estimate. */
  rowBytes: number | null;
  note: string | null;
  onRun: () => void;
  onCancel: () => void;
  onBack: () => void;
}) {
  const running = job !== null;
  return (
    <Section title="3 · Import">
      <dl className="facts">
        <dt>Kind</dt>
        <dd>
          <span className="mono">{kind}</span> — {KINDS[kind].label}
        </dd>
        <dt>Organization</dt>
        <dd>{org || (kind === 'cis' ? 'from the file’s org column' : 'none')}</dd>
        <dt>Profile</dt>
        <dd className="mono">{profileName}</dd>
        <dt>Files</dt>
        <dd>
          {files.map((f) => (
            <div key={f} className="mono" title={f}>
              {f}
            </div>
          ))}
        </dd>
      </dl>
      <div className="form-row">
        <label>
          <span className="label">Mode</span>
          <select
            value={mode}
            onChange={(e) => onMode(e.target.value === 'strict' ? 'strict' : 'lenient')}
            disabled={running}
            data-testid="import-mode"
          >
            <option value="lenient">Lenient: good rows in, bad rows to the rejects file</option>
            <option value="strict">Strict: a file with any bad row imports nothing</option>
          </select>
        </label>
      </div>
      <p className="hint">
        Each file is one transaction: all its accepted rows or none. A file imported before (same
        content) is skipped.
      </p>
      <div className="form-actions wizard-nav">
        <button type="button" onClick={onBack} disabled={running} data-testid="import-back">
          Back
        </button>
        <button
          type="button"
          className="primary"
          onClick={onRun}
          disabled={running}
          data-testid="import-run"
        >
          {running
            ? 'Importing…'
            : `Import ${files.length === 1 ? 'file' : `${files.length} files`}`}
        </button>
        {running ? (
          <button type="button" onClick={onCancel} data-testid="import-cancel">
            Cancel
          </button>
        ) : null}
        {note ? (
          <span className="muted" data-testid="import-note">
            {note}
          </span>
        ) : null}
      </div>
      {job ? <JobProgress job={job} files={files} rowBytes={rowBytes} /> : null}
    </Section>
  );
}

/** Progress of an import.run job (also used by the Green Button page's import tab). */
export function JobProgress({
  job,
  files,
  rowBytes,
}: {
  job: RunProgress;
  files: string[];
  rowBytes: number | null;
}) {
  const f = figures(job, rowBytes);
  const file = files[job.fileIndex];
  return (
    <div className="job" data-testid="import-progress">
      <div className="job-line">
        <span className="job-phase">{capitalize(job.phase)}</span>
        {job.fileCount > 1 ? (
          <span className="muted">
            file {Math.min(job.fileIndex + 1, job.fileCount)} of {job.fileCount}
            {file ? ` (${baseName(file)})` : ''}
          </span>
        ) : null}
      </div>
      <ProgressBar value={f.fraction} label="Import progress" />
      <div className="job-figures">
        <span className="mono" data-testid="import-progress-bytes">
          {job.bytesTotal !== null
            ? `${formatBytes(job.bytesDone)} of ${formatBytes(job.bytesTotal)} · ${formatNumber((f.fraction ?? 0) * 100, 0)}%`
            : job.bytesDone > 0
              ? formatBytes(job.bytesDone)
              : 'waiting for the first bytes…'}
        </span>
        <span title="Bytes read per second since the import started (measured)">
          {formatRate(f.bytesPerSecond)}
        </span>
        {f.rowsPerSecondEstimate !== null ? (
          <span title="Estimated: the measured read rate divided by the average row size of the preview">
            ≈ {formatInt(f.rowsPerSecondEstimate)} rows/s (estimated)
          </span>
        ) : null}
        {job.other ? (
          <span className="mono">
            {formatInt(job.other.done)}
            {job.other.total ? ` / ${formatInt(job.other.total)}` : ''} {job.other.unit}
          </span>
        ) : null}
        <span className="muted">{formatSeconds(f.elapsedSeconds)}</span>
      </div>
    </div>
  );
}
