/**
 * Export one premise: its full record as a JSON bundle, or its usage as CSV (per interval
 * reading, day or month). The same privacy rules as the page; written atomically (temp file +
 * rename, nothing left behind on failure); every attempt is audited with subject premise:<ID>.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../workspace/workspace';
import { CancelledError, EdwError } from '../workspace/errors';
import { decodeBlock, QUALITY_NAMES } from '../metering/intervalCodec';
import { energyFactor, thermFactor } from '../metering/energy';
import type { Role } from '../privacy/roles';
import { getPremise, premiseSubject } from './get';
import { PremisePrivacy } from './privacy';
import { premiseUsage, usageSources } from './usage';
import { round6 } from './resolve';
import type { ExportRequest, ExportResult } from './schema';

export interface ExportOptions {
  role: Role;
  now?: Date;
  signal?: AbortSignal;
}

export const BUNDLE_FORMAT = 'edw.premise-bundle';
export const BUNDLE_VERSION = 1;

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
function csv(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

class AtomicFile {
  readonly tmp: string;
  private readonly fd: number;
  bytes = 0;
  constructor(readonly file: string) {
    const dir = path.dirname(file);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new EdwError('usage', `cannot write ${file}: directory ${dir} does not exist`);
    if (fs.existsSync(file) && fs.statSync(file).isDirectory())
      throw new EdwError('usage', `cannot write ${file}: it is a directory`);
    this.tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
    this.fd = fs.openSync(this.tmp, 'w');
  }
  write(s: string): void {
    const b = Buffer.from(s, 'utf8');
    fs.writeSync(this.fd, b);
    this.bytes += b.length;
  }
  commit(): void {
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.file);
  }
  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    fs.rmSync(this.tmp, { force: true });
  }
}

export function exportPremise(
  ws: Workspace,
  req: ExportRequest,
  opts: ExportOptions,
): ExportResult {
  const db = ws.db;
  const now = opts.now ?? new Date();
  const ref =
    req.platformId !== undefined ? { platformId: req.platformId } : { premiseId: req.premiseId };
  const out = path.resolve(req.out);
  // Resolve (and check the role) before touching the file system.
  const premise = getPremise(db, ref, { role: opts.role, now });
  const subject = premiseSubject(
    premise.platformId,
    premise.records.map((r) => r.premiseId),
  );
  const audit = (status: string, more: Record<string, unknown>) =>
    ws.audit(opts.role, 'export', subject, {
      format: req.what === 'record' ? 'premise-json' : 'premise-csv',
      status,
      out,
      platformId: premise.platformId,
      premiseIds: premise.records.map((r) => r.premiseId),
      usagePoints: premise.usagePoints.map((u) => u.sourceKey),
      org: null,
      granularity: req.what === 'usage' ? req.granularity : null,
      ...more,
    });
  let file: AtomicFile;
  try {
    file = new AtomicFile(out);
  } catch (e) {
    audit('failed', { reason: (e as Error).message });
    throw e;
  }
  let rows = 0;
  let withheld = premise.privacy.withheldUsagePoints;
  try {
    if (req.what === 'record') {
      const usage = premiseUsage(db, ref, { role: opts.role, granularity: 'month', now });
      const bundle = {
        format: BUNDLE_FORMAT,
        version: BUNDLE_VERSION,
        exportedAt: now.toISOString(),
        role: opts.role,
        premise,
        usage,
      };
      file.write(`${JSON.stringify(bundle, null, 2)}\n`);
      rows = 1;
    } else {
      const privacy = new PremisePrivacy(db, opts.role, now);
      const src = usageSources(db, ref, privacy);
      withheld = src.withheld.length;
      if (req.granularity === 'interval') {
        file.write(
          'source,key,org,commodity,reading_type,unit,start_utc,seconds,value,quality,kwh,therms\r\n',
        );
        const stmt = db.prepare(
          'SELECT day, start, seconds, count, scale, base, width, vals, quality FROM interval_block WHERE series_id = ? ORDER BY day',
        );
        for (const s of src.sources) {
          const f = energyFactor(s.series.unit, s.series.commodity);
          const t = thermFactor(s.series.unit, s.series.commodity);
          const head = [
            s.source,
            s.key,
            s.org,
            s.series.commodity,
            s.series.reading_type,
            s.series.unit,
          ]
            .map(csv)
            .join(',');
          for (const b of stmt.iterate(s.series.id) as IterableIterator<{
            day: number;
            start: number;
            seconds: number;
            count: number;
            scale: number;
            base: number;
            width: number;
            vals: Buffer;
            quality: Buffer | null;
          }>) {
            if (opts.signal?.aborted) throw new CancelledError();
            const d = decodeBlock(b.count, b.scale, b.base, b.width, b.vals, b.quality);
            let chunk = '';
            for (let i = 0; i < b.count; i++) {
              const v = d.values[i] as number;
              const q = d.quality[i] as number;
              const missing = q === 3;
              chunk += `${head},${new Date((b.start + i * b.seconds) * 1000).toISOString()},${b.seconds},${missing ? '' : v},${QUALITY_NAMES[q] ?? q},${missing || !f ? '' : round6(v * f.kwhPerUnit)},${missing || t === null ? '' : round6(v * t)}\r\n`;
              rows++;
            }
            file.write(chunk);
          }
        }
      } else {
        const usage = premiseUsage(db, ref, { role: opts.role, granularity: req.granularity, now });
        file.write(
          'source,key,org,commodity,reading_type,unit,period,value,kwh,therms,readings,days,missing,estimated\r\n',
        );
        for (const s of usage.series) {
          const head = [s.source, s.key, s.org, s.commodity, s.readingType, s.unit]
            .map(csv)
            .join(',');
          for (const p of s.points) {
            file.write(
              `${head},${p.period},${p.value},${p.kwh ?? ''},${p.therms ?? ''},${p.readings},${p.days},${p.missing},${p.estimated}\r\n`,
            );
            rows++;
          }
        }
      }
    }
    file.commit();
  } catch (e) {
    file.abort();
    audit(e instanceof CancelledError ? 'cancelled' : 'failed', { reason: (e as Error).message });
    throw e;
  }
  audit('written', {
    bytes: file.bytes,
    rows,
    redactedFields: premise.privacy.redactedFields,
    withheldUsagePoints: withheld,
  });
  return {
    file: out,
    what: req.what,
    platformId: premise.platformId,
    bytes: file.bytes,
    rows,
    redactedFields: req.what === 'record' ? premise.privacy.redactedFields : 0,
    withheldUsagePoints: withheld,
  };
}
