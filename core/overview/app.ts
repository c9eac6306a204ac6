// overview.get: what is in the workspace, at a glance.
import type { HandlerMap } from '../api/server';
import type { Session } from '../api/session';
import { getOverview } from './overview';

export function overviewApp(session: Session): HandlerMap<'overview.get'> {
  return {
    'overview.get': () => getOverview(session.requireWorkspace(), session.status()),
  };
}
