// Handlers for premise.* methods (the premise explorer; docs/premise-explorer.md).
import type { HandlerMap } from '../api/server';
import type { Session } from '../api/session';
import { getPremise } from './get';
import { premiseUsage } from './usage';
import { exportPremise } from './export';

export function premiseApp(
  session: Session,
): HandlerMap<'premise.get' | 'premise.usage' | 'premise.export'> {
  return {
    'premise.get': (ref) => getPremise(session.requireWorkspace().db, ref, { role: session.role }),
    'premise.usage': (req) =>
      premiseUsage(
        session.requireWorkspace().db,
        req.platformId !== undefined
          ? { platformId: req.platformId }
          : { premiseId: req.premiseId },
        { role: session.role, granularity: req.granularity, from: req.from, to: req.to },
      ),
    'premise.export': (req, ctx) =>
      exportPremise(session.requireWorkspace(), req, { role: session.role, signal: ctx.signal }),
  };
}
