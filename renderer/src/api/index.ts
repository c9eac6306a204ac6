// The renderer's API client: one typed client over whichever transport the host provides.
import { createClient } from '../../../core/api/client';
import { createTransport } from './transport';

export const api = createClient(createTransport());

export { ApiCallError } from '../../../core/api/client';
export type { Client, CallOptions } from '../../../core/api/client';
export type { MethodName, Input, Output, Progress } from '../../../core/api/definition';
