// Hash routing (#/overview): works the same from file:// in Electron and over HTTP.
import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentPath(): string {
  return window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
}

/** The page id: the first segment of the path (#/premise/16002 → premise). */
function currentRoute(): string {
  return currentPath().split('/')[0] ?? '';
}

/** What follows the page id, decoded (#/premise/16002 → '16002'; '' when nothing). */
function currentSubPath(): string {
  const rest = currentPath().split('/').slice(1).join('/');
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/** The route below the page id, for pages with deep links (#/<page>/<sub>). */
export function useSubRoute(): string {
  return useSyncExternalStore(subscribe, currentSubPath, () => '');
}

/** The current route's page id ('' when none). */
export function useRoute(): string {
  return useSyncExternalStore(subscribe, currentRoute, () => '');
}

export function navigate(pageId: string): void {
  const hash = `#/${pageId}`;
  if (window.location.hash !== hash) window.location.hash = hash;
}

/** Replace the current route without a history entry (redirects). */
export function redirect(pageId: string): void {
  const hash = `#/${pageId}`;
  if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function pageHref(pageId: string): string {
  return `#/${pageId}`;
}
