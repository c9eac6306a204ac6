// A buffered byte writer for the export. Text goes straight into one reusable Buffer — ASCII
// pieces prepared once as bytes, integers written digit by digit — so writing a reading
// allocates nothing. Between blocks the caller awaits maybeFlush(): when `chunk` bytes are
// gathered they are written to the file and awaited before more are gathered, so memory stays
// bounded by the chunk size whatever the export's size, and a slow disk slows the producer
// (backpressure). The buffer only grows when a single block needs more room than it has.
// The file is written under a temporary name beside the target and renamed into place only by
// commit(); abort() removes it, so a failed or cancelled export leaves nothing behind.
import fs from 'node:fs';
import path from 'node:path';

/** Bytes of an ASCII string, prepared once for `bytes()`. */
export function ascii(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

export class ChunkWriter {
  private buf: Buffer;
  /** The other buffer: being written to the file while `buf` fills (double buffering). */
  private spare: Buffer;
  private writing: Promise<void> | null = null;
  /** Write position in `buf`. */
  p = 0;
  private fh: fs.promises.FileHandle | null = null;
  private readonly digits = new Uint8Array(24);
  readonly temp: string;
  /** Bytes written to the file so far. */
  bytes = 0;

  private constructor(
    readonly target: string,
    private readonly chunk: number,
  ) {
    this.buf = Buffer.allocUnsafe(chunk + (1 << 16));
    this.spare = Buffer.allocUnsafe(chunk + (1 << 16));
    const dir = path.dirname(path.resolve(target));
    this.temp = path.join(
      dir,
      `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.partial`,
    );
  }

  static async open(target: string, chunk = 1 << 20): Promise<ChunkWriter> {
    const w = new ChunkWriter(target, chunk);
    w.fh = await fs.promises.open(w.temp, 'wx');
    return w;
  }

  /** Make room for `n` more bytes (grows the buffer; never writes to the file). */
  ensure(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.p + n));
    this.buf.copy(bigger, 0, 0, this.p);
    this.buf = bigger;
  }

  /** Any text (UTF-8). */
  text(s: string): void {
    this.ensure(s.length * 3);
    this.p += this.buf.write(s, this.p, 'utf8');
  }

  /** A short ASCII string (dates, numbers as text); the caller has ensured room. */
  asciiText(s: string): void {
    const buf = this.buf;
    let p = this.p;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.p = p;
  }

  /** Prepared ASCII bytes; the caller has ensured room. */
  bytesOf(b: Uint8Array): void {
    this.buf.set(b, this.p);
    this.p += b.length;
  }

  /** A safe integer in decimal; the caller has ensured room (at most 17 bytes). */
  int(n: number): void {
    const buf = this.buf;
    let p = this.p;
    if (n < 0) {
      buf[p++] = 45;
      n = -n;
    }
    const d = this.digits;
    let i = 24;
    do {
      const q = Math.floor(n / 10);
      d[--i] = 48 + n - q * 10;
      n = q;
    } while (n > 0);
    while (i < 24) buf[p++] = d[i++] as number;
    this.p = p;
  }

  maybeFlush(): Promise<void> | null {
    return this.p >= this.chunk ? this.flush() : null;
  }

  /**
   * Hand the gathered bytes to the file: waits for the previous write (at most one is in
   * flight), then starts writing this buffer and continues filling the other one.
   */
  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    this.writing = null;
    if (this.p === 0 || !this.fh) return;
    const fh = this.fh;
    const full = this.buf;
    const len = this.p;
    this.buf = this.spare.length >= this.chunk ? this.spare : Buffer.allocUnsafe(full.length);
    this.spare = full;
    this.p = 0;
    this.bytes += len;
    this.writing = (async () => {
      let off = 0;
      while (off < len) {
        const { bytesWritten } = await fh.write(full, off, len - off);
        off += bytesWritten;
      }
    })();
    // A failed write surfaces at the next flush or at commit; never unhandled meanwhile.
    this.writing.catch(() => undefined);
  }

  private async drain(): Promise<void> {
    await this.flush();
    if (this.writing) await this.writing;
    this.writing = null;
  }

  /** Flush, sync, close and rename the file into place. */
  async commit(): Promise<void> {
    await this.drain();
    const fh = this.fh;
    this.fh = null;
    if (fh) {
      await fh.sync();
      await fh.close();
    }
    await fs.promises.rename(this.temp, this.target);
  }

  /** Close and delete the temporary file (safe to call more than once). */
  async abort(): Promise<void> {
    this.p = 0;
    if (this.writing) await this.writing.catch(() => undefined);
    this.writing = null;
    const fh = this.fh;
    this.fh = null;
    if (fh) await fh.close().catch(() => undefined);
    await fs.promises.rm(this.temp, { force: true });
  }
}
