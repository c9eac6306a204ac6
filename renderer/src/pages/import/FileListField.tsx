// The files of an import: a typed path with Add, a file chooser (Browse…), and the chosen files
// with Remove. Shared by the Import wizard and the Green Button page's import tab.
import { useState, type FormEvent } from 'react';
import { baseName, dirName } from '../../lib/download';
import { FileDialog } from './FileDialog';

export interface FileListTestIds {
  input: string;
  add: string;
  browse: string;
  list: string;
}

export function FileListField({
  files,
  onFiles,
  startDir,
  placeholder,
  dialogTitle,
  disabled = false,
  testIds,
}: {
  files: string[];
  onFiles: (files: string[]) => void;
  /** Where the chooser opens when no file is chosen yet (later: the last file's folder). */
  startDir: string | undefined;
  placeholder: string;
  dialogTitle: string;
  disabled?: boolean;
  testIds: FileListTestIds;
}) {
  const [path, setPath] = useState('');
  const [browsing, setBrowsing] = useState(false);

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
    <>
      <form className="form-row" onSubmit={onAdd}>
        <label className="grow">
          <span className="label">Path of a file on this machine</span>
          <input
            type="text"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder={placeholder}
            spellCheck={false}
            disabled={disabled}
            data-testid={testIds.input}
          />
        </label>
        <button type="submit" disabled={!path.trim() || disabled} data-testid={testIds.add}>
          Add
        </button>
        <button
          type="button"
          onClick={() => setBrowsing(true)}
          disabled={disabled}
          data-testid={testIds.browse}
        >
          Browse…
        </button>
      </form>
      {files.length === 0 ? (
        <div className="empty">No files yet: type a path or browse.</div>
      ) : (
        <ul className="file-chosen" data-testid={testIds.list}>
          {files.map((f) => (
            <li key={f}>
              <span className="file-name" title={f}>
                {baseName(f)}
              </span>
              <span className="mono muted file-path">{f}</span>
              <button
                type="button"
                className="link"
                disabled={disabled}
                onClick={() => onFiles(files.filter((x) => x !== f))}
                aria-label={`Remove ${f}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {browsing ? (
        <FileDialog
          startDir={lastDir}
          title={dialogTitle}
          onClose={() => setBrowsing(false)}
          onChoose={(paths) => {
            add(paths);
            setBrowsing(false);
          }}
        />
      ) : null}
    </>
  );
}
