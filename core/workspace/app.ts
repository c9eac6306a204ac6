// Handlers for workspace.* methods.
import type { HandlerMap } from '../api/server';
import type { Session } from '../api/session';
import { Workspace } from './workspace';
import { createWorkspaceFile } from './create';

type WorkspaceMethods =
  | 'workspace.status'
  | 'workspace.open'
  | 'workspace.create'
  | 'workspace.close'
  | 'workspace.recent';

export function workspaceApp(session: Session): HandlerMap<WorkspaceMethods> {
  return {
    'workspace.status': () => session.status(),
    'workspace.open': ({ path }) => {
      session.attach(Workspace.open(path));
      return session.status();
    },
    'workspace.create': async ({ path, demo, scale }, ctx) => {
      const r = await createWorkspaceFile(path, {
        demo,
        scale,
        onProgress: ctx.progress,
        signal: ctx.signal,
      });
      session.attach(r.workspace);
      return { workspace: session.status(), seconds: r.seconds, counts: r.counts };
    },
    'workspace.close': () => {
      session.close();
      return session.status();
    },
    'workspace.recent': () => session.recent(),
  };
}
