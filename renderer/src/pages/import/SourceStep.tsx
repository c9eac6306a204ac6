// Step 1: what to import — files (typed paths or the file chooser), kind, organization and
// mapping profile.
import { useState, type FormEvent } from 'react';
import { Section } from '../../components/ui';
import { baseName, dirName } from '../../lib/download';
import { FileDialog } from './FileDialog';
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
  const [path, setPath] = useState('');
  const [browsing, setBrowsing] = useState(false);
  const info = KINDS[kind];

  const add = (paths: string[]) => {
    const clean = paths.map((p) => p.trim()).filter(Boolean);
    if (clean.length) onFiles([...files, ...clean.filter((p) => !files.includes(p))]);
  };

  const onAdd = (ev: FormEvent) => {
    ev.preventDefault();
    add([path]);
    setPath('');
  };

  const lastDir = files.length ? (dirName(files[files.length - 1]!) ?? startDir) : startDir;

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
      <form className="form-row" onSubmit={onAdd}>
        <label className="grow">
          <span className="label">Path of a file on this machine</span>
          <input
            type="text"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/path/to/export.csv"
            spellCheck={false}
            data-testid="import-file-input"
          />
        </label>
        <button type="submit" disabled={!path.trim()} data-testid="import-add-file">
          Add
        </button>
        <button type="button" onClick={() => setBrowsing(true)} data-testid="import-browse">
          Browse…
        </button>
      </form>
      {files.length === 0 ? (
        <div className="empty">No files yet: type a path or browse.</div>
      ) : (
        <ul className="file-chosen" data-testid="import-files">
          {files.map((f) => (
            <li key={f}>
              <span className="file-name" title={f}>
                {baseName(f)}
              </span>
              <span className="mono muted file-path">{f}</span>
              <button
                type="button"
                className="link"
                onClick={() => onFiles(files.filter((x) => x !== f))}
                aria-label={`Remove ${f}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
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
      {browsing ? (
        <FileDialog
          startDir={lastDir}
          title="Add files to import"
          onClose={() => setBrowsing(false)}
          onChoose={(paths) => {
            add(paths);
            setBrowsing(false);
          }}
        />
      ) : null}
    </Section>
  );
}
