// A file chooser that works in every host: it lists directories through files.list (the core
// reads the disk), so the renderer needs neither Electron's dialog nor the browser's file input
// (which cannot give a local path). Browse folders, tick one or several files, or type a path.
// With `saveName` it is a save dialog: browse to a folder and name one file (new or existing).
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Output } from '../../api';
import { formatBytes } from '../../lib/format';
import { useApiQuery } from '../../state/useApiQuery';

type Listing = Output<'files.list'>;
type Entry = Listing['entries'][number];

export function FileDialog({
  startDir,
  title = 'Choose files',
  saveName,
  onChoose,
  onClose,
}: {
  /** Directory to open first; undefined: the user's home directory. */
  startDir: string | undefined;
  title?: string;
  /** Save mode: the file name to start with; onChoose gets one path (folder + name). */
  saveName?: string;
  onChoose: (paths: string[]) => void;
  onClose: () => void;
}) {
  const [dir, setDir] = useState<string | undefined>(startDir);
  const [typed, setTyped] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [name, setName] = useState(saveName ?? '');
  const saving = saveName !== undefined;
  const listing = useApiQuery('files.list', dir === undefined ? {} : { dir });
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    box.current?.focus();
  }, []);

  const data: Listing | undefined = listing.data;
  const entries = useMemo(() => {
    const all = data?.entries ?? [];
    const f = filter.trim().toLowerCase();
    return f ? all.filter((e) => e.dir || e.name.toLowerCase().includes(f)) : all;
  }, [data, filter]);

  const toggle = (e: Entry) =>
    saving
      ? setName(e.name)
      : setSelected((s) => (s.includes(e.path) ? s.filter((p) => p !== e.path) : [...s, e.path]));

  const open = (next: string) => {
    setDir(next);
    setTyped(null);
  };

  const onPathSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    const p = (typed ?? '').trim();
    if (p) open(p);
  };

  const onKeyDown = (ev: KeyboardEvent) => {
    if (ev.key === 'Escape') {
      ev.stopPropagation();
      onClose();
    }
  };

  const shownDir = typed ?? data?.dir ?? dir ?? '';
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="modal file-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid="file-dialog"
        tabIndex={-1}
        ref={box}
        onKeyDown={onKeyDown}
      >
        <div className="modal-header">
          <h2>{title}</h2>
          <button type="button" className="icon" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <form className="file-dialog-path" onSubmit={onPathSubmit}>
          <button
            type="button"
            onClick={() => data?.parent && open(data.parent)}
            disabled={!data?.parent}
            title="Parent folder"
            data-testid="file-dialog-up"
          >
            ↑ Up
          </button>
          <input
            type="text"
            value={shownDir}
            onChange={(e) => setTyped(e.target.value)}
            spellCheck={false}
            aria-label="Folder"
            data-testid="file-dialog-dir"
          />
          <button type="submit" disabled={typed === null || !typed.trim()}>
            Go
          </button>
          <input
            type="text"
            className="file-dialog-filter"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="Filter names"
            aria-label="Filter names"
            spellCheck={false}
          />
        </form>
        <div className="file-list" role="listbox" aria-multiselectable="true" aria-label="Files">
          {listing.error && !data ? (
            <div className="empty">
              Cannot list this folder
              {listing.error instanceof Error ? `: ${listing.error.message}` : '.'}
            </div>
          ) : !data ? (
            <div className="empty">Loading…</div>
          ) : entries.length === 0 ? (
            <div className="empty">{filter ? 'No names match the filter.' : 'Empty folder.'}</div>
          ) : (
            entries.map((e) =>
              e.dir ? (
                <div
                  key={e.path}
                  className="file-row dir"
                  role="option"
                  aria-selected={false}
                  data-testid="file-dialog-entry"
                  data-name={e.name}
                >
                  <button
                    type="button"
                    className="link"
                    onClick={() => open(e.path)}
                    title={`Open ${e.path}`}
                  >
                    <span className="file-icon" aria-hidden="true">
                      ▸
                    </span>
                    {e.name}/
                  </button>
                </div>
              ) : (
                <label
                  key={e.path}
                  className={selected.includes(e.path) ? 'file-row selected' : 'file-row'}
                  role="option"
                  aria-selected={selected.includes(e.path)}
                  data-testid="file-dialog-entry"
                  data-name={e.name}
                  onDoubleClick={() =>
                    onChoose(saving ? [e.path] : [...new Set([...selected, e.path])])
                  }
                >
                  <input
                    type={saving ? 'radio' : 'checkbox'}
                    checked={saving ? name === e.name : selected.includes(e.path)}
                    onChange={() => toggle(e)}
                  />
                  <span className="file-name">{e.name}</span>
                  <span className="file-size mono">{formatBytes(e.size)}</span>
                </label>
              ),
            )
          )}
        </div>
        {saving ? (
          <div className="modal-footer">
            <label className="grow file-dialog-name">
              <span className="label">File name</span>
              <input
                type="text"
                value={name}
                onChange={(e) => setName(e.target.value)}
                spellCheck={false}
                data-testid="file-dialog-name"
              />
            </label>
            <div className="modal-actions">
              <button type="button" onClick={onClose}>
                Cancel
              </button>
              <button
                type="button"
                className="primary"
                disabled={!data || !name.trim() || /[\\/]/.test(name)}
                onClick={() => data && onChoose([joinPath(data.dir, name.trim())])}
                data-testid="file-dialog-choose"
              >
                Choose
              </button>
            </div>
          </div>
        ) : (
          <div className="modal-footer">
            <span className="muted">
              {selected.length === 0
                ? 'Tick files to add them (double-click adds one at once).'
                : `${selected.length} file${selected.length === 1 ? '' : 's'} selected`}
            </span>
            <div className="modal-actions">
              <button type="button" onClick={onClose}>
                Cancel
              </button>
              <button
                type="button"
                className="primary"
                disabled={selected.length === 0}
                onClick={() => onChoose(selected)}
                data-testid="file-dialog-choose"
              >
                Add {selected.length > 1 ? `${selected.length} files` : 'file'}
              </button>
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

/** A folder and a file name, joined with the folder's own separator (/ or \\). */
export function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? dir + name : `${dir}${sep}${name}`;
}
