// A byte-level CSV reader for the high-volume kinds (intervals, submeter). It gives each record
// as field offsets into a reused buffer, so a row costs no strings or arrays unless the
// importer asks for one; numbers and timestamps are parsed straight from the bytes.
// It keeps the guarantees of source.ts's readCsv: UTF-8 with or without BOM and UTF-16 LE/BE
// (transcoded to UTF-8), NUL bytes refuse the file as binary, a line longer than
// MAX_LINE_CHARS refuses it as not line-based, RFC 4180 quoting (quoted fields may hold the
// delimiter, "" and newlines), \n or \r\n line ends, and physical line numbers per record.
// The delimiter is detected from the header line (comma, tab, semicolon or pipe).
import fs from 'node:fs';
import { EdwError } from '../workspace/errors';
import { detectEncoding, MAX_LINE_CHARS } from './source';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const SPACE = 32;
const TAB = 9;
const CHUNK = 1 << 20;

/** One record: fields are byte ranges of `buf` (trimmed of spaces); `line` is 1-based. */
export class ByteRow {
  buf: Buffer = Buffer.alloc(0);
  line = 0;
  /** Number of fields. */
  n = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** Newlines inside quoted fields of the record (its physical lines − 1). */
  extraLines = 0;
  /** 1 when the field was quoted and holds "" escapes (str() unescapes them). */
  escaped = new Uint8Array(64);

  grow(): void {
    const size = this.starts.length * 2;
    const s = new Int32Array(size);
    s.set(this.starts);
    const e = new Int32Array(size);
    e.set(this.ends);
    const x = new Uint8Array(size);
    x.set(this.escaped);
    this.starts = s;
    this.ends = e;
    this.escaped = x;
  }

  /** The field as a string ('' for a field the record does not have). */
  str(i: number): string {
    if (i < 0 || i >= this.n) return '';
    const s = this.buf.toString('utf8', this.starts[i], this.ends[i]);
    return this.escaped[i] ? s.replace(/""/g, '"') : s;
  }

  len(i: number): number {
    return i < 0 || i >= this.n ? 0 : (this.ends[i] as number) - (this.starts[i] as number);
  }

  /** Does field i hold exactly the bytes of `b`? */
  equals(i: number, b: Buffer): boolean {
    if (i < 0 || i >= this.n) return b.length === 0;
    const s = this.starts[i] as number;
    const e = this.ends[i] as number;
    if (e - s !== b.length) return false;
    const buf = this.buf;
    for (let k = 0; k < b.length; k++) if (buf[s + k] !== b[k]) return false;
    return true;
  }

  /** A copy of field i's bytes (for remembering the last key seen). */
  copy(i: number): Buffer {
    if (i < 0 || i >= this.n) return Buffer.alloc(0);
    return Buffer.from(this.buf.subarray(this.starts[i], this.ends[i]));
  }
}

export interface ByteCsvOptions {
  fileName: string;
  signal?: AbortSignal;
  /**
   * Called with the first record; returning false says it is not the header (a preamble line
   * such as "Account Number,1776…"): the next record is offered as the header instead, with
   * its delimiter detected afresh.
   */
  onHeader: (headers: string[], line: number) => unknown;
  /** Called for every non-blank data record; the row object is reused. */
  onRow: (row: ByteRow) => void;
  /** Called after each chunk of records (about 1 MiB of text). */
  onChunk?: (bytesRead: number, size: number) => void | Promise<void>;
}

function binary(fileName: string, line: number): EdwError {
  return new EdwError(
    'input_rejected',
    `${fileName}: line ${line} contains a NUL character: this is a binary file, not text`,
    { file: fileName, line },
  );
}

function tooLong(fileName: string, line: number): EdwError {
  return new EdwError(
    'input_rejected',
    `${fileName}: line ${line} is longer than ${MAX_LINE_CHARS.toLocaleString('en-US')} characters: the file is not in the expected line-based format (or is truncated or corrupt)`,
    { file: fileName, line },
  );
}

function countLf(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(LF, from); i >= 0 && i < to; i = buf.indexOf(LF, i + 1)) n++;
  return n;
}

/** Delimiter of a header line: the most frequent of , \t ; | outside quotes (comma on ties). */
function detectDelimiter(buf: Buffer, from: number, to: number): number {
  const counts = new Map<number, number>([
    [44, 0],
    [TAB, 0],
    [59, 0],
    [124, 0],
  ]);
  let quoted = false;
  for (let i = from; i < to; i++) {
    const c = buf[i] as number;
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) as number) + 1);
  }
  let best = 44;
  for (const [c, n] of counts) if (n > (counts.get(best) as number)) best = c;
  return best;
}

/**
 * Stream a CSV file record by record. Resolves with the number of records (header included).
 * Errors that make the whole file unreadable are EdwError('input_rejected') naming the line.
 */
export async function readByteCsv(file: string, opts: ByteCsvOptions): Promise<number> {
  const fh = await fs.promises.open(file, 'r');
  try {
    return await scan(fh, opts);
  } finally {
    await fh.close();
  }
}

const UNCLOSED = -2;

/**
 * Parse one record of buf[pos, end) into `row` (fields, n, extra lines inside quotes).
 * Returns the position after it, -1 when the buffer ends inside the record and more text may
 * follow, or UNCLOSED when the file ends inside a quoted field.
 */
function parseRecord(
  buf: Buffer,
  pos: number,
  end: number,
  delim: number,
  final: boolean,
  row: ByteRow,
): number {
  const trimTab = delim !== TAB;
  let p = pos;
  let f = 0;
  let extraLines = 0;
  for (;;) {
    if (f >= row.starts.length) row.grow();
    while (p < end) {
      const c = buf[p];
      if (c === SPACE || (c === TAB && trimTab)) p++;
      else break;
    }
    let s: number;
    let e: number;
    let esc = 0;
    if (p < end && buf[p] === QUOTE) {
      p++;
      s = p;
      for (;;) {
        const q = buf.indexOf(QUOTE, p);
        if (q < 0 || q >= end) return final ? UNCLOSED : -1;
        if (q + 1 < end && buf[q + 1] === QUOTE) {
          esc = 1;
          p = q + 2;
          continue;
        }
        if (q + 1 >= end && !final) return -1;
        e = q;
        p = q + 1;
        break;
      }
      extraLines += countLf(buf, s, e);
      // Anything between the closing quote and the delimiter is left out (as papaparse does).
      while (p < end) {
        const c = buf[p];
        if (c === delim || c === LF || c === CR) break;
        p++;
      }
    } else {
      s = p;
      while (p < end) {
        const c = buf[p];
        if (c === delim || c === LF || c === CR) break;
        p++;
      }
      e = p;
      while (e > s) {
        const c = buf[e - 1];
        if (c === SPACE || (c === TAB && trimTab)) e--;
        else break;
      }
    }
    row.starts[f] = s;
    row.ends[f] = e;
    row.escaped[f] = esc;
    f++;
    if (p >= end) {
      if (!final) return -1;
      break;
    }
    const c = buf[p];
    if (c === delim) {
      p++;
      continue;
    }
    if (c === CR) {
      if (p + 1 >= end && !final) return -1;
      p++;
      if (p < end && buf[p] === LF) p++;
      break;
    }
    p++; // LF
    break;
  }
  row.n = f;
  row.extraLines = extraLines;
  return p;
}

async function scan(fh: fs.promises.FileHandle, opts: ByteCsvOptions): Promise<number> {
  const { fileName } = opts;
  const size = (await fh.stat()).size;
  const head = Buffer.alloc(4);
  const { bytesRead: headBytes } = await fh.read(head, 0, 4, 0);
  const { encoding, bomBytes } = detectEncoding(head.subarray(0, headBytes));
  const decoder = encoding === 'utf-8' ? null : new TextDecoder(encoding);
  let position = bomBytes;
  let eof = false;

  // The next chunk is read while the current one is parsed.
  const spare = Buffer.allocUnsafe(CHUNK);
  const readAhead = () => fh.read(spare, 0, CHUNK, position);
  let pending: ReturnType<typeof readAhead> | null = readAhead();

  let buf = Buffer.allocUnsafe(CHUNK * 2);
  let end = 0; // bytes of text in buf
  let pos = 0; // start of the next record
  let line = 1; // line of the record at pos
  let records = 0;
  let delim = -1;
  let headerDone = false;
  const row = new ByteRow();

  const ensure = (room: number): void => {
    if (buf.length - end >= room) return;
    const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, end + room + CHUNK));
    buf.copy(bigger, 0, 0, end);
    buf = bigger;
  };

  /** Append more UTF-8 text after `end`; false at end of file. */
  const fill = async (): Promise<boolean> => {
    if (eof || pending === null) return false;
    if (pos > 0) {
      buf.copy(buf, 0, pos, end);
      end -= pos;
      pos = 0;
    }
    const { bytesRead } = await pending;
    position += bytesRead;
    const from = end;
    if (!decoder) {
      ensure(bytesRead);
      spare.copy(buf, end, 0, bytesRead);
      end += bytesRead;
    } else {
      const text =
        bytesRead === 0
          ? decoder.decode()
          : decoder.decode(spare.subarray(0, bytesRead), { stream: true });
      const need = Buffer.byteLength(text, 'utf8');
      ensure(need);
      end += buf.write(text, end, 'utf8');
    }
    if (bytesRead === 0) {
      eof = true;
      pending = null;
    } else pending = readAhead();
    const nul = buf.indexOf(0, from);
    if (nul >= 0 && nul < end) throw binary(fileName, line + countLf(buf, pos, nul));
    return end > from || !eof;
  };

  try {
    await fill();
    for (;;) {
      // Records complete in the buffer.
      for (;;) {
        if (pos >= end) break;
        if (delim < 0) {
          const nl = buf.indexOf(LF, pos);
          if ((nl < 0 || nl >= end) && !eof) break;
          delim = detectDelimiter(buf, pos, nl < 0 || nl >= end ? end : nl);
        }
        const next = parseRecord(buf, pos, end, delim, eof, row);
        if (next === UNCLOSED)
          throw new EdwError(
            'input_rejected',
            `${fileName}: line ${line}: a quoted field is not closed before the end of the file (truncated file?)`,
            { file: fileName, line },
          );
        if (next < 0) break;
        if (next - pos > MAX_LINE_CHARS) {
          // A complete record this long is fine only if each of its lines is short enough.
          let from = pos;
          for (let l = line; from < next; l++) {
            const nl = buf.indexOf(LF, from);
            const stop = nl < 0 || nl >= next ? next : nl;
            if (stop - from > MAX_LINE_CHARS) throw tooLong(fileName, l);
            from = stop + 1;
          }
        }
        row.buf = buf;
        row.line = line;
        line += 1 + row.extraLines;
        pos = next;
        records++;
        if (!headerDone) {
          const headers: string[] = [];
          for (let i = 0; i < row.n; i++) headers.push(row.str(i).trim());
          if (opts.onHeader(headers, row.line) === false) delim = -1;
          else headerDone = true;
          continue;
        }
        if (row.n === 1 && row.starts[0] === row.ends[0]) continue; // blank line
        opts.onRow(row);
      }
      if (eof) break;
      // The record at pos is incomplete: refuse a runaway line before buffering more of it.
      if (end - pos > MAX_LINE_CHARS) {
        const lastLf = buf.lastIndexOf(LF, end - 1);
        if (lastLf < pos || end - lastLf > MAX_LINE_CHARS)
          throw tooLong(fileName, line + countLf(buf, pos, end));
      }
      if (opts.signal?.aborted) throw new EdwError('cancelled', 'import cancelled');
      await opts.onChunk?.(position, size);
      await fill();
    }
  } finally {
    // Let a read in flight finish before the file is closed.
    if (pending) await pending.catch(() => undefined);
  }
  if (records === 0)
    throw new EdwError('input_rejected', `${fileName}: the file is empty (no header line)`, {
      line: 1,
    });
  await opts.onChunk?.(position, size);
  return records;
}
