// The open workspace, shared by the shell (header, nav) and the pages.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { api, type Output } from '../api';
import { useErrors } from './errors';

export type WorkspaceStatus = Output<'workspace.status'>;

interface WorkspaceValue {
  /** null until the first workspace.status answer. */
  status: WorkspaceStatus | null;
  /** Set after a call that returns the new status (open, create, close). */
  setStatus: (s: WorkspaceStatus) => void;
  refresh: () => Promise<void>;
}

const WorkspaceContext = createContext<WorkspaceValue | null>(null);

export function WorkspaceProvider({ children }: { children: ReactNode }) {
  const { report } = useErrors();
  const [status, setStatus] = useState<WorkspaceStatus | null>(null);

  const refresh = useCallback(async () => {
    try {
      setStatus(await api['workspace.status']({}));
    } catch (e) {
      report(e);
      // Show the shell anyway so the user can open a workspace.
      setStatus((s) => s ?? closedStatus());
    }
  }, [report]);

  useEffect(() => {
    let live = true;
    api['workspace.status']({}).then(
      (s) => {
        if (live) setStatus(s);
      },
      (e: unknown) => {
        if (!live) return;
        report(e);
        setStatus((s) => s ?? closedStatus());
      },
    );
    return () => {
      live = false;
    };
  }, [report]);

  const value = useMemo(() => ({ status, setStatus, refresh }), [status, refresh]);
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

function closedStatus(): WorkspaceStatus {
  return {
    open: false,
    path: null,
    name: null,
    version: null,
    latestVersion: 0,
    createdAt: null,
    demo: false,
  };
}

export function useWorkspace(): WorkspaceValue {
  const v = useContext(WorkspaceContext);
  if (!v) throw new Error('useWorkspace must be used inside <WorkspaceProvider>');
  return v;
}
