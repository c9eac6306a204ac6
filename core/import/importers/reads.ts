// reads: register reads (usage_point,meter,read_date,reading,unit,multiplier,estimated).
// Needs --org. The usage point must exist for the organization; the meter must be one of its
// meters: installed at that usage point, or not yet installed anywhere (then the read
// installs it there from the read date, reported as a finding). A meter installed only at
// other usage points is rejected. Readings stay exact decimal text (unit conversions are exact
// decimal shifts: Wh → kWh, MCF → CCF). A read upserts by (usage point, meter, reading type,
// read date): the same reading, multiplier and estimated flag again is a duplicate; anything
// different is a conflict: the row is rejected and the stored read kept.
import type { Statement } from 'better-sqlite3';
import { EdwError } from '../../workspace/errors';
import { isValidZone, localParts } from '../../time/zone';
import { QUALITY } from '../../metering/quality';
import { readMapped, type MappedRow } from '../tabular';
import { bool, date, decimal, instant, required } from '../parse';
import {
  DEFAULT_UNIT,
  ReadingTypes,
  Units,
  canonicalDecimal,
  checkFit,
  shiftDecimal,
} from '../measures';
import { RowError, type Finding, type ImportContext, type ImporterResult } from '../types';

interface UsagePointRow {
  id: number;
  commodity: string;
  zone: string;
}

interface StoredRead {
  id: number;
  reading: string;
  multiplier: string;
  estimated: number;
  import_batch_id: number | null;
}

const EXAMPLES = 5;

export async function importReads(ctx: ImportContext): Promise<ImporterResult> {
  const org = ctx.org;
  if (!org)
    throw new EdwError(
      'usage',
      'reads files need --org ORG: the organization whose usage points and meters the file holds',
    );
  const db = ctx.db;
  const p = (sql: string): Statement => db.prepare(sql);
  const s = {
    up: p(
      `SELECT u.id, u.commodity, coalesce(u.time_zone, o.time_zone) AS zone
       FROM usage_point u JOIN organization o ON o.id = u.org_id WHERE u.org_id = ? AND u.source_key = ?`,
    ),
    meter: p('SELECT id, multiplier FROM meter WHERE org_id = ? AND serial = ?'),
    links: p(
      `SELECT mu.usage_point_id, u.source_key FROM meter_usage_point mu
       JOIN usage_point u ON u.id = mu.usage_point_id WHERE mu.meter_id = ?`,
    ),
    link: p(
      'INSERT OR IGNORE INTO meter_usage_point (meter_id, usage_point_id, installed_on) VALUES (?, ?, ?)',
    ),
    stored: p(
      `SELECT id, reading, multiplier, estimated, import_batch_id FROM register_read
       WHERE usage_point_id = ? AND meter_id = ? AND reading_type_id = ? AND read_date = ?`,
    ),
    insert: p(
      `INSERT INTO register_read (usage_point_id, meter_id, reading_type_id, read_date, read_at, reading,
         multiplier, estimated, quality, import_batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
  };
  const units = new Units(db, ctx.profile);
  const types = new ReadingTypes(db);
  const ups = new Map<string, UsagePointRow | null>();
  const meters = new Map<string, { id: number; multiplier: string } | null>();
  const checkedLinks = new Set<string>();
  const c = { inserted: 0, duplicates: 0, conflicts: 0, installed: 0, converted: 0 };
  const conflictExamples: string[] = [];
  const installedExamples: string[] = [];

  const row = (r: MappedRow): void => {
    const upKey = required('usage_point', r.get('usage_point'));
    let up = ups.get(upKey);
    if (up === undefined) {
      up = (s.up.get(org.id, upKey) as UsagePointRow | undefined) ?? null;
      ups.set(upKey, up);
    }
    if (!up)
      throw new RowError(
        'usage_point',
        upKey,
        `unknown usage point ${upKey} for ${org.code} (import the organization's cis file first)`,
      );
    const serial = required('meter', r.get('meter'));
    let meter = meters.get(serial);
    if (meter === undefined) {
      meter =
        (s.meter.get(org.id, serial) as { id: number; multiplier: string } | undefined) ?? null;
      meters.set(serial, meter);
    }
    if (!meter) throw new RowError('meter', serial, `unknown meter ${serial} for ${org.code}`);

    // Read date: a date, or a timestamp (kept as read_at; the date is its local date).
    const rawDate = required('read_date', r.get('read_date'));
    let readDate: string;
    let readAt: number | null = null;
    if (/\d[T ]\d{1,2}:\d{2}/.test(rawDate)) {
      if (!isValidZone(up.zone))
        throw new RowError('usage_point', upKey, `usage point ${upKey} has an unknown time zone`);
      readAt = instant(
        'read_date',
        rawDate,
        ctx.profile.timeZone ?? up.zone,
        ctx.profile.dateFormat,
      ).epoch;
      const lp = localParts(readAt, up.zone);
      readDate = `${lp.year}-${String(lp.month).padStart(2, '0')}-${String(lp.day).padStart(2, '0')}`;
    } else readDate = date('read_date', rawDate, ctx.profile.dateFormat);

    const linkKey = `${meter.id}|${up.id}`;
    if (!checkedLinks.has(linkKey)) {
      const links = s.links.all(meter.id) as { usage_point_id: number; source_key: string }[];
      if (links.length > 0 && !links.some((l) => l.usage_point_id === up.id))
        throw new RowError(
          'meter',
          serial,
          `meter ${serial} is installed at usage point ${links.map((l) => l.source_key).join(', ')}, not ${upKey}`,
        );
      if (links.length === 0) {
        s.link.run(meter.id, up.id, readDate);
        c.installed++;
        if (installedExamples.length < EXAMPLES) installedExamples.push(`${serial} at ${upKey}`);
      }
      checkedLinks.add(linkKey);
    }

    const readingText = decimal('reading', required('reading', r.get('reading')), { min: 0 });
    const unitText = r.get('unit') || DEFAULT_UNIT[up.commodity] || 'kWh';
    const u = units.resolve(unitText);
    checkFit(u, up.commodity, `usage point ${upKey}`, unitText);
    const reading = shiftDecimal(readingText, u.exp);
    if (u.exp !== 0) c.converted++;
    const multText = r.get('multiplier');
    const multiplier = multText ? decimal('multiplier', multText) : meter.multiplier;
    if (!(Number(multiplier) > 0))
      throw new RowError('multiplier', multText, 'multiplier must be greater than 0');
    const estimated = bool('estimated', r.get('estimated'));
    const rt = types.id({
      commodity: up.commodity,
      unit: u.store,
      direction: 'forward',
      seconds: null,
      accumulation: u.accumulation === 'indicating' ? 'indicating' : 'summation',
      measure: u.measure,
    });

    const stored = s.stored.get(up.id, meter.id, rt, readDate) as StoredRead | undefined;
    if (stored) {
      const same =
        canonicalDecimal(stored.reading) === canonicalDecimal(reading) &&
        canonicalDecimal(stored.multiplier) === canonicalDecimal(multiplier) &&
        stored.estimated === (estimated ? 1 : 0);
      if (same) {
        c.duplicates++;
        return;
      }
      c.conflicts++;
      const reason = `read of meter ${serial} at usage point ${upKey} on ${readDate}: ${reading} ${u.store} (multiplier ${multiplier}${estimated ? ', estimated' : ''}) conflicts with the stored ${stored.reading} ${u.store} (multiplier ${stored.multiplier}${stored.estimated ? ', estimated' : ''})${stored.import_batch_id === ctx.batchId ? ' from earlier in this file' : stored.import_batch_id !== null ? ` from import batch ${stored.import_batch_id}` : ''}; the stored read is kept`;
      if (conflictExamples.length < EXAMPLES) conflictExamples.push(`line ${r.line}: ${reason}`);
      throw new RowError('reading', r.get('reading'), reason);
    }
    s.insert.run(
      up.id,
      meter.id,
      rt,
      readDate,
      readAt,
      reading,
      multiplier,
      estimated ? 1 : 0,
      estimated ? QUALITY.estimated : QUALITY.valid,
      ctx.batchId,
    );
    c.inserted++;
  };

  const stats = await readMapped(ctx, row);
  const findings: Finding[] = [];
  if (c.conflicts)
    findings.push({
      kind: 'conflict',
      count: c.conflicts,
      message: `${c.conflicts} read${c.conflicts === 1 ? '' : 's'} conflicted with a stored read and ${c.conflicts === 1 ? 'was' : 'were'} rejected; first: ${conflictExamples.join(' | ')}`,
    });
  if (c.duplicates)
    findings.push({
      kind: 'duplicate',
      count: c.duplicates,
      message: `${c.duplicates} read${c.duplicates === 1 ? ' was' : 's were'} already stored with the same reading (nothing to change)`,
    });
  if (c.installed)
    findings.push({
      kind: 'note',
      count: c.installed,
      message: `${c.installed} meter${c.installed === 1 ? '' : 's'} not yet installed anywhere recorded as installed at the usage point of ${c.installed === 1 ? 'its' : 'their'} first read: ${installedExamples.join(', ')}`,
    });
  if (c.converted)
    findings.push({
      kind: 'note',
      count: c.converted,
      message: `${c.converted} reading${c.converted === 1 ? '' : 's'} converted to the storage unit by an exact decimal shift`,
    });
  return {
    ...stats,
    findings,
    written: {
      register_read: c.inserted,
      ...(c.installed ? { meter_usage_point: c.installed } : {}),
      ...(types.created ? { reading_type: types.created } : {}),
    },
  };
}
