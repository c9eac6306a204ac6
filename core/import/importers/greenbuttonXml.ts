// Green Button ESPI (NAESB REQ.21) Atom feeds → usage points, reading types, interval blocks,
// period usage (readings longer than a day: billing periods, stored whole in period_usage) and,
// where they map cleanly, bills.
//
// Two streaming passes over the file (safeXml: no DTD, no entities, capped sizes):
//   1. structure: every entry except its IntervalReadings (UsagePoint, MeterReading, ReadingType,
//      LocalTimeParameters, UsageSummary, IntervalBlock headers), plus a little about the
//      readings of each IntervalBlock (count, first duration, candidates for a repeated hour);
//   2. readings: each IntervalReading is converted and staged as soon as it is read.
// Between the passes entries are related through their links (self / up / related hrefs), with
// fallbacks for files that get links wrong, and the workspace rows they need are resolved.
// What real files get wrong is tolerated and reported as 'tolerated' findings.
import { EdwError } from '../../workspace/errors';
import { QUALITY, type QualityCode, type QualityName } from '../../metering/quality';
import { localDay, localToEpoch, offsetSeconds } from '../../time/zone';
import { zoneDays } from '../intervalTime';
import { formatDec, parseDec } from '../decimal';
import { readXml, child, childText, type XmlNode } from '../safeXml';
import type { Finding, ImportContext, ImporterResult } from '../types';
import { insertBill, matchBill, type BillInput } from './billStore';
import {
  ReadingStore,
  type Commodity,
  type ReadingTypeSpec,
  type UsagePointRef,
} from './readingStore';

export const ESPI_NS = 'http://naesb.org/espi';
export const ATOM_NS = 'http://www.w3.org/2005/Atom';

type Org = { id: number; code: string; timeZone: string };

// ───────────── ESPI code lists → workspace terms ─────────────

/** UsagePoint ServiceCategory/kind (ServiceKind). */
const SERVICE_KIND: Record<number, Commodity> = {
  0: 'electricity',
  1: 'gas',
  2: 'water',
  4: 'steam',
};
/** ReadingType commodity (CommodityKind). */
const RT_COMMODITY: Record<number, Commodity> = {
  1: 'electricity',
  2: 'electricity',
  7: 'gas',
  8: 'propane',
  9: 'water',
  10: 'steam',
  26: 'electricity',
};

interface UomRule {
  unit: string;
  /** Decimal exponent from the source unit to `unit` (Wh → kWh: -3). */
  shift: number;
  measure: ReadingTypeSpec['measure'];
  label: string;
}

/** UnitSymbolKind → workspace unit (values are scaled exactly, never through floats). */
const UOM: Record<number, UomRule> = {
  72: { unit: 'kWh', shift: -3, measure: 'energy', label: 'Wh' },
  38: { unit: 'kW', shift: -3, measure: 'demand', label: 'W' },
  73: { unit: 'kVArh', shift: -3, measure: 'other', label: 'VArh' },
  169: { unit: 'therm', shift: 0, measure: 'energy', label: 'therm' },
  132: { unit: 'therm', shift: -5, measure: 'energy', label: 'BTU' },
  119: { unit: 'CCF', shift: -2, measure: 'volume', label: 'ft³' },
  42: { unit: 'm3', shift: 0, measure: 'volume', label: 'm³' },
  128: { unit: 'gal', shift: 0, measure: 'volume', label: 'US gal' },
};

/** Commodities a stored unit can measure. */
const UNIT_FITS: Record<string, readonly string[]> = {
  kWh: ['electricity'],
  kW: ['electricity'],
  kVArh: ['electricity'],
  therm: ['gas', 'steam', 'propane'],
  CCF: ['gas', 'water', 'propane'],
  m3: ['gas', 'water'],
  gal: ['water', 'propane', 'oil'],
};

const ACCUMULATION: Record<number, ReadingTypeSpec['accumulation']> = {
  1: 'bulkQuantity',
  2: 'cumulative',
  3: 'cumulative',
  4: 'delta',
  6: 'indicating',
  9: 'summation',
  12: 'indicating',
};

const FLOW: Record<number, ReadingTypeSpec['flow']> = {
  1: 'forward',
  4: 'net',
  19: 'reverse',
  20: 'total',
};

/** QualityOfReading → normalised quality. */
const ESPI_QUALITY: Record<number, QualityName> = {
  0: 'valid', // valid
  7: 'edited', // manually edited
  8: 'estimated', // estimated using reference day
  9: 'estimated', // estimated using linear interpolation
  10: 'failed', // questionable
  11: 'edited', // derived
  12: 'estimated', // projected (forecast)
  13: 'edited', // mixed
  14: 'valid', // raw (not yet validated)
  15: 'edited', // normalized for weather
  16: 'valid', // other
  17: 'valid', // validated
  18: 'valid', // verified
  19: 'valid', // revenue-quality
};
const SEVERITY: Record<QualityCode, number> = { 0: 0, 2: 1, 1: 2, 3: 3, 4: 4 };

/** Well-known zones by standard offset and whether DST applies (LocalTimeParameters). */
const LTP_ZONES: Record<string, string> = {
  '-14400|1': 'America/Halifax',
  '-14400|0': 'America/Puerto_Rico',
  '-18000|1': 'America/New_York',
  '-18000|0': 'America/Panama',
  '-21600|1': 'America/Chicago',
  '-21600|0': 'America/Regina',
  '-25200|1': 'America/Denver',
  '-25200|0': 'America/Phoenix',
  '-28800|1': 'America/Los_Angeles',
  '-32400|1': 'America/Anchorage',
  '-36000|0': 'Pacific/Honolulu',
  '0|0': 'UTC',
};

// ───────────── the entries of a feed ─────────────

type EntryKind =
  | 'UsagePoint'
  | 'MeterReading'
  | 'ReadingType'
  | 'IntervalBlock'
  | 'LocalTimeParameters'
  | 'UsageSummary'
  | 'other';

const KINDS: Record<string, EntryKind> = {
  UsagePoint: 'UsagePoint',
  MeterReading: 'MeterReading',
  ReadingType: 'ReadingType',
  IntervalBlock: 'IntervalBlock',
  LocalTimeParameters: 'LocalTimeParameters',
  UsageSummary: 'UsageSummary',
  ElectricPowerUsageSummary: 'UsageSummary',
};

interface Entry {
  index: number;
  line: number;
  kind: EntryKind;
  resourceName: string;
  resource: XmlNode | null;
  id: string | null;
  title: string | null;
  self: string | null;
  up: string | null;
  related: string[];
  /** ReadingType found inside a MeterReading (misplaced, but seen in real files). */
  nestedReadingType: XmlNode | null;
  // IntervalBlock entries
  readings: number;
  blocks: number;
  firstDuration: number | null;
  /** Reading starts that may be a repeated local hour (see `candidate`). */
  candidates: number[];
  blockStarts: number[];
}

interface Scan {
  entries: Entry[];
  root: string;
}

/** Tolerated oddities, counted per kind. */
class Tolerated {
  private readonly m = new Map<string, { message: string; count: number }>();
  add(key: string, message: string, n = 1): void {
    const hit = this.m.get(key);
    if (hit) hit.count += n;
    else this.m.set(key, { message, count: n });
  }
  findings(): Finding[] {
    return [...this.m.values()].map((t) => ({
      kind: 'tolerated' as const,
      count: t.count,
      message: t.count > 1 ? `${t.message} (${t.count}×)` : t.message,
    }));
  }
}

/** Normalised href for matching: no scheme, host, query or trailing slash. */
export function normHref(href: string | null | undefined): string | null {
  if (!href) return null;
  let h = href.trim();
  h = h.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  h = h.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return h || null;
}

/** The part of an href from its last `UsagePoint/` on, or its last two segments. */
function tail(href: string | null): string | null {
  if (!href) return null;
  const i = href.lastIndexOf('/UsagePoint/');
  if (i >= 0) return href.slice(i + 1);
  const parts = href.split('/').filter(Boolean);
  return parts.slice(-2).join('/');
}

function sameHref(a: string | null, b: string | null): boolean {
  if (!a || !b) return false;
  if (a === b) return true;
  const ta = tail(a);
  return ta !== null && ta === tail(b);
}

function num(n: XmlNode | undefined, name: string): number | undefined {
  const t = childText(n, name);
  if (t === undefined || t === '') return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** A reading start that could be the repeated hour of a fall-back day, read as wall-clock. */
function candidate(start: number): boolean {
  const d = new Date(start * 1000);
  const month = d.getUTCMonth();
  return (
    (month === 2 || month === 3 || month === 9 || month === 10) &&
    d.getUTCDay() === 0 &&
    d.getUTCHours() < 4
  );
}

async function scanStructure(ctx: ImportContext, tol: Tolerated): Promise<Scan> {
  const notEspi = (root: string) =>
    new EdwError(
      'input_rejected',
      `${ctx.file}: not a Green Button (ESPI Atom) file: the root element is <${root}>, expected <feed> or <entry>`,
      { line: 1 },
    );
  const entries: Entry[] = [];
  let current: Entry | null = null;
  const opened: Entry[] = [];
  let index = -1;
  let nsNoted = false;
  const newEntry = (line: number): Entry => ({
    index,
    line,
    kind: 'other',
    resourceName: '',
    resource: null,
    id: null,
    title: null,
    self: null,
    up: null,
    related: [],
    nestedReadingType: null,
    readings: 0,
    blocks: 0,
    firstDuration: null,
    candidates: [],
    blockStarts: [],
  });
  const res = await readXml(ctx.path, ctx.file, {
    open: (tag, path) => {
      if (path.length === 0 && tag.name !== 'feed' && tag.name !== 'entry') throw notEspi(tag.name);
      if (tag.name === 'entry') {
        index++;
        current = newEntry(tag.line);
        opened.push(current);
      } else if (tag.name === 'IntervalBlock' && current) current.blocks++;
    },
    collect: (name) => name === 'entry',
    stream: (name) => name === 'IntervalReading',
    streamed: (r) => {
      const e = current as Entry | null;
      if (!e) return;
      e.readings++;
      const tp = child(r, 'timePeriod');
      const start = num(tp, 'start');
      if (e.firstDuration === null) e.firstDuration = num(tp, 'duration') ?? null;
      if (start !== undefined && candidate(start) && e.candidates.length < 10_000)
        e.candidates.push(start);
    },
    node: (n) => {
      // Entries are delivered after the chunk that closed them, in document order.
      const e = opened.shift() ?? newEntry(n.line);
      if (n.uri !== ATOM_NS && !nsNoted) {
        nsNoted = true;
        tol.add(
          'atom-ns',
          `entries are not in the Atom namespace (${n.uri || 'no namespace'}): read by element name`,
        );
      }
      fillEntry(e, n, tol);
      entries.push(e);
      if (entries.length > 1_000_000)
        throw new EdwError('input_rejected', `${ctx.file}: more than 1,000,000 entries: refused`);
    },
    chunk: async (_c, bytes, size) => {
      ctx.progress(bytes, size * 2, 'bytes');
      await ctx.breathe();
    },
  });
  if (res.declaredEncoding && !/^(utf-?8|utf-?16|us-ascii)$/i.test(res.declaredEncoding))
    tol.add(
      'encoding',
      `the XML declares encoding ${res.declaredEncoding}: read as UTF-8 (Green Button files are UTF-8)`,
    );
  return { entries, root: res.root };
}

function fillEntry(e: Entry, n: XmlNode, tol: Tolerated): void {
  e.id = childText(n, 'id') ?? null;
  e.title = childText(n, 'title') || null;
  for (const l of n.children) {
    if (l.name !== 'link') continue;
    const rel = (l.attrs.rel ?? 'alternate').trim();
    const href = normHref(l.attrs.href);
    if (!l.attrs.type)
      tol.add('link-type', 'links without a type attribute (ESPI 1.x layout): related by href');
    if (!href) continue;
    if (rel === 'self') e.self = href;
    else if (rel === 'up') e.up = href;
    else if (rel === 'related') e.related.push(href);
  }
  // The ESPI resource: inside <content>, or (misplaced) directly inside the entry.
  const content = child(n, 'content');
  let resources = (content?.children ?? []).filter((c) => KINDS[c.name] !== undefined);
  if (resources.length === 0) {
    const direct = n.children.filter((c) => KINDS[c.name] !== undefined);
    if (direct.length > 0) {
      tol.add(
        'not-in-content',
        `ESPI resources placed directly in <entry> instead of <content> (${direct[0]?.name}): read anyway`,
      );
      resources = direct;
    }
  }
  const first = resources[0] ?? content?.children[0];
  if (!first) return;
  e.resourceName = first.name;
  e.kind = KINDS[first.name] ?? 'other';
  e.resource = e.kind === 'other' ? null : first;
  if (first.uri !== ESPI_NS && KINDS[first.name] !== undefined)
    tol.add(
      `espi-ns:${first.uri}`,
      `ESPI elements in namespace "${first.uri || '(none)'}" instead of ${ESPI_NS}: read by element name`,
    );
  if (e.kind === 'IntervalBlock') {
    if (resources.length > 1)
      tol.add(
        'multi-block',
        'entries holding several IntervalBlocks in one <content> (ESPI 1.x): all read',
      );
    for (const b of resources) {
      const s = num(child(b, 'interval'), 'start');
      if (s !== undefined) e.blockStarts.push(s);
    }
  }
  if (e.kind === 'MeterReading') {
    const nested = child(first, 'ReadingType');
    if (nested) e.nestedReadingType = nested;
  }
}

// ───────────── relating entries ─────────────

/** A canonical text of an element (names, attributes, trimmed text), to compare copies. */
function signature(n: XmlNode | null): string {
  if (!n) return '';
  const attrs = Object.entries(n.attrs)
    .filter(([k]) => !k.startsWith('xmlns'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `<${n.name}${attrs ? ` ${attrs}` : ''}>${n.text.trim()}${n.children.map(signature).join('')}</>`;
}

interface RtInfo {
  ok: true;
  spec: ReadingTypeSpec;
  /** intervalLength over a day: every reading is a billing period (period_usage). */
  period: boolean;
  shift: number;
  pow: number;
  defaultQuality: QualityCode | null;
  label: string;
}
type RtResult = RtInfo | { ok: false; reason: string };

interface UpPlan {
  entry: Entry | null;
  keyCandidates: string[];
  createKey: string;
  commodity: Commodity | null;
  zone: string | null;
  ltpLabel: string | null;
  ref: UsagePointRef | null;
  rejectReason: string | null;
}

interface MrPlan {
  entry: Entry;
  up: UpPlan | null;
  rt: RtResult | null;
  rtEntry: Entry | null;
  rtNode: XmlNode | null;
  readingTypeId: number | null;
  /** The reading type of its readings longer than a day (found or created on the first). */
  periodTypeId: number | null;
  localTime: boolean;
  /** Wall-clock starts already seen in pass 2 (for the repeated hour). */
  seenAmbiguous: Set<number>;
  lastStart: number;
  rejectReason: string | null;
}

function readingTypeOf(node: XmlNode, tol: Tolerated, firstDuration: number | null): RtResult {
  const uom = num(node, 'uom');
  const rule = uom === undefined ? undefined : UOM[uom];
  if (!rule)
    return {
      ok: false,
      reason: `ReadingType uom ${uom ?? '(missing)'} is not a unit edw stores (Wh, W, VArh, therm, BTU, ft³, m³, gal)`,
    };
  const pow = num(node, 'powerOfTenMultiplier') ?? 0;
  if (!Number.isInteger(pow) || Math.abs(pow) > 12)
    return { ok: false, reason: `ReadingType powerOfTenMultiplier ${pow} is out of range` };
  const commodityCode = num(node, 'commodity');
  let commodity: Commodity | undefined =
    commodityCode === undefined ? undefined : RT_COMMODITY[commodityCode];
  if (commodityCode !== undefined && commodityCode !== 0 && !commodity)
    return { ok: false, reason: `ReadingType commodity ${commodityCode} is not supported` };
  if (!commodity)
    commodity =
      rule.measure === 'volume' || rule.unit === 'therm' ? 'gas' : ('electricity' as Commodity);
  const accCode = num(node, 'accumulationBehaviour');
  let accumulation = accCode === undefined ? undefined : ACCUMULATION[accCode];
  if (accCode !== undefined && accCode !== 0 && !accumulation)
    return {
      ok: false,
      reason: `ReadingType accumulationBehaviour ${accCode} is not supported`,
    };
  if (!accumulation) {
    accumulation = rule.measure === 'demand' ? 'indicating' : 'delta';
    tol.add('acc-missing', `ReadingType without accumulationBehaviour: read as ${accumulation}`);
  }
  const flowCode = num(node, 'flowDirection');
  let flow = flowCode === undefined ? undefined : FLOW[flowCode];
  if (flowCode !== undefined && flowCode !== 0 && !flow)
    return { ok: false, reason: `ReadingType flowDirection ${flowCode} is not supported` };
  if (!flow) {
    flow = 'forward';
    tol.add('flow-missing', 'ReadingType without flowDirection: read as forward (delivered)');
  }
  let seconds = num(node, 'intervalLength');
  if (seconds === undefined || seconds <= 0) {
    if (firstDuration && firstDuration > 0) {
      tol.add(
        'interval-missing',
        `ReadingType without intervalLength: the readings' duration (${firstDuration} s) used`,
      );
      seconds = firstDuration;
    } else
      return {
        ok: false,
        reason:
          'ReadingType has no intervalLength: register (non-interval) data is not imported from Green Button files',
      };
  }
  // Longer than a day: billing periods, stored whole in period_usage (never spread over days).
  const period = seconds > 86400;
  if (!period && seconds !== 86400 && (3600 % seconds !== 0 || !Number.isInteger(seconds)))
    return {
      ok: false,
      reason: `interval length ${seconds} s does not divide an hour (nor is a day)`,
    };
  const kind = num(node, 'kind');
  const measure: ReadingTypeSpec['measure'] =
    kind === 8 && rule.unit === 'kW' ? 'demand' : rule.measure;
  const dq = num(node, 'defaultQuality');
  const defaultQuality =
    dq !== undefined && ESPI_QUALITY[dq] ? QUALITY[ESPI_QUALITY[dq] as QualityName] : null;
  return {
    ok: true,
    spec: { commodity, unit: rule.unit, flow, seconds, accumulation, measure },
    period,
    shift: rule.shift,
    pow,
    defaultQuality,
    label: `${rule.label}${pow ? ` × 10^${pow}` : ''} → ${rule.unit}`,
  };
}

function zoneFromLtp(ltp: XmlNode, org: Org): { zone: string | null; label: string } {
  const tz = num(ltp, 'tzOffset');
  const dst = num(ltp, 'dstOffset') ?? 0;
  const rules = (childText(ltp, 'dstStartRule') ?? '') + (childText(ltp, 'dstEndRule') ?? '');
  const hasDst = dst !== 0 && rules !== '' && !/^0+$/.test(rules);
  if (tz === undefined) return { zone: null, label: 'LocalTimeParameters without tzOffset' };
  const label = `UTC${tz < 0 ? '-' : '+'}${Math.abs(tz) / 3600}${hasDst ? ` with ${dst / 3600} h DST` : ''}`;
  // The organization's own zone when it keeps the same time.
  const jan = offsetSeconds(Date.UTC(2020, 0, 15, 12) / 1000, org.timeZone);
  const jul = offsetSeconds(Date.UTC(2020, 6, 15, 12) / 1000, org.timeZone);
  const std = Math.min(jan, jul);
  const orgDst = jan !== jul;
  if (std === tz && orgDst === hasDst && (!hasDst || Math.abs(jan - jul) === dst))
    return { zone: org.timeZone, label };
  return { zone: LTP_ZONES[`${tz}|${hasDst ? 1 : 0}`] ?? null, label };
}

function idFromHref(href: string | null, kind: string): string | null {
  if (!href) return null;
  const m = new RegExp(`/${kind}/([^/]+)`).exec(href);
  return m ? decodeURIComponent(m[1] as string) : null;
}

interface Plan {
  ups: UpPlan[];
  mrs: MrPlan[];
  blocks: Map<number, MrPlan>;
  blockRejects: Map<number, string>;
  summaries: { entry: Entry; up: UpPlan | null }[];
  ignored: Map<string, number>;
}

function relate(
  ctx: ImportContext,
  org: Org,
  scan: Scan,
  store: ReadingStore,
  tol: Tolerated,
): Plan {
  const byKind = (k: EntryKind) => scan.entries.filter((e) => e.kind === k);
  const upEntries = byKind('UsagePoint');
  const mrEntries = byKind('MeterReading');
  const rtEntries = byKind('ReadingType');
  const ltpEntries = byKind('LocalTimeParameters');
  const ibEntries = byKind('IntervalBlock');
  // Entries repeated under one href (seen in SCE bulk files): the first is used; say so when
  // the copies differ, since the choice then matters.
  for (const kind of ['ReadingType', 'MeterReading', 'UsagePoint'] as const) {
    const byHref = new Map<string, Entry[]>();
    for (const e of byKind(kind))
      if (e.self) byHref.set(e.self, [...(byHref.get(e.self) ?? []), e]);
    for (const [href, list] of byHref) {
      if (list.length < 2) continue;
      const first = list[0] as Entry;
      const differ = list.some((e) => signature(e.resource) !== signature(first.resource));
      tol.add(
        `dup:${kind}:${href}`,
        `${list.length} ${kind} entries share the href ${href} (lines ${list.map((e) => e.line).join(', ')})${differ ? ' and differ' : ', identical'}: the first (line ${first.line}) is used`,
      );
    }
  }
  const ignored = new Map<string, number>();
  for (const e of scan.entries)
    if (e.kind === 'other')
      ignored.set(e.resourceName || '(empty)', (ignored.get(e.resourceName || '(empty)') ?? 0) + 1);

  const profileKey = ctx.profile.defaults.usage_point?.trim() || null;

  // Usage points.
  const ups: UpPlan[] = upEntries.map((e) => {
    const res = e.resource as XmlNode;
    const sdp = childText(
      child(res, 'ServiceDeliveryPoint') ?? child(res, 'serviceDeliveryPoint'),
      'name',
    );
    const hrefId = idFromHref(e.self, 'UsagePoint');
    const uuid = e.id ? e.id.replace(/^urn:uuid:/i, '') : null;
    const keyCandidates = [sdp, hrefId, uuid, e.title].filter(
      (k): k is string => typeof k === 'string' && k !== '',
    );
    const kind = num(child(res, 'ServiceCategory'), 'kind');
    const commodity = kind === undefined ? null : (SERVICE_KIND[kind] ?? null);
    const plan: UpPlan = {
      entry: e,
      keyCandidates,
      createKey: hrefId ?? uuid ?? e.title ?? `entry-${e.index + 1}`,
      commodity,
      zone: null,
      ltpLabel: null,
      ref: null,
      rejectReason:
        kind !== undefined && commodity === null
          ? `UsagePoint ServiceCategory kind ${kind} is not electricity, gas, water or steam`
          : null,
    };
    // Local time parameters: the related LocalTimeParameters entry, else the feed's only one.
    const ltp =
      ltpEntries.find((l) => e.related.some((r) => sameHref(r, l.self))) ??
      (ltpEntries.length === 1 ? ltpEntries[0] : undefined);
    if (ltp?.resource) {
      const z = zoneFromLtp(ltp.resource, org);
      plan.zone = z.zone;
      plan.ltpLabel = z.label;
    }
    return plan;
  });

  // Meter readings → usage point and reading type.
  const mrs: MrPlan[] = mrEntries.map((e) => {
    let up =
      ups.find((u) => u.entry && u.entry.related.some((r) => sameHref(r, e.up))) ??
      ups.find(
        (u) =>
          u.entry?.self &&
          e.self &&
          sameHref(e.self.replace(/\/MeterReading\/[^/]+$/, ''), u.entry.self),
      ) ??
      null;
    if (!up && ups.length === 1) {
      up = ups[0] as UpPlan;
      if (e.up || e.self)
        tol.add(
          'mr-up',
          'MeterReadings whose links name no UsagePoint of the feed: assigned to its only usage point',
        );
    }
    if (!up) {
      // No UsagePoint entry: the usage point's id from the MeterReading's own href.
      const id = idFromHref(e.self ?? e.up, 'UsagePoint');
      if (id) {
        up = ups.find((u) => u.entry === null && u.createKey === id) ?? null;
        if (!up) {
          up = {
            entry: null,
            keyCandidates: [id],
            createKey: id,
            commodity: null,
            zone: null,
            ltpLabel: null,
            ref: null,
            rejectReason: null,
          };
          ups.push(up);
          tol.add(
            'no-up-entry',
            `no UsagePoint entry for usage point ${id}: its key taken from the MeterReading links`,
          );
        }
      }
    }
    let rtEntry = rtEntries.find((r) => e.related.some((h) => sameHref(h, r.self))) ?? null;
    let rtNode: XmlNode | null = rtEntry?.resource ?? null;
    if (!rtNode && e.nestedReadingType) {
      rtNode = e.nestedReadingType;
      tol.add(
        'nested-rt',
        'ReadingType nested inside MeterReading (the schema does not allow it): used as that meter reading’s reading type',
      );
    }
    if (!rtNode && rtEntries.length === 1) {
      rtEntry = rtEntries[0] as Entry;
      rtNode = rtEntry.resource;
      tol.add(
        'rt-single',
        'MeterReadings without a related ReadingType link: the feed’s only ReadingType used',
      );
    }
    return {
      entry: e,
      up,
      rt: null,
      rtEntry,
      readingTypeId: null,
      periodTypeId: null,
      localTime: false,
      seenAmbiguous: new Set<number>(),
      lastStart: -Infinity,
      // Parsed below, once its blocks are known (intervalLength may come from the readings).
      rtNode,
      rejectReason: rtNode
        ? null
        : `no ReadingType for the MeterReading at line ${e.line}${
            e.related.length > 0
              ? ` (none of its related links ${e.related.join(', ')} names a ReadingType entry of the feed)`
              : ' (it has no related links)'
          }`,
    };
  });

  // Interval blocks → meter reading.
  const blocks = new Map<number, MrPlan>();
  const blockRejects = new Map<number, string>();
  const groups = new Map<MrPlan, Entry[]>();
  for (const e of ibEntries) {
    let mr =
      mrs.find((m) => m.entry.related.some((r) => sameHref(r, e.up))) ??
      mrs.find(
        (m) => m.entry.self && e.up && sameHref(e.up.replace(/\/IntervalBlock$/, ''), m.entry.self),
      ) ??
      mrs.find(
        (m) =>
          m.entry.self &&
          e.self &&
          sameHref(e.self.replace(/\/IntervalBlock\/[^/]+$/, ''), m.entry.self),
      );
    if (!mr && mrs.length === 1) {
      mr = mrs[0] as MrPlan;
      tol.add(
        'ib-mr',
        'IntervalBlocks whose links name no MeterReading: assigned to the feed’s only meter reading',
      );
    }
    if (!mr) {
      blockRejects.set(
        e.index,
        mrs.length === 0
          ? 'the feed has no MeterReading entry to say what these readings measure'
          : `no MeterReading relates to this IntervalBlock (its up link is ${e.up ?? 'missing'})`,
      );
      continue;
    }
    blocks.set(e.index, mr);
    const g = groups.get(mr) ?? [];
    g.push(e);
    groups.set(mr, g);
  }

  // Reading types, usage points and local-time detection, per meter reading.
  for (const mr of mrs) {
    const g = groups.get(mr) ?? [];
    if (mr.rtNode && !mr.rejectReason) {
      const firstDuration = g.find((b) => b.firstDuration)?.firstDuration ?? null;
      mr.rt = readingTypeOf(mr.rtNode, tol, firstDuration);
      if (!mr.rt.ok)
        mr.rejectReason = `${mr.rt.reason} (${
          mr.rtEntry
            ? `the ReadingType entry at line ${mr.rtEntry.line}${mr.rtEntry.self ? `, ${mr.rtEntry.self}` : ''}`
            : 'the ReadingType nested in the MeterReading'
        })`;
    }
    if (!mr.up) mr.rejectReason ??= 'no UsagePoint for this MeterReading';
    if (mr.rejectReason || g.length === 0) continue;
    const up = mr.up as UpPlan;
    const rt = mr.rt as RtInfo;
    if (!up.ref && !up.rejectReason)
      resolveUsagePoint(up, rt.spec.commodity, store, org, profileKey, ups, tol);
    if (up.rejectReason) {
      mr.rejectReason = up.rejectReason;
      continue;
    }
    const ref = up.ref as UsagePointRef;
    if (ref.commodity !== rt.spec.commodity) {
      // A ReadingType commodity code contradicting the usage point: trust the usage point when
      // the unit fits it (gas feeds written with commodity 1, say), else refuse.
      if (!(UNIT_FITS[rt.spec.unit] ?? []).includes(ref.commodity)) {
        mr.rejectReason = `usage point ${ref.key} is ${ref.commodity} but the ReadingType measures ${rt.spec.commodity} in ${rt.spec.unit}`;
        continue;
      }
      tol.add(
        `commodity:${ref.key}`,
        `usage point ${ref.key}: the ReadingType commodity (${rt.spec.commodity}) contradicts the usage point's ${ref.commodity}; its unit ${rt.spec.unit} fits ${ref.commodity}, so read as ${ref.commodity}`,
      );
      rt.spec = { ...rt.spec, commodity: ref.commodity as Commodity };
    }
    if (rt.period) mr.periodTypeId = store.periodReadingType(rt.spec);
    else mr.readingTypeId = store.readingType(rt.spec);
    mr.localTime = detectLocalTime(g, ref.zone, rt.spec.seconds);
    if (mr.localTime)
      tol.add(
        `local-time:${ref.key}`,
        `usage point ${ref.key}: reading times are local wall-clock time written as if UTC (every IntervalBlock starts at 00:00 and the fall-back hour repeats): converted from ${ref.zone} time, the repeated hour resolved by order (first daylight, then standard time)`,
      );
  }

  const summaries = byKind('UsageSummary').map((e) => {
    let up =
      ups.find((u) => u.entry && u.entry.related.some((r) => sameHref(r, e.up))) ??
      ups.find((u) => u.entry?.self && e.self && e.self.startsWith(`${u.entry.self}/`)) ??
      null;
    if (!up && ups.length === 1) up = ups[0] as UpPlan;
    return { entry: e, up };
  });
  return { ups, mrs, blocks, blockRejects, summaries, ignored };
}

function resolveUsagePoint(
  up: UpPlan,
  rtCommodity: Commodity,
  store: ReadingStore,
  org: Org,
  profileKey: string | null,
  ups: UpPlan[],
  tol: Tolerated,
): void {
  if (!up.commodity) {
    up.commodity = rtCommodity;
    if (up.entry)
      tol.add(
        'no-service-category',
        'UsagePoint without ServiceCategory: its commodity taken from the ReadingType',
      );
  }
  const commodity = up.commodity;
  if (profileKey) {
    if (ups.length > 1) {
      up.rejectReason = `the profile's usage_point default (${profileKey}) names one usage point, but this file has ${ups.length}`;
      return;
    }
    up.keyCandidates = [profileKey];
    up.createKey = profileKey;
  }
  for (const k of up.keyCandidates) {
    const hit = store.findUsagePoint(k);
    if (hit) {
      up.ref = hit;
      if (hit.commodity !== commodity)
        up.rejectReason = `usage point ${k} of ${org.code} is ${hit.commodity} in the workspace, but ${commodity} in the file`;
      return;
    }
  }
  up.ref = store.createUsagePoint(up.createKey, commodity, up.zone);
  if (up.ltpLabel && !up.zone)
    tol.add(
      'ltp-unmapped',
      `LocalTimeParameters ${up.ltpLabel} match no known time zone: usage point ${up.createKey} uses ${org.code}'s zone ${org.timeZone}`,
    );
}

/** Wall-clock midnight blocks and a repeated fall-back hour ⇒ the readings are in local time. */
function detectLocalTime(blocks: Entry[], zone: string, seconds: number): boolean {
  if (seconds >= 86400) return false;
  const starts = blocks.flatMap((b) => b.blockStarts);
  if (starts.length === 0 || starts.some((s) => s % 86400 !== 0)) return false;
  if (offsetSeconds(starts[0] as number, zone) === 0) return false;
  const seen = new Set<number>();
  for (const b of blocks)
    for (const s of b.candidates) {
      if (seen.has(s) && isAmbiguousWall(s, zone)) return true;
      seen.add(s);
    }
  return false;
}

function wallParts(wall: number): [number, number, number, number, number, number] {
  const d = new Date(wall * 1000);
  return [
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  ];
}

function isAmbiguousWall(wall: number, zone: string): boolean {
  const p = wallParts(wall);
  return localToEpoch(zone, ...p, false) !== localToEpoch(zone, ...p, true);
}

// ───────────── pass 2: readings ─────────────

interface ReadStats {
  total: number;
  outOfOrder: number;
  decimals: number;
  unknownQuality: Map<string, number>;
  utcMidnightDaily: number;
  skippedGapZero: number;
  millis: number;
  wholeDecimals: number;
  utcMidnightPeriods: number;
}

/**
 * Epoch seconds from the text of a timePeriod start or duration: a whole number; "1433660400.0"
 * (a whole number written with decimals, tolerated); 13-digit millisecond times divisible by
 * 1000 (tolerated, converted). Null for anything else — a fractional second has no place on an
 * interval grid.
 */
export function epochSeconds(
  text: string,
): { seconds: number; millis: boolean; wholeDecimal: boolean } | null {
  const m = /^\s*(-?\d+)(?:\.(\d+))?\s*$/.exec(text);
  if (!m) return null;
  if (m[2] !== undefined && !/^0+$/.test(m[2])) return null;
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n)) return null;
  const wholeDecimal = m[2] !== undefined;
  if (Math.abs(n) >= 1e12) {
    if (n % 1000 !== 0) return null;
    return { seconds: n / 1000, millis: true, wholeDecimal };
  }
  return { seconds: n, millis: false, wholeDecimal };
}

/** Exact decimal text of an ESPI integer × 10^exp ("609", 0 → "609"; "1843", -3 → "1.843"). */
function scaleText(text: string, exp: number): string | null {
  const d = parseDec(text);
  if (!d) return null;
  return formatDec(
    exp >= 0
      ? { digits: d.digits * 10n ** BigInt(exp), scale: d.scale }
      : { digits: d.digits, scale: d.scale - exp },
  );
}

function scaleValue(text: string, exp: number): number | null {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return null;
  return Number(`${text}e${exp}`);
}

async function readReadings(
  ctx: ImportContext,
  plan: Plan,
  store: ReadingStore,
  stats: ReadStats,
): Promise<{ line: number; reason: string; count: number }[]> {
  let index = -1;
  let mr: MrPlan | null = null;
  let blockLine = 0;
  const rejectedBlocks = new Map<number, { line: number; reason: string; count: number }>();
  const quality = ctx.profile.quality;
  await readXml(ctx.path, ctx.file, {
    open: (tag) => {
      if (tag.name === 'entry') {
        index++;
        mr = plan.blocks.get(index) ?? null;
        blockLine = tag.line;
      }
    },
    collect: (name) => name === 'entry',
    node: () => undefined,
    stream: (name) => name === 'IntervalReading',
    streamed: (r) => {
      stats.total++;
      const m = mr as MrPlan | null;
      const reason = m
        ? m.rejectReason
        : (plan.blockRejects.get(index) ?? 'an IntervalReading outside any IntervalBlock entry');
      if (!m || reason) {
        const hit = rejectedBlocks.get(index);
        if (hit) hit.count++;
        else rejectedBlocks.set(index, { line: blockLine, reason: reason ?? '', count: 1 });
        return;
      }
      readOne(ctx, m, r, store, stats, quality);
    },
    chunk: async (_c, bytes, size) => {
      ctx.progress(size + bytes, size * 2, 'bytes');
      await ctx.breathe();
    },
  });
  for (const b of rejectedBlocks.values())
    ctx.reject({
      line: b.line,
      column: null,
      value: null,
      reason: `entry with ${b.count} IntervalReading${b.count === 1 ? '' : 's'} not imported: ${b.reason}`,
    });
  return [...rejectedBlocks.values()];
}

function readOne(
  ctx: ImportContext,
  m: MrPlan,
  r: XmlNode,
  store: ReadingStore,
  stats: ReadStats,
  profileQuality: Record<string, string>,
): void {
  const rt = m.rt as RtInfo;
  const up = (m.up as UpPlan).ref as UsagePointRef;
  const tp = child(r, 'timePeriod');
  const startText = childText(tp, 'start');
  const valueText = childText(r, 'value');
  const reject = (column: string | null, value: string | null, reason: string) => {
    store.rejected++;
    ctx.reject({ line: r.line, column, value, reason });
  };
  if (startText === undefined || startText === '')
    return reject(
      'timePeriod/start',
      null,
      'IntervalReading has no timePeriod start (epoch seconds)',
    );
  const t = epochSeconds(startText);
  if (t === null)
    return reject(
      'timePeriod/start',
      startText,
      `timePeriod start "${startText}" is not a time in epoch seconds: ESPI times are whole seconds since 1970-01-01 UTC`,
    );
  if (t.wholeDecimal) stats.wholeDecimals++;
  if (valueText === undefined || valueText === '')
    return reject('value', null, 'IntervalReading has no value');
  const exp = rt.pow + rt.shift;
  const value = scaleValue(valueText, exp);
  if (value === null) return reject('value', valueText, 'value is not a number');
  if (!/^[+-]?\d+$/.test(valueText)) stats.decimals++;
  let start = t.seconds;
  const durText = childText(tp, 'duration');
  let seconds = rt.spec.seconds;
  if (durText !== undefined && durText !== '') {
    const d = epochSeconds(durText);
    if (d === null || d.seconds < 0)
      return reject(
        'timePeriod/duration',
        durText,
        `timePeriod duration "${durText}" is not a whole number of seconds`,
      );
    if (d.seconds > 0) seconds = d.seconds;
  }
  if (t.millis) {
    // Times in milliseconds (13 digits): the duration is in milliseconds too when it is 1000×
    // the reading type's interval.
    stats.millis++;
    if (seconds !== rt.spec.seconds && seconds % 1000 === 0) seconds /= 1000;
  }
  if (start < m.lastStart) stats.outOfOrder++;
  m.lastStart = Math.max(m.lastStart, start);

  // Quality: the worst of the reading's ReadingQuality codes, else the type's default.
  let q: QualityCode = rt.defaultQuality ?? QUALITY.valid;
  const codes = r.children.filter((c) => c.name === 'ReadingQuality');
  if (codes.length > 0) {
    q = QUALITY.valid;
    for (const c of codes) {
      const code = childText(c, 'quality') ?? c.text.trim();
      const mapped =
        (profileQuality[code] as QualityName | undefined) ?? ESPI_QUALITY[Number(code)];
      if (!mapped) {
        stats.unknownQuality.set(code, (stats.unknownQuality.get(code) ?? 0) + 1);
        continue;
      }
      const qc = QUALITY[mapped];
      if (SEVERITY[qc] > SEVERITY[q]) q = qc;
    }
  }

  const zone = up.zone;
  if (rt.period || seconds > 90000) {
    // Longer than any local day (a 25-hour day is the longest): a billing period, stored whole.
    const text = scaleText(valueText.trim(), exp) as string;
    const b = periodBounds(start, seconds, zone);
    if (b.shifted) stats.utcMidnightPeriods++;
    m.periodTypeId ??= store.periodReadingType(rt.spec);
    store.addPeriod({
      usagePoint: up,
      readingTypeId: m.periodTypeId,
      start: b.start,
      end: b.end,
      value: text,
      quality: q,
      line: r.line,
    });
    return;
  }
  if (rt.spec.seconds === 86400) {
    // Daily readings stamped at 00:00 UTC (a local date written as UTC): the local day.
    const day = Math.floor(start / 86400);
    if (
      start % 86400 === 0 &&
      localDay(day, zone).start !== start &&
      offsetSeconds(start, zone) !== 0
    ) {
      stats.utcMidnightDaily++;
      const info = localDay(day, zone);
      start = info.start;
      if (seconds === 86400) seconds = info.seconds;
    }
  } else if (m.localTime) {
    const wall = start;
    const z = zoneDays(zone);
    const day = Math.floor(wall / 86400);
    const first = z.local(day, wall - day * 86400);
    if (z.later === z.later) {
      // The repeated fall-back hour: the first occurrence in the file is daylight time.
      start = m.seenAmbiguous.has(wall) ? z.later : first;
      m.seenAmbiguous.add(wall);
    } else if (z.nonexistent) {
      if (value === 0) {
        stats.skippedGapZero++;
        return;
      }
      return reject(
        'timePeriod/start',
        startText,
        `local time ${new Date(wall * 1000).toISOString().slice(0, 16).replace('T', ' ')} does not exist in ${zone} (clocks spring forward)`,
      );
    } else start = first;
  }
  store.add({
    usagePoint: up,
    readingTypeId: m.readingTypeId as number,
    intervalSeconds: rt.spec.seconds,
    start,
    seconds,
    value,
    quality: q,
    line: r.line,
  });
}

/** Whether a UTC time is midnight on the local clock of the zone. */
function localMidnight(t: number, zone: string): boolean {
  return (t + offsetSeconds(t, zone)) % 86400 === 0;
}

/**
 * The UTC bounds of a period reading. Billing periods stamped at 00:00 UTC when the zone is not
 * UTC (Opower: local dates written as UTC midnight, durations true local lengths, 32 days − 1 h
 * across spring-forward) are read as starting at local midnight of that date; the end is start +
 * duration when that is a local midnight, else the local midnight of the UTC date it falls on.
 */
function periodBounds(
  start: number,
  seconds: number,
  zone: string,
): { start: number; end: number; shifted: boolean } {
  const end = start + seconds;
  if (start % 86400 !== 0 || localMidnight(start, zone)) return { start, end, shifted: false };
  const local = localDay(Math.floor(start / 86400), zone).start;
  if (localMidnight(local + seconds, zone))
    return { start: local, end: local + seconds, shifted: true };
  if (end % 86400 === 0)
    return { start: local, end: localDay(end / 86400, zone).start, shifted: true };
  return { start, end, shifted: false };
}

// ───────────── UsageSummary → bill ─────────────

function storeSummaries(
  ctx: ImportContext,
  org: Org,
  plan: Plan,
  store: ReadingStore,
  findings: Finding[],
): { total: number; accepted: number; bills: number; notes: string[] } {
  let total = 0;
  let accepted = 0;
  let bills = 0;
  const notes: string[] = [];
  for (const { entry, up } of plan.summaries) {
    const s = entry.resource as XmlNode;
    const period = child(s, 'billingPeriod');
    const start = num(period, 'start');
    const duration = num(period, 'duration');
    const bill = childText(s, 'billLastPeriod');
    const currency = num(s, 'currency');
    const what = `UsageSummary (entry line ${entry.line})`;
    if (start === undefined || !duration || bill === undefined || !/^-?\d+$/.test(bill)) {
      notes.push(`${what}: no billing period or bill amount`);
      continue;
    }
    if (currency !== undefined && currency !== 840) {
      notes.push(`${what}: currency ${currency} is not US dollars`);
      continue;
    }
    // A usage point without readings in the file is looked up, never created, for its bills.
    const profileKey = ctx.profile.defaults.usage_point?.trim();
    const keys = profileKey && plan.ups.length === 1 ? [profileKey] : (up?.keyCandidates ?? []);
    const ref =
      up?.ref ??
      keys.map((k) => store.findUsagePoint(k)).find((r): r is UsagePointRef => r !== null) ??
      null;
    if (!ref) {
      notes.push(`${what}: its usage point is not known`);
      continue;
    }
    const zone = ref.zone;
    const from = isoLocal(start, zone);
    const to = isoLocal(start + duration, zone);
    const accounts = ctx.db
      .prepare(
        `SELECT DISTINCT a.id FROM service_agreement sa JOIN account a ON a.id = sa.account_id
         WHERE sa.usage_point_id = ? AND a.org_id = ? AND sa.start_date <= ? AND (sa.end_date IS NULL OR sa.end_date >= ?)`,
      )
      .all(ref.id, org.id, to, from) as { id: number }[];
    if (accounts.length !== 1) {
      notes.push(
        `${what} for usage point ${ref.key}, ${from} to ${to}, $${(Number(bill) / 100000).toFixed(2)}: ${accounts.length === 0 ? 'no account of the workspace serves this usage point then' : 'several accounts serve this usage point then'}`,
      );
      continue;
    }
    const items = s.children.filter((c) => c.name === 'costAdditionalDetailLastPeriod');
    if (items.some((li) => !/^-?\d+$/.test(childText(li, 'amount') ?? ''))) {
      notes.push(`${what}: a line item has no whole-number amount`);
      continue;
    }
    total++;
    const lines = items.map((li) => {
      const meas = child(li, 'measurement');
      const mv = childText(meas, 'value');
      const mu = num(meas, 'uom');
      const rule = mu === undefined ? undefined : UOM[mu];
      const q =
        mv !== undefined && rule
          ? scaleText(mv, (num(meas, 'powerOfTenMultiplier') ?? 0) + rule.shift)
          : null;
      return {
        code: childText(li, 'itemKind') ?? null,
        description: childText(li, 'note') || 'Additional charge',
        quantity: q,
        unit: q !== null && rule ? rule.unit : null,
        rate: null,
        // hundred-thousandths of a dollar → micro-dollars
        amountMicros: Number(childText(li, 'amount')) * 10,
      };
    });
    const consumption = child(s, 'overallConsumptionLastPeriod');
    const cv = childText(consumption, 'value');
    const cu = num(consumption, 'uom');
    const crule = cu === undefined ? undefined : UOM[cu];
    const input: BillInput = {
      orgId: org.id,
      accountId: (accounts[0] as { id: number }).id,
      usagePointId: ref.id,
      tariffId: null,
      billNumber: null,
      periodFrom: from,
      periodTo: to,
      issuedOn: null,
      meterSerial: null,
      readPrevious: null,
      readPresent: null,
      usage:
        cv !== undefined && crule
          ? scaleText(cv, (num(consumption, 'powerOfTenMultiplier') ?? 0) + crule.shift)
          : null,
      usageUnit: cv !== undefined && crule ? crule.unit : null,
      // hundred-thousandths of a dollar → micro-dollars
      totalMicros: Number(bill) * 10,
      lines,
    };
    const match = matchBill(ctx.db, input);
    if (match.kind === 'same') {
      accepted++;
      findings.push({
        kind: 'duplicate',
        message: `${what}: the workspace already holds this bill (bill ${match.id})`,
      });
      continue;
    }
    if (match.kind === 'different') {
      ctx.reject({
        line: entry.line,
        column: null,
        value: null,
        reason: `${what}: a different bill for this account and period is already held (bill ${match.id}: ${match.differences.join('; ')})`,
      });
      continue;
    }
    insertBill(ctx.db, ctx.batchId, input);
    bills++;
    accepted++;
  }
  if (notes.length > 0)
    findings.push({
      kind: 'note',
      count: notes.length,
      message: `UsageSummary not stored as a bill (a bill needs its account): ${notes.slice(0, 5).join('; ')}${notes.length > 5 ? '; …' : ''}`,
    });
  return { total, accepted, bills, notes };
}

function isoLocal(epoch: number, zone: string): string {
  return new Date((epoch + offsetSeconds(epoch, zone)) * 1000).toISOString().slice(0, 10);
}

// ───────────── the importer ─────────────

export async function importEspiXml(ctx: ImportContext, org: Org): Promise<ImporterResult> {
  const tol = new Tolerated();
  const scan = await scanStructure(ctx, tol);
  const store = new ReadingStore(ctx, org);
  const plan = relate(ctx, org, scan, store, tol);
  const stats: ReadStats = {
    total: 0,
    outOfOrder: 0,
    decimals: 0,
    unknownQuality: new Map(),
    utcMidnightDaily: 0,
    skippedGapZero: 0,
    millis: 0,
    wholeDecimals: 0,
    utcMidnightPeriods: 0,
  };
  const blockRejects = await readReadings(ctx, plan, store, stats);
  const findings: Finding[] = [];
  const stored = store.finish();
  const summaries = storeSummaries(ctx, org, plan, store, findings);
  // Nothing usable: refuse the file with the reasons, rather than a bare "0 rows" (the runner
  // rolls back either way).
  if (
    store.accepted <= 0 &&
    summaries.accepted === 0 &&
    (blockRejects.length > 0 || stats.total === 0)
  ) {
    const reasons = blockRejects.map(
      (b) =>
        `line ${b.line}: ${b.count} IntervalReading${b.count === 1 ? '' : 's'} not imported: ${b.reason}`,
    );
    if (stats.total === 0) reasons.push('the feed holds no IntervalReading');
    reasons.push(...summaries.notes.slice(0, 3));
    if (plan.ignored.size > 0)
      reasons.push(
        `entries with no place in the workspace: ${[...plan.ignored].map(([k, n]) => `${n} ${k}`).join(', ')}`,
      );
    throw new EdwError(
      'input_rejected',
      `${ctx.file}: nothing in this Green Button file can be imported — ${reasons.join('; ')}`,
      { line: blockRejects[0]?.line ?? 1 },
    );
  }

  if (stats.outOfOrder > 0)
    tol.add('order', `readings out of time order: placed by their own times`, stats.outOfOrder);
  if (stats.decimals > 0)
    tol.add(
      'decimals',
      'reading values with decimals (ESPI values are integers): read exactly',
      stats.decimals,
    );
  for (const [code, n] of stats.unknownQuality)
    tol.add(`q:${code}`, `unknown ReadingQuality code "${code}": the reading is kept as valid`, n);
  if (stats.utcMidnightDaily > 0)
    tol.add(
      'utc-midnight-daily',
      'daily readings stamped at 00:00 UTC rather than local midnight: read as that local calendar day',
      stats.utcMidnightDaily,
    );
  if (stats.millis > 0)
    tol.add(
      'millis',
      'reading times in milliseconds rather than epoch seconds: divided by 1000',
      stats.millis,
    );
  if (stats.wholeDecimals > 0)
    tol.add(
      'whole-decimals',
      'reading times written with a decimal part of zeros ("1433660400.0"): read as whole seconds',
      stats.wholeDecimals,
    );
  if (stats.utcMidnightPeriods > 0)
    tol.add(
      'utc-midnight-period',
      'billing periods stamped at 00:00 UTC rather than local midnight: read as starting at local midnight of that date',
      stats.utcMidnightPeriods,
    );
  if (stats.skippedGapZero > 0)
    tol.add(
      'gap-zero',
      'zero readings at a local time that does not exist (spring forward) skipped',
      stats.skippedGapZero,
    );
  const notes: Finding[] = [];
  for (const up of plan.ups)
    if (up.ref?.created)
      notes.push({
        kind: 'note',
        subject: up.ref.key,
        message: `created usage point ${up.ref.key}${up.entry?.title && up.entry.title !== up.ref.key ? ` "${up.entry.title}"` : ''} (${up.ref.commodity}) for ${org.code}${up.ref.zone !== org.timeZone ? ` in ${up.ref.zone}` : ''}`,
      });
    else if (up.ref && up.zone && up.zone !== up.ref.zone)
      notes.push({
        kind: 'note',
        subject: up.ref.key,
        message: `usage point ${up.ref.key}: the file's LocalTimeParameters (${up.ltpLabel}) differ from its zone ${up.ref.zone}, which is kept (ESPI times are UTC)`,
      });
  for (const mr of plan.mrs)
    if (mr.rt?.ok && mr.rt.period && mr.periodTypeId !== null)
      notes.push({
        kind: 'note',
        message: `${mr.entry.title ?? 'MeterReading'}: ${mr.rt.label}, billing periods (readings longer than a day, ${mr.rt.spec.seconds} s the first) ${mr.rt.spec.flow} ${mr.rt.spec.accumulation}: stored whole as period usage, not spread over days`,
      });
    else if (mr.rt?.ok && mr.readingTypeId !== null)
      notes.push({
        kind: 'note',
        message: `${mr.entry.title ?? 'MeterReading'}: ${mr.rt.label}, ${mr.rt.spec.seconds}-second ${mr.rt.spec.flow} ${mr.rt.spec.accumulation}`,
      });
  if (plan.ignored.size > 0)
    notes.push({
      kind: 'note',
      message: `entries not imported (no place in the workspace): ${[...plan.ignored].map(([k, n]) => `${n} ${k}`).join(', ')}`,
    });

  const written = { ...stored.written };
  if (summaries.bills > 0) written.bill = summaries.bills;
  return {
    rowsTotal: stats.total + summaries.total,
    rowsAccepted: Math.max(0, store.accepted) + summaries.accepted,
    findings: [...tol.findings(), ...stored.findings, ...findings, ...notes],
    written,
  };
}
