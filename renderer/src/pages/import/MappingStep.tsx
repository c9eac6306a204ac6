// Step 2: map the file's headers onto the kind's native fields and preview the first 100 rows
// as the import will read them. Every change re-asks import.preview with the edited profile.
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { ColDef } from 'ag-grid-community';
import { api } from '../../api';
import { Grid } from '../../components/Grid';
import { Loading, Section } from '../../components/ui';
import { baseName } from '../../lib/download';
import { useErrors } from '../../state/errors';
import type { OrgOption } from './SourceStep';
import {
  DATE_FORMAT_LABELS,
  KINDS,
  hasEdits,
  previewRows,
  sharedHeaders,
  unmappedRequired,
  type DateFormat,
  type ImportKind,
  type MappingEdits,
  type Preview,
  type PreviewRow,
  type Profile,
} from './model';
import type { PreviewState } from './usePreview';

export function MappingStep({
  kind,
  files,
  previewFile,
  onPreviewFile,
  preview,
  notTabular,
  working,
  edits,
  onEdits,
  org,
  orgs,
  onSaved,
  onBack,
  onNext,
  canNext,
}: {
  kind: ImportKind;
  files: string[];
  previewFile: string;
  onPreviewFile: (f: string) => void;
  /** The preview to show (edited when the mapping was edited), with loading and error. */
  preview: PreviewState;
  notTabular: boolean;
  /** The effective profile with the user's edits; null until the first preview. */
  working: Profile | null;
  edits: MappingEdits;
  onEdits: (e: MappingEdits) => void;
  org: string;
  orgs: OrgOption[] | undefined;
  onSaved: (p: Profile) => void;
  onBack: () => void;
  onNext: () => void;
  canNext: boolean;
}) {
  const nav = (
    <div className="form-actions wizard-nav">
      <button type="button" onClick={onBack} data-testid="import-back">
        Back
      </button>
      <button
        type="button"
        className="primary"
        onClick={onNext}
        disabled={!canNext}
        data-testid="import-next"
      >
        Next: run
      </button>
    </div>
  );

  if (notTabular) {
    return (
      <Section title="2 · Mapping and preview">
        <div className="notice" data-testid="import-no-mapping">
          No column mapping for this kind: {KINDS[kind].label.toLowerCase()} files are read in their
          own format ({KINDS[kind].description.replace(/\.$/, '')}). Import them directly.
        </div>
        {nav}
      </Section>
    );
  }

  const data = preview.data;
  return (
    <Section
      title="2 · Mapping and preview"
      hint="Pick the column of the file that holds each native field; required fields are marked *."
    >
      <div className="form-row">
        {files.length > 1 ? (
          <label>
            <span className="label">Preview file</span>
            <select
              value={previewFile}
              onChange={(e) => onPreviewFile(e.target.value)}
              data-testid="import-preview-file"
            >
              {files.map((f) => (
                <option key={f} value={f}>
                  {baseName(f)}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <div className="preview-file">
            <span className="label">File</span>
            <span className="mono">{previewFile}</span>
          </div>
        )}
        {data ? (
          <div className="preview-facts muted">
            {data.headers.length} columns · {data.encoding} ·{' '}
            {data.rows.length < 100 ? `${data.rows.length} rows` : 'first 100 rows'}
          </div>
        ) : null}
      </div>
      {preview.error ? (
        <div className="field-error" data-testid="import-preview-error">
          {preview.error.message}
        </div>
      ) : null}
      {!data || !working ? (
        preview.error ? (
          nav
        ) : (
          <Loading what="preview" />
        )
      ) : (
        <MappingBody
          data={data}
          updating={preview.loading}
          working={working}
          edits={edits}
          onEdits={onEdits}
          org={org}
          orgs={orgs}
          onSaved={onSaved}
          nav={nav}
        />
      )}
    </Section>
  );
}

function MappingBody({
  data,
  updating,
  working,
  edits,
  onEdits,
  org,
  orgs,
  onSaved,
  nav,
}: {
  data: Preview;
  updating: boolean;
  working: Profile;
  edits: MappingEdits;
  onEdits: (e: MappingEdits) => void;
  org: string;
  orgs: OrgOption[] | undefined;
  onSaved: (p: Profile) => void;
  nav: ReactNode;
}) {
  const setColumn = (field: string, header: string) =>
    onEdits({ ...edits, columns: { ...edits.columns, [field]: header === '' ? null : header } });
  const setDateFormat = (f: DateFormat) => onEdits({ ...edits, dateFormat: f });

  const missing = unmappedRequired(data.fields, working);
  const shared = sharedHeaders(working);
  const problems = [
    ...missing.map((f) => `Required field ${f} is not mapped to any column.`),
    ...shared.map((h) => `Column "${h}" is mapped to more than one field.`),
    // The preview's own problems, minus the mapping ones already said above.
    ...data.problems.filter((p) => !/^required field .* is not mapped/i.test(p)),
  ];
  const first = data.rows[0];

  const rows = useMemo(() => previewRows(data, working), [data, working]);
  const columnDefs = useMemo<ColDef<PreviewRow>[]>(
    () => [
      { field: '#', headerName: '#', type: 'count', width: 64, pinned: 'left', filter: false },
      ...data.fields.map<ColDef<PreviewRow>>((f) => {
        const header = working.columns[f.name];
        return {
          field: f.name,
          headerName: f.name,
          headerTooltip:
            header === undefined ? `${f.name}: not mapped` : `${f.name} ← column "${header}"`,
          cellClass: header === undefined ? 'cell-unmapped' : undefined,
        };
      }),
    ],
    [data.fields, working.columns],
  );

  return (
    <>
      <div className="mapping-layout">
        <table className="mapping" data-testid="import-mapping">
          <thead>
            <tr>
              <th>Field</th>
              <th>Column in the file</th>
              <th>First value</th>
              <th>Meaning</th>
            </tr>
          </thead>
          <tbody>
            {data.fields.map((f) => {
              const header = working.columns[f.name] ?? '';
              const unknown = header !== '' && !data.headers.includes(header);
              return (
                <tr key={f.name} className={f.required && header === '' ? 'missing' : undefined}>
                  <td className="mono">
                    {f.name}
                    {f.required ? (
                      <span className="required" title="required">
                        {' '}
                        *
                      </span>
                    ) : null}
                  </td>
                  <td>
                    <select
                      value={header}
                      onChange={(e) => setColumn(f.name, e.target.value)}
                      data-testid={`mapping-field-${f.name}`}
                      aria-label={`Column for ${f.name}`}
                      aria-required={f.required}
                      aria-invalid={f.required && header === ''}
                    >
                      <option value="">
                        {f.name in working.defaults
                          ? `(not mapped: "${working.defaults[f.name]}")`
                          : '(not mapped)'}
                      </option>
                      {unknown ? <option value={header}>{header} (not in file)</option> : null}
                      {data.headers.map((h, i) => (
                        <option key={`${i}:${h}`} value={h}>
                          {h || `(column ${i + 1} has no header)`}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="mono sample">{header === '' ? '' : (first?.[f.name] ?? '')}</td>
                  <td className="muted">{f.description}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="mapping-side">
          <label>
            <span className="label">Dates</span>
            <select
              value={working.dateFormat}
              onChange={(e) => setDateFormat(e.target.value as DateFormat)}
              data-testid="import-date-format"
            >
              {Object.entries(DATE_FORMAT_LABELS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <div className="muted small">
            Profile: <span className="mono">{working.name}</span>
            {hasEdits(edits) ? (
              <>
                {' '}
                ·{' '}
                <button type="button" className="link" onClick={() => onEdits({ columns: {} })}>
                  undo edits
                </button>
              </>
            ) : null}
          </div>
          <SaveProfile working={working} org={org} orgs={orgs} onSaved={onSaved} />
        </div>
      </div>

      {problems.length ? (
        <ul className="problems" data-testid="import-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}

      <div className="subheading">
        Preview {updating ? <span className="muted">· updating…</span> : null}
      </div>
      <Grid<PreviewRow>
        testId="import-preview-grid"
        className={updating ? 'grid-updating' : undefined}
        rowData={rows}
        columnDefs={columnDefs}
        height={Math.min(380, 64 + rows.length * 28)}
        suppressFieldDotNotation
      />
      {nav}
    </>
  );
}

function SaveProfile({
  working,
  org,
  orgs,
  onSaved,
}: {
  working: Profile;
  org: string;
  orgs: OrgOption[] | undefined;
  onSaved: (p: Profile) => void;
}) {
  const { report } = useErrors();
  const [name, setName] = useState('');
  const [forOrg, setForOrg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const target = forOrg ?? org;

  const reserved = name.trim() === 'native';
  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    const n = name.trim();
    if (!n || reserved) return;
    setBusy(true);
    setNote(null);
    try {
      const { org: _old, ...rest } = working;
      const saved = await api['import.saveProfile']({
        profile: { ...rest, name: n, ...(target ? { org: target } : {}) },
      });
      setNote(
        `Saved “${saved.name}”${saved.org ? ` for ${saved.org}` : ' for all organizations'}.`,
      );
      onSaved(saved);
    } catch (e) {
      report(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="save-profile" onSubmit={(ev) => void onSubmit(ev)}>
      <div className="label">Save this mapping as a profile</div>
      <input
        type="text"
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="Profile name"
        aria-label="Profile name"
        aria-invalid={reserved}
        spellCheck={false}
        data-testid="import-profile-name"
      />
      <select
        value={target}
        onChange={(e) => setForOrg(e.target.value)}
        aria-label="Profile organization"
        data-testid="import-profile-org"
      >
        <option value="">All organizations</option>
        {(orgs ?? []).map((o) => (
          <option key={o.code} value={o.code}>
            {o.code}
          </option>
        ))}
      </select>
      <button
        type="submit"
        disabled={!name.trim() || reserved || busy}
        data-testid="import-profile-save"
      >
        {busy ? 'Saving…' : 'Save profile'}
      </button>
      {reserved ? <div className="field-error">“native” is the built-in layout’s name.</div> : null}
      {note ? <div className="muted small">{note}</div> : null}
    </form>
  );
}
