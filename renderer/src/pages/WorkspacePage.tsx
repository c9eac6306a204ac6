// Workspace: open an existing workspace file (path or recent list) or create a new one,
// optionally filled with the Pembroke, NH demo (a job: progress and Cancel).
import { useRef, useState, type FormEvent } from 'react';
import { api, type Progress } from '../api';
import { Empty, PageHeader, ProgressBar, Section } from '../components/ui';
import { capitalize, formatDateTime, formatInt, formatNumber } from '../lib/format';
import { isCancelled, useErrors } from '../state/errors';
import { navigate } from '../state/router';
import { useApiQuery } from '../state/useApiQuery';
import { useWorkspace } from '../state/workspace';

const PREMISES = { min: 20, max: 1_000_000, default: 1500 };
const DAYS = { min: 1, max: 3660, default: 365 };

export default function WorkspacePage() {
  const { status } = useWorkspace();
  return (
    <div className="page page-narrow">
      <PageHeader
        title="Workspace"
        subtitle="A workspace is one SQLite file holding everything: imports, index, tariffs, bills, datasets and the audit log."
      />
      {status?.open ? <CurrentWorkspace /> : null}
      <OpenWorkspace />
      <CreateWorkspace />
    </div>
  );
}

function CurrentWorkspace() {
  const { status, setStatus } = useWorkspace();
  const { report } = useErrors();
  const [busy, setBusy] = useState(false);
  if (!status?.open) return null;

  const close = async () => {
    setBusy(true);
    try {
      setStatus(await api['workspace.close']({}));
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Current workspace" testId="workspace-current">
      <dl className="facts">
        <dt>File</dt>
        <dd className="mono">{status.path}</dd>
        <dt>Data model</dt>
        <dd>
          v{status.version}
          {status.version !== null && status.version < status.latestVersion
            ? ` (latest v${status.latestVersion})`
            : ''}
        </dd>
        <dt>Created</dt>
        <dd>{formatDateTime(status.createdAt)}</dd>
        <dt>Content</dt>
        <dd>{status.demo ? 'Pembroke, NH demo' : 'own data'}</dd>
      </dl>
      <div className="form-actions">
        <button type="button" className="primary" onClick={() => navigate('overview')}>
          Go to overview
        </button>
        <button type="button" onClick={close} disabled={busy}>
          Close workspace
        </button>
      </div>
    </Section>
  );
}

function OpenWorkspace() {
  const { status, setStatus } = useWorkspace();
  const { report } = useErrors();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const recent = useApiQuery('workspace.recent', {}, { reloadKey: status?.path ?? null });

  const open = async (file: string) => {
    const p = file.trim();
    if (!p) return;
    setBusy(p);
    try {
      setStatus(await api['workspace.open']({ path: p }));
      navigate('overview');
    } catch (e) {
      report(e);
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    void open(path);
  };

  const list = recent.data ?? [];
  return (
    <Section title="Open a workspace" testId="workspace-open">
      <form className="form-row" onSubmit={onSubmit}>
        <label className="grow">
          <span className="label">Workspace file</span>
          <input
            type="text"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/path/to/workspace.edw"
            spellCheck={false}
            data-testid="open-path"
          />
        </label>
        <button
          type="submit"
          className="primary"
          disabled={!path.trim() || busy !== null}
          data-testid="open-submit"
        >
          {busy !== null && busy === path.trim() ? 'Opening…' : 'Open'}
        </button>
      </form>
      <div className="subheading">Recent</div>
      {list.length === 0 ? (
        <Empty>{recent.loading ? 'Loading…' : 'No recent workspaces.'}</Empty>
      ) : (
        <ul className="recent" data-testid="recent-list">
          {list.map((file) => (
            <li key={file}>
              <button
                type="button"
                className="link mono"
                title={`Open ${file}`}
                disabled={busy !== null}
                onClick={() => void open(file)}
              >
                {file}
              </button>
              {file === status?.path ? <span className="badge">open</span> : null}
              {busy === file ? <span className="muted">opening…</span> : null}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

interface Job {
  progress: Progress | null;
  startedAt: number;
}

function parseBounded(
  text: string,
  bounds: { min: number; max: number },
): number | undefined | 'invalid' {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < bounds.min || n > bounds.max) return 'invalid';
  return n;
}

function CreateWorkspace() {
  const { setStatus } = useWorkspace();
  const { report } = useErrors();
  const [path, setPath] = useState('');
  const [demo, setDemo] = useState(false);
  const [premises, setPremises] = useState('');
  const [days, setDays] = useState('');
  const [job, setJob] = useState<Job | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);

  const premisesValue = parseBounded(premises, PREMISES);
  const daysValue = parseBounded(days, DAYS);
  const invalid = demo && (premisesValue === 'invalid' || daysValue === 'invalid');

  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    const p = path.trim();
    if (!p || invalid || job) return;
    const scale: { premises?: number; days?: number } = {};
    if (demo && typeof premisesValue === 'number') scale.premises = premisesValue;
    if (demo && typeof daysValue === 'number') scale.days = daysValue;
    const ctrl = new AbortController();
    controller.current = ctrl;
    setNote(null);
    setJob({ progress: null, startedAt: Date.now() });
    try {
      const result = await api['workspace.create'](
        { path: p, demo, ...(Object.keys(scale).length ? { scale } : {}) },
        {
          signal: ctrl.signal,
          onProgress: (progress) => setJob((j) => (j ? { ...j, progress } : j)),
        },
      );
      setStatus(result.workspace);
      navigate('overview');
    } catch (e) {
      if (isCancelled(e)) setNote('Cancelled: no workspace was created.');
      else report(e);
    } finally {
      controller.current = null;
      setJob(null);
    }
  };

  const cancel = () => controller.current?.abort();

  return (
    <Section title="Create a workspace" testId="workspace-create">
      <form onSubmit={(ev) => void onSubmit(ev)}>
        <div className="form-row">
          <label className="grow">
            <span className="label">New workspace file</span>
            <input
              type="text"
              value={path}
              onChange={(e) => setPath(e.target.value)}
              placeholder="/path/to/new-workspace.edw"
              spellCheck={false}
              disabled={job !== null}
              data-testid="create-path"
            />
          </label>
        </div>
        <div className="form-row">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={demo}
              onChange={(e) => setDemo(e.target.checked)}
              disabled={job !== null}
              data-testid="create-demo"
            />
            Fill with the Pembroke, NH demo
          </label>
          <label>
            <span className="label">Premises</span>
            <input
              type="number"
              min={PREMISES.min}
              max={PREMISES.max}
              step={1}
              value={premises}
              placeholder={String(PREMISES.default)}
              onChange={(e) => setPremises(e.target.value)}
              disabled={!demo || job !== null}
              aria-invalid={demo && premisesValue === 'invalid'}
              className="num-input"
              data-testid="create-premises"
            />
          </label>
          <label>
            <span className="label">Days</span>
            <input
              type="number"
              min={DAYS.min}
              max={DAYS.max}
              step={1}
              value={days}
              placeholder={String(DAYS.default)}
              onChange={(e) => setDays(e.target.value)}
              disabled={!demo || job !== null}
              aria-invalid={demo && daysValue === 'invalid'}
              className="num-input"
              data-testid="create-days"
            />
          </label>
        </div>
        {invalid ? (
          <div className="field-error">
            Premises must be a whole number from {formatInt(PREMISES.min)} to{' '}
            {formatInt(PREMISES.max)}; days from {DAYS.min} to {formatInt(DAYS.max)}.
          </div>
        ) : null}
        <div className="form-actions">
          <button
            type="submit"
            className="primary"
            disabled={!path.trim() || invalid || job !== null}
            data-testid="create-submit"
          >
            {job ? 'Creating…' : 'Create'}
          </button>
          {job ? (
            <button type="button" onClick={cancel} data-testid="create-cancel">
              Cancel
            </button>
          ) : null}
          {note ? <span className="muted">{note}</span> : null}
        </div>
        {job ? <JobProgress job={job} /> : null}
      </form>
    </Section>
  );
}

function JobProgress({ job }: { job: Job }) {
  const p = job.progress;
  const fraction = p && p.total ? p.done / p.total : null;
  return (
    <div className="job" data-testid="create-progress">
      <div className="job-line">
        <span className="job-phase">{p ? capitalize(p.phase) : 'Starting'}</span>
        {p && p.total ? (
          <span className="mono">
            {formatInt(p.done)} / {formatInt(p.total)}
            {p.unit ? ` ${p.unit}` : ''} · {formatNumber((fraction ?? 0) * 100, 0)}%
          </span>
        ) : p && p.done ? (
          <span className="mono">
            {formatInt(p.done)}
            {p.unit ? ` ${p.unit}` : ''}
          </span>
        ) : null}
        {p?.message ? <span className="muted">{p.message}</span> : null}
      </div>
      <ProgressBar value={fraction} label="Creating workspace" />
    </div>
  );
}
