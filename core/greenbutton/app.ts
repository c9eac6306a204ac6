// Handlers for greenbutton.* methods: export (a job: progress, cancel, no partial file) and
// consent (may this session's role export these usage points, and which consents cover them),
// candidates (the usage points and customers to pick from, names as the role may see them).
import type { HandlerMap } from '../api/server';
import type { Session } from '../api/session';
import { exportGreenButton } from './export';
import { listCandidates } from './candidates';
import { consentStatus } from './select';

type GreenButtonMethods = 'greenbutton.export' | 'greenbutton.consent' | 'greenbutton.candidates';

export function greenButtonApp(session: Session): HandlerMap<GreenButtonMethods> {
  return {
    'greenbutton.export': (input, ctx) =>
      exportGreenButton(session.requireWorkspace(), input, {
        role: session.role,
        signal: ctx.signal,
        progress: ctx.progress,
      }),
    'greenbutton.consent': (input) =>
      consentStatus(session.requireWorkspace().db, session.role, input, new Date()),
    'greenbutton.candidates': (input) =>
      listCandidates(session.requireWorkspace().db, session.role, input, new Date()),
  };
}
