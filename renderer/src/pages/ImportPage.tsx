// Import: a step wizard over import.* — (1) files, kind, organization and profile; (2) column
// mapping with a live preview of the first 100 mapped rows; (3) run with progress and Cancel;
// (4) per-file result, the rejects grid and the rejects file to save. Recent batches below.
import { useMemo, useRef, useState } from 'react';
import { api } from '../api';
import { PageHeader } from '../components/ui';
import { dirName } from '../lib/download';
import { isCancelled, useErrors } from '../state/errors';
import { useApiQuery } from '../state/useApiQuery';
import { useWorkspace } from '../state/workspace';
import { MappingStep } from './import/MappingStep';
import { RecentBatches } from './import/RecentBatches';
import { ResultStep } from './import/ResultStep';
import { RunStep } from './import/RunStep';
import { SourceStep, type OrgOption } from './import/SourceStep';
import {
  KINDS,
  NO_EDITS,
  SUGGESTED,
  SUGGESTED_NAME,
  advance,
  applyEdits,
  baseProfile,
  bytesPerRow,
  hasEdits,
  profileKey,
  startProgress,
  unmappedRequired,
  type ImportKind,
  type ImportMode,
  type ImportResult,
  type MappingEdits,
  type Profile,
  type RunProgress,
} from './import/model';
import { isNotTabular, usePreview } from './import/usePreview';

type Step = 1 | 2 | 3 | 4;

const STEPS: { step: Step; label: string }[] = [
  { step: 1, label: 'Files' },
  { step: 2, label: 'Mapping' },
  { step: 3, label: 'Import' },
  { step: 4, label: 'Result' },
];

interface Outcome {
  result: ImportResult;
  elapsedMs: number;
}

export default function ImportPage() {
  const { status } = useWorkspace();
  const { report } = useErrors();

  const [step, setStep] = useState<Step>(1);
  const [kind, setKind] = useState<ImportKind>('cis');
  const [org, setOrg] = useState('');
  const [profileSel, setProfileSel] = useState(SUGGESTED);
  const [files, setFiles] = useState<string[]>([]);
  const [previewSel, setPreviewSel] = useState<string | null>(null);
  /** Mapping edits belong to one scope (kind, file, org, base profile). */
  const [edits, setEdits] = useState<{ scope: string; edits: MappingEdits } | null>(null);
  const [mode, setMode] = useState<ImportMode>('lenient');
  const [job, setJob] = useState<RunProgress | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [runs, setRuns] = useState(0);
  const [profilesVersion, setProfilesVersion] = useState(0);
  const controller = useRef<AbortController | null>(null);

  const overview = useApiQuery('overview.get', {}, { reloadKey: status?.path ?? null });
  const orgs = useMemo<OrgOption[] | undefined>(
    () => overview.data?.organizations.map((o) => ({ code: o.code, name: o.name })),
    [overview.data],
  );
  const profiles = useApiQuery(
    'import.profiles',
    { kind, ...(org ? { org } : {}) },
    { reloadKey: profilesVersion },
  );
  const selected: Profile | undefined = profiles.data?.find((p) => profileKey(p) === profileSel);
  const profileValue = selected ? profileSel : SUGGESTED;

  const info = KINDS[kind];
  const previewFile = previewSel !== null && files.includes(previewSel) ? previewSel : files[0];
  const base = baseProfile(kind, selected);
  const scope = JSON.stringify([kind, previewFile ?? '', org, profileValue]);
  const currentEdits = edits?.scope === scope ? edits.edits : NO_EDITS;
  const editing = hasEdits(currentEdits);

  // The first preview (base profile) gives the headers and the effective profile; once the
  // mapping is edited, a second preview with the edited profile gives the rows.
  const wantPreview = step >= 2 && info.tabular && previewFile !== undefined;
  const orgInput = org ? { org } : {};
  const initial = usePreview(
    wantPreview ? { kind, file: previewFile, ...orgInput, profile: base } : null,
    scope,
  );
  const working: Profile | null = initial.data
    ? applyEdits(initial.data.profile, currentEdits)
    : null;
  const edited = usePreview(
    wantPreview && editing && working
      ? { kind, file: previewFile, ...orgInput, profile: working }
      : null,
    scope,
  );
  const shown = editing ? { ...edited, data: edited.data ?? initial.data } : initial;
  const notTabular = !info.tabular || isNotTabular(initial.error);
  const rowBytes = useMemo(() => bytesPerRow(shown.data), [shown.data]);

  const step1Ok = files.length > 0 && (!info.needsOrg || org !== '') && job === null;
  const step2Ok =
    step1Ok &&
    (notTabular ||
      (initial.data !== undefined &&
        working !== null &&
        unmappedRequired(initial.data.fields, working).length === 0));

  // What the run sends: the edited profile for tabular kinds (exactly what the preview showed),
  // else the chosen saved profile (or none: the native format).
  const runProfile = notTabular ? selected : (working ?? undefined);
  const profileName = runProfile?.name ?? (info.tabular ? SUGGESTED_NAME : 'native');

  const go = (s: Step) => {
    setNote(null);
    setStep(s);
  };

  const run = async () => {
    if (job || !step2Ok) return;
    const ctrl = new AbortController();
    controller.current = ctrl;
    const started = Date.now();
    setNote(null);
    setJob(startProgress(files.length, started));
    try {
      const result = await api['import.run'](
        {
          kind,
          files,
          ...orgInput,
          ...(runProfile ? { profile: runProfile } : {}),
          mode,
        },
        {
          signal: ctrl.signal,
          onProgress: (p) => setJob((j) => (j ? advance(j, p, Date.now()) : j)),
        },
      );
      setOutcome({ result, elapsedMs: Date.now() - started });
      setStep(4);
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

  const cancel = () => controller.current?.abort();

  const startOver = () => {
    setFiles([]);
    setPreviewSel(null);
    setEdits(null);
    setOutcome(null);
    setNote(null);
    setStep(1);
  };

  const reachable = (s: Step): boolean =>
    job === null &&
    (s === 1 || (s === 2 && step1Ok) || (s === 3 && step2Ok) || (s === 4 && outcome !== null));

  return (
    <div className="page">
      <PageHeader
        title="Import"
        subtitle="Bring utility exports into the workspace: one transaction per file, bad rows explained, re-imports skipped."
      />
      <ol className="stepper" aria-label="Import steps">
        {STEPS.map(({ step: s, label }) => (
          <li key={s} className={s === step ? 'current' : s < step ? 'done' : undefined}>
            <button
              type="button"
              className="link"
              disabled={s === step || !reachable(s)}
              aria-current={s === step ? 'step' : undefined}
              onClick={() => go(s)}
              data-testid={`import-step-${s}`}
            >
              <span className="step-number">{s}</span> {label}
            </button>
          </li>
        ))}
      </ol>

      {step === 1 ? (
        <SourceStep
          kind={kind}
          onKind={setKind}
          org={org}
          onOrg={setOrg}
          orgs={orgs}
          profiles={profiles.data}
          profilesLoading={profiles.loading}
          profileSel={profileValue}
          onProfileSel={setProfileSel}
          files={files}
          onFiles={setFiles}
          startDir={status?.path ? (dirName(status.path) ?? undefined) : undefined}
          onNext={() => go(2)}
          canNext={step1Ok}
        />
      ) : null}
      {step === 2 && previewFile !== undefined ? (
        <MappingStep
          kind={kind}
          files={files}
          previewFile={previewFile}
          onPreviewFile={setPreviewSel}
          preview={shown}
          notTabular={notTabular}
          working={working}
          edits={currentEdits}
          onEdits={(e) => setEdits({ scope, edits: e })}
          org={org}
          orgs={orgs}
          onSaved={(p) => {
            setProfilesVersion((n) => n + 1);
            // Select it when the profile list shows it (saved for this organization or all).
            if (!org || !p.org || p.org.toLowerCase() === org.toLowerCase())
              setProfileSel(profileKey(p));
          }}
          onBack={() => go(1)}
          onNext={() => go(3)}
          canNext={step2Ok}
        />
      ) : null}
      {step === 3 ? (
        <RunStep
          kind={kind}
          org={org}
          profileName={profileName}
          files={files}
          mode={mode}
          onMode={setMode}
          job={job}
          rowBytes={notTabular ? null : rowBytes}
          note={note}
          onRun={() => void run()}
          onCancel={cancel}
          onBack={() => go(2)}
        />
      ) : null}
      {step === 4 && outcome ? (
        <ResultStep result={outcome.result} elapsedMs={outcome.elapsedMs} onNew={startOver} />
      ) : null}

      <RecentBatches reloadKey={`${status?.path ?? ''}:${runs}`} />
    </div>
  );
}
