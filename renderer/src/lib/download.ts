// Save text as a file through the browser's download machinery (Blob + object URL + <a download>):
// it works the same in browser mode and in Electron, so the renderer needs no host API for it.
export function downloadText(
  fileName: string,
  text: string,
  type = 'text/csv;charset=utf-8',
): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started by now; keep the URL a little longer for slow hosts.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The last segment of a path with / or \ separators (the renderer has no `path` module). */
export function baseName(p: string): string {
  const m = /[^\\/]*$/.exec(p);
  return m && m[0] ? m[0] : p;
}

/** The directory of a path with / or \ separators; null for a bare name. */
export function dirName(p: string): string | null {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  if (i < 0) return null;
  if (i === 0) return p[0]!;
  const d = p.slice(0, i);
  // "C:" alone means the current directory of drive C; keep the root separator.
  return /^[A-Za-z]:$/.test(d) ? d + p[i]! : d;
}
