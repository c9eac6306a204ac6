// The app shell: nav (from the page registry), header with the open workspace, error banner,
// and the current page. Pages that need a workspace fall back to the Workspace page.
import { Suspense, useEffect } from 'react';
import { ErrorBanner } from './components/ErrorBanner';
import { PageErrorBoundary } from './components/PageErrorBoundary';
import { Loading } from './components/ui';
import { HOME_PAGE, WORKSPACE_PAGE, findPage, navSections, pages, type PageDef } from './pages';
import { ErrorsProvider } from './state/errors';
import { pageHref, redirect, useRoute } from './state/router';
import { WorkspaceProvider, useWorkspace, type WorkspaceStatus } from './state/workspace';

export function App() {
  return (
    <ErrorsProvider>
      <WorkspaceProvider>
        <Shell />
      </WorkspaceProvider>
    </ErrorsProvider>
  );
}

function resolvePage(route: string, status: WorkspaceStatus | null): PageDef {
  const open = status?.open ?? false;
  const fallback = findPage(WORKSPACE_PAGE)!;
  const requested = findPage(route) ?? findPage(open ? HOME_PAGE : WORKSPACE_PAGE) ?? fallback;
  return requested.needsWorkspace && !open ? fallback : requested;
}

function Shell() {
  const { status } = useWorkspace();
  const route = useRoute();
  const page = resolvePage(route, status);

  // Keep the address in step with what is shown (e.g. after closing the workspace).
  useEffect(() => {
    if (status && page.id !== route) redirect(page.id);
  }, [status, page.id, route]);

  const Page = page.component;
  return (
    <div className="app">
      <Nav current={page.id} open={status?.open ?? false} />
      <div className="main">
        <Header status={status} />
        <ErrorBanner />
        <main className="content">
          {status === null ? (
            <div className="page">
              <Loading what="workspace" />
            </div>
          ) : (
            <PageErrorBoundary key={page.id}>
              <Suspense
                fallback={
                  <div className="page">
                    <Loading />
                  </div>
                }
              >
                <Page />
              </Suspense>
            </PageErrorBoundary>
          )}
        </main>
      </div>
    </div>
  );
}

function Nav({ current, open }: { current: string; open: boolean }) {
  return (
    <nav className="nav" aria-label="Pages">
      <div className="brand" title="Energy Data Workbench">
        <span className="brand-mark">edw</span>
        <span className="brand-name">Energy Data Workbench</span>
      </div>
      {navSections.map((section) => {
        const items = pages.filter((p) => p.section === section);
        if (items.length === 0) return null;
        return (
          <div className="nav-section" key={section}>
            <div className="nav-section-title">{section}</div>
            {items.map((p) => {
              const disabled = p.needsWorkspace && !open;
              return (
                <a
                  key={p.id}
                  href={pageHref(p.id)}
                  data-testid={`nav-${p.id}`}
                  className={[
                    'nav-item',
                    p.id === current ? 'active' : '',
                    disabled ? 'disabled' : '',
                  ].join(' ')}
                  aria-current={p.id === current ? 'page' : undefined}
                  aria-disabled={disabled || undefined}
                  title={disabled ? 'Open or create a workspace first' : undefined}
                >
                  {p.label}
                </a>
              );
            })}
          </div>
        );
      })}
    </nav>
  );
}

function Header({ status }: { status: WorkspaceStatus | null }) {
  const open = status?.open ?? false;
  return (
    <header className="header">
      <span
        className={open ? 'ws-name' : 'ws-name none'}
        data-testid="workspace-name"
        title={status?.path ?? undefined}
      >
        {open ? status?.name : status ? 'No workspace open' : ''}
      </span>
      {open && status ? (
        <>
          <span
            className="badge"
            data-testid="workspace-version"
            title={`Data model version ${status.version} (this build supports up to v${status.latestVersion})`}
          >
            data model v{status.version}
          </span>
          {status.demo ? <span className="badge demo">demo</span> : null}
          <span className="ws-path mono">{status.path}</span>
        </>
      ) : null}
    </header>
  );
}
