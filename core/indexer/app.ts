// Handlers for index.* methods: run the indexer, list the review queue, record decisions.
import type { HandlerMap } from '../api/server';
import type { Session } from '../api/session';
import { decide, lastRun, listReview } from './review';
import { runIndex } from './run';

type IndexMethods = 'index.run' | 'index.lastRun' | 'index.review' | 'index.decide';

export function indexApp(session: Session): HandlerMap<IndexMethods> {
  return {
    'index.run': (_input, ctx) =>
      runIndex(session.requireWorkspace(), {
        progress: ctx.progress,
        signal: ctx.signal,
        role: session.role,
      }),
    'index.lastRun': () => lastRun(session.requireWorkspace()),
    'index.review': (q) => listReview(session.requireWorkspace(), session.role, q),
    'index.decide': (req) => decide(session.requireWorkspace(), session.role, req),
  };
}
