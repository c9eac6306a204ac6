// A typed client over any transport (IPC in Electron, HTTP in browser mode, in-process in
// tests). Its method table is derived from the API definition, never written by hand.
import {
  api,
  methodNames,
  type ApiError,
  type Input,
  type MethodName,
  type Output,
  type Progress,
} from './definition';

export interface CallOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface Transport {
  call(method: MethodName, input: unknown, opts: CallOptions): Promise<unknown>;
}

export type Client = {
  [M in MethodName]: (input: Input<M>, opts?: CallOptions) => Promise<Output<M>>;
};

/** Error raised on the client side for an error the host reported. */
export class ApiCallError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(e: ApiError) {
    super(e.message);
    this.name = 'ApiCallError';
    this.code = e.code;
    this.details = e.details;
  }
}

export function createClient(transport: Transport): Client {
  const client: Partial<Record<MethodName, unknown>> = {};
  for (const name of methodNames) {
    client[name] = async (input: unknown, opts: CallOptions = {}) => {
      const out = await transport.call(name, api[name].input.parse(input), opts);
      return api[name].output.parse(out);
    };
  }
  return client as Client;
}
