// Reading an interval CSV (long or wide layout) into the interval stage: the engine shared by
// the intervals importer (series keyed by usage point) and the submeter importer (keyed by
// sensor). Rows are read by core/import/byteCsv.ts and parsed from their bytes; everything a
// row refers to (owner, unit, reading type, series, quality code) is cached by the bytes of
// its field, so a typical row allocates nothing.
//
// Long layout: one reading per row (owner, start, seconds, value, unit, quality, direction).
// Wide layout (profile.wide): one row per owner × local day; `start` is the date (or local
// midnight); the value columns are the day's wall-clock slots in order (24 for hourly, 96
// for 15-minute). The rule for DST days (see docs/interval-import.md):
//   - an empty cell is "not provided" (stays missing);
//   - spring forward: the cells of the skipped wall-clock hour (e.g. HE3, 02:00–03:00) must be
//     empty; a value there is rejected (that local time does not exist);
//   - fall back: the regular cell of the repeated hour (e.g. HE2, 01:00–02:00) is its first,
//     daylight-time occurrence; the second, standard-time occurrence comes from the extra
//     column(s): headers ending in "*" or containing "DST" (HE2*, HE02 DST), else the columns
//     after the day's regular ones (a 25th column, HE25). On other days extra cells must be empty.
// Local timestamps in long files: a fall-back time without an offset is resolved by order
// (its second occurrence in the file for the same series is the standard-time one); a time
// that occurs only once is read as daylight time and reported as a finding.
import type { Database } from 'better-sqlite3';
import { EdwError } from '../workspace/errors';
import { isValidZone } from '../time/zone';
import { QUALITY, QUALITY_NAMES } from '../metering/quality';
import { readByteCsv, type ByteRow } from './byteCsv';
import { mapHeaders } from './tabular';
import {
  IntervalStage,
  PUT_CONFLICT,
  PUT_DUPLICATE,
  PUT_MISALIGNED,
  formatLocal,
  type SeriesState,
} from './intervalStage';
import {
  NUM_EMPTY,
  NUM_OK,
  STAMP_BAD,
  STAMP_EXACT,
  STAMP_LOCAL,
  STAMP_NONE,
  civilFromDays,
  numeric,
  parseNumber,
  parseStamp,
  parseUint,
  scaled,
  stamp,
  zoneDays,
  type ZoneDays,
} from './intervalTime';
import {
  DEFAULT_UNIT,
  QualityCodes,
  ReadingTypes,
  Units,
  checkFit,
  direction as parseDirection,
  shiftDecimal,
  type Direction,
  type UnitInfo,
} from './measures';
import { decimal, instant } from './parse';
import { formatDec, parseDec } from './decimal';
import type { FieldSpec } from './profile';
import { RowError, type Finding, type ImportContext, type ImporterResult } from './types';

/** Whose series a row belongs to. */
export interface Owner {
  usagePointId?: number;
  sensorId?: number;
  /** For messages: "usage point 1001". */
  label: string;
  commodity: string;
  /** Zone of the owner's local days. */
  zone: ZoneDays;
  quality: QualityCodes;
}

export interface IntervalFileSpec {
  fields: readonly FieldSpec[];
  /** Fields whose values identify the owner (rows with the same bytes share it). */
  ownerFields: readonly string[];
  /** Fields of which the file must have at least one (usage point or meter). */
  oneOf?: readonly string[];
  /** Resolve an owner from the owner fields (by name); throws RowError. */
  owner: (get: (field: string) => string, line: number) => Owner;
  /** Extra findings and written counts of the owner resolution (e.g. sensors created). */
  findings?: () => Finding[];
  written?: () => Record<string, number>;
}

const AMBIGUOUS_EXAMPLES = 3;
/** Cell texts that say "no value" (read as an empty cell). */
const NO_VALUE = /^(null|nan|n\/?a|#n\/a|none|-+)$/i;
/** Lines before the header that may be skipped as a report preamble. */
const MAX_PREAMBLE_LINES = 20;
/** A field that marks a totals row. */
const SUMMARY = /^\s*(grand\s*|sub\s*)?(totals?|sum|summe|somme|totaal|totale?)\s*[:.]?\s*$/i;

/** Valid interval lengths: divisors of a day, at least a minute. */
export function checkSeconds(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= 60 && 86400 % seconds === 0;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Header → field index map with the refusal of a file that lacks required columns. */
interface WideLayout {
  /** Header index of regular column j (wall-clock slot j). */
  regular: number[];
  /** Header index of repeated-hour column r. */
  repeated: number[];
}

/** What a channel (register) code of the file measures. */
interface Channel {
  code: string;
  unit: UnitInfo | null;
  direction: Direction | null;
  skip: boolean;
  /** Read from the code's words, not from the profile. */
  named: boolean;
}

/** Epochs of the wall-clock slots of one local day in a zone (DST days only). */
interface DayMap {
  regular: Float64Array; // NaN: the wall-clock time does not exist
  repeated: Float64Array; // later occurrences of the repeated wall-clock slots, in order
}

export async function importIntervalFile(
  ctx: ImportContext,
  spec: IntervalFileSpec,
): Promise<ImporterResult> {
  const db: Database = ctx.db;
  const profile = ctx.profile;
  const wide = profile.wide;
  if (profile.timeZone !== undefined && !isValidZone(profile.timeZone))
    throw new EdwError('usage', `profile "${profile.name}": unknown time zone ${profile.timeZone}`);
  const parseZone = profile.timeZone ? zoneDays(profile.timeZone) : null;
  if (wide && !checkSeconds(wide.seconds))
    throw new EdwError(
      'usage',
      `profile "${profile.name}": wide.seconds ${wide.seconds} must divide a day (86400) and be at least 60`,
    );
  const units = new Units(db, profile);
  const types = new ReadingTypes(db);

  let headers: string[] = [];
  let col = new Map<string, number>();
  let layout: WideLayout | null = null;
  const findings: Finding[] = [];

  let rowsTotal = 0;
  let rowsAccepted = 0;
  const stage = new IntervalStage(db, ctx, () => {
    if (!wide) rowsAccepted--;
  });

  // Field positions (−1: not in the file) and constant defaults.
  let cOwner: number[] = [];
  let cStart = -1;
  let cSeconds = -1;
  let cValue = -1;
  let cUnit = -1;
  let cQuality = -1;
  let cDirection = -1;
  let cTime = -1;
  let cChannel = -1;
  let cMultiplier = -1;
  let cDst = -1;
  /** Time stamps are interval ends (hour ending): start = stamp − seconds. */
  let endStamps = profile.timestamps === 'end';
  /** Elapsed wide slots: column j is the j-th interval since local midnight. */
  const elapsed = wide?.slots === 'elapsed';
  const decimalByte = profile.decimalSeparator === ',' ? 44 : 46;
  const def = (f: string): string => (profile.defaults[f] ?? '').trim();
  /** Rejects name the column as the file spells it ("ReadStart"), not the native field. */
  const sourceColumn = (field: string): string => {
    const header = profile.columns[field];
    return header !== undefined && header !== field ? header : field;
  };

  const onHeader = (h: string[]): void => {
    headers = h;
    const notRequired = new Set<string>(wide ? ['value', 'seconds'] : []);
    col = mapHeaders(ctx, h, spec.fields, notRequired);
    const at = (f: string) => col.get(f) ?? -1;
    if (spec.oneOf && !spec.oneOf.some((f) => col.has(f) || f in profile.defaults))
      throw new EdwError(
        'input_rejected',
        `${ctx.file}: missing required column ${spec.oneOf
          .map((f) => {
            const header = profile.columns[f];
            return header && header !== f ? `${f} (column "${header}")` : f;
          })
          .join(
            ' or ',
          )} for ${ctx.kind} (profile "${profile.name}"); the file's header is: ${h.join(', ')}`,
        { line: 1, missing: [...spec.oneOf] },
      );
    cOwner = spec.ownerFields.map(at);
    cStart = at('start');
    cSeconds = wide ? -1 : at('seconds');
    cValue = wide ? -1 : at('value');
    cUnit = at('unit');
    cQuality = at('quality');
    cDirection = at('direction');
    cTime = at('time');
    cChannel = at('channel');
    cMultiplier = at('multiplier');
    cDst = at('dst');
    stage.columns = h; // rejects name the column as the file spells it
    if (!wide && profile.timestamps === undefined) {
      // A time column headed as an end ("ReadEnd", "Hour Ending", "INTERVAL_END_TIME").
      const stampHeader = cTime >= 0 ? h[cTime] : cStart >= 0 ? h[cStart] : undefined;
      if (stampHeader !== undefined && namesAnEnd(stampHeader)) {
        endStamps = true;
        findings.push({
          kind: 'note',
          message: `the time stamps of column ${stampHeader} were read as interval ends (its header names an end): each reading starts one interval earlier; set the profile's timestamps to "start" or "end" to say so`,
        });
      }
    }
    if (wide) {
      const lower = new Map(h.map((x, i) => [x.toLowerCase(), i]));
      let names: readonly string[];
      let detected = '';
      if (wide.valueColumns) {
        names = wide.valueColumns;
        const absent = names.filter((c) => !lower.has(c.toLowerCase()));
        if (absent.length)
          throw new EdwError(
            'input_rejected',
            `${ctx.file}: missing value column${absent.length > 1 ? 's' : ''} ${absent.join(', ')} of profile "${profile.name}" (wide layout); the file's header is: ${h.join(', ')}`,
            { line: 1, missing: absent },
          );
      } else {
        // Every column no field uses whose header holds a digit, in file order.
        const mapped = new Set(col.values());
        names = h.filter(
          (x, i) =>
            !mapped.has(i) && /\d/.test(x) && !/total|sum|max|min|avg|average|peak/i.test(x),
        );
        detected = `value columns found by their headers (${names.length}): ${names.length > 6 ? `${names.slice(0, 3).join(', ')} … ${names.slice(-2).join(', ')}` : names.join(', ')}`;
      }
      const idx = names.map((c) => lower.get(c.toLowerCase()) as number);
      const nominal = 86400 / wide.seconds;
      const hourSlots = Math.max(1, 3600 / wide.seconds);
      const marked = (c: string) => /\*\s*$|dst/i.test(c);
      let regular = idx.filter((_, j) => !marked(names[j] as string));
      let repeated = idx.filter((_, j) => marked(names[j] as string));
      if (elapsed) {
        regular = idx;
        repeated = [];
        if (idx.length < nominal || idx.length > nominal + hourSlots)
          throw new EdwError(
            wide.valueColumns ? 'usage' : 'input_rejected',
            `profile "${profile.name}": wide layout with elapsed slots has ${idx.length} value columns (${names[0]} … ${names[names.length - 1]}); ${wide.seconds}-second data needs ${nominal} to ${nominal + hourSlots} (the 25-hour fall-back day)`,
          );
      } else {
        if (repeated.length === 0 && regular.length > nominal) {
          repeated = regular.slice(nominal);
          regular = regular.slice(0, nominal);
        }
        if (regular.length !== nominal)
          throw new EdwError(
            wide.valueColumns ? 'usage' : 'input_rejected',
            `profile "${profile.name}": ${wide.valueColumns ? 'wide.valueColumns has' : `the file has ${idx.length} value columns (${names.join(', ') || 'none'}) with`} ${regular.length} regular columns; ${wide.seconds}-second data needs ${nominal} (plus optional columns for the repeated hour of the fall-back day)`,
          );
        if (repeated.length > hourSlots)
          throw new EdwError(
            wide.valueColumns ? 'usage' : 'input_rejected',
            `profile "${profile.name}": the wide layout has ${repeated.length} columns beyond the day's ${nominal} (${repeated.map((i) => h[i]).join(', ')}); the repeated fall-back hour of ${wide.seconds}-second data has ${hourSlots}`,
          );
      }
      layout = { regular, repeated };
      if (detected) findings.push({ kind: 'note', message: detected });
    }
    const used = new Set([
      ...col.values(),
      ...(layout ? [...layout.regular, ...layout.repeated] : []),
    ]);
    const ignored = h.filter((x, i) => x !== '' && !used.has(i));
    if (ignored.length)
      findings.push({
        kind: 'note',
        message: `column${ignored.length > 1 ? 's' : ''} ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} not part of the ${ctx.kind} layout and ${ignored.length > 1 ? 'were' : 'was'} not imported (interval readings keep no per-row attributes)`,
      });
  };

  // ── caches keyed by the bytes of the last row ──
  let lastOwnerKeys: Buffer[] = [];
  let owner: Owner | null = null;
  const owners = new Map<string, Owner | RowError>();
  let rowRef: ByteRow | null = null;
  const getField = (f: string): string => {
    const i = col.get(f);
    if (i === undefined || rowRef === null) return def(f);
    const v = rowRef.str(i);
    // ="0012345": a spreadsheet's text formula that keeps leading zeros (Fluvius EAN codes).
    return v.length > 3 && v.startsWith('="') && v.endsWith('"') ? v.slice(2, -1) : v;
  };

  let lastUnitBytes: Buffer | null = null;
  let unit: UnitInfo | null = null;
  let unitText = '';
  let fitFor: string | null = null;
  let lastQualityBytes: Buffer | null = null;
  let qualityFor: QualityCodes | null = null;
  let qualityCode = 0;
  let lastDirBytes: Buffer | null = null;
  let defaultDir: Direction;
  try {
    defaultDir = parseDirection(def('direction'));
  } catch (e) {
    throw new EdwError('usage', `profile "${profile.name}": default ${(e as Error).message}`);
  }
  let dir: Direction = defaultDir;
  const defaultQuality = def('quality');
  const defaultSeconds = def('seconds');
  let lastSeconds = -1;

  let series: SeriesState | null = null;
  let seriesOwner: Owner | null = null;
  let seriesType = -1;
  let rtCommodity = '';
  let rtUnit: UnitInfo | null = null;
  let rtSeconds = -1;
  let rtDir: Direction | null = null;
  let rtId = -1;

  const converted = new Map<string, number>();
  let unitDefaulted = 0;
  const ambiguous = new Map<string, { count: number; example: string }>();
  let ambiguousFallback = 0;
  const wideDays = new Map<string, DayMap>();
  stamp.usOrder = 0;

  const resolveOwner = (row: ByteRow): Owner => {
    let same = owner !== null;
    if (same)
      for (let k = 0; k < cOwner.length; k++) {
        if (!row.equals(cOwner[k] as number, lastOwnerKeys[k] as Buffer)) {
          same = false;
          break;
        }
      }
    if (same) return owner as Owner;
    rowRef = row;
    const key = spec.ownerFields.map((f) => getField(f)).join('\u0001');
    let o = owners.get(key);
    if (o === undefined) {
      try {
        o = spec.owner(getField, row.line);
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        o = e;
      }
      owners.set(key, o);
    }
    if (o instanceof RowError) {
      owner = null;
      throw o;
    }
    owner = o;
    lastOwnerKeys = cOwner.map((i) => row.copy(i));
    return o;
  };

  const resolveUnit = (row: ByteRow, o: Owner, ch: Channel | null): UnitInfo => {
    if (cUnit < 0 || row.len(cUnit) === 0) {
      if (ch !== null && ch.unit !== null) {
        checkFit(ch.unit, o.commodity, o.label, ch.unit.code);
        return ch.unit;
      }
      const text = def('unit');
      if (text === '') {
        unitDefaulted++;
        const u = units.resolve(DEFAULT_UNIT[o.commodity] ?? 'kWh');
        checkFit(u, o.commodity, o.label, u.code);
        return u;
      }
      const u = units.resolve(text);
      checkFit(u, o.commodity, o.label, text);
      return u;
    }
    if (lastUnitBytes === null || !row.equals(cUnit, lastUnitBytes)) {
      unitText = row.str(cUnit);
      unit = units.resolve(unitText);
      lastUnitBytes = row.copy(cUnit);
      fitFor = null;
    }
    const u = unit as UnitInfo;
    if (fitFor !== o.commodity) {
      checkFit(u, o.commodity, o.label, unitText);
      fitFor = o.commodity;
    }
    return u;
  };

  const resolveQuality = (row: ByteRow, o: Owner): number => {
    if (cQuality < 0 || row.len(cQuality) === 0)
      return defaultQuality === '' ? QUALITY.valid : o.quality.code(defaultQuality);
    if (
      lastQualityBytes === null ||
      qualityFor !== o.quality ||
      !row.equals(cQuality, lastQualityBytes)
    ) {
      qualityCode = o.quality.code(row.str(cQuality));
      lastQualityBytes = row.copy(cQuality);
      qualityFor = o.quality;
    }
    return qualityCode;
  };

  // Channels (registers): code → unit and direction, from the profile or the code's words.
  const channelCache = new Map<string, Channel | RowError>();
  let lastChannelBytes: Buffer | null = null;
  let channel: Channel | null = null;
  const channelSeen = new Map<string, number>();
  const channelsUnknown = new Map<string, number>();
  let channelSkipped = 0;
  const channelOf = (text: string): Channel => {
    const entry =
      profile.channels[text] ??
      Object.entries(profile.channels).find(([k]) => k.toLowerCase() === text.toLowerCase())?.[1];
    if (entry) {
      let unit: UnitInfo | null = null;
      if (entry.unit !== undefined) {
        try {
          unit = units.resolve(entry.unit);
        } catch (e) {
          if (!(e instanceof RowError)) throw e;
          throw new EdwError('usage', `profile "${profile.name}": channel ${text}: ${e.message}`);
        }
      }
      return {
        code: text,
        unit,
        direction: entry.direction ?? null,
        skip: entry.skip === true,
        named: false,
      };
    }
    const read = channelFromName(text, (t) => {
      try {
        return units.resolve(t);
      } catch (e) {
        if (e instanceof RowError) return null;
        throw e;
      }
    });
    if (read === null)
      throw new RowError(
        'channel',
        text,
        `unknown channel "${text}": its name gives no unit; map it in the profile's channels, e.g. "channels": { "${text}": { "unit": "kWh", "direction": "forward" } } (or { "skip": true } to leave it out)`,
      );
    return { code: text, unit: read.unit, direction: read.direction, skip: false, named: true };
  };
  const resolveChannel = (row: ByteRow): Channel | null => {
    if (cChannel < 0) return null;
    if (lastChannelBytes !== null && row.equals(cChannel, lastChannelBytes)) return channel;
    const text = row.str(cChannel);
    if (text === '') throw new RowError('channel', '', 'channel is empty');
    let c = channelCache.get(text);
    if (c === undefined) {
      try {
        c = channelOf(text);
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        c = e;
      }
      channelCache.set(text, c);
    }
    if (c instanceof RowError) {
      lastChannelBytes = null;
      channelsUnknown.set(text, (channelsUnknown.get(text) ?? 0) + 1);
      throw c;
    }
    channel = c;
    lastChannelBytes = row.copy(cChannel);
    if (!channelSeen.has(text)) channelSeen.set(text, 0);
    return c;
  };

  const resolveDirection = (row: ByteRow, ch: Channel | null): Direction => {
    if (cDirection < 0 || row.len(cDirection) === 0)
      return ch !== null && ch.direction !== null ? ch.direction : defaultDir;
    if (lastDirBytes === null || !row.equals(cDirection, lastDirBytes)) {
      dir = parseDirection(row.str(cDirection));
      lastDirBytes = row.copy(cDirection);
    }
    return dir;
  };

  const resolveSeconds = (row: ByteRow): number => {
    if (wide) return wide.seconds;
    let s: number;
    if (cSeconds < 0 || row.len(cSeconds) === 0) {
      if (defaultSeconds === '')
        throw new RowError(
          'seconds',
          '',
          'seconds is empty: give the interval length in seconds (or a profile default)',
        );
      s = Number(defaultSeconds);
    } else s = parseUint(row.buf, row.starts[cSeconds] as number, row.ends[cSeconds] as number);
    if (s === lastSeconds) return s;
    if (!checkSeconds(s))
      throw new RowError(
        'seconds',
        cSeconds < 0 ? defaultSeconds : row.str(cSeconds),
        'seconds must be an interval length that divides a day (86400) and is at least 60, e.g. 300, 900, 3600 or 86400',
      );
    lastSeconds = s;
    return s;
  };

  const resolveSeries = (o: Owner, u: UnitInfo, seconds: number, d: Direction): SeriesState => {
    if (rtCommodity !== o.commodity || rtUnit !== u || rtSeconds !== seconds || rtDir !== d) {
      rtId = types.id({
        commodity: o.commodity,
        unit: u.store,
        direction: d,
        seconds,
        accumulation: u.accumulation,
        measure: u.measure,
      });
      rtCommodity = o.commodity;
      rtUnit = u;
      rtSeconds = seconds;
      rtDir = d;
    }
    if (series === null || seriesOwner !== o || seriesType !== rtId) {
      series = stage.seriesFor(
        o.usagePointId !== undefined
          ? { usagePointId: o.usagePointId }
          : { sensorId: o.sensorId as number },
        rtId,
        { label: o.label, unit: u.store, zone: o.zone, seconds },
      );
      seriesOwner = o;
      seriesType = rtId;
    }
    return series;
  };

  // Multiplier of the current row (1 without a multiplier column): value × multiplier, exact.
  let multText = '1';
  let multMantissa = 1;
  let multDecimals = 0;
  let multNegative = false;
  let lastMultBytes: Buffer | null = null;
  let multiplied = 0;
  const resolveMultiplier = (row: ByteRow): void => {
    if (cMultiplier < 0 || row.len(cMultiplier) === 0) {
      if (multText !== '1' || lastMultBytes !== null) {
        multText = '1';
        multMantissa = 1;
        multDecimals = 0;
        multNegative = false;
        lastMultBytes = null;
      }
      return;
    }
    if (lastMultBytes !== null && row.equals(cMultiplier, lastMultBytes)) return;
    const text = row.str(cMultiplier);
    const r = parseNumber(
      row.buf,
      row.starts[cMultiplier] as number,
      row.ends[cMultiplier] as number,
      decimalByte,
    );
    if (r !== NUM_OK || numeric.mantissa === 0)
      throw new RowError(
        'multiplier',
        text,
        `multiplier ${text} is not a non-zero decimal number (values are multiplied by it)`,
      );
    lastMultBytes = null; // set after the checks below succeed
    multMantissa = numeric.mantissa;
    multDecimals = numeric.decimals;
    multNegative = numeric.negative;
    multText = `${multNegative ? '-' : ''}${canonicalDecimalOf(multMantissa, multDecimals)}`;
    lastMultBytes = row.copy(cMultiplier);
  };

  // Numbers that are not plain decimals: thousands separators and decimal commas.
  let decimalCommaGuessed = 0;
  let noValue = 0;
  const plainDecimal = (column: string, text: string): string => {
    const t = text.trim();
    const sep = profile.decimalSeparator;
    if (sep === ',') {
      // 1.234,5 · 1 234,5 · 1'234,5 · 1234,5
      if (/^[-+]?\d{1,3}([. \u00a0\u202f'’]\d{3})+(,\d+)?$/.test(t))
        return t.replace(/[. \u00a0\u202f'’]/g, '').replace(',', '.');
      throw new RowError(
        column,
        text,
        `${column} ${text} is not a number with a decimal comma (the profile's decimalSeparator is ",")`,
      );
    }
    if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) {
      if (sep === '.' || t.includes('.')) return t.replace(/,/g, '');
      throw new RowError(
        column,
        text,
        `${column} ${text} is ambiguous: a thousands separator (${t.replace(/,/g, '')}) or a decimal comma (${t.replace(',', '.')}); set the profile's decimalSeparator ("." or ",")`,
      );
    }
    if (sep === undefined) {
      if (/^[-+]?\d+,\d+$/.test(t)) {
        // Not a thousands grouping (not 3 digits after the comma, or a leading 0): a decimal comma.
        decimalCommaGuessed++;
        return t.replace(',', '.');
      }
      if (/^[-+]?\d{1,3}(\.\d{3})+,\d+$/.test(t)) {
        decimalCommaGuessed++;
        return t.replace(/\./g, '').replace(',', '.');
      }
    }
    if (t.includes(','))
      throw new RowError(
        column,
        text,
        `${column} ${text} is not a number: its comma is neither a decimal comma nor a thousands separator${sep === '.' ? ' (the profile\'s decimalSeparator is ".")' : ''}`,
      );
    return t;
  };

  /** The value of a field in storage units; NaN for an empty cell. */
  const readValue = (
    row: ByteRow,
    i: number,
    u: UnitInfo,
    d: Direction,
    column: string,
  ): number => {
    const s = row.starts[i] as number;
    const e = row.ends[i] as number;
    const r = parseNumber(row.buf, s, e, decimalByte);
    let v: number;
    if (r === NUM_EMPTY) return NaN;
    if (r === NUM_OK && (multMantissa === 1 || numeric.mantissa * multMantissa < 2 ** 53)) {
      v = scaled(numeric.mantissa * multMantissa, numeric.decimals + multDecimals, u.exp);
      if (numeric.negative !== multNegative && v !== 0) v = -v;
    } else {
      const text = row.str(i);
      if (NO_VALUE.test(text)) {
        noValue++;
        return NaN;
      }
      let dec = decimal(column, r === NUM_OK ? text.replace(',', '.') : plainDecimal(column, text));
      if (multText !== '1') dec = multiplyDecimal(dec, multText);
      v = Number(shiftDecimal(dec, u.exp));
      if (Object.is(v, -0)) v = 0;
    }
    if (v < 0 && u.accumulation === 'delta' && d === 'forward')
      throw new RowError(
        column,
        row.str(i),
        `${column} is negative: forward (delivered) ${u.measure} must be ≥ 0; give direction net or reverse for export or net readings`,
      );
    if (multText !== '1') multiplied++;
    if (u.exp !== 0)
      converted.set(`${u.code} → ${u.store}`, (converted.get(`${u.code} → ${u.store}`) ?? 0) + 1);
    return v;
  };

  /** The row's time stamp as text (date and time columns joined) for messages. */
  let joined: string | null = null;
  const startText = (row: ByteRow) => joined ?? (cStart >= 0 ? row.str(cStart) : def('start'));

  /** parseStamp of the row's start (or end) field, joined with the time column if any. */
  /** A zone abbreviation after the time ("01:00 EST"): true daylight, false standard, null none. */
  let stampFlag: boolean | null = null;
  const parseStart = (row: ByteRow): number => {
    stampFlag = null;
    const r = parseStartText(row);
    if (r !== STAMP_NONE) return r;
    // "11/3/2019 1:00 AM EST", "2019-11-03 01:00:00 EDT": the abbreviation is a DST flag.
    const full = startText(row);
    const m = /^(.*\d(?:\s*[AaPp][Mm])?)\s+([A-Za-z]{1,5})$/.exec(full);
    if (m === null) return r;
    const abbr = (m[2] as string).toUpperCase();
    const offset = ZONE_ABBREVIATIONS[abbr];
    const flag = dstFlag(abbr);
    if (offset === undefined && flag === null) return r;
    const b = Buffer.from(m[1] as string);
    const r2 = parseStamp(b, 0, b.length, profile.dateFormat);
    if (r2 !== STAMP_LOCAL || stamp.dateOnly) return r;
    joined = full; // messages quote the stamp as written
    if (offset !== undefined) {
      // A zone abbreviation is an exact offset (a file kept in standard time all year is read right).
      zoneAbbreviations++;
      stamp.offset = offset;
      stamp.epoch = stamp.day * 86400 + stamp.wall - offset;
      return STAMP_EXACT;
    }
    stampFlag = flag;
    return r2;
  };
  const parseStartText = (row: ByteRow): number => {
    joined = null;
    if (cTime >= 0 && !wide && row.len(cTime) === 0)
      throw new RowError(
        'time',
        '',
        'time is empty (the row gives a date without its time of day)',
      );
    if (cTime >= 0 && !wide) {
      const date = (cStart >= 0 ? row.str(cStart) : def('start')).replace(
        /[T ]+0?0:00(:00(\.0+)?)?$/,
        '',
      );
      joined = `${date} ${timeOfDay(row.str(cTime))}`;
      const b = Buffer.from(joined);
      return parseStamp(b, 0, b.length, profile.dateFormat);
    }
    if (cStart >= 0)
      return parseStamp(
        row.buf,
        row.starts[cStart] as number,
        row.ends[cStart] as number,
        profile.dateFormat,
      );
    const b = Buffer.from(def('start'));
    return parseStamp(b, 0, b.length, profile.dateFormat);
  };

  let dstFlagged = 0;
  let zoneAbbreviations = 0;
  /**
   * Epoch of a long row's start (with `guess` set, a local day near it); resolves fall-back
   * times by the DST flag column, else by order. End stamps are moved back one interval.
   */
  let guess = 0;
  const readStart = (row: ByteRow, o: Owner, s: SeriesState, seconds: number): number => {
    const pz = parseZone ?? o.zone;
    const back = endStamps ? seconds : 0;
    const r = parseStart(row);
    if (r === STAMP_EXACT) {
      guess = Math.floor((stamp.epoch + stamp.offset - back) / 86400);
      return stamp.epoch - back;
    }
    if (r === STAMP_BAD) throw new RowError('start', startText(row), `start ${stamp.problem}`);
    if (r === STAMP_NONE) {
      const text = startText(row);
      if (text === '') throw new RowError('start', '', 'start is empty');
      const t = instant('start', text, pz.zone, profile.dateFormat);
      guess = Math.floor((t.epoch - back) / 86400);
      if (t.ambiguous) ambiguousFallback++;
      return t.epoch - back;
    }
    // Local wall-clock time in the parse zone.
    const day = stamp.day;
    const wall = stamp.wall;
    if (wall === 86400 && !endStamps && profile.timestamps === undefined)
      throw new RowError(
        'start',
        startText(row),
        `start ${startText(row)} is 24:00, the end of a day: the file's time stamps look like interval ends (hour ending); set the profile's timestamps to "end" (or to "start" to read 24:00 as the next midnight)`,
      );
    const first = pz.local(day, wall);
    guess = day + Math.floor((wall - back) / 86400);
    if (pz.nonexistent)
      throw new RowError(
        'start',
        startText(row),
        `local time ${startText(row)} does not exist in ${pz.zone} (the clocks spring forward that night)`,
      );
    const later = pz.later;
    if (later === later) {
      if (stampFlag !== null) {
        dstFlagged++;
        return (stampFlag ? first : later) - back;
      }
      if (cDst >= 0 && row.len(cDst) > 0) {
        const flag = dstFlag(row.str(cDst));
        if (flag === null)
          throw new RowError(
            'dst',
            row.str(cDst),
            `dst flag ${row.str(cDst)} is not a daylight-time flag (Y/N, yes/no, 1/0, true/false, D/S, EDT/EST, CDT/CST …)`,
          );
        dstFlagged++;
        return (flag ? first : later) - back;
      }
      const key = `${s.id}|${first}`;
      const seen = ambiguous.get(key);
      if (seen) {
        seen.count++;
        return later - back;
      }
      ambiguous.set(key, { count: 1, example: `${o.label} ${startText(row)} (line ${row.line})` });
    }
    return first - back;
  };

  const reject = (line: number, column: string, value: string, reason: string) =>
    ctx.reject({ line, column, value, reason });

  /** The row's channel; false when the channel is skipped by the profile. */
  const channelRow = (row: ByteRow): Channel | null | false => {
    const ch = resolveChannel(row);
    if (ch !== null && ch.skip) {
      channelSkipped++;
      return false;
    }
    return ch;
  };

  const longRow = (row: ByteRow): boolean => {
    const o = resolveOwner(row);
    const ch = channelRow(row);
    if (ch === false) return false;
    const u = resolveUnit(row, o, ch);
    const seconds = resolveSeconds(row);
    const d = resolveDirection(row, ch);
    const q = resolveQuality(row, o);
    const s = resolveSeries(o, u, seconds, d);
    resolveMultiplier(row);
    let value = readValue(row, cValue, u, d, 'value');
    if (value !== value) {
      if (q !== QUALITY.missing && q !== QUALITY.failed)
        throw new RowError(
          'value',
          '',
          'value is empty (only a missing or failed reading may have no value)',
        );
      value = 0;
    }
    if (q === QUALITY.missing) value = 0;
    const epoch = readStart(row, o, s, seconds);
    const r = stage.put(s, epoch, guess, value, q, row.line, cValue);
    if (ch !== null) channelSeen.set(ch.code, (channelSeen.get(ch.code) ?? 0) + 1);
    if (r === 0 || r === PUT_DUPLICATE) return true;
    const what = endStamps ? 'end' : 'start';
    if (r === PUT_MISALIGNED)
      throw new RowError(
        'start',
        startText(row),
        seconds === 86400
          ? `${what} ${startText(row)} is not local midnight in ${s.zone.zone}: daily readings cover whole local days`
          : `${what} ${startText(row)} is not on the ${seconds}-second slot grid of its local day in ${s.zone.zone} (slots ${what === 'end' ? 'end' : 'start'} at local midnight)`,
      );
    if (r === PUT_CONFLICT)
      throw new RowError(
        'value',
        row.str(cValue),
        `${o.label} at ${formatLocal(s.zone, epoch, stage.day)}: ${value} ${u.store}${q ? ` (${QUALITY_NAMES[q]})` : ''} conflicts with ${stage.otherValue} ${u.store}${stage.otherQuality ? ` (${QUALITY_NAMES[stage.otherQuality]})` : ''} given earlier in the file for the same slot; the first is kept`,
      );
    return true;
  };

  const dayMap = (z: ZoneDays, day: number, seconds: number): DayMap => {
    const key = `${z.zone}|${day}|${seconds}`;
    let m = wideDays.get(key);
    if (m) return m;
    const nominal = 86400 / seconds;
    const regular = new Float64Array(nominal);
    const later: number[] = [];
    for (let j = 0; j < nominal; j++) {
      const first = z.local(day, j * seconds);
      regular[j] = z.nonexistent ? NaN : first;
      if (z.later === z.later) later.push(z.later);
    }
    m = { regular, repeated: Float64Array.from(later) };
    wideDays.set(key, m);
    return m;
  };

  const wideRow = (row: ByteRow): boolean => {
    const o = resolveOwner(row);
    const ch = channelRow(row);
    if (ch === false) return false;
    const u = resolveUnit(row, o, ch);
    const seconds = (wide as NonNullable<typeof wide>).seconds;
    const d = resolveDirection(row, ch);
    const q = resolveQuality(row, o);
    const s = resolveSeries(o, u, seconds, d);
    resolveMultiplier(row);
    const r = parseStart(row);
    const text = startText(row);
    if (r === STAMP_BAD) throw new RowError('start', text, `start ${stamp.problem}`);
    if (r === STAMP_NONE)
      throw new RowError(
        'start',
        text,
        text === '' ? 'start is empty' : 'start is not a date (wide rows hold one local day)',
      );
    if (stamp.wall !== 0)
      throw new RowError(
        'start',
        text,
        'start must be a date or local midnight: a wide row holds one local day',
      );
    const day = stamp.day;
    const pz = parseZone ?? o.zone;
    const plain = pz.len(day) === 86400;
    const map = plain ? null : dayMap(pz, day, seconds);
    const base = plain ? pz.start(day) : 0;
    const lay = layout as WideLayout;
    let accepted = 0;
    let cells = 0;
    const cell = (i: number, epoch: number, missingReason: string | null): void => {
      if (row.len(i) === 0) return;
      cells++;
      const column = headers[i] as string;
      try {
        let v = readValue(row, i, u, d, column);
        if (v !== v) {
          cells--; // NULL, N/A, -: not provided
          return;
        }
        if (missingReason !== null) throw new RowError(column, row.str(i), missingReason);
        if (q === QUALITY.missing) v = 0;
        const res = stage.put(s, epoch, day, v, q, row.line, i);
        if (res === PUT_CONFLICT)
          throw new RowError(
            column,
            row.str(i),
            `${o.label} at ${formatLocal(s.zone, epoch, stage.day)}: ${v} ${u.store} conflicts with ${stage.otherValue} ${u.store} given earlier in the file for the same slot; the first is kept`,
          );
        if (res === PUT_MISALIGNED)
          throw new RowError(
            column,
            row.str(i),
            `${column} does not fall on the slot grid of ${s.zone.zone}`,
          );
        accepted++;
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        reject(row.line, e.column ?? column, e.value ?? row.str(i), e.message);
      }
    };
    if (elapsed) {
      // Column j: the j-th interval since local midnight; a short day leaves the last empty.
      const start = pz.start(day);
      const slots = pz.len(day) / seconds;
      for (let j = 0; j < lay.regular.length; j++)
        cell(
          lay.regular[j] as number,
          start + j * seconds,
          j < slots
            ? null
            : `${headers[lay.regular[j] as number]} is interval ${j + 1} of ${iso(day)}, which has ${slots} ${seconds}-second intervals in ${pz.zone}: leave the cell empty`,
        );
      if (ch !== null && accepted > 0)
        channelSeen.set(ch.code, (channelSeen.get(ch.code) ?? 0) + 1);
      return accepted > 0 || cells === 0;
    }
    for (let j = 0; j < lay.regular.length; j++) {
      const i = lay.regular[j] as number;
      if (map === null) cell(i, base + j * seconds, null);
      else {
        const t = map.regular[j] as number;
        cell(
          i,
          t,
          t === t
            ? null
            : `${headers[i]} is the local time ${hhmm(j * seconds)} on ${iso(day)}, which does not exist in ${pz.zone} (the clocks spring forward): leave the cell empty (if the file lists the day's intervals in elapsed order, set the profile's wide.slots to "elapsed")`,
        );
      }
    }
    for (let r2 = 0; r2 < lay.repeated.length; r2++) {
      const i = lay.repeated[r2] as number;
      const t = map?.repeated[r2];
      cell(
        i,
        t ?? 0,
        t !== undefined
          ? null
          : `${headers[i]} holds the repeated hour of a fall-back day; ${iso(day)} has none in ${pz.zone}: leave the cell empty`,
      );
    }
    if (ch !== null && accepted > 0) channelSeen.set(ch.code, (channelSeen.get(ch.code) ?? 0) + 1);
    return accepted > 0 || cells === 0;
  };

  /** A totals or summary row ("Total", "Grand Total", no usage point and no date). */
  const summaryExamples: number[] = [];
  let summaryRows = 0;
  const isSummary = (row: ByteRow): boolean => {
    for (let i = 0; i < row.n && i < headers.length + 1; i++)
      if (row.len(i) > 0 && row.len(i) < 40 && SUMMARY.test(row.str(i))) return true;
    for (const c of cOwner) if (c >= 0 && row.len(c) > 0) return false;
    return cStart < 0 || row.len(cStart) === 0;
  };
  const summary = (row: ByteRow): void => {
    summaryRows++;
    rowsTotal--;
    if (summaryExamples.length < AMBIGUOUS_EXAMPLES) summaryExamples.push(row.line);
  };
  let shortWideRows = 0;

  const onRow = (row: ByteRow): void => {
    rowsTotal++;
    if (row.n !== headers.length) {
      // A wide row whose trailing value cells were left out (no 25th-hour column on normal days).
      const short =
        layout !== null &&
        row.n < headers.length &&
        row.n > Math.max(cStart, ...cOwner) &&
        Array.from({ length: headers.length - row.n }, (_, k) => row.n + k).every(
          (i) => layout?.regular.includes(i) || layout?.repeated.includes(i),
        );
      if (short) shortWideRows++;
      else if (isSummary(row)) {
        summary(row);
        return;
      } else {
        ctx.reject({
          line: row.line,
          column: null,
          value: null,
          reason: `expected ${headers.length} columns, found ${row.n} (truncated or malformed line)`,
        });
        return;
      }
    }
    try {
      if (wide) {
        if (wideRow(row)) rowsAccepted++;
      } else if (longRow(row)) rowsAccepted++;
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      if (isSummary(row)) {
        summary(row);
        return;
      }
      ctx.reject({
        line: row.line,
        column: e.column === null ? null : sourceColumn(e.column),
        value: e.value,
        reason: e.message,
      });
    }
  };

  // Lines before the header (a report preamble: "Account Number,…", a title, a blank line) are
  // skipped: the header is the first of the first lines that has the profile's columns.
  let headerLine = 0;
  const preamble: number[] = [];
  let headerError: EdwError | null = null;
  const onHeaderLine = (h: string[], line: number): boolean => {
    try {
      onHeader(h);
      headerLine = line;
      return true;
    } catch (e) {
      if (!(e instanceof EdwError) || e.code !== 'input_rejected') throw e;
      headerError ??= e;
      if (preamble.length >= MAX_PREAMBLE_LINES) throw headerError;
      preamble.push(line);
      return false;
    }
  };
  await readByteCsv(ctx.path, {
    fileName: ctx.file,
    signal: ctx.signal,
    onHeader: onHeaderLine,
    onRow,
    onChunk: async (done, size) => {
      ctx.progress(done, size, 'bytes');
      await ctx.breathe();
    },
  });
  if (headerLine === 0 && headerError) throw headerError;
  stage.flush();
  if (preamble.length)
    findings.push({
      kind: 'note',
      count: preamble.length,
      message: `${plural(preamble.length, 'line')} before the header (line ${headerLine}) skipped as a preamble, not data: line${preamble.length > 1 ? 's' : ''} ${preamble.length > 1 ? `${preamble[0]}–${preamble[preamble.length - 1]}` : preamble[0]}`,
    });

  // ── findings ──
  findings.push(...stage.findings());
  let resolved = 0;
  let single = 0;
  const singles: string[] = [];
  for (const a of ambiguous.values()) {
    if (a.count >= 2) resolved++;
    else {
      single++;
      if (singles.length < AMBIGUOUS_EXAMPLES) singles.push(a.example);
    }
  }
  if (resolved)
    findings.push({
      kind: 'tolerated',
      count: resolved,
      message: `${plural(resolved, 'repeated fall-back local time')} without a UTC offset resolved by order: the first occurrence read as daylight time, the second as standard time`,
    });
  if (single || ambiguousFallback)
    findings.push({
      kind: 'tolerated',
      count: single + ambiguousFallback,
      message: `${plural(single + ambiguousFallback, 'fall-back local time')} without a UTC offset occurred only once for ${single + ambiguousFallback === 1 ? 'its' : 'their'} series and ${single + ambiguousFallback === 1 ? 'was' : 'were'} read as daylight time (give an offset to be exact)${singles.length ? `; e.g. ${singles.join('; ')}` : ''}`,
    });
  if (dstFlagged)
    findings.push({
      kind: 'note',
      count: dstFlagged,
      message: `${plural(dstFlagged, 'repeated fall-back local time')} placed by the DST flag column (${sourceColumn('dst')})`,
    });
  if (stamp.usOrder)
    findings.push({
      kind: 'note',
      count: stamp.usOrder,
      message: `${plural(stamp.usOrder, 'date')} such as 05/06/2019 read month/day (US order, the profile gives no dateFormat); set dateFormat to dmy for a day-first file`,
    });
  if (zoneAbbreviations)
    findings.push({
      kind: 'note',
      count: zoneAbbreviations,
      message: `${plural(zoneAbbreviations, 'time stamp')} with a zone abbreviation (EST, EDT, CET …) read at that abbreviation's fixed UTC offset`,
    });
  if (summaryRows)
    findings.push({
      kind: 'note',
      count: summaryRows,
      message: `${plural(summaryRows, 'totals row')} (a "Total" field, or no usage point and no date) skipped, not imported: line${summaryExamples.length > 1 ? 's' : ''} ${summaryExamples.join(', ')}${summaryRows > summaryExamples.length ? ' …' : ''}`,
    });
  if (shortWideRows)
    findings.push({
      kind: 'tolerated',
      count: shortWideRows,
      message: `${plural(shortWideRows, 'row')} ended before the last value columns; the cells left out were read as empty`,
    });
  if (channelSeen.size || channelsUnknown.size || channelSkipped) {
    const parts = [...channelSeen].map(([code, n]) => {
      const c = channelCache.get(code) as Channel;
      const what = [c.unit?.code, c.direction].filter(Boolean).join(' ');
      return `${code}${what ? ` (${what}${c.named ? ', from its name' : ''})` : ''}: ${n}`;
    });
    if (parts.length)
      findings.push({
        kind: 'note',
        message: `channels imported as separate series (rows per channel): ${parts.join('; ')}`,
      });
    if (channelSkipped)
      findings.push({
        kind: 'note',
        count: channelSkipped,
        message: `${plural(channelSkipped, 'row')} of channels the profile skips (${Object.entries(
          profile.channels,
        )
          .filter(([, c]) => c.skip)
          .map(([k]) => k)
          .join(', ')}) not imported`,
      });
    if (channelsUnknown.size)
      findings.push({
        kind: 'note',
        count: [...channelsUnknown.values()].reduce((a, b) => a + b, 0),
        message: `rows of unknown channels rejected: ${[...channelsUnknown].map(([k, n]) => `${k} (${n})`).join(', ')}; map them in the profile's channels`,
      });
  }
  if (multiplied)
    findings.push({
      kind: 'note',
      count: multiplied,
      message: `${plural(multiplied, 'value')} multiplied by the row's ${sourceColumn('multiplier')} (exact decimal product)`,
    });
  if (noValue)
    findings.push({
      kind: 'tolerated',
      count: noValue,
      message: `${plural(noValue, 'value')} written as NULL, N/A or - read as not provided`,
    });
  if (decimalCommaGuessed)
    findings.push({
      kind: 'tolerated',
      count: decimalCommaGuessed,
      message: `${plural(decimalCommaGuessed, 'value')} written with a decimal comma (e.g. 0,25) read as decimals; set the profile's decimalSeparator to "," to say so`,
    });
  for (const [what, n] of converted)
    findings.push({
      kind: 'note',
      count: n,
      message: `${plural(n, 'value')} converted ${what} (exact decimal shift)`,
    });
  if (unitDefaulted)
    findings.push({
      kind: 'tolerated',
      count: unitDefaulted,
      message: `${plural(unitDefaulted, 'row')} had no unit and ${unitDefaulted === 1 ? 'was' : 'were'} read in the commodity's usual unit (kWh for electricity, therm for gas, gal for water)`,
    });
  findings.push(...(spec.findings?.() ?? []));

  // A file whose readings all conflicted imported nothing.
  if (
    stage.readingsWritten === 0 &&
    stage.duplicatesStored === 0 &&
    stage.duplicatesInFile === 0 &&
    stage.lateRejects > 0
  )
    rowsAccepted = 0;

  return {
    rowsTotal,
    rowsAccepted: Math.max(0, rowsAccepted),
    findings,
    written: {
      readings: stage.readingsWritten,
      interval_block: stage.blocksInserted + stage.blocksUpdated,
      ...(stage.seriesCreated ? { series: stage.seriesCreated } : {}),
      ...(types.created ? { reading_type: types.created } : {}),
      ...(spec.written?.() ?? {}),
    },
  };
}

function hhmm(wall: number): string {
  return `${String(Math.floor(wall / 3600)).padStart(2, '0')}:${String(Math.floor((wall % 3600) / 60)).padStart(2, '0')}`;
}

function iso(day: number): string {
  const [y, m, d] = civilFromDays(day);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Does a header name an interval end (ReadEnd, EndTime, INTERVAL_END, Hour Ending)? */
export function namesAnEnd(header: string): boolean {
  const words = header
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((w) => w === 'end' || w === 'ending' || w === 'ende' || w === 'he');
}

/** Exact product of two decimal texts ("0.125" × "40" → "5.000"). */
function multiplyDecimal(a: string, b: string): string {
  const x = parseDec(a);
  const y = parseDec(b);
  if (!x || !y) throw new RangeError(`not decimal: ${a} × ${b}`);
  return formatDec({ digits: x.digits * y.digits, scale: x.scale + y.scale });
}

function canonicalDecimalOf(mantissa: number, decimals: number): string {
  return formatDec({ digits: BigInt(mantissa), scale: decimals });
}

const FORWARD_WORDS = ['delivered', 'dlvd', 'del', 'fwd', 'forward', 'import', 'imp', 'consumed'];
const REVERSE_WORDS = [
  'received',
  'rcvd',
  'rec',
  'rev',
  'reverse',
  'export',
  'exp',
  'generated',
  'gen',
];

/**
 * Unit and direction named by a channel code's words: "kWh Delivered", "KWH_REC", "kVArh",
 * "Net kWh", "kWhDel". Null when no word (or word minus a direction prefix/suffix) is a unit.
 */
export function channelFromName(
  text: string,
  unitOf: (word: string) => UnitInfo | null,
): { unit: UnitInfo; direction: Direction | null } | null {
  const words = text.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  let unit: UnitInfo | null = null;
  let dir: Direction | null = null;
  const dirOf = (w: string): Direction | null =>
    FORWARD_WORDS.includes(w)
      ? 'forward'
      : REVERSE_WORDS.includes(w)
        ? 'reverse'
        : w === 'net'
          ? 'net'
          : null;
  for (const word of words) {
    const w = word.toLowerCase();
    const d = dirOf(w);
    if (d !== null) {
      if (dir !== null && dir !== d) return null;
      dir = d;
      continue;
    }
    if (/^\d+$/.test(w)) continue;
    let u: UnitInfo | null = unit === null ? unitOf(word) : null;
    if (u === null && unit === null)
      for (const x of [...FORWARD_WORDS, ...REVERSE_WORDS, 'net']) {
        const rest = w.endsWith(x)
          ? word.slice(0, -x.length)
          : w.startsWith(x)
            ? word.slice(x.length)
            : '';
        if (rest === '') continue;
        u = unitOf(rest);
        if (u !== null) {
          dir = dirOf(x);
          break;
        }
      }
    if (u !== null) unit = u;
  }
  return unit === null ? null : { unit, direction: dir };
}

/** A time column's text as H:MM: "7" → "7:00" (hour), "0015" → "00:15"; others as given. */
function timeOfDay(text: string): string {
  const t = text.trim();
  if (/^\d{1,2}$/.test(t)) return `${t}:00`;
  if (/^\d{3,4}$/.test(t)) return `${t.slice(0, -2)}:${t.slice(-2)}`;
  return t;
}

/** UTC offsets (seconds) of the zone abbreviations utility exports write after a time. */
const ZONE_ABBREVIATIONS: Record<string, number> = {
  UTC: 0,
  GMT: 0,
  WET: 0,
  BST: 3600,
  WEST: 3600,
  CET: 3600,
  CEST: 7200,
  EET: 7200,
  EEST: 10800,
  AST: -4 * 3600,
  ADT: -3 * 3600,
  EST: -5 * 3600,
  EDT: -4 * 3600,
  CST: -6 * 3600,
  CDT: -5 * 3600,
  MST: -7 * 3600,
  MDT: -6 * 3600,
  PST: -8 * 3600,
  PDT: -7 * 3600,
  AKST: -9 * 3600,
  AKDT: -8 * 3600,
  HST: -10 * 3600,
};

const DAYLIGHT =
  /^(y|yes|true|1|d|dst|daylight|summer|[a-z]{1,2}dt|bst|cest|eest|west|aedt|acdt|nzdt)$/i;
const STANDARD = /^(n|no|false|0|s|std|standard|winter|[a-z]{1,2}st|gmt|cet|eet|wet)$/i;

/** A daylight-time flag: true (daylight), false (standard) or null (not a flag). */
export function dstFlag(text: string): boolean | null {
  const t = text.trim();
  if (DAYLIGHT.test(t)) return true;
  if (STANDARD.test(t)) return false;
  return null;
}
