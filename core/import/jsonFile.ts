// JSON import files (tariffs, bills): read whole — they are documents, not data streams — with
// a size cap, the same encodings as CSV files (UTF-8 with or without BOM, UTF-16 by BOM), a
// clear refusal of malformed JSON with its line, and the line where each element starts so
// rejects can point into the file.
import fs from 'node:fs';
import { EdwError } from '../workspace/errors';
import { detectEncoding } from './source';

/** JSON import documents larger than this are refused (a tariff or bill file is kilobytes). */
export const MAX_JSON_BYTES = 64 << 20;

export interface JsonDocument {
  value: unknown;
  /** Line where the value at a path starts: "$", "$[0]", "$.items[2]", "$[1].versions[0]". */
  line(path: string): number;
}

export function readJsonFile(file: string, fileName: string): JsonDocument {
  const size = fs.statSync(file).size;
  if (size > MAX_JSON_BYTES)
    throw new EdwError(
      'input_rejected',
      `${fileName}: ${size.toLocaleString('en-US')} bytes is more than a JSON import file may hold (${MAX_JSON_BYTES.toLocaleString('en-US')})`,
      { line: 0 },
    );
  const bytes = fs.readFileSync(file);
  const { encoding, bomBytes } = detectEncoding(bytes.subarray(0, 4));
  const text = new TextDecoder(encoding).decode(bytes.subarray(bomBytes));
  if (text.trim() === '')
    throw new EdwError('input_rejected', `${fileName}: the file is empty`, { line: 1 });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const lineCol = /line (\d+)/.exec(msg);
    const line = lineCol
      ? Number(lineCol[1])
      : pos
        ? text.slice(0, Number(pos[1])).split('\n').length
        : 0;
    throw new EdwError(
      'input_rejected',
      `${fileName}: not valid JSON${line ? ` (line ${line})` : ''}: ${msg.replace(/^JSON\.parse: /, '')}`,
      { line },
    );
  }
  const lines = jsonLines(text);
  return { value, line: (p) => lines.get(p) ?? lines.get('$') ?? 1 };
}

/** Start lines of values down to `maxDepth` levels, by path. */
export function jsonLines(text: string, maxDepth = 4): Map<string, number> {
  const out = new Map<string, number>();
  interface Frame {
    arr: boolean;
    path: string;
    index: number;
    key: string;
  }
  const stack: Frame[] = [];
  let line = 1;
  let expectKey = false;
  const start = (at: number) => {
    const top = stack[stack.length - 1];
    const path = !top ? '$' : top.arr ? `${top.path}[${top.index}]` : `${top.path}.${top.key}`;
    if (stack.length <= maxDepth && !out.has(path)) out.set(path, at);
    return path;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === ':') continue;
    const top = stack[stack.length - 1];
    if (c === '"') {
      const from = i + 1;
      let j = from;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') j++;
        else if (text[j] === '\n') line++;
        j++;
      }
      if (top && !top.arr && expectKey) {
        let key = text.slice(from, j);
        try {
          key = JSON.parse(`"${key}"`) as string;
        } catch {
          // keep the raw key
        }
        top.key = key;
        expectKey = false;
      } else start(line);
      i = j;
      continue;
    }
    if (c === '{' || c === '[') {
      const path = start(line);
      stack.push({ arr: c === '[', path, index: 0, key: '' });
      expectKey = c === '{';
      continue;
    }
    if (c === '}' || c === ']') {
      stack.pop();
      continue;
    }
    if (c === ',') {
      if (top?.arr) top.index++;
      else expectKey = true;
      continue;
    }
    // A number, true, false or null.
    start(line);
    while (i + 1 < text.length && !/[\s,\]}]/.test(text[i + 1] as string)) i++;
  }
  return out;
}
