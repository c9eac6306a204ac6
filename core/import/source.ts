// Reading import files safely: content hash, text encoding (UTF-8 with or without BOM,
// UTF-16 LE/BE by BOM), binary and runaway-line detection, and streaming CSV records with their
// physical line numbers (papaparse does the CSV dialect work).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import Papa from 'papaparse';
import { EdwError } from '../workspace/errors';

/** Longest line accepted: a "line" beyond this is a wrong file type or a broken export. */
export const MAX_LINE_CHARS = 1 << 20;

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

export function detectEncoding(head: Buffer): { encoding: TextEncodingName; bomBytes: number } {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
    return { encoding: 'utf-8', bomBytes: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe)
    return { encoding: 'utf-16le', bomBytes: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff)
    return { encoding: 'utf-16be', bomBytes: 2 };
  // UTF-16 without BOM: every other byte NUL in ASCII-heavy text.
  if (head.length >= 4 && head[1] === 0 && head[3] === 0 && head[0] !== 0)
    return { encoding: 'utf-16le', bomBytes: 0 };
  if (head.length >= 4 && head[0] === 0 && head[2] === 0 && head[1] !== 0)
    return { encoding: 'utf-16be', bomBytes: 0 };
  return { encoding: 'utf-8', bomBytes: 0 };
}

/** Bytes → text, refusing NUL characters (binary files) and lines longer than MAX_LINE_CHARS. */
class TextGuard extends Transform {
  private readonly decoder: TextDecoder;
  private lineChars = 0;
  private line = 1;
  bytes = 0;

  constructor(
    encoding: TextEncodingName,
    private readonly fileName: string,
    private readonly maxLine: number,
  ) {
    super({ readableObjectMode: false, decodeStrings: true, encoding: 'utf8' });
    this.decoder = new TextDecoder(encoding, { fatal: false });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    const text = this.decoder.decode(chunk, { stream: true });
    const err = this.check(text);
    if (err) return done(err);
    done(null, text);
  }

  override _flush(done: TransformCallback): void {
    const text = this.decoder.decode();
    const err = this.check(text);
    if (err) return done(err);
    done(null, text);
  }

  private check(text: string): Error | null {
    const nul = text.indexOf('\u0000');
    if (nul >= 0) {
      return new EdwError(
        'input_rejected',
        `${this.fileName}: line ${this.line} contains a NUL character: this is a binary file, not text`,
        {
          file: this.fileName,
          line: this.line,
        },
      );
    }
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      const segment = (nl < 0 ? text.length : nl) - from;
      this.lineChars += segment;
      if (this.lineChars > this.maxLine) {
        return new EdwError(
          'input_rejected',
          `${this.fileName}: line ${this.line} is longer than ${this.maxLine.toLocaleString('en-US')} characters: the file is not in the expected line-based format (or is truncated or corrupt)`,
          { file: this.fileName, line: this.line },
        );
      }
      if (nl < 0) break;
      this.line++;
      this.lineChars = 0;
      from = nl + 1;
    }
    return null;
  }
}

export interface TextStream {
  stream: NodeJS.ReadableStream;
  encoding: TextEncodingName;
  /** Bytes read so far (for progress). */
  bytesRead: () => number;
  size: number;
}

export function openText(file: string, fileName = file, maxLine = MAX_LINE_CHARS): TextStream {
  const size = fs.statSync(file).size;
  const head = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  const { encoding, bomBytes } = detectEncoding(head.subarray(0, n));
  const guard = new TextGuard(encoding, fileName, maxLine);
  const raw = fs.createReadStream(file, { start: bomBytes, highWaterMark: 1 << 20 });
  raw.on('error', (e) => guard.destroy(e));
  raw.pipe(guard);
  return { stream: guard, encoding, bytesRead: () => guard.bytes + bomBytes, size };
}

export interface CsvRecord {
  fields: string[];
  /** Physical line number (1-based) where the record starts. */
  line: number;
}

export interface CsvReadOptions {
  fileName?: string;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, size: number) => void;
  /** Called with each batch of records; awaited before reading on (backpressure). */
  onRecords: (records: CsvRecord[]) => void | Promise<void>;
  maxLine?: number;
}

/**
 * Stream CSV records in batches. The header is record 1 like any other: callers decide.
 * Lines: a record's line is 1 + the newlines before it (quoted fields may span lines).
 */
export function readCsv(
  file: string,
  opts: CsvReadOptions,
): Promise<{ records: number; encoding: TextEncodingName }> {
  const fileName = opts.fileName ?? file;
  const text = openText(file, fileName, opts.maxLine);
  let line = 1;
  let records = 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      reject(e);
    };
    text.stream.on('error', fail);
    Papa.parse<string[]>(text.stream as unknown as File, {
      header: false,
      skipEmptyLines: false,
      chunk: (results, parser) => {
        if (failed) return parser.abort();
        parser.pause();
        const batch: CsvRecord[] = [];
        for (const fields of results.data) {
          batch.push({ fields, line });
          // The record's own newlines plus the line break that ends it.
          for (const f of fields) if (f.includes('\n')) line += f.split('\n').length - 1;
          line++;
        }
        records += batch.length;
        Promise.resolve()
          .then(async () => {
            if (opts.signal?.aborted) throw new EdwError('cancelled', 'import cancelled');
            await opts.onRecords(batch);
            opts.onProgress?.(text.bytesRead(), text.size);
          })
          .then(
            () => parser.resume(),
            (e: unknown) => {
              fail(e);
              parser.abort();
              (text.stream as unknown as Transform).destroy();
            },
          );
      },
      complete: () => {
        if (!failed) resolve({ records, encoding: text.encoding });
      },
      error: (e: Error) => fail(new EdwError('input_rejected', `${fileName}: ${e.message}`)),
    });
  });
}
