// Session state shared by the domain apps: the open workspace and the recent-files list.
import fs from 'node:fs';
import path from 'node:path';
import { Workspace } from '../workspace/workspace';
import { EdwError } from '../workspace/errors';
import { LATEST_VERSION } from '../workspace/migrations';
import type { WorkspaceStatus } from './definition';
import { DEFAULT_ROLE, type Role } from '../privacy/roles';

export interface SessionOptions {
  /** JSON file holding recently opened workspaces; none kept when omitted. */
  recentFile?: string;
  /** The user's role for privacy decisions and the audit log (default: analyst). */
  role?: Role;
}

const MAX_RECENT = 10;

export class Session {
  private ws: Workspace | null = null;
  /** Who is working: decides what exports may contain and is written to the audit log. */
  readonly role: Role;

  constructor(private readonly opts: SessionOptions = {}) {
    this.role = opts.role ?? DEFAULT_ROLE;
  }

  get workspace(): Workspace | null {
    return this.ws;
  }

  /** The open workspace, or a clear error telling the user to open one. */
  requireWorkspace(): Workspace {
    if (!this.ws) throw new EdwError('usage', 'no workspace is open: open or create one first');
    return this.ws;
  }

  attach(ws: Workspace): void {
    if (this.ws && this.ws !== ws) this.ws.close();
    this.ws = ws;
    this.remember(ws.file);
  }

  close(): void {
    this.ws?.close();
    this.ws = null;
  }

  status(): WorkspaceStatus {
    const ws = this.ws;
    if (!ws) {
      return {
        open: false,
        path: null,
        name: null,
        version: null,
        latestVersion: LATEST_VERSION,
        createdAt: null,
        demo: false,
      };
    }
    return {
      open: true,
      path: path.resolve(ws.file),
      name: path.basename(ws.file),
      version: ws.version,
      latestVersion: LATEST_VERSION,
      createdAt: ws.meta('created_at') ?? null,
      demo: ws.meta('demo') !== undefined,
    };
  }

  recent(): string[] {
    if (!this.opts.recentFile) return [];
    try {
      const list: unknown = JSON.parse(fs.readFileSync(this.opts.recentFile, 'utf8'));
      return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  private remember(file: string): void {
    if (!this.opts.recentFile) return;
    const abs = path.resolve(file);
    const list = [abs, ...this.recent().filter((p) => p !== abs)].slice(0, MAX_RECENT);
    try {
      fs.mkdirSync(path.dirname(this.opts.recentFile), { recursive: true });
      fs.writeFileSync(this.opts.recentFile, JSON.stringify(list, null, 2));
    } catch {
      // The recent list is a convenience; failing to write it must not fail the open.
    }
  }
}
