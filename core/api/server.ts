// The Workbench: the in-process implementation of the API definition.
// Domain folders each declare a typed handler map in their app.ts (as Actual Budget's
// loot-core does); this module merges them and guards the boundary with the zod schemas,
// so every host (IPC, HTTP, CLI, tests) gets identical validation and error shapes.
import { searchApp } from '../search/app';
import { premiseApp } from '../premise/app';
import { indexApp } from '../indexer/app';
import { ZodError } from 'zod';
import {
  api,
  isMethodName,
  type ApiError,
  type MethodName,
  type Output,
  type ParsedInput,
  type Progress,
} from './definition';
import { CancelledError, EdwError } from '../workspace/errors';
import { Session, type SessionOptions } from './session';
import { workspaceApp } from '../workspace/app';
import { overviewApp } from '../overview/app';
import { importApp } from '../import/app';
import { filesApp } from '../files/app';
import { greenButtonApp } from '../greenbutton/app';
import { datasetApp } from '../datasets/app';
import { vppApp } from '../vpp/app';
import { billingApp } from '../billing/app';

export interface CallContext {
  progress: (p: Progress) => void;
  signal: AbortSignal;
}

export type Handler<M extends MethodName> = (
  input: ParsedInput<M>,
  ctx: CallContext,
) => Output<M> | Promise<Output<M>>;

export type HandlerMap<K extends MethodName = MethodName> = { [M in K]: Handler<M> };

export class Workbench {
  readonly session: Session;
  private readonly handlers: HandlerMap;
  /** Tail of the queue of exclusive calls (see MethodSpec.exclusive). */
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  private exclusivePending = 0;

  constructor(opts: SessionOptions = {}) {
    this.session = new Session(opts);
    this.handlers = {
      ...workspaceApp(this.session),
      ...overviewApp(this.session),
      ...importApp(this.session),
      ...filesApp(),
      ...greenButtonApp(this.session),
      ...indexApp(this.session),
      ...searchApp(this.session),
      ...premiseApp(this.session),
      ...datasetApp(this.session),
      ...vppApp(this.session),
      ...billingApp(this.session),
    };
  }

  /** Validate, run and validate again. Throws EdwError for every failure. */
  async call(method: string, rawInput: unknown, ctx: Partial<CallContext> = {}): Promise<unknown> {
    if (!isMethodName(method)) throw new EdwError('usage', `unknown method: ${method}`);
    const spec = api[method];
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      throw new EdwError('usage', `invalid input for ${method}: ${formatZod(parsed.error)}`, {
        issues: parsed.error.issues,
      });
    }
    const signal = ctx.signal ?? new AbortController().signal;
    if (signal.aborted) throw new CancelledError();
    const full: CallContext = { progress: ctx.progress ?? (() => {}), signal };
    const handler = this.handlers[method] as (input: unknown, ctx: CallContext) => unknown;
    const run = async () => {
      if (signal.aborted) throw new CancelledError();
      return spec.output.parse(await handler(parsed.data, full));
    };
    if (!('exclusive' in spec && spec.exclusive)) return run();
    // Queue behind the exclusive calls under way; a failure of one does not block the next.
    if (this.exclusivePending > 0)
      full.progress({ phase: 'waiting for the previous change to finish', done: 0 });
    this.exclusivePending++;
    const result = this.exclusiveTail.then(run, run).finally(() => this.exclusivePending--);
    this.exclusiveTail = result.catch(() => undefined);
    return result;
  }

  close(): void {
    this.session.close();
  }
}

export function formatZod(e: ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
}

/** Normalise any thrown value into the wire error shape. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof EdwError) {
    return { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
  }
  if (e instanceof ZodError)
    return { code: 'internal', message: `invalid output: ${formatZod(e)}` };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message };
}
