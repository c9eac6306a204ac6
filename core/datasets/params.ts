// Dataset parameters: the dictionary derived from a definition's zod object, and parsing of
// given values (strings from the CLI are coerced by the parameter's type).
import { z } from 'zod';
import { EdwError } from '../workspace/errors';
import type { ParamInfo, ParamValues } from './schema';
import type { AnyDataset } from './types';

interface JsonProp {
  type?: string;
  default?: unknown;
  description?: string;
  enum?: unknown[];
}

/** The parameter dictionary of a definition, in declaration order. */
export function paramInfo(def: AnyDataset): ParamInfo[] {
  const schema = z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonProp>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, p]) => {
    const d = p.default;
    const info: ParamInfo = {
      name,
      type: p.type ?? 'string',
      required: required.has(name) && d === undefined,
      description: p.description ?? null,
    };
    if (typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean' || d === null)
      info.default = d;
    if (p.enum) info.values = p.enum.map(String);
    return info;
  });
}

function coerce(p: ParamInfo, v: string | number | boolean): unknown {
  if (typeof v !== 'string') return v;
  if (p.type === 'number' || p.type === 'integer') {
    const n = Number(v);
    return v.trim() === '' || !Number.isFinite(n) ? v : n;
  }
  if (p.type === 'boolean') {
    if (/^(true|yes|1)$/i.test(v)) return true;
    if (/^(false|no|0)$/i.test(v)) return false;
  }
  return v;
}

function describeParams(params: ParamInfo[]): string {
  if (params.length === 0) return 'it takes no parameters';
  return (
    'its parameters: ' +
    params
      .map(
        (p) =>
          `${p.name} (${p.values ? p.values.join('|') : p.type}${p.default !== undefined ? `, default ${String(p.default)}` : p.required ? ', required' : ', optional'})`,
      )
      .join(', ')
  );
}

/** Validated parameter values with defaults filled; a usage error naming the valid ones. */
export function parseParams(def: AnyDataset, given: ParamValues): Record<string, unknown> {
  const info = paramInfo(def);
  const byName = new Map(info.map((p) => [p.name, p]));
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    const p = byName.get(k);
    if (!p)
      throw new EdwError('usage', `${def.name} has no parameter "${k}"; ${describeParams(info)}`, {
        reason: 'bad_param',
        param: k,
        params: info,
      });
    raw[k] = coerce(p, v);
  }
  const r = def.params.safeParse(raw);
  if (!r.success) {
    const msg = r.error.issues
      .map((i) => `${i.path.join('.') || '(parameters)'}: ${i.message}`)
      .join('; ');
    throw new EdwError('usage', `bad parameters for ${def.name}: ${msg}; ${describeParams(info)}`, {
      reason: 'bad_param',
      params: info,
    });
  }
  return r.data as Record<string, unknown>;
}

/** `k=v` strings (CLI) to a values record; a usage error for a malformed one. */
export function paramsFromStrings(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new EdwError('usage', `bad --param "${pair}": expected name=value`, {
        reason: 'bad_param',
      });
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}
