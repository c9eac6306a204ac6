// greenbutton: Green Button files of either form — ESPI Atom XML (greenbuttonXml.ts) or the
// "Download My Data" CSV (greenbuttonCsv.ts) — told apart by their first character. Readings go
// to usage points of --org (matched by source key or created) through readingStore.ts.
import fs from 'node:fs';
import { EdwError } from '../../workspace/errors';
import { detectEncoding } from '../source';
import type { ImportContext, ImporterResult } from '../types';
import { importDmdCsv } from './greenbuttonCsv';
import { importEspiXml } from './greenbuttonXml';

/** 'xml' when the first non-blank character is '<', else 'csv'. */
export function sniffGreenButton(file: string): 'xml' | 'csv' | 'empty' {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    const { encoding, bomBytes } = detectEncoding(head.subarray(0, n));
    const text = new TextDecoder(encoding).decode(head.subarray(bomBytes, n)).trimStart();
    if (text === '') return 'empty';
    return text.startsWith('<') ? 'xml' : 'csv';
  } finally {
    fs.closeSync(fd);
  }
}

export async function importGreenButton(ctx: ImportContext): Promise<ImporterResult> {
  if (!ctx.org)
    throw new EdwError(
      'usage',
      'greenbutton files need --org: the utility whose usage points the readings belong to (usage points are matched by their key under that organization, or created)',
    );
  const form = sniffGreenButton(ctx.path);
  if (form === 'empty')
    throw new EdwError('input_rejected', `${ctx.file}: the file is empty`, { line: 1 });
  return form === 'xml' ? importEspiXml(ctx, ctx.org) : importDmdCsv(ctx, ctx.org);
}
