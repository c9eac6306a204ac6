// Step 1: what to import — files (typed paths or the file chooser), kind, organization and
// mapping profile.
import { Section } from '../../components/ui';
import { FileListField } from './FileListField';
import {
  KINDS,
  KIND_IDS,
  SUGGESTED,
  isKind,
  profileKey,
  profileLabel,
  type ImportKind,
  type Profile,
} from './model';

export interface OrgOption {
  code: string;
  name: string;
}

export function SourceStep({
  kind,
  onKind,
  org,
  onOrg,
  orgs,
  profiles,
  profilesLoading,
  profileSel,
  onProfileSel,
  files,
  onFiles,
  startDir,
  onNext,
  canNext,
}: {
  kind: ImportKind;
  onKind: (k: ImportKind) => void;
  org: string;
  onOrg: (code: string) => void;
  orgs: OrgOption[] | undefined;
  profiles: Profile[] | undefined;
  profilesLoading: boolean;
  profileSel: string;
  onProfileSel: (key: string) => void;
  files: string[];
  onFiles: (files: string[]) => void;
  startDir: string | undefined;
  onNext: () => void;
  canNext: boolean;
}) {
  const info = KINDS[kind];

  return (
    <Section title="1 · Files and layout" hint="One profile maps every file of this import.">
      <div className="form-row">
        <label>
          <span className="label">Kind</span>
          <select
            value={kind}
            onChange={(e) => isKind(e.target.value) && onKind(e.target.value)}
            data-testid="import-kind"
          >
            {KIND_IDS.map((k) => (
              <option key={k} value={k}>
                {k} — {KINDS[k].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="label">Organization{info.needsOrg ? ' (required)' : ''}</span>
          <select
            value={org}
            onChange={(e) => onOrg(e.target.value)}
            data-testid="import-org"
            aria-invalid={info.needsOrg && !org}
          >
            <option value="">
              {info.needsOrg
                ? '— choose —'
                : kind === 'cis'
                  ? 'From the file’s org column'
                  : 'None'}
            </option>
            {(orgs ?? []).map((o) => (
              <option key={o.code} value={o.code}>
                {o.code} — {o.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="label">Mapping profile</span>
          <select
            value={profileSel}
            onChange={(e) => onProfileSel(e.target.value)}
            data-testid="import-profile"
            disabled={profilesLoading && !profiles}
          >
            <option value={SUGGESTED}>
              {info.tabular ? 'Suggested from headers' : 'Default (native format)'}
            </option>
            {(profiles ?? []).map((p) => (
              <option key={profileKey(p)} value={profileKey(p)}>
                {profileLabel(p)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="hint">{info.description}</p>

      <div className="subheading">Files</div>
      <FileListField
        files={files}
        onFiles={onFiles}
        startDir={startDir}
        placeholder="/path/to/export.csv"
        dialogTitle="Add files to import"
        testIds={{
          input: 'import-file-input',
          add: 'import-add-file',
          browse: 'import-browse',
          list: 'import-files',
        }}
      />
      <div className="form-actions wizard-nav">
        <button
          type="button"
          className="primary"
          onClick={onNext}
          disabled={!canNext}
          data-testid="import-next"
        >
          Next: {info.tabular ? 'mapping and preview' : 'check'}
        </button>
        {info.needsOrg && !org ? (
          <span className="muted">{KINDS[kind].label} needs an organization.</span>
        ) : null}
      </div>
    </Section>
  );
}
