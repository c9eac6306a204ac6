// Import: Green Button files (ESPI Atom XML or "Download My Data" CSV) through import.run with
// kind 'greenbutton' — choose files and the utility they belong to, run with progress and
// Cancel, then what was imported, what the importer tolerated (findings) and the rejects.
import { useMemo, useRef, useState } from 'react';
import { api } from '../../api';
import { Section } from '../../components/ui';
import { dirName } from '../../lib/download';
import { isCancelled, useErrors } from '../../state/errors';
import { useApiQuery } from '../../state/useApiQuery';
import { useWorkspace } from '../../state/workspace';
import { FileListField } from '../import/FileListField';
import { RecentBatches } from '../import/RecentBatches';
import { ResultStep } from '../import/ResultStep';
import { JobProgress } from '../import/RunStep';
import {
  advance,
  startProgress,
  type ImportMode,
  type ImportResult,
  type RunProgress,
} from '../import/model';

export function ImportTab() {
  const { status } = useWorkspace();
  const { report } = useErrors();
  const [files, setFiles] = useState<string[]>([]);
  const [org, setOrg] = useState('');
  const [mode, setMode] = useState<ImportMode>('lenient');
  const [job, setJob] = useState<RunProgress | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ result: ImportResult; elapsedMs: number } | null>(null);
  const [runs, setRuns] = useState(0);
  const controller = useRef<AbortController | null>(null);

  const overview = useApiQuery('overview.get', {}, { reloadKey: status?.path ?? null });
  // Green Button data belongs to a utility: list organizations that are utilities first.
  const orgs = useMemo(
    () =>
      [...(overview.data?.organizations ?? [])].sort(
        (a, b) =>
          Number(b.kind === 'utility') - Number(a.kind === 'utility') ||
          a.code.localeCompare(b.code),
      ),
    [overview.data],
  );

  const running = job !== null;
  const canRun = files.length > 0 && org !== '' && !running;

  const run = async () => {
    if (!canRun) return;
    const ctrl = new AbortController();
    controller.current = ctrl;
    const started = Date.now();
    setNote(null);
    setOutcome(null);
    setJob(startProgress(files.length, started));
    try {
      const result = await api['import.run'](
        { kind: 'greenbutton', files, org, mode },
        {
          signal: ctrl.signal,
          onProgress: (p) => setJob((j) => (j ? advance(j, p, Date.now()) : j)),
        },
      );
      setOutcome({ result, elapsedMs: Date.now() - started });
    } catch (e) {
      if (isCancelled(e))
        setNote(
          'Cancelled: the file being imported was rolled back; files finished before it stay imported.',
        );
      else report(e);
    } finally {
      controller.current = null;
      setJob(null);
      setRuns((n) => n + 1);
    }
  };

  return (
    <>
      <Section
        title="Import Green Button files"
        hint="ESPI Atom XML (1.x–4.0, with what real files get wrong) or the Download My Data CSV."
      >
        <div className="form-row">
          <label>
            <span className="label">Utility (required)</span>
            <select
              value={org}
              onChange={(e) => setOrg(e.target.value)}
              aria-invalid={!org}
              disabled={running}
              data-testid="gb-import-org"
            >
              <option value="">— choose —</option>
              {orgs.map((o) => (
                <option key={o.code} value={o.code}>
                  {o.code} — {o.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="label">Mode</span>
            <select
              value={mode}
              onChange={(e) => setMode(e.target.value === 'strict' ? 'strict' : 'lenient')}
              disabled={running}
              data-testid="gb-import-mode"
            >
              <option value="lenient">
                Lenient: good readings in, bad ones to the rejects file
              </option>
              <option value="strict">Strict: a file with any bad reading imports nothing</option>
            </select>
          </label>
        </div>
        <p className="hint">
          Usage points are matched by their key under the utility (or created, with a note); a
          reading already stored is a duplicate, a different value for it a rejected conflict.
        </p>
        <FileListField
          files={files}
          onFiles={setFiles}
          startDir={status?.path ? (dirName(status.path) ?? undefined) : undefined}
          placeholder="/path/to/greenbutton.xml"
          dialogTitle="Add Green Button files"
          disabled={running}
          testIds={{
            input: 'gb-import-file-input',
            add: 'gb-import-add',
            browse: 'gb-import-browse',
            list: 'gb-import-files',
          }}
        />
        <div className="form-actions">
          <button
            type="button"
            className="primary"
            disabled={!canRun}
            onClick={() => void run()}
            data-testid="gb-import-run"
          >
            {running
              ? 'Importing…'
              : `Import ${files.length === 1 ? 'file' : `${files.length} files`}`}
          </button>
          {running ? (
            <button
              type="button"
              onClick={() => controller.current?.abort()}
              data-testid="gb-import-cancel"
            >
              Cancel
            </button>
          ) : null}
          {!org && files.length ? (
            <span className="muted">Choose the utility the files come from.</span>
          ) : null}
          {note ? (
            <span className="muted" data-testid="gb-import-note">
              {note}
            </span>
          ) : null}
        </div>
        {job ? <JobProgress job={job} files={files} rowBytes={null} /> : null}
      </Section>

      {outcome ? (
        <ResultStep
          title="Result"
          result={outcome.result}
          elapsedMs={outcome.elapsedMs}
          onNew={() => {
            setFiles([]);
            setOutcome(null);
          }}
        />
      ) : null}

      <RecentBatches reloadKey={`${status?.path ?? ''}:${runs}`} />
    </>
  );
}
