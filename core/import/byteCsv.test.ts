import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../testing/tmp';
import { readByteCsv } from './byteCsv';
import { MAX_LINE_CHARS } from './source';

const dir = tmpDir('edw-bytecsv-');
let n = 0;

function file(content: Buffer | string): string {
  const f = path.join(dir, `f${n++}.csv`);
  fs.writeFileSync(f, content);
  return f;
}

async function read(f: string): Promise<{ headers: string[]; rows: [number, string[]][] }> {
  let headers: string[] = [];
  const rows: [number, string[]][] = [];
  await readByteCsv(f, {
    fileName: path.basename(f),
    onHeader: (h) => (headers = h),
    onRow: (r) => rows.push([r.line, Array.from({ length: r.n }, (_, i) => r.str(i))]),
  });
  return { headers, rows };
}

describe('readByteCsv', () => {
  it('reads quoted fields with delimiters, "" escapes and newlines, CRLF, blank lines and line numbers', async () => {
    const text = 'a,b,c\r\n1, two ,"x,y"\r\n\r\n"multi\nline","say ""hi""",3\r\n4,,\n5,6,7';
    const r = await read(file(text));
    expect(r.headers).toEqual(['a', 'b', 'c']);
    expect(r.rows).toEqual([
      [2, ['1', 'two', 'x,y']],
      [4, ['multi\nline', 'say "hi"', '3']],
      [6, ['4', '', '']],
      [7, ['5', '6', '7']],
    ]);
  });

  it('detects the delimiter and reads UTF-8 with BOM and UTF-16 LE/BE', async () => {
    const body = 'usage_point;start;value\nUP-é;2019-06-01;1,5\n';
    const expected = {
      headers: ['usage_point', 'start', 'value'],
      rows: [[2, ['UP-é', '2019-06-01', '1,5']]],
    };
    expect(
      await read(file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]))),
    ).toEqual(expected);
    expect(
      await read(file(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]))),
    ).toEqual(expected);
    const be = Buffer.from(body, 'utf16le').swap16();
    expect(await read(file(Buffer.concat([Buffer.from([0xfe, 0xff]), be])))).toEqual(expected);
    expect((await read(file('a\tb\n1\t2\n'))).rows).toEqual([[2, ['1', '2']]]);
  });

  it('reads records across chunk boundaries', async () => {
    const lines = ['k,v'];
    for (let i = 0; i < 60_000; i++) lines.push(`key-${i},"${'x'.repeat(i % 50)}"`);
    const r = await read(file(lines.join('\n')));
    expect(r.rows).toHaveLength(60_000);
    expect(r.rows[59_999]).toEqual([60_001, ['key-59999', 'x'.repeat(59_999 % 50)]]);
  });

  it('refuses binary files, runaway lines, unclosed quotes and empty files', async () => {
    await expect(read(file(Buffer.from('a,b\n1,2\n3,\u0000\n')))).rejects.toThrow(
      /line 3 contains a NUL character/,
    );
    await expect(read(file(`a,b\n1,${'9'.repeat(MAX_LINE_CHARS + 10)}\n`))).rejects.toThrow(
      /line 2 is longer than/,
    );
    await expect(read(file('a,b\n1,"open\n2,3\n'))).rejects.toThrow(/quoted field is not closed/);
    await expect(read(file(''))).rejects.toThrow(/the file is empty/);
  });
});
