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
  /** Resolve an owner from the owner fields (by name); throws RowError. */
  owner: (get: (field: string) => string, line: number) => Owner;
  /** Extra findings and written counts of the owner resolution (e.g. sensors created). */
  findings?: () => Finding[];
  written?: () => Record<string, number>;
}

const AMBIGUOUS_EXAMPLES = 3;

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
    cOwner = spec.ownerFields.map(at);
    cStart = at('start');
    cSeconds = wide ? -1 : at('seconds');
    cValue = wide ? -1 : at('value');
    cUnit = at('unit');
    cQuality = at('quality');
    cDirection = at('direction');
    stage.columns = h; // rejects name the column as the file spells it
    if (wide) {
      const lower = new Map(h.map((x, i) => [x.toLowerCase(), i]));
      const absent = wide.valueColumns.filter((c) => !lower.has(c.toLowerCase()));
      if (absent.length)
        throw new EdwError(
          'input_rejected',
          `${ctx.file}: missing value column${absent.length > 1 ? 's' : ''} ${absent.join(', ')} of profile "${profile.name}" (wide layout); the file's header is: ${h.join(', ')}`,
          { line: 1, missing: absent },
        );
      const idx = wide.valueColumns.map((c) => lower.get(c.toLowerCase()) as number);
      const nominal = 86400 / wide.seconds;
      const marked = (c: string) => /\*\s*$|dst/i.test(c);
      let regular = idx.filter((_, j) => !marked(wide.valueColumns[j] as string));
      let repeated = idx.filter((_, j) => marked(wide.valueColumns[j] as string));
      if (repeated.length === 0 && regular.length > nominal) {
        repeated = regular.slice(nominal);
        regular = regular.slice(0, nominal);
      }
      if (regular.length !== nominal)
        throw new EdwError(
          'usage',
          `profile "${profile.name}": wide.valueColumns has ${regular.length} regular columns; ${wide.seconds}-second data needs ${nominal} (plus optional columns for the repeated hour of the fall-back day)`,
        );
      layout = { regular, repeated };
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
    return i === undefined || rowRef === null ? def(f) : rowRef.str(i);
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

  const resolveUnit = (row: ByteRow, o: Owner): UnitInfo => {
    if (cUnit < 0 || row.len(cUnit) === 0) {
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

  const resolveDirection = (row: ByteRow): Direction => {
    if (cDirection < 0 || row.len(cDirection) === 0) return defaultDir;
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
    const r = parseNumber(row.buf, s, e);
    let v: number;
    if (r === NUM_EMPTY) return NaN;
    if (r === NUM_OK) {
      v = scaled(numeric.mantissa, numeric.decimals, u.exp);
      if (numeric.negative) v = -v;
    } else {
      const text = row.str(i);
      const dec = decimal(column, text);
      v = Number(shiftDecimal(dec, u.exp));
      if (Object.is(v, -0)) v = 0;
    }
    if (v < 0 && u.accumulation === 'delta' && d === 'forward')
      throw new RowError(
        column,
        row.str(i),
        `${column} is negative: forward (delivered) ${u.measure} must be ≥ 0; give direction net or reverse for export or net readings`,
      );
    if (u.exp !== 0)
      converted.set(`${u.code} → ${u.store}`, (converted.get(`${u.code} → ${u.store}`) ?? 0) + 1);
    return v;
  };

  const startText = (row: ByteRow) => (cStart >= 0 ? row.str(cStart) : def('start'));

  /** Epoch of a long row's start (with this.guess set); resolves fall-back times by order. */
  let guess = 0;
  const readStart = (row: ByteRow, o: Owner, s: SeriesState): number => {
    const pz = parseZone ?? o.zone;
    let r: number;
    if (cStart >= 0)
      r = parseStamp(
        row.buf,
        row.starts[cStart] as number,
        row.ends[cStart] as number,
        profile.dateFormat,
      );
    else {
      const b = Buffer.from(def('start'));
      r = parseStamp(b, 0, b.length, profile.dateFormat);
    }
    if (r === STAMP_EXACT) {
      guess = Math.floor((stamp.epoch + stamp.offset) / 86400);
      return stamp.epoch;
    }
    if (r === STAMP_BAD) throw new RowError('start', startText(row), `start ${stamp.problem}`);
    if (r === STAMP_NONE) {
      const text = startText(row);
      if (text === '') throw new RowError('start', '', 'start is empty');
      const t = instant('start', text, pz.zone, profile.dateFormat);
      guess = Math.floor(t.epoch / 86400);
      if (t.ambiguous) ambiguousFallback++;
      return t.epoch;
    }
    // Local wall-clock time in the parse zone.
    const day = stamp.day;
    const wall = stamp.wall;
    const first = pz.local(day, wall);
    guess = day + Math.floor(wall / 86400);
    if (pz.nonexistent)
      throw new RowError(
        'start',
        startText(row),
        `local time ${startText(row)} does not exist in ${pz.zone} (the clocks spring forward that night)`,
      );
    const later = pz.later;
    if (later === later) {
      const key = `${s.id}|${first}`;
      const seen = ambiguous.get(key);
      if (seen) {
        seen.count++;
        return later;
      }
      ambiguous.set(key, { count: 1, example: `${o.label} ${startText(row)} (line ${row.line})` });
    }
    return first;
  };

  const reject = (line: number, column: string, value: string, reason: string) =>
    ctx.reject({ line, column, value, reason });

  const longRow = (row: ByteRow): void => {
    const o = resolveOwner(row);
    const u = resolveUnit(row, o);
    const seconds = resolveSeconds(row);
    const d = resolveDirection(row);
    const q = resolveQuality(row, o);
    const s = resolveSeries(o, u, seconds, d);
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
    const epoch = readStart(row, o, s);
    const r = stage.put(s, epoch, guess, value, q, row.line, cValue);
    if (r === 0 || r === PUT_DUPLICATE) return;
    if (r === PUT_MISALIGNED)
      throw new RowError(
        'start',
        startText(row),
        seconds === 86400
          ? `start ${startText(row)} is not local midnight in ${s.zone.zone}: daily readings cover whole local days`
          : `start ${startText(row)} is not on the ${seconds}-second slot grid of its local day in ${s.zone.zone} (slots start at local midnight)`,
      );
    if (r === PUT_CONFLICT)
      throw new RowError(
        'value',
        row.str(cValue),
        `${o.label} at ${formatLocal(s.zone, epoch, stage.day)}: ${value} ${u.store}${q ? ` (${QUALITY_NAMES[q]})` : ''} conflicts with ${stage.otherValue} ${u.store}${stage.otherQuality ? ` (${QUALITY_NAMES[stage.otherQuality]})` : ''} given earlier in the file for the same slot; the first is kept`,
      );
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
    const u = resolveUnit(row, o);
    const seconds = (wide as NonNullable<typeof wide>).seconds;
    const d = resolveDirection(row);
    const q = resolveQuality(row, o);
    const s = resolveSeries(o, u, seconds, d);
    const text = startText(row);
    let r: number;
    if (cStart >= 0)
      r = parseStamp(
        row.buf,
        row.starts[cStart] as number,
        row.ends[cStart] as number,
        profile.dateFormat,
      );
    else {
      const b = Buffer.from(text);
      r = parseStamp(b, 0, b.length, profile.dateFormat);
    }
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
            : `${headers[i]} is the local time ${hhmm(j * seconds)} on ${iso(day)}, which does not exist in ${pz.zone} (the clocks spring forward): leave the cell empty`,
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
    return accepted > 0 || cells === 0;
  };

  const onRow = (row: ByteRow): void => {
    rowsTotal++;
    if (row.n !== headers.length) {
      ctx.reject({
        line: row.line,
        column: null,
        value: null,
        reason: `expected ${headers.length} columns, found ${row.n} (truncated or malformed line)`,
      });
      return;
    }
    try {
      if (wide) {
        if (wideRow(row)) rowsAccepted++;
      } else {
        longRow(row);
        rowsAccepted++;
      }
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      ctx.reject({
        line: row.line,
        column: e.column === null ? null : sourceColumn(e.column),
        value: e.value,
        reason: e.message,
      });
    }
  };

  await readByteCsv(ctx.path, {
    fileName: ctx.file,
    signal: ctx.signal,
    onHeader,
    onRow,
    onChunk: async (done, size) => {
      ctx.progress(done, size, 'bytes');
      await ctx.breathe();
    },
  });
  stage.flush();

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
