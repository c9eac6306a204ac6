// The wire format shared by the HTTP host and its client: a call is answered with
// newline-delimited JSON frames — any number of progress frames, then one result or error.
import type { ApiError, Progress } from './definition';

export type Frame =
  | { type: 'progress'; progress: Progress }
  | { type: 'result'; result: unknown }
  | { type: 'error'; error: ApiError };

export const TOKEN_HEADER = 'x-edw-token';
export const API_PREFIX = '/api/';

/** HTTP status for an error code, used only before a response has started streaming. */
export function httpStatus(code: string): number {
  switch (code) {
    case 'usage':
      return 400;
    case 'not_found':
      return 404;
    case 'unauthorized':
      return 401;
    case 'input_rejected':
      return 422;
    case 'workspace':
      return 409;
    default:
      return 500;
  }
}
