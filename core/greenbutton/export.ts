// Green Button (ESPI Atom) export: usage points, their interval series and bills → one feed,
// streamed to a file in constant memory (docs/greenbutton-export.md).
//
// Feed layout: LocalTimeParameters (one entry per time zone), then per usage point its
// UsagePoint, per interval series a MeterReading + ReadingType and its IntervalBlocks (one per
// stored local day; one per local month for daily series), per billing-period stream
// (`period_usage`) a MeterReading + ReadingType and its IntervalBlocks (one per local year), and a
// UsageSummary per bill.
//
// Values: ESPI values are Int48 integers scaled by the ReadingType's powerOfTenMultiplier. Blocks
// store value = (base + offset) / 10^scale, so each series is written at S = the largest block
// scale (when every value then fits 48 bits): integer = (base + offset) × 10^(S − scale), exact
// integer arithmetic with no float in between, and powerOfTenMultiplier = unit shift − S.
// Billing periods hold exact decimal text: S = their largest decimal scale (same Int48 cap),
// integer = digits × 10^(S − scale) in BigInt.
//
// Streaming: blocks are read a page at a time (keyset on day: the statement is finished before
// the next await, so the shared connection stays free for other calls), each reading is written
// from precomputed string pieces into a ChunkWriter that writes 1 MiB chunks and awaits each.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Progress } from '../api/definition';
import type { Role } from '../privacy/roles';
import { CancelledError, EdwError } from '../workspace/errors';
import type { Workspace } from '../workspace/workspace';
import { dayToIso, isoToDay, localDay, offsetSeconds } from '../time/zone';
import { compareDec, parseDec, type Dec } from '../import/decimal';
import {
  ACCUMULATION,
  ATOM_NS,
  COMMODITY_KIND,
  CURRENCY_USD,
  ESPI_NS,
  FLOW,
  INT48_MAX,
  READING_QUALITY,
  SERVICE_KIND,
  UOM,
  measurementKind,
  xmlEscape,
  type UomRule,
} from './espi';
import { localTimeParameters } from './localTime';
import type { GreenButtonExportRequest, GreenButtonExportResult } from './schema';
import { authorize, resolveSelection, type UsagePointRow } from './select';
import { ascii, ChunkWriter } from './writer';

export interface ExportContext {
  role: Role;
  /** The instant consents are checked at and the feed's updated time (default: now). */
  now?: Date;
  signal?: AbortSignal;
  progress?: (p: Progress) => void;
  /** Base of the resource hrefs (default https://edw.invalid/DataCustodian/espi/1_1/resource). */
  baseUrl?: string;
  /** Bytes gathered before each write (default 1 MiB). */
  chunkBytes?: number;
}

const DEFAULT_BASE = 'https://edw.invalid/DataCustodian/espi/1_1/resource';
const LOG10_INT48 = Math.log10(INT48_MAX);
const POW10 = Array.from({ length: 13 }, (_, i) => 10 ** i);
const PAGE = 32;
/** Billing periods read per page, and at most this many per IntervalBlock. */
const PERIOD_PAGE = 256;
const INT48_BIG = BigInt(INT48_MAX);

interface SeriesRow {
  id: number;
  rtId: number;
  name: string;
  commodity: string;
  unit: string;
  flow: string;
  seconds: number;
  accumulation: string;
  measure: string;
}

interface SeriesPlan extends SeriesRow {
  uom: UomRule;
  /** Decimal scale of the written integers. */
  S: number;
  pow: number;
  blocks: number;
  slots: number;
  daily: boolean;
  minDay: number;
  maxDay: number;
  written: number;
  missing: number;
  rounded: number;
  entries: number;
}

interface PeriodStreamRow {
  rtId: number;
  name: string;
  commodity: string;
  unit: string;
  flow: string;
  accumulation: string;
  measure: string;
  n: number;
  firstDate: string;
  lastDate: string;
  longest: number;
}

interface PeriodPlan extends PeriodStreamRow {
  uom: UomRule;
  /** Decimal scale of the written integers. */
  S: number;
  pow: number;
  intervalLength: number;
  written: number;
  missing: number;
  rounded: number;
  unreadable: number;
  entries: number;
  /** Periods starting at 00:00 UTC that is not local midnight (the import reads those as dates). */
  utcMidnight: number;
}

interface PeriodRow {
  start: number;
  end: number;
  firstDate: string;
  value: string;
  quality: number;
}

interface BillRow {
  id: number;
  period_from: string;
  period_to: string;
  issued_on: string | null;
  usage: string | null;
  usage_unit: string | null;
  total_micros: number;
}

interface BillLineRow {
  line_no: number;
  code: string | null;
  description: string;
  quantity: string | null;
  unit: string | null;
  amount_micros: number;
}

interface UpPlan {
  up: UsagePointRow;
  series: SeriesPlan[];
  periods: PeriodPlan[];
  bills: BillRow[];
}

interface BlockRow {
  day: number;
  start: number;
  seconds: number;
  count: number;
  scale: number;
  base: number;
  width: number;
  vals: Buffer;
  quality: Buffer | null;
}

/** The statements of one export, prepared once. */
function statements(db: Database) {
  return {
    series: db.prepare(
      `SELECT se.id, rt.id AS rtId, rt.name, rt.commodity, rt.unit, rt.flow_direction AS flow,
              rt.interval_seconds AS seconds, rt.accumulation, rt.measure
       FROM series se JOIN reading_type rt ON rt.id = se.reading_type_id
       WHERE se.usage_point_id = ? AND rt.interval_seconds IS NOT NULL ORDER BY rt.id`,
    ),
    stats: db.prepare(
      `SELECT count(*) AS blocks, coalesce(sum(count), 0) AS slots, min(day) AS minDay, max(day) AS maxDay,
              max(CASE WHEN width < 8 THEN scale END) AS maxScale, coalesce(max(width = 8), 0) AS hasFloat,
              max(CASE WHEN width < 8 THEN log10(abs(base) + power(256, width)) - scale END) AS mag
       FROM interval_block WHERE series_id = ? AND day BETWEEN ? AND ?`,
    ),
    floats: db
      .prepare(
        'SELECT count, vals FROM interval_block WHERE series_id = ? AND day BETWEEN ? AND ? AND width = 8',
      )
      .raw(),
    periodStreams: db.prepare(
      `SELECT p.reading_type_id AS rtId, rt.name, rt.commodity, rt.unit, rt.flow_direction AS flow,
              rt.accumulation, rt.measure, count(*) AS n, min(p.first_date) AS firstDate,
              max(p.last_date) AS lastDate, max(p.end_utc - p.start_utc) AS longest
       FROM period_usage p JOIN reading_type rt ON rt.id = p.reading_type_id
       WHERE p.usage_point_id = ? AND p.first_date <= ? AND p.last_date >= ?
       GROUP BY p.reading_type_id ORDER BY p.reading_type_id`,
    ),
    periodValues: db
      .prepare(
        `SELECT value FROM period_usage
         WHERE usage_point_id = ? AND reading_type_id = ? AND first_date <= ? AND last_date >= ?`,
      )
      .pluck(),
    periodPage: db.prepare(
      `SELECT start_utc AS start, end_utc AS "end", first_date AS firstDate, value, quality FROM period_usage
       WHERE usage_point_id = ? AND reading_type_id = ? AND first_date <= ? AND last_date >= ? AND start_utc > ?
       ORDER BY start_utc LIMIT ${PERIOD_PAGE}`,
    ),
    bills: db.prepare(
      `SELECT id, period_from, period_to, issued_on, usage, usage_unit, total_micros FROM bill
       WHERE usage_point_id = ? AND period_from <= ? AND period_to >= ? ORDER BY period_from, id`,
    ),
    billLines: db.prepare(
      'SELECT line_no, code, description, quantity, unit, amount_micros FROM bill_line WHERE bill_id = ? ORDER BY line_no',
    ),
    reads: db.prepare('SELECT count(*) AS n FROM register_read WHERE usage_point_id = ?').pluck(),
    page: db.prepare(
      `SELECT day, start, seconds, count, scale, base, width, vals, quality FROM interval_block
       WHERE series_id = ? AND day > ? AND day <= ? ORDER BY day LIMIT ${PAGE}`,
    ),
  };
}
type Statements = ReturnType<typeof statements>;

/** Plan one usage point: its exportable series (with their scale) and bills in the range. */
function planUsagePoint(
  q: Statements,
  up: UsagePointRow,
  fromDay: number,
  toDay: number,
  fromIso: string,
  toIso: string,
  notes: string[],
): UpPlan {
  const seriesRows = q.series.all(up.id) as SeriesRow[];
  const series: SeriesPlan[] = [];
  for (const s of seriesRows) {
    const st = q.stats.get(s.id, fromDay, toDay) as {
      blocks: number;
      slots: number;
      minDay: number | null;
      maxDay: number | null;
      maxScale: number | null;
      hasFloat: number;
      mag: number | null;
    };
    if (st.blocks === 0) continue;
    const uom = UOM[s.unit];
    if (!uom) {
      notes.push(
        `usage point ${up.key}: series "${s.name}" not exported: its unit ${s.unit} has no ESPI unit of measure`,
      );
      continue;
    }
    let mag = st.mag ?? -Infinity;
    if (st.hasFloat) {
      // float64 blocks (values no decimal scale ≤ 12 represents): their largest magnitude.
      for (const [count, vals] of q.floats.iterate(s.id, fromDay, toDay) as IterableIterator<
        [number, Buffer]
      >) {
        for (let i = 0; i < count; i++) {
          const v = Math.abs(vals.readDoubleBE(i * 8));
          if (v > 0) mag = Math.max(mag, Math.log10(v));
        }
      }
    }
    const fit = Number.isFinite(mag) ? Math.floor(LOG10_INT48 - mag) : 12;
    let S = st.hasFloat ? Math.min(12, fit) : Math.min(st.maxScale ?? 0, fit);
    S = Math.max(0, S);
    series.push({
      ...s,
      uom,
      S,
      pow: uom.shift - S,
      blocks: st.blocks,
      slots: st.slots,
      daily: s.seconds >= 86400,
      written: 0,
      missing: 0,
      rounded: 0,
      entries: 0,
      minDay: st.minDay ?? 0,
      maxDay: st.maxDay ?? 0,
    });
  }
  const periods: PeriodPlan[] = [];
  for (const p of q.periodStreams.all(up.id, toIso, fromIso) as PeriodStreamRow[]) {
    const uom = UOM[p.unit];
    if (!uom) {
      notes.push(
        `usage point ${up.key}: ${p.n} billing period${p.n === 1 ? '' : 's'} of "${p.name}" not exported: the unit ${p.unit} has no ESPI unit of measure`,
      );
      continue;
    }
    const S = periodScale(
      q.periodValues.iterate(up.id, p.rtId, toIso, fromIso) as IterableIterator<string>,
      uom.shift,
    );
    periods.push({
      ...p,
      uom,
      S,
      pow: uom.shift - S,
      // Over a day, so that the import reads every reading as a period (a short one too).
      intervalLength: Math.min(Math.max(p.longest, 86401), 4294967295),
      written: 0,
      missing: 0,
      rounded: 0,
      unreadable: 0,
      entries: 0,
      utcMidnight: 0,
    });
  }
  const bills = q.bills.all(up.id, toIso, fromIso) as BillRow[];
  const reads = q.reads.get(up.id) as number;
  if (reads > 0)
    notes.push(
      `usage point ${up.key}: ${reads} register read${reads === 1 ? '' : 's'} not exported (Green Button IntervalBlocks carry interval data)`,
    );
  return { up, series, periods, bills };
}

/**
 * The decimal scale S billing-period values are written at: their largest scale, lowered while
 * the largest magnitude would not fit Int48, within ESPI's powerOfTenMultiplier range (±12).
 */
function periodScale(values: Iterable<string>, shift: number): number {
  let scale = 0;
  let max: Dec | null = null;
  for (const v of values) {
    const d = parseDec(v);
    if (!d) continue;
    scale = Math.max(scale, d.scale);
    const abs = { digits: d.digits < 0n ? -d.digits : d.digits, scale: d.scale };
    if (!max || compareDec(abs, max) > 0) max = abs;
  }
  let S = Math.min(scale, shift + 12);
  if (max) {
    const m = max;
    while (S > 0 && m.digits * 10n ** BigInt(S) > INT48_BIG * 10n ** BigInt(m.scale)) S--;
  }
  return Math.max(0, S);
}

/** An exact decimal at scale S: digits × 10^(S − scale), rounded half away from zero if needed. */
function scaleTo(d: Dec, S: number): { v: bigint; rounded: boolean } {
  if (S >= d.scale) return { v: d.digits * 10n ** BigInt(S - d.scale), rounded: false };
  const div = 10n ** BigInt(d.scale - S);
  const neg = d.digits < 0n;
  const a = neg ? -d.digits : d.digits;
  let v = a / div;
  const r = a - v * div;
  if (r * 2n >= div) v += 1n;
  return { v: neg ? -v : v, rounded: r !== 0n };
}

/** Whether a time is midnight on the local clock of the zone. */
function localMidnight(t: number, zone: string): boolean {
  return (t + offsetSeconds(t, zone)) % 86400 === 0;
}

/**
 * Whether edw's import would move this period: it reads a start at 00:00 UTC that is not local
 * midnight as a local date (Opower) when the end then falls on a local midnight or 00:00 UTC.
 */
function importWouldShift(start: number, end: number, zone: string): boolean {
  if (start % 86400 !== 0 || localMidnight(start, zone)) return false;
  const local = localDay(Math.floor(start / 86400), zone).start;
  return localMidnight(local + (end - start), zone) || end % 86400 === 0;
}

/** Quality codes of a block's slots into `out` (run-length list: first slot u16 BE, code u8). */
function fillQuality(out: Uint8Array, count: number, q: Buffer | null): void {
  out.fill(0, 0, count);
  if (!q) return;
  const runs = q.length / 3;
  for (let r = 0; r < runs; r++) {
    const first = ((q[r * 3] as number) << 8) | (q[r * 3 + 1] as number);
    const next = r + 1 < runs ? ((q[r * 3 + 3] as number) << 8) | (q[r * 3 + 4] as number) : count;
    out.fill(q[r * 3 + 2] as number, first, Math.min(next, count));
  }
}

/** `<IntervalReading>` openings (bytes) per quality code for one reading duration. */
function readingPrefixes(seconds: number): (Uint8Array | undefined)[] {
  const pre: (Uint8Array | undefined)[] = [];
  for (let q = 0; q < 256; q++) {
    const code = q < READING_QUALITY.length ? READING_QUALITY[q] : 10;
    if (code === undefined) {
      pre.push(undefined);
      continue;
    }
    const rq = code === null ? '' : `<ReadingQuality><quality>${code}</quality></ReadingQuality>`;
    pre.push(ascii(`<IntervalReading>${rq}<timePeriod><duration>${seconds}</duration><start>`));
  }
  return pre;
}

const MID = ascii('</start></timePeriod><value>');
const POST = ascii('</value></IntervalReading>\n');
/** Most bytes one reading takes: its longest opening, two integers and the fixed pieces. */
const READING_MAX = 160;

/** ISO date of a day number without Date (civil-from-days, H. Hinnant). */
function isoDay(day: number): string {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/** Date time text without milliseconds (Atom dateTime). */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** ItemKind of a bill line (heuristic on code/description; documented). */
function itemKind(code: string | null, description: string, amount: number): number {
  if (code && /^(10|[1-9])$/.test(code)) return Number(code);
  const t = `${code ?? ''} ${description}`.toLowerCase();
  if (/\btax/.test(t)) return 5;
  if (/payment/.test(t)) return 9;
  if (/credit|discount|rebate/.test(t) || amount < 0) return 7;
  if (/generation|supply|energy service/.test(t)) return 1;
  if (/customer charge|service charge|meter charge|admin|fixed/.test(t)) return 4;
  return 2;
}

/** A decimal quantity in a workspace unit as a SummaryMeasurement, or '' when not expressible. */
function measurement(tag: string, quantity: string | null, unit: string | null): string {
  if (quantity === null || unit === null) return '';
  const rule = UOM[unit];
  const d = parseDec(quantity);
  if (!rule || !d) return '';
  let digits = d.digits;
  let scale = d.scale;
  while (scale > 0 && digits % 10n === 0n) {
    digits /= 10n;
    scale--;
  }
  if (digits > BigInt(INT48_MAX) || digits < -BigInt(INT48_MAX)) return '';
  return `<${tag}><powerOfTenMultiplier>${rule.shift - scale}</powerOfTenMultiplier><uom>${rule.uom}</uom><value>${digits}</value></${tag}>`;
}

/** Micro-dollars → ESPI hundred-thousandths of a dollar, rounding half to even when needed. */
function hundredThousandths(micros: number, counter: { rounded: number }): number {
  const q = Math.trunc(micros / 10);
  const r = micros - q * 10;
  if (r === 0) return q;
  counter.rounded++;
  const a = Math.abs(r);
  const away = a > 5 || (a === 5 && q % 2 !== 0);
  return away ? q + Math.sign(r) : q;
}

export async function exportGreenButton(
  ws: Workspace,
  req: GreenButtonExportRequest,
  ctx: ExportContext,
): Promise<GreenButtonExportResult> {
  const t0 = performance.now();
  const db = ws.db;
  const now = ctx.now ?? new Date();
  const out = path.resolve(req.out);
  const audit = (status: string, more: Record<string, unknown>) =>
    ws.audit(ctx.role, 'export', `greenbutton:${path.basename(out)}`, {
      format: 'greenbutton',
      status,
      espi: req.espi,
      out,
      usagePoints: req.usagePoints,
      customer: req.customer ?? null,
      org: req.org ?? null,
      from: req.from ?? null,
      to: req.to ?? null,
      grantee: req.grantee ?? null,
      ...more,
    });

  let resolved;
  const notes: string[] = [];
  try {
    resolved = resolveSelection(db, req);
  } catch (e) {
    audit('failed', { reason: (e as Error).message });
    throw e;
  }
  const fromDay = req.from ? isoToDay(req.from) : -1e8;
  const toDay = req.to ? isoToDay(req.to) : 1e8;
  const fromIso = req.from ?? '0000-01-01';
  const toIso = req.to ?? '9999-12-31';

  const ups: UsagePointRow[] = [];
  for (const up of resolved.usagePoints) {
    if (SERVICE_KIND[up.commodity] !== undefined) ups.push(up);
    else if (req.usagePoints.includes(up.key)) {
      const msg = `usage point ${up.key} is ${up.commodity}: ESPI has no ServiceKind for it, so it cannot be exported as Green Button`;
      audit('failed', { reason: msg });
      throw new EdwError('usage', msg);
    } else
      notes.push(`usage point ${up.key} (${up.commodity}) skipped: ESPI has no ServiceKind for it`);
  }
  if (ups.length === 0) {
    const msg = 'no usage point to export (none has an ESPI service kind)';
    audit('failed', { reason: msg });
    throw new EdwError('usage', msg);
  }
  const q = statements(db);
  const plans = ups.map((up) => planUsagePoint(q, up, fromDay, toDay, fromIso, toIso, notes));

  // The period whose customers must have consented: the request's, else the data's own span.
  let first = req.from ?? null;
  let last = req.to ?? null;
  if (!first || !last) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of plans) {
      for (const sp of p.series) {
        lo = Math.min(lo, sp.minDay);
        hi = Math.max(hi, sp.maxDay);
      }
      for (const pp of p.periods) {
        lo = Math.min(lo, isoToDay(pp.firstDate));
        hi = Math.max(hi, isoToDay(pp.lastDate));
      }
      for (const b of p.bills) {
        lo = Math.min(lo, isoToDay(b.period_from));
        hi = Math.max(hi, isoToDay(b.period_to));
      }
    }
    if (Number.isFinite(lo)) {
      first ??= dayToIso(lo);
      last ??= dayToIso(hi);
    }
  }
  const auth = authorize(db, ctx.role, ups, { from: first, to: last }, now, resolved.grantee);
  if (!auth.allowed) {
    const msg = `Green Button export refused for role ${ctx.role}: ${auth.missing.join('; ')}`;
    audit('refused', { reason: msg, missing: auth.missing, access: auth.access });
    throw new EdwError('usage', msg, {
      reason: auth.access === 'deny' ? 'privacy_denied' : 'consent_missing',
      role: ctx.role,
      missing: auth.missing,
    });
  }

  const totalSlots = plans.reduce(
    (n, p) =>
      n + p.series.reduce((m, s) => m + s.slots, 0) + p.periods.reduce((m, s) => m + s.n, 0),
    0,
  );
  const base = (ctx.baseUrl ?? DEFAULT_BASE).replace(/\/+$/, '');
  const sub = `${base}/Subscription/1`;
  const stamp = isoSeconds(now);
  const entryEnd = `<published>${stamp}</published><updated>${stamp}</updated></entry>\n`;
  const feedId = randomUUID();
  const idPrefix = feedId.slice(0, 24);
  let entryNo = 0;
  const nextId = () => `urn:uuid:${idPrefix}${(++entryNo).toString(16).padStart(12, '0')}`;
  const link = (rel: string, href: string, type: string) =>
    `<link rel="${rel}" href="${href}" type="${type}"/>`;

  // Local time parameters: one entry per zone, rules of the last exported year.
  const lastYear = Number((last ?? stamp).slice(0, 4));
  const zones = [...new Set(ups.map((u) => u.zone))];
  const ltpHref = new Map(zones.map((z, i) => [z, `${base}/LocalTimeParameters/${i + 1}`]));

  const w = await ChunkWriter.open(out, ctx.chunkBytes);
  let readings = 0;
  let intervalBlocks = 0;
  let periodReadings = 0;
  let usageSummaries = 0;
  const money = { rounded: 0 };
  let lastProgress = 0;
  const progress = (force = false) => {
    const t = performance.now();
    if (!ctx.progress || (!force && t - lastProgress < 200)) return;
    lastProgress = t;
    ctx.progress({ phase: 'export', done: readings, total: totalSlots, unit: 'readings' });
  };
  const checkCancel = () => {
    if (ctx.signal?.aborted) throw new CancelledError('export cancelled: no file written');
  };
  const qual = new Uint8Array(65536);

  try {
    const title =
      resolved.customer && req.usagePoints.length === 0
        ? `Green Button data of customer ${resolved.customer.key} (${resolved.customer.org})`
        : ups.length === 1
          ? `Green Button data of usage point ${(ups[0] as UsagePointRow).key}`
          : `Green Button bulk data of ${ups.length} usage points`;
    w.text(
      `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="${ATOM_NS}">\n<id>urn:uuid:${feedId}</id>\n` +
        `<title>${xmlEscape(title)}</title>\n<updated>${stamp}</updated>\n` +
        `${link('self', `${base}/Batch/Subscription/1`, 'espi-feed/Subscription')}\n` +
        `<generator version="ESPI ${req.espi}">Energy Data Workbench (edw)</generator>\n`,
    );
    for (const z of zones) {
      const p = localTimeParameters(z, lastYear);
      w.text(
        `<entry><id>${nextId()}</id>${link('self', ltpHref.get(z) as string, 'espi-entry/LocalTimeParameters')}` +
          `${link('up', `${base}/LocalTimeParameters`, 'espi-feed/LocalTimeParameters')}<title>${xmlEscape(z)}</title>` +
          `<content><LocalTimeParameters xmlns="${ESPI_NS}"><dstEndRule>${p.dstEndRule}</dstEndRule>` +
          `<dstOffset>${p.dstOffset}</dstOffset><dstStartRule>${p.dstStartRule}</dstStartRule>` +
          `<tzOffset>${p.tzOffset}</tzOffset></LocalTimeParameters></content>${entryEnd}`,
      );
    }

    let rtNo = 0;
    for (const plan of plans) {
      const up = plan.up;
      const upSelf = `${sub}/UsagePoint/${xmlEscape(encodeURIComponent(up.key))}`;
      const sdp =
        up.key.length <= 256
          ? `<serviceDeliveryPoint><name>${xmlEscape(up.key)}</name></serviceDeliveryPoint>`
          : '';
      w.text(
        `<entry><id>${nextId()}</id>${link('self', upSelf, 'espi-entry/UsagePoint')}` +
          `${link('up', `${sub}/UsagePoint`, 'espi-feed/UsagePoint')}` +
          `${link('related', `${upSelf}/MeterReading`, 'espi-feed/MeterReading')}` +
          `${link('related', `${upSelf}/UsageSummary`, 'espi-feed/UsageSummary')}` +
          `${link('related', ltpHref.get(up.zone) as string, 'espi-entry/LocalTimeParameters')}` +
          `<title>${xmlEscape(`${up.org} ${up.commodity} usage point ${up.key}`)}</title>` +
          `<content><UsagePoint xmlns="${ESPI_NS}"><ServiceCategory><kind>${SERVICE_KIND[up.commodity]}</kind></ServiceCategory>` +
          `<status>${up.status === 'active' ? 1 : 0}</status>${sdp}</UsagePoint></content>${entryEnd}`,
      );

      let mrNo = 0;
      /** A MeterReading entry and its ReadingType entry; the IntervalBlock feed's href. */
      const meterReading = (
        s: Omit<SeriesRow, 'id' | 'seconds'> & { uom: UomRule; pow: number },
        intervalLength: number,
      ): string => {
        const mrSelf = `${upSelf}/MeterReading/${++mrNo}`;
        const rtSelf = `${base}/ReadingType/${++rtNo}`;
        const ibUp = `${mrSelf}/IntervalBlock`;
        w.text(
          `<entry><id>${nextId()}</id>${link('self', mrSelf, 'espi-entry/MeterReading')}` +
            `${link('up', `${upSelf}/MeterReading`, 'espi-feed/MeterReading')}` +
            `${link('related', ibUp, 'espi-feed/IntervalBlock')}${link('related', rtSelf, 'espi-entry/ReadingType')}` +
            `<title>${xmlEscape(s.name)}</title><content><MeterReading xmlns="${ESPI_NS}"/></content>${entryEnd}` +
            `<entry><id>${nextId()}</id>${link('self', rtSelf, 'espi-entry/ReadingType')}` +
            `${link('up', `${base}/ReadingType`, 'espi-feed/ReadingType')}<title>${xmlEscape(`${s.name} (${s.unit})`)}</title>` +
            `<content><ReadingType xmlns="${ESPI_NS}"><accumulationBehaviour>${ACCUMULATION[s.accumulation] ?? 0}</accumulationBehaviour>` +
            `<commodity>${COMMODITY_KIND[s.commodity] ?? 0}</commodity><currency>${CURRENCY_USD}</currency>` +
            `<flowDirection>${FLOW[s.flow] ?? 0}</flowDirection><intervalLength>${intervalLength}</intervalLength>` +
            `<kind>${measurementKind(s.measure, s.unit)}</kind><powerOfTenMultiplier>${s.pow}</powerOfTenMultiplier>` +
            `<uom>${s.uom.uom}</uom></ReadingType></content>${entryEnd}`,
        );
        return ibUp;
      };
      for (const s of plan.series) {
        const ibUp = meterReading(s, s.seconds);
        const prefixes = new Map<number, (Uint8Array | undefined)[]>();
        const S = s.S;
        const pS = POW10[S] as number;
        const page = q.page;
        let after = fromDay - 1;
        let group: BlockRow[] = [];
        let groupMonth = -1;

        // Entry pieces (bytes) around the parts that change per block: id, date, interval.
        const headId = ascii(`<entry><id>urn:uuid:${idPrefix}`);
        const headA = ascii(`</id><link rel="self" href="${ibUp}/`);
        const headB = ascii(
          `" type="espi-entry/IntervalBlock"/>${link('up', ibUp, 'espi-feed/IntervalBlock')}<title>`,
        );
        const headC = ascii(
          `</title><content><IntervalBlock xmlns="${ESPI_NS}"><interval><duration>`,
        );
        const headD = ascii('</duration><start>');
        const headE = ascii('</start></interval>\n');
        const tail = ascii(`</IntervalBlock></content>${entryEnd}`);

        const writeGroup = (rows: BlockRow[]) => {
          const firstRow = rows[0] as BlockRow;
          const lastRow = rows[rows.length - 1] as BlockRow;
          const start = firstRow.start;
          const duration = lastRow.start + lastRow.count * lastRow.seconds - start;
          let slots = 0;
          for (const r of rows) slots += r.count;
          const title = s.daily ? isoDay(firstRow.day).slice(0, 7) : isoDay(firstRow.day);
          const mark = w.p;
          w.ensure(headId.length + headA.length + headB.length + headC.length + 96);
          w.bytesOf(headId);
          w.asciiText((entryNo + 1).toString(16).padStart(12, '0'));
          w.bytesOf(headA);
          w.asciiText(title);
          w.bytesOf(headB);
          w.asciiText(title);
          w.bytesOf(headC);
          w.int(duration);
          w.bytesOf(headD);
          w.int(start);
          w.bytesOf(headE);
          w.ensure(slots * READING_MAX + tail.length);
          let n = 0;
          for (const r of rows) {
            let pre = prefixes.get(r.seconds);
            if (!pre) {
              pre = readingPrefixes(r.seconds);
              prefixes.set(r.seconds, pre);
            }
            const count = r.count;
            fillQuality(qual, count, r.quality);
            const vals = r.vals;
            const width = r.width;
            const rb = r.base;
            const sec = r.seconds;
            let t = r.start;
            const exactMul = width !== 8 && r.scale <= S;
            const mul = exactMul ? (POW10[S - r.scale] as number) : 1;
            const div = width !== 8 && r.scale > S ? (POW10[r.scale - S] as number) : 1;
            for (let i = 0; i < count; i++, t += sec) {
              const p = pre[qual[i] as number];
              if (p === undefined) {
                s.missing++;
                continue;
              }
              let iv: number;
              if (width === 8) {
                const v = vals.readDoubleBE(i * 8);
                iv = Math.round(v * pS);
                if (iv / pS !== v) s.rounded++;
              } else {
                let off: number;
                switch (width) {
                  case 0:
                    off = 0;
                    break;
                  case 1:
                    off = vals[i] as number;
                    break;
                  case 2:
                    off = ((vals[i * 2] as number) << 8) | (vals[i * 2 + 1] as number);
                    break;
                  case 3: {
                    const j = i * 3;
                    off =
                      ((vals[j] as number) << 16) |
                      ((vals[j + 1] as number) << 8) |
                      (vals[j + 2] as number);
                    break;
                  }
                  case 4: {
                    const j = i * 4;
                    off =
                      (vals[j] as number) * 16777216 +
                      (((vals[j + 1] as number) << 16) |
                        ((vals[j + 2] as number) << 8) |
                        (vals[j + 3] as number));
                    break;
                  }
                  default:
                    off = vals.readUIntBE(i * width, width);
                }
                if (exactMul) iv = (rb + off) * mul;
                else {
                  const v = rb + off;
                  iv = Math.round(v / div);
                  if (iv * div !== v) s.rounded++;
                }
              }
              if (iv > INT48_MAX || iv < -INT48_MAX)
                throw new EdwError(
                  'usage',
                  `usage point ${up.key}, ${s.name}: the value at ${new Date(t * 1000).toISOString()} does not fit ESPI's 48-bit integers at powerOfTenMultiplier ${s.pow}`,
                );
              w.bytesOf(p);
              w.int(t);
              w.bytesOf(MID);
              w.int(iv);
              w.bytesOf(POST);
              n++;
            }
          }
          if (n === 0) {
            w.p = mark; // every slot missing: no entry
            return;
          }
          w.bytesOf(tail);
          entryNo++;
          s.written += n;
          s.entries++;
          readings += n;
          intervalBlocks++;
        };

        for (;;) {
          checkCancel();
          const rows = page.all(s.id, after, toDay) as BlockRow[];
          for (const r of rows) {
            if (!s.daily) writeGroup([r]);
            else {
              const d = new Date(r.day * 86_400_000);
              const month = d.getUTCFullYear() * 12 + d.getUTCMonth();
              if (month !== groupMonth && group.length > 0) {
                writeGroup(group);
                group = [];
              }
              groupMonth = month;
              group.push(r);
            }
          }
          const flushing = w.maybeFlush();
          if (flushing) await flushing;
          progress();
          if (rows.length < PAGE) break;
          after = (rows[rows.length - 1] as BlockRow).day;
        }
        if (group.length > 0) writeGroup(group);
      }

      // Billing periods: one MeterReading per reading type, one IntervalBlock per local year
      // (of the period's first date; at most PERIOD_PAGE periods each), keyset pages on start.
      for (const pp of plan.periods) {
        const ibUp = meterReading(pp, pp.intervalLength);
        let group: string[] = [];
        let groupYear = '';
        let gStart = 0;
        let gEnd = 0;
        const flushGroup = () => {
          if (group.length === 0) return;
          const id = nextId();
          w.text(
            `<entry><id>${id}</id>${link('self', `${ibUp}/${groupYear}-${pp.entries + 1}`, 'espi-entry/IntervalBlock')}` +
              `${link('up', ibUp, 'espi-feed/IntervalBlock')}<title>${groupYear}</title>` +
              `<content><IntervalBlock xmlns="${ESPI_NS}"><interval><duration>${gEnd - gStart}</duration>` +
              `<start>${gStart}</start></interval>\n${group.join('')}</IntervalBlock></content>${entryEnd}`,
          );
          pp.entries++;
          intervalBlocks++;
          group = [];
        };
        let after = Number.MIN_SAFE_INTEGER;
        for (;;) {
          checkCancel();
          const rows = q.periodPage.all(up.id, pp.rtId, toIso, fromIso, after) as PeriodRow[];
          for (const r of rows) {
            const code = r.quality < READING_QUALITY.length ? READING_QUALITY[r.quality] : 10;
            if (code === undefined) {
              pp.missing++;
              continue;
            }
            const d = parseDec(r.value);
            if (!d) {
              pp.unreadable++;
              continue;
            }
            const { v, rounded } = scaleTo(d, pp.S);
            if (v > INT48_BIG || v < -INT48_BIG)
              throw new EdwError(
                'usage',
                `usage point ${up.key}, ${pp.name}: the period from ${r.firstDate} (${r.value} ${pp.unit}) does not fit ESPI's 48-bit integers at powerOfTenMultiplier ${pp.pow}`,
              );
            if (rounded) pp.rounded++;
            if (importWouldShift(r.start, r.end, up.zone)) pp.utcMidnight++;
            const year = r.firstDate.slice(0, 4);
            if ((year !== groupYear || group.length >= PERIOD_PAGE) && group.length > 0)
              flushGroup();
            if (group.length === 0) {
              groupYear = year;
              gStart = r.start;
              gEnd = r.end;
            }
            gStart = Math.min(gStart, r.start);
            gEnd = Math.max(gEnd, r.end);
            const rq =
              code === null ? '' : `<ReadingQuality><quality>${code}</quality></ReadingQuality>`;
            group.push(
              `<IntervalReading>${rq}<timePeriod><duration>${r.end - r.start}</duration><start>${r.start}</start></timePeriod><value>${v}</value></IntervalReading>\n`,
            );
            pp.written++;
            readings++;
            periodReadings++;
          }
          const flushing = w.maybeFlush();
          if (flushing) await flushing;
          progress();
          if (rows.length < PERIOD_PAGE) break;
          after = (rows[rows.length - 1] as PeriodRow).start;
        }
        flushGroup();
      }

      for (const b of plan.bills) {
        const startDay = localDay(isoToDay(b.period_from), up.zone).start;
        const endDay = localDay(isoToDay(b.period_to), up.zone).start;
        const lines = q.billLines.all(b.id) as BillLineRow[];
        const items = lines
          .map(
            (l) =>
              `<costAdditionalDetailLastPeriod><amount>${hundredThousandths(l.amount_micros, money)}</amount>` +
              `<note>${xmlEscape(l.description.slice(0, 256))}</note>${measurement('measurement', l.quantity, l.unit)}` +
              `<itemKind>${itemKind(l.code, l.description, l.amount_micros)}</itemKind></costAdditionalDetailLastPeriod>`,
          )
          .join('');
        const status = b.issued_on
          ? localDay(isoToDay(b.issued_on), up.zone).start
          : Math.floor(now.getTime() / 1000);
        const href = `${upSelf}/UsageSummary/${b.id}`;
        w.text(
          `<entry><id>${nextId()}</id>${link('self', href, 'espi-entry/UsageSummary')}` +
            `${link('up', `${upSelf}/UsageSummary`, 'espi-feed/UsageSummary')}` +
            `<title>${xmlEscape(`Bill ${b.period_from} to ${b.period_to}`)}</title>` +
            `<content><UsageSummary xmlns="${ESPI_NS}"><billingPeriod><duration>${endDay - startDay}</duration>` +
            `<start>${startDay}</start></billingPeriod><billLastPeriod>${hundredThousandths(b.total_micros, money)}</billLastPeriod>` +
            `${items}<currency>${CURRENCY_USD}</currency>${measurement('overallConsumptionLastPeriod', b.usage, b.usage_unit)}` +
            `<statusTimeStamp>${status}</statusTimeStamp><commodity>${COMMODITY_KIND[up.commodity] ?? 0}</commodity>` +
            `</UsageSummary></content>${entryEnd}`,
        );
        usageSummaries++;
      }
      checkCancel();
      const flushing = w.maybeFlush();
      if (flushing) await flushing;
    }
    w.text('</feed>\n');
    checkCancel();
    await w.commit();
  } catch (e) {
    await w.abort();
    const cancelled = e instanceof CancelledError;
    audit(cancelled ? 'cancelled' : 'failed', {
      reason: (e as Error).message,
      readingsBeforeStop: readings,
    });
    throw e;
  }
  progress(true);
  if (money.rounded > 0)
    notes.push(
      `${money.rounded} bill amount${money.rounded === 1 ? '' : 's'} rounded half to even to 1/100000 dollar (ESPI's money unit)`,
    );
  for (const p of plans)
    for (const s of p.series)
      if (s.rounded > 0)
        notes.push(
          `usage point ${p.up.key}, ${s.name}: ${s.rounded} value${s.rounded === 1 ? '' : 's'} rounded (half up) to 10^${-s.S} ${s.unit} to fit ESPI's 48-bit integers`,
        );
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  for (const p of plans)
    for (const pp of p.periods) {
      const what = `usage point ${p.up.key}, ${pp.name}`;
      notes.push(
        `${what}: ${plural(pp.written, 'billing period')} exported as their own MeterReading (intervalLength ${pp.intervalLength} s, ${plural(pp.entries, 'IntervalBlock')})`,
      );
      if (pp.missing > 0)
        notes.push(
          `${what}: ${plural(pp.missing, 'period')} of quality missing not written (ESPI has no code for "no reading")`,
        );
      if (pp.unreadable > 0)
        notes.push(
          `${what}: ${plural(pp.unreadable, 'period')} not written: value is not a number`,
        );
      if (pp.rounded > 0)
        notes.push(
          `${what}: ${plural(pp.rounded, 'value')} rounded (half away from zero) to 10^${-pp.S} ${pp.unit} to fit ESPI's 48-bit integers`,
        );
      if (pp.utcMidnight > 0)
        notes.push(
          `${what}: ${plural(pp.utcMidnight, 'period starts', 'periods start')} at 00:00 UTC, not local midnight; Green Button importers that read such stamps as local dates (edw's does) will move them`,
        );
    }
  const result: GreenButtonExportResult = {
    file: out,
    espi: req.espi,
    bytes: w.bytes,
    seconds: (performance.now() - t0) / 1000,
    usagePoints: ups.map((u) => u.key),
    customer: resolved.customer?.key ?? null,
    from: req.from ?? null,
    to: req.to ?? null,
    readings,
    intervalBlocks,
    periodReadings,
    usageSummaries,
    series: plans.flatMap((p) =>
      p.series.map((s) => ({
        usagePoint: p.up.key,
        readingType: s.name,
        unit: s.unit,
        intervalSeconds: s.seconds,
        uom: s.uom.uom,
        powerOfTenMultiplier: s.pow,
        readings: s.written,
        blocks: s.entries,
        missing: s.missing,
        rounded: s.rounded,
      })),
    ),
    periods: plans.flatMap((p) =>
      p.periods.map((pp) => ({
        usagePoint: p.up.key,
        readingType: pp.name,
        unit: pp.unit,
        intervalLength: pp.intervalLength,
        uom: pp.uom.uom,
        powerOfTenMultiplier: pp.pow,
        periods: pp.written,
        blocks: pp.entries,
        missing: pp.missing,
        rounded: pp.rounded,
        unreadable: pp.unreadable,
      })),
    ),
    authorization: {
      role: ctx.role,
      basis: auth.access === 'allow' ? 'role' : 'consent',
      consents: auth.consents,
    },
    notes,
  };
  audit('written', {
    basis: result.authorization.basis,
    consents: auth.consents,
    exportedUsagePoints: result.usagePoints,
    readings,
    periodReadings,
    bytes: w.bytes,
  });
  return result;
}
