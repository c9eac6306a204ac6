// Handlers for search.* methods.
import type { HandlerMap } from '../api/server';
import type { Session } from '../api/session';
import { searchPremises } from './query';

export function searchApp(session: Session): HandlerMap<'search.premises'> {
  return {
    'search.premises': ({ query, limit }) =>
      searchPremises(session.requireWorkspace().db, { query, limit, role: session.role }),
  };
}
