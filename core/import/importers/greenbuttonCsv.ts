// Green Button "Download My Data" CSV as utilities write it. No two utilities agree on the
// layout, so the table is found by the ROLES of its header cells, not by fixed names:
//   PG&E / Opower:  TYPE,DATE,START TIME,END TIME,USAGE (kWh) | IMPORT (kWh),EXPORT (kWh),COST,NOTES
//   SDG&E:          Meter Number,Date,Start Time,Duration,Consumption,Generation,Net
//   SCE:            sections "Energy Delivered time period,Usage Delivered(Real energy in
//                   kilowatt-hours)…,Reading quality" / "Energy Received time period,…" with
//                   cells "2019-01-01 00:00:00 to 2019-01-01 01:00:00"
//   Smart Meter Texas: ESIID,USAGE_DATE,REVISION_DATE,USAGE_START_TIME,USAGE_END_TIME,USAGE_KWH,
//                   ESTIMATED_ACTUAL,CONSUMPTION_SURPLUSGENERATION
// Lines before a table are `key,value` header lines (or `Key: value`); a file may hold several
// tables (sections), each with its own header row. Times are local wall-clock time in the usage
// point's zone; the repeated fall-back hour appears twice and is resolved by order per series.
// Net columns are never stored as consumption: delivered and received are stored as two flows.
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
type Flow = ReadingTypeSpec['flow'];

/** Lines before the first table header that are searched for it. */
const PREAMBLE_LINES = 100;

const norm = (s: string) =>
  s
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, ' ');

/** A cell without the spreadsheet guards utilities add: 'ESIID, ="0123". */
const bare = (s: string) =>
  s
    .trim()
    .replace(/^="?(.*?)"?$/, '$1')
    .replace(/^'/, '')
    .trim();

/** Header-block keys that name the usage point, in order of preference. */
const UP_KEYS = [
  'usage point',
  'service point',
  'service point id',
  'sdp',
  'service id',
  'service agreement',
  'service agreement id',
  'esiid',
  'esi id',
  'service',
  'meter number',
  'meter',
];
/** Header-block keys that name the unit of every usage column (SDG&E: "UOM,kWh"). */
const UNIT_KEYS = ['uom', 'unit of measure', 'units', 'unit'];
/** Header-block keys that name the commodity. */
const COMMODITY_KEYS = ['resource', 'type of readings', 'service type', 'commodity'];

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

/** Unit words as headings write them ("(kWh)", "(Real energy in kilowatt-hours)", "_KWH"). */
const UNIT_WORDS: [RegExp, string][] = [
  [/\bkilowatt[- ]?hours?\b|\bkwh\b/, 'kwh'],
  [/\bmegawatt[- ]?hours?\b|\bmwh\b/, 'mwh'],
  [/\bwatt[- ]?hours?\b|\bwh\b/, 'wh'],
  [/\bkilowatts?\b|\bkw\b/, 'kw'],
  [/\btherms?\b/, 'therm'],
  [/\bccf\b/, 'ccf'],
  [/\bmcf\b/, 'mcf'],
  [/\bgal(?:lons?)?\b/, 'gal'],
];

function unitIn(h: string): string | null {
  for (const [re, u] of UNIT_WORDS) if (re.test(h)) return u;
  return null;
}

const FWD = /consum|deliver|import/;
const REV = /surplus|generat|export|receiv/;
/** Words a usage column's heading is made of, once its unit is taken out. */
const VALUE_WORDS = new Set([
  'usage',
  'import',
  'imported',
  'export',
  'exported',
  'consumption',
  'consumed',
  'generation',
  'generated',
  'net',
  'delivered',
  'received',
  'value',
  'energy',
  'total',
  'surplus',
  'quantity',
  'in',
  'real',
]);

interface ValueCol {
  index: number;
  header: string;
  flow: Flow;
  /** Unit key from the heading, if it names one. */
  unit: string | null;
  /** The heading names no flow ("USAGE"): the table's other headings may. */
  plain: boolean;
}

interface Table {
  line: number;
  type?: number;
  date?: number;
  start?: number;
  end?: number;
  duration?: number;
  /** Seconds per unit of the DURATION column. */
  durationUnit: number;
  range?: number;
  units?: number;
  notes?: number;
  quality?: number;
  /** A per-row flow column (Smart Meter Texas: Consumption / Surplus Generation). */
  flow?: number;
  /** A per-row usage point column (ESIID, Meter Number). */
  id?: number;
  costs: string[];
  values: ValueCol[];
  /** Net columns not stored because the table also gives the flows. */
  netIgnored: string[];
  ignored: string[];
}

/** The header cells of a table, by role; null when the row is not a table header. */
function findTable(
  fields: string[],
  line: number,
  block: Map<string, string>,
): Table | { near: string } | null {
  const h = fields.map(norm);
  const t: Table = { line, durationUnit: 60, costs: [], values: [], netIgnored: [], ignored: [] };
  const flowHint: Flow[] = [];
  const nets: ValueCol[] = [];
  h.forEach((x, i) => {
    const raw = fields[i]?.replace(/^\uFEFF/, '').trim() ?? '';
    if (x === '') return;
    if (/\bcost\b|\bcredit\b|\$|\bcharges?\b|\bamount\b|\bprice\b/.test(x))
      return t.costs.push(raw);
    if (/\bperiod\b|\brange\b/.test(x) && !/\d|billing/.test(x)) {
      t.range = i;
      if (REV.test(x)) flowHint.push('reverse');
      else if (FWD.test(x)) flowHint.push('forward');
      return;
    }
    if (['date', 'usage date', 'read date', 'reading date', 'interval date', 'day'].includes(x))
      return (t.date = i);
    if (['start time', 'start', 'time', 'usage start time', 'interval start'].includes(x))
      return (t.start = i);
    if (['end time', 'end', 'usage end time', 'interval end'].includes(x)) return (t.end = i);
    if (/^(interval )?duration\b|^interval length\b/.test(x)) {
      t.duration = i;
      const u =
        /\((sec|seconds?|s|min|minutes?|hours?|hr)\)/.exec(x)?.[1] ??
        block.get('interval uom') ??
        '';
      t.durationUnit = /^s/.test(u.toLowerCase()) ? 1 : /^h/.test(u.toLowerCase()) ? 3600 : 60;
      return;
    }
    if (['units', 'unit', 'uom', 'unit of measure'].includes(x)) return (t.units = i);
    if (['notes', 'note', 'comments', 'comment'].includes(x)) return (t.notes = i);
    if (/quality|^estimated|^actual ?\/ ?estimated|^estimated ?\/ ?actual/.test(x))
      return (t.quality = i);
    if (/\bdirection\b|\bflow\b/.test(x) || (FWD.test(x) && REV.test(x) && !unitIn(x)))
      return (t.flow = i);
    if (
      [
        'esiid',
        'esi id',
        'meter number',
        'meter no',
        'meter',
        'meter id',
        'service point',
        'service point id',
        'usage point',
        'sdp',
        'service id',
        'service agreement id',
      ].includes(x)
    )
      return (t.id = i);
    if (['type', 'service type', 'fuel'].includes(x)) return (t.type = i);
    const unit = unitIn(x);
    const words = x
      .replace(/\([^)]*\)/g, ' ')
      .replace(/kilowatt[- ]?hours?|megawatt[- ]?hours?|watt[- ]?hours?|kilowatts?/g, ' ')
      .split(/[^a-z]+/)
      .filter((w) => w && !unitIn(w));
    const core = words.filter((w) => VALUE_WORDS.has(w) && !['in', 'real', 'total'].includes(w));
    if (
      words.every((w) => VALUE_WORDS.has(w)) &&
      (core.length > 0 || (words.length === 0 && unit))
    ) {
      const flow: Flow = words.includes('net')
        ? 'net'
        : REV.test(words.join(' '))
          ? 'reverse'
          : 'forward';
      const col: ValueCol = {
        index: i,
        header: raw,
        flow,
        unit,
        plain: !FWD.test(x) && !REV.test(x),
      };
      if (flow === 'net') nets.push(col);
      else t.values.push(col);
      return;
    }
    t.ignored.push(raw);
  });
  const hasTime = t.date !== undefined || t.range !== undefined;
  if (!hasTime || (t.values.length === 0 && nets.length === 0)) {
    if (hasTime || t.values.length > 0 || nets.length > 0)
      return {
        near: `line ${line} (${fields.map((f) => f.trim()).join(',')}) has ${
          hasTime ? 'a date' : 'usage'
        } column${hasTime ? ' but no usage column' : 's but no DATE column or time-period cell'}`,
      };
    return null;
  }
  // "USAGE" under a table whose time-period heading names the flow ("Energy Received time period").
  for (const v of t.values) if (v.plain && flowHint.length === 1) v.flow = flowHint[0] as Flow;
  if (t.values.length > 0) t.netIgnored = nets.map((n) => n.header);
  else t.values = nets;
  return t;
}

function minutes(column: string, t: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*([ap]\.?m\.?)?$/i.exec(t.trim());
  if (!m)
    throw new RowError(column, t, `${column} "${t}" is not a time of day (e.g. 00:00 or 12:15 AM)`);
  let h = Number(m[1]);
  const min = Number(m[2]);
  if (m[3]) {
    if (h < 1 || h > 12) throw new RowError(column, t, `${column} has an hour outside 1–12`);
    h = (h % 12) + (m[3].toLowerCase().startsWith('p') ? 12 : 0);
  }
  if (h > 24 || min > 59 || (h === 24 && min > 0))
    throw new RowError(column, t, `${column} "${t}" is not a valid time`);
  return h * 60 + min;
}

/** "2019-01-01 00:00:00 to 2019-01-01 01:00:00" (or "…–…", "… - …"). */
function parseRange(
  column: string,
  cell: string,
  format: Parameters<typeof parseDate>[2],
): { day: string; startMin: number; wallLen: number; endDay: string; endMin: number } {
  const m = /^(.+?)\s+(?:to|–|-)\s+(.+)$/i.exec(cell.trim());
  const side = (s: string) => {
    const p = /^(\S+)[ T]+(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?)$/i.exec(s.trim());
    if (!p) return null;
    return { day: parseDate(column, p[1] as string, format), min: minutes(column, p[2] as string) };
  };
  const a = m ? side(m[1] as string) : null;
  const b = m ? side(m[2] as string) : null;
  if (!a || !b)
    throw new RowError(
      column,
      cell,
      `${column} "${cell}" is not a time period (expected e.g. 2019-01-01 00:00:00 to 2019-01-01 01:00:00)`,
    );
  if (a.min === 1440) throw new RowError(column, cell, `${column} starts at 24:00`);
  const ms = (d: string, min: number) => Date.parse(`${d}T00:00:00Z`) / 1000 + min * 60;
  return {
    day: a.day,
    startMin: a.min,
    wallLen: ms(b.day, b.min) - ms(a.day, a.min),
    endDay: b.day,
    endMin: b.min,
  };
}

const LENGTHS = [5, 10, 15, 30, 60].map((m) => m * 60);

function commodityOfType(t: string): Commodity | null {
  const s = t.toLowerCase();
  if (s.includes('electric')) return 'electricity';
  if (s.includes('gas')) return 'gas';
  if (s.includes('water')) return 'water';
  return null;
}

function flowOfCell(s: string): Flow | null {
  const x = s.trim().toLowerCase();
  if (x === 'c' || FWD.test(x)) return 'forward';
  if (x === 'g' || REV.test(x)) return 'reverse';
  return null;
}

/** Quality from a quality cell (A/E, Estimated, Actual, validated, missing…); null: unknown. */
function qualityOfCell(s: string): QualityCode | null {
  const x = s.trim().toLowerCase();
  if (x === '' || x === 'a' || /^(actual|valid|validated|measured|read|ok)$/.test(x))
    return QUALITY.valid;
  if (x === 'e' || /estimat/.test(x)) return QUALITY.estimated;
  if (/edit|substitut/.test(x)) return QUALITY.edited;
  if (/missing/.test(x)) return QUALITY.missing;
  if (/fail|invalid|error/.test(x)) return QUALITY.failed;
  return null;
}

interface RowTime {
  day: string;
  startMin: number;
  /** Interval length in seconds (86400: daily). */
  len: number;
  /** The cell that gave the start, for messages. */
  column: string;
  cell: string;
}

export async function importDmdCsv(ctx: ImportContext, org: Org): Promise<ImporterResult> {
  const store = new ReadingStore(ctx, org);
  const header = new Map<string, string>();
  let cur: Table | null = null;
  let tables = 0;
  let near: string | null = null;
  let total = 0;
  const points = new Map<string, UsagePointRef>();
  let profileRowId: string | null = null;
  const lengths = new Map<string, { seconds: number; line: number }>();
  const rtIds = new Map<string, number>();
  const seenAmbiguous = new Set<string>();
  /** Fall-back decisions of the current row, shared by its value columns. */
  const rowDecided = new Map<string, boolean>();
  let repeated = 0;
  let gapZero = 0;
  const costs = new Set<string>();
  const netIgnored = new Set<string>();
  let netStored: string | null = null;
  const ignoredCols = new Set<string>();
  const empties = new Map<string, number>();
  const sections: { count: number; first: string } = { count: 0, first: '' };
  const unknownQuality = new Map<string, number>();
  let realLength = 0;
  /** The header row of the current table, for column names in messages. */
  let heads: string[] = [];
  const findings: Finding[] = [];
  const fmt = ctx.profile.dateFormat;

  const usagePoint = (commodity: Commodity, rowId: string): UsagePointRef => {
    const fromProfile = ctx.profile.defaults.usage_point?.trim();
    if (fromProfile && rowId) {
      profileRowId ??= rowId;
      if (rowId !== profileRowId)
        throw new RowError(
          'meter',
          rowId,
          `the file holds several meters (${profileRowId}, ${rowId}) but the profile names one usage point (${fromProfile})`,
        );
    }
    const key =
      fromProfile ||
      rowId ||
      UP_KEYS.map((k) => header.get(k)).find((v) => v !== undefined && v !== '');
    if (!key)
      throw new EdwError(
        'input_rejected',
        `${ctx.file}: no usage point: give it as a profile default (defaults.usage_point), a meter/ESIID column or a "Service" line above the table (found: ${[...header.keys()].join(', ') || 'no header lines'})`,
        { line: cur?.line ?? 1 },
      );
    let up = points.get(key);
    if (up) {
      if (up.commodity !== commodity)
        throw new RowError(
          'TYPE',
          commodity,
          `usage point ${up.key} is ${up.commodity}; this row is ${commodity}`,
        );
      return up;
    }
    const found = store.findUsagePoint(key);
    if (found && found.commodity !== commodity)
      throw new EdwError(
        'input_rejected',
        `${ctx.file}: usage point ${key} of ${org.code} is ${found.commodity}, but the file holds ${commodity} usage`,
        { line: cur?.line ?? 1 },
      );
    up = found ?? store.createUsagePoint(key, commodity, ctx.profile.timeZone ?? null);
    points.set(key, up);
    if (!found)
      findings.push({
        kind: 'note',
        subject: key,
        message: `created usage point ${key} (${commodity}) for ${org.code}`,
      });
    return up;
  };

  /** Date, start and interval length of a data row, by the table's time columns. */
  const rowTime = (c: Table, get: (i: number | undefined) => string, heads: string[]): RowTime => {
    const name = (i: number) => heads[i]?.trim() || `column ${i + 1}`;
    if (c.range !== undefined) {
      const cell = get(c.range);
      const r = parseRange(name(c.range), cell, fmt);
      let len = r.wallLen;
      if (len !== 86400 && !LENGTHS.includes(len)) {
        // A period across a DST change written in wall-clock time: its real length decides.
        const [y, mo, d] = r.day.split('-').map(Number) as [number, number, number];
        const [y2, mo2, d2] = r.endDay.split('-').map(Number) as [number, number, number];
        const zone = ctx.profile.timeZone ?? org.timeZone;
        const real =
          localToEpoch(zone, y2, mo2, d2, Math.floor(r.endMin / 60), r.endMin % 60) -
          localToEpoch(zone, y, mo, d, Math.floor(r.startMin / 60), r.startMin % 60);
        if (!LENGTHS.includes(real))
          throw new RowError(
            name(c.range),
            cell,
            `time period ${cell} is not 5, 10, 15, 30 or 60 minutes or a day`,
          );
        realLength++;
        len = real;
      }
      return { day: r.day, startMin: r.startMin, len, column: name(c.range), cell };
    }
    const dateCol = c.date as number;
    const day = parseDate(name(dateCol), get(dateCol), fmt);
    if (c.start === undefined || get(c.start) === '')
      return { day, startMin: 0, len: 86400, column: name(dateCol), cell: get(dateCol) };
    const startName = name(c.start);
    const startMin = minutes(startName, get(c.start));
    if (startMin === 1440)
      throw new RowError(
        startName,
        get(c.start),
        `${startName} 24:00 is the end of a day, not a start`,
      );
    let len: number;
    if (c.end !== undefined && get(c.end) !== '') {
      const endName = name(c.end);
      const endMin = minutes(endName, get(c.end));
      const diff = (endMin - startMin + 1440) % 1440;
      // "00:00–00:59" (inclusive minute) or "00:00–01:00" (exclusive); 24:00 and 00:00 end a day.
      const incl = (diff + 1) * 60;
      len = LENGTHS.includes(incl)
        ? incl
        : LENGTHS.includes(diff * 60)
          ? diff * 60
          : incl === 86400 || (diff === 0 && endMin !== startMin)
            ? 86400
            : 0;
      if (len === 0)
        throw new RowError(
          endName,
          get(c.end),
          `interval ${get(c.start)}–${get(c.end)} is not 5, 10, 15, 30 or 60 minutes or a day`,
        );
    } else if (c.duration !== undefined && get(c.duration) !== '') {
      const durName = name(c.duration);
      const n = Number(get(c.duration));
      len = n * c.durationUnit;
      if (!Number.isFinite(n) || !(LENGTHS.includes(len) || len === 86400))
        throw new RowError(
          durName,
          get(c.duration),
          `${durName} "${get(c.duration)}" is not an interval of 5, 10, 15, 30 or 60 minutes or a day (${c.durationUnit === 60 ? 'minutes' : c.durationUnit === 1 ? 'seconds' : 'hours'})`,
        );
    } else
      throw new RowError(
        c.end !== undefined ? name(c.end) : c.duration !== undefined ? name(c.duration) : startName,
        '',
        'the interval end (END TIME or DURATION) is needed to know the interval length',
      );
    return { day, startMin, len, column: startName, cell: get(c.start) };
  };

  const dataRow = (rec: CsvRecord, c: Table) => {
    const f = rec.fields;
    const get = (i: number | undefined) => (i === undefined ? '' : (f[i] ?? '').trim());
    let time: RowTime | RowError;
    try {
      time = rowTime(c, get, heads);
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      time = e;
    }
    let any = false;
    rowDecided.clear();
    for (const v of c.values) {
      const raw = get(v.index);
      if (raw === '') {
        empties.set(v.header, (empties.get(v.header) ?? 0) + 1);
        continue;
      }
      any = true;
      total++;
      try {
        if (time instanceof RowError) throw time;
        storeValue(rec, c, v, raw, time, get);
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        ctx.reject({ line: rec.line, column: e.column, value: e.value, reason: e.message });
      }
    }
    if (!any) {
      total++;
      const names = c.values.map((v) => v.header).join(', ');
      ctx.reject({
        line: rec.line,
        column: c.values[0]?.header ?? '',
        value: '',
        reason: `no reading: ${names} ${c.values.length > 1 ? 'are all' : 'is'} empty`,
      });
    }
  };

  const storeValue = (
    rec: CsvRecord,
    c: Table,
    v: ValueCol,
    raw: string,
    t: RowTime,
    get: (i: number | undefined) => string,
  ) => {
    const unitText =
      v.unit ?? (get(c.units) || UNIT_KEYS.map((k) => header.get(k)).find(Boolean) || '');
    if (unitText === '')
      throw new RowError(
        v.header,
        raw,
        `no unit for ${v.header}: neither its heading (e.g. USAGE (kWh)), a UNITS column nor a "UOM" line above the table names one`,
      );
    const unitKey = (ctx.profile.units[unitText] ?? unitText).toLowerCase();
    const rule = UNITS[unitKey] ?? UNITS[unitIn(unitKey) ?? ''];
    if (!rule)
      throw new RowError(
        c.units !== undefined && !v.unit ? 'UNITS' : v.header,
        unitText,
        `unit "${unitText}" is not one edw knows (kWh, Wh, MWh, kW, therms, CCF, MCF, gallons)`,
      );
    let flow = v.flow;
    if (c.flow !== undefined) {
      const cell = get(c.flow);
      const rowFlow = flowOfCell(cell);
      if (!rowFlow)
        throw new RowError(
          heads[c.flow]?.trim() ?? 'flow',
          cell,
          `"${cell}" names no flow (expected Consumption / Surplus Generation, delivered / received)`,
        );
      flow = rowFlow;
    }
    const commodity =
      commodityOfType(get(c.type)) ??
      rule.commodity ??
      COMMODITY_KEYS.map((k) => commodityOfType(header.get(k) ?? '')).find(Boolean) ??
      'electricity';
    const point = usagePoint(commodity, c.id === undefined ? '' : bare(get(c.id)));
    const len = t.len;
    const seriesKey = `${point.key}|${commodity}|${rule.unit}|${flow}`;
    const known = lengths.get(seriesKey);
    if (!known) lengths.set(seriesKey, { seconds: len, line: rec.line });
    else if (known.seconds !== len)
      throw new RowError(
        t.column,
        t.cell,
        `interval length ${len / 60} min differs from the ${known.seconds / 60} min of this series from line ${known.line}`,
      );
    const dec = parseDec(bare(raw).replace(/,/g, ''));
    if (!dec)
      throw new RowError(
        v.header,
        raw,
        /^\s*-?\$/.test(raw)
          ? `${v.header} "${raw}" is money, not usage`
          : `${v.header} "${raw}" is not a number`,
      );
    const text = formatDec(dec);
    if (text.startsWith('-') && flow !== 'net')
      // A signed value makes the whole column net (usage minus export), including its positive
      // rows, so storing the rest as consumption would be wrong: the file is refused as a whole.
      throw new EdwError(
        'input_rejected',
        `${ctx.file}: line ${rec.line}: ${v.header} is negative (${raw}), so the column holds signed net usage, not consumption; edw stores delivered and received as two flows and never stores net as consumption — download the file with separate IMPORT/EXPORT (delivered/received) columns`,
        { line: rec.line },
      );
    const num = Number(`${text}e${rule.shift}`);
    const spec: ReadingTypeSpec = {
      commodity,
      unit: rule.unit,
      flow,
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
    const [y, mo, d] = t.day.split('-').map(Number) as [number, number, number];
    const zone = point.zone;
    let start: number;
    if (len === 86400) start = localToEpoch(zone, y, mo, d);
    else {
      const h = Math.floor(t.startMin / 60);
      const mi = t.startMin % 60;
      const first = localToEpoch(zone, y, mo, d, h, mi);
      const later = localToEpoch(zone, y, mo, d, h, mi, 0, true);
      if (first !== later) {
        // The fall-back hour: the first ROW of a table with this time is daylight time, the next
        // standard — decided per row, so a flow whose first-hour cell is empty still lands right.
        const k = `${point.id}|${tables}|${c.flow === undefined ? '' : get(c.flow).toLowerCase()}|${t.day}|${t.startMin}`;
        let occ = rowDecided.get(k);
        if (occ === undefined) {
          occ = seenAmbiguous.has(k);
          seenAmbiguous.add(k);
          rowDecided.set(k, occ);
          if (occ) repeated++;
        }
        start = occ ? later : first;
      } else {
        start = first;
        const p = localParts(first, zone);
        if (p.hour !== h || p.minute !== mi) {
          if (num === 0) {
            gapZero++;
            return;
          }
          throw new RowError(
            t.column,
            t.cell,
            `${t.day} ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')} does not exist in ${zone} (clocks spring forward)`,
          );
        }
      }
    }
    const notes = get(c.notes);
    const qText = get(c.quality);
    const mapped = (ctx.profile.quality[qText] ?? ctx.profile.quality[notes]) as
      QualityName | undefined;
    let quality: QualityCode;
    if (mapped) quality = QUALITY[mapped];
    else {
      let q = qualityOfCell(qText);
      if (q === null) {
        unknownQuality.set(qText, (unknownQuality.get(qText) ?? 0) + 1);
        q = QUALITY.valid;
      }
      quality = /estimat/i.test(notes) ? (Math.max(q, QUALITY.estimated) as QualityCode) : q;
    }
    store.add({
      usagePoint: point,
      readingTypeId: rtId,
      intervalSeconds: len,
      start,
      seconds: len,
      value: num,
      quality,
      line: rec.line,
    });
  };

  const headerCandidate = (f: string[]) => f.every((x) => !/^[-+$.]?\d/.test(bare(x)));

  const onRecord = (rec: CsvRecord) => {
    const f = rec.fields;
    const filled = f.filter((x) => x.trim() !== '');
    if (filled.length === 0) return;
    if (headerCandidate(f)) {
      const t = findTable(f, rec.line, header);
      if (t && 'line' in t) {
        if (t.start !== undefined && t.end === undefined && t.duration === undefined)
          throw new EdwError(
            'input_rejected',
            `${ctx.file}: line ${rec.line}: the table has a start time column (${f[t.start]?.trim()}) but neither an END TIME nor a DURATION column: the interval length is unknown`,
            { line: rec.line },
          );
        cur = t;
        heads = f;
        tables++;
        for (const x of t.costs) costs.add(x);
        for (const x of t.netIgnored) netIgnored.add(x);
        for (const x of t.ignored) ignoredCols.add(x);
        if (t.values.every((v) => v.flow === 'net'))
          netStored = t.values.map((v) => v.header).join(', ');
        return;
      }
      if (t && !cur) near ??= t.near;
    }
    if (!cur) {
      // A header-block line: "Account Number,1234" or "Type of readings: Electricity".
      let key = norm(f[0] ?? '').replace(/:$/, '');
      let value = f
        .slice(1)
        .find((x) => x.trim() !== '')
        ?.trim();
      if (value === undefined && filled.length === 1) {
        const m = /^([^:]{1,60}):\s*(.+)$/.exec((filled[0] as string).trim());
        if (m) [key, value] = [norm(m[1] as string), (m[2] as string).trim()];
      }
      if (key && value !== undefined && !header.has(key)) header.set(key, value);
      if (rec.line > PREAMBLE_LINES)
        throw new EdwError(
          'input_rejected',
          `${ctx.file}: no Green Button table header in the first ${PREAMBLE_LINES} lines — expected a row naming a date (DATE, USAGE_DATE, or a "time period" column) and a usage column (USAGE, IMPORT/EXPORT, Consumption/Generation, USAGE_KWH, Usage Delivered…)${near ? `; ${near}` : ''}`,
          { line: rec.line },
        );
      return;
    }
    if (filled.length === 1) {
      // A section title inside the data ("Data for period starting: … for 24 hours"): never a
      // reading, which needs at least a time and a value.
      sections.count++;
      if (!sections.first) sections.first = `line ${rec.line}: ${(filled[0] as string).trim()}`;
      return;
    }
    dataRow(rec, cur);
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
  if (tables === 0)
    throw new EdwError(
      'input_rejected',
      `${ctx.file}: not a Green Button Download My Data file: no table header with a date (DATE, USAGE_DATE or a "time period" column) and a usage column (USAGE, IMPORT/EXPORT, Consumption/Generation, USAGE_KWH…)${near ? `; ${near}` : ''}`,
      { line: 1 },
    );
  const stored = store.finish();
  if (tables > 1)
    findings.push({ kind: 'note', count: tables, message: `${tables} tables (sections) read` });
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
  if (realLength > 0)
    findings.push({
      kind: 'tolerated',
      count: realLength,
      message: 'time periods across a clock change: their length taken in real time',
    });
  if (costs.size > 0) {
    const names = [...costs].join(', ');
    findings.push({
      kind: 'note',
      message: `the ${names} column${costs.size > 1 ? 's are' : ' is'} not stored: interval costs have no place in the workspace (bills do)`,
    });
  }
  if (netIgnored.size > 0)
    findings.push({
      kind: 'note',
      message: `the ${[...netIgnored].join(', ')} column${netIgnored.size > 1 ? 's are' : ' is'} not stored: net is delivered − received, and the delivered and received flows of the same rows are stored as forward and reverse readings`,
    });
  if (netStored)
    findings.push({
      kind: 'note',
      message: `${netStored} stored as net flow (delivered − received): the file gives no separate delivered and received columns`,
    });
  for (const [col, n] of empties)
    findings.push({
      kind: 'tolerated',
      count: n,
      message: `empty ${col} cells skipped (no reading)`,
    });
  if (sections.count > 0)
    findings.push({
      kind: 'note',
      count: sections.count,
      message: `section title lines inside the data skipped (${sections.first})`,
    });
  for (const [q, n] of unknownQuality)
    findings.push({
      kind: 'tolerated',
      count: n,
      message: `reading quality "${q}" is not one edw knows: kept as valid`,
    });
  if (ignoredCols.size > 0)
    findings.push({ kind: 'note', message: `columns not read: ${[...ignoredCols].join(', ')}` });
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
