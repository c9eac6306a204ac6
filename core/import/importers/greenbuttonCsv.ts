// Green Button "Download My Data" CSV: an optional block of "Name / Address / Account Number /
// Service" lines, then a table such as
//   TYPE,DATE,START TIME,END TIME,USAGE,UNITS,COST,NOTES
//   Electric usage,2018-06-12,00:00,00:59,0.52,kWh,$0.08,
// (or IMPORT (kWh) / EXPORT (kWh) columns for net-metered service; gas is often daily without
// times). Times are local wall-clock time in the usage point's zone; the repeated fall-back hour
// appears twice and is resolved by order.
import { EdwError } from '../../workspace/errors';
import { QUALITY, type QualityCode, type QualityName } from '../../metering/quality';
import { localParts, localToEpoch } from '../../time/zone';
import { date as parseDate } from '../parse';
import { parseDec, formatDec } from '../decimal';
import { readCsv, type CsvRecord } from '../source';
import { RowError, type Finding, type ImportContext, type ImporterResult } from '../types';
import {
  ReadingStore,
  type Commodity,
  type ReadingTypeSpec,
  type UsagePointRef,
} from './readingStore';

type Org = { id: number; code: string; timeZone: string };

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** Header-block keys that name the usage point, in order of preference. */
const UP_KEYS = [
  'usage point',
  'service point',
  'service point id',
  'sdp',
  'service id',
  'service agreement',
  'service agreement id',
  'service',
  'meter number',
  'meter',
];

interface UnitRule {
  unit: string;
  shift: number;
  commodity: Commodity | null;
  measure: ReadingTypeSpec['measure'];
}

const UNITS: Record<string, UnitRule> = {
  kwh: { unit: 'kWh', shift: 0, commodity: 'electricity', measure: 'energy' },
  wh: { unit: 'kWh', shift: -3, commodity: 'electricity', measure: 'energy' },
  mwh: { unit: 'kWh', shift: 3, commodity: 'electricity', measure: 'energy' },
  kw: { unit: 'kW', shift: 0, commodity: 'electricity', measure: 'demand' },
  therm: { unit: 'therm', shift: 0, commodity: 'gas', measure: 'energy' },
  therms: { unit: 'therm', shift: 0, commodity: 'gas', measure: 'energy' },
  ccf: { unit: 'CCF', shift: 0, commodity: 'gas', measure: 'volume' },
  mcf: { unit: 'CCF', shift: 1, commodity: 'gas', measure: 'volume' },
  gal: { unit: 'gal', shift: 0, commodity: 'water', measure: 'volume' },
  gallons: { unit: 'gal', shift: 0, commodity: 'water', measure: 'volume' },
};

interface Columns {
  type?: number;
  date: number;
  start?: number;
  end?: number;
  /** Usage columns with their flow and the unit their header names, if any. */
  values: { index: number; flow: ReadingTypeSpec['flow']; unit: string | null; header: string }[];
  units?: number;
  cost?: number;
  notes?: number;
}

function findColumns(fields: string[]): Columns | null {
  const h = fields.map(norm);
  const at = (...names: string[]) => {
    const i = h.findIndex((x) => names.includes(x));
    return i < 0 ? undefined : i;
  };
  const date = at('date', 'read date', 'usage date');
  if (date === undefined) return null;
  const values: Columns['values'] = [];
  h.forEach((x, i) => {
    const m = /^(usage|import|export|consumption|value|delivered|received)(?: \(([^)]+)\))?$/.exec(
      x,
    );
    if (!m) return;
    const flow = m[1] === 'export' || m[1] === 'received' ? 'reverse' : 'forward';
    values.push({ index: i, flow, unit: m[2] ?? null, header: fields[i]?.trim() ?? x });
  });
  if (values.length === 0) return null;
  return {
    type: at('type'),
    date,
    start: at('start time', 'start', 'time'),
    end: at('end time', 'end'),
    values,
    units: at('units', 'unit', 'uom'),
    cost: at('cost'),
    notes: at('notes', 'note'),
  };
}

function minutes(column: string, t: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::\d{2})?\s*(am|pm)?$/i.exec(t.trim());
  if (!m) throw new RowError(column, t, `${column} is not a time of day (e.g. 00:00 or 12:15 AM)`);
  let h = Number(m[1]);
  const min = Number(m[2]);
  if (m[3]) {
    if (h < 1 || h > 12) throw new RowError(column, t, `${column} has an hour outside 1–12`);
    h = (h % 12) + (m[3].toLowerCase() === 'pm' ? 12 : 0);
  }
  if (h > 24 || min > 59) throw new RowError(column, t, `${column} is not a valid time`);
  return h * 60 + min;
}

function commodityOfType(t: string): Commodity | null {
  const s = t.toLowerCase();
  if (s.includes('electric')) return 'electricity';
  if (s.includes('gas')) return 'gas';
  if (s.includes('water')) return 'water';
  return null;
}

export async function importDmdCsv(ctx: ImportContext, org: Org): Promise<ImporterResult> {
  const store = new ReadingStore(ctx, org);
  const header = new Map<string, string>();
  let cols: Columns | null = null;
  let headerLine = 0;
  let total = 0;
  let up: UsagePointRef | null = null;
  let seconds: number | null = null;
  const rtIds = new Map<string, number>();
  const seenAmbiguous = new Set<string>();
  let repeated = 0;
  let costSeen = false;
  let gapZero = 0;
  const findings: Finding[] = [];

  const usagePoint = (commodity: Commodity): UsagePointRef => {
    if (up) {
      if (up.commodity !== commodity)
        throw new RowError(
          'TYPE',
          commodity,
          `usage point ${up.key} is ${up.commodity}; this row is ${commodity}`,
        );
      return up;
    }
    const key =
      ctx.profile.defaults.usage_point?.trim() ||
      UP_KEYS.map((k) => header.get(k)).find((v) => v !== undefined && v !== '');
    if (!key)
      throw new EdwError(
        'input_rejected',
        `${ctx.file}: no usage point: give it as a profile default (defaults.usage_point) or a "Service" line above the table (found: ${[...header.keys()].join(', ') || 'no header lines'})`,
        { line: headerLine },
      );
    const found = store.findUsagePoint(key);
    if (found && found.commodity !== commodity)
      throw new EdwError(
        'input_rejected',
        `${ctx.file}: usage point ${key} of ${org.code} is ${found.commodity}, but the file holds ${commodity} usage`,
        { line: headerLine },
      );
    up = found ?? store.createUsagePoint(key, commodity, ctx.profile.timeZone ?? null);
    if (!found)
      findings.push({
        kind: 'note',
        subject: key,
        message: `created usage point ${key} (${commodity}) for ${org.code}`,
      });
    return up;
  };

  const onRecord = (rec: CsvRecord) => {
    const f = rec.fields;
    if (f.every((x) => x.trim() === '')) return;
    if (!cols) {
      const c = findColumns(f);
      if (c) {
        cols = c;
        headerLine = rec.line;
        return;
      }
      // A header-block line: "Account Number,1234" (value in the first non-empty cell after).
      const key = norm(f[0] ?? '').replace(/:$/, '');
      const value = f.slice(1).find((x) => x.trim() !== '');
      if (key && value !== undefined) header.set(key, value.trim());
      if (rec.line > 50)
        throw new EdwError(
          'input_rejected',
          `${ctx.file}: no Green Button table header (TYPE, DATE, START TIME, END TIME, USAGE…) in the first 50 lines`,
          { line: rec.line },
        );
      return;
    }
    const c = cols as Columns;
    for (const v of c.values) {
      total++;
      try {
        row(rec, c, v);
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        ctx.reject({ line: rec.line, column: e.column, value: e.value, reason: e.message });
      }
    }
  };

  const row = (rec: CsvRecord, c: Columns, v: Columns['values'][number]) => {
    const f = rec.fields;
    const get = (i: number | undefined) => (i === undefined ? '' : (f[i] ?? '').trim());
    const raw = get(v.index);
    if (raw === '') throw new RowError(v.header, raw, `${v.header} is empty`);
    const unitText = v.unit ?? get(c.units);
    const unitKey = (ctx.profile.units[unitText] ?? unitText).toLowerCase();
    const rule = UNITS[unitKey];
    if (!rule)
      throw new RowError(
        'UNITS',
        unitText,
        `unit "${unitText}" is not one edw knows (kWh, therms, CCF…)`,
      );
    const commodity = commodityOfType(get(c.type)) ?? rule.commodity ?? 'electricity';
    const point = usagePoint(commodity);
    const day = parseDate('DATE', get(c.date), ctx.profile.dateFormat);
    let startMin = 0;
    let len: number;
    if (c.start === undefined || get(c.start) === '') len = 86400;
    else {
      startMin = minutes('START TIME', get(c.start));
      if (c.end === undefined || get(c.end) === '')
        throw new RowError('END TIME', '', 'END TIME is needed to know the interval length');
      const endMin = minutes('END TIME', get(c.end));
      const diff = (endMin - startMin + 1440) % 1440;
      // "00:00–00:59" (inclusive minute) or "00:00–01:00" (exclusive).
      const incl = diff + 1;
      len = [5, 15, 30, 60].includes(incl)
        ? incl * 60
        : [5, 15, 30, 60].includes(diff)
          ? diff * 60
          : incl === 1440
            ? 86400
            : 0;
      if (len === 0)
        throw new RowError(
          'END TIME',
          get(c.end),
          `interval ${get(c.start)}–${get(c.end)} is not 5, 15, 30 or 60 minutes or a day`,
        );
    }
    if (seconds === null) seconds = len;
    else if (len !== seconds)
      throw new RowError(
        'END TIME',
        get(c.end),
        `interval length ${len / 60} min differs from the file's ${seconds / 60} min`,
      );
    const dec = parseDec(raw.replace(/,/g, ''));
    if (!dec) throw new RowError(v.header, raw, `${v.header} is not a number`);
    const value = Number(`${formatDec(dec)}e${rule.shift}`);
    const spec: ReadingTypeSpec = {
      commodity,
      unit: rule.unit,
      flow: v.flow,
      seconds: len,
      accumulation: rule.measure === 'demand' ? 'indicating' : 'delta',
      measure: rule.measure,
    };
    const rtKey = JSON.stringify(spec);
    let rtId = rtIds.get(rtKey);
    if (rtId === undefined) {
      rtId = store.readingType(spec);
      rtIds.set(rtKey, rtId);
    }
    const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
    const zone = point.zone;
    let start: number;
    if (len === 86400) start = localToEpoch(zone, y, mo, d);
    else {
      const h = Math.floor(startMin / 60);
      const mi = startMin % 60;
      const first = localToEpoch(zone, y, mo, d, h, mi);
      const later = localToEpoch(zone, y, mo, d, h, mi, 0, true);
      if (first !== later) {
        const k = `${v.index}|${day}|${startMin}`;
        start = seenAmbiguous.has(k) ? later : first;
        if (seenAmbiguous.has(k)) repeated++;
        seenAmbiguous.add(k);
      } else {
        start = first;
        const p = localParts(first, zone);
        if (p.hour !== h || p.minute !== mi) {
          if (value === 0) {
            gapZero++;
            return;
          }
          throw new RowError(
            'START TIME',
            get(c.start),
            `${day} ${get(c.start)} does not exist in ${zone} (clocks spring forward)`,
          );
        }
      }
    }
    const notes = get(c.notes);
    if (get(c.cost) !== '') costSeen = true;
    const mapped = ctx.profile.quality[notes] as QualityName | undefined;
    const quality: QualityCode = mapped
      ? QUALITY[mapped]
      : /estimat/i.test(notes)
        ? QUALITY.estimated
        : QUALITY.valid;
    store.add({
      usagePoint: point,
      readingTypeId: rtId,
      intervalSeconds: len,
      start,
      seconds: len === 86400 ? 86400 : len,
      value,
      quality,
      line: rec.line,
    });
  };

  await readCsv(ctx.path, {
    fileName: ctx.file,
    signal: ctx.signal,
    onProgress: (done, size) => ctx.progress(done, size, 'bytes'),
    onRecords: async (records) => {
      for (const r of records) onRecord(r);
      await ctx.breathe();
    },
  });
  if (!cols)
    throw new EdwError(
      'input_rejected',
      `${ctx.file}: not a Green Button Download My Data file: no table header with DATE and USAGE (or IMPORT/EXPORT) columns`,
      { line: 1 },
    );
  const stored = store.finish();
  if (repeated > 0)
    findings.push({
      kind: 'tolerated',
      count: repeated,
      message: `the repeated fall-back hour appears twice in local time: resolved by order (first daylight, then standard time)`,
    });
  if (gapZero > 0)
    findings.push({
      kind: 'tolerated',
      count: gapZero,
      message: 'zero readings at a local time that does not exist (spring forward) skipped',
    });
  if (costSeen)
    findings.push({
      kind: 'note',
      message:
        'the COST column is not stored: interval costs have no place in the workspace (bills do)',
    });
  if (header.size > 0)
    findings.push({
      kind: 'note',
      message: `header lines read: ${[...header.keys()].join(', ')}`,
    });
  return {
    rowsTotal: total,
    rowsAccepted: store.accepted,
    findings: [...stored.findings, ...findings],
    written: stored.written,
  };
}
