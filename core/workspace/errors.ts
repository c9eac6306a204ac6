// Errors with a stable code so every host can map them: the CLI to exit codes, HTTP to
// status codes, the renderer to a message. `exitCode` follows the CLI contract in DESIGN.md.

export type EdwErrorCode =
  | 'usage' // 1: the request itself is wrong
  | 'input_rejected' // 2: input rejected in part or whole
  | 'workspace' // 3: the workspace cannot be opened / created / migrated
  | 'not_found'
  | 'cancelled'
  | 'internal';

const EXIT: Record<EdwErrorCode, number> = {
  usage: 1,
  input_rejected: 2,
  workspace: 3,
  not_found: 1,
  cancelled: 130,
  internal: 70,
};

export class EdwError extends Error {
  constructor(
    readonly code: EdwErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'EdwError';
  }

  get exitCode(): number {
    return EXIT[this.code];
  }
}

export class WorkspaceError extends EdwError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('workspace', message, details);
  }
}

export class CancelledError extends EdwError {
  constructor(message = 'cancelled') {
    super('cancelled', message);
  }
}
