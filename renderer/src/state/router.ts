// Hash routing (#/overview): works the same from file:// in Electron and over HTTP.
import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentRoute(): string {
  return window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
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
