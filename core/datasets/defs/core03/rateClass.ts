// core-03-demand, levels rate_class_daily and rate_class_monthly: coincident and
// non-coincident peaks per rate class and period, under the 15/15 rule.
import type { Database } from 'better-sqlite3';
import { SeriesScanner, type SeriesBlocks } from '../../../metering/blockScan';
import { QUALITY } from '../../../metering/quality';
import { judgeCell, type CellVerdict } from '../../../privacy/fifteen';
import { localDay } from '../../../time/zone';
import {
  type Agreement,
  Agreements,
  dayOf,
  localIso,
  monthDays,
  monthOfDay,
  uomLabel,
  isoOfDay,
} from '../../meter';
import type { DatasetRow } from '../../types';
import {
  type P,
  type Scope,
  type UpRow,
  type SeriesRow,
  intervalSource,
  kw9,
  unitFactors,
  upRow,
} from './shared';

/** A rate-class period (local day or calendar month). */
interface Period {
  label: string;
  startDay: number;
  endDay: number;
}

/**
 * One output cell (rate class × period). Its usage points are entries in growable typed arrays
 * (not a Map of objects: the daily level has millions of them): the usage point's ordinal, its
 * customer key and its own largest clock hour in the cell (NCP); cpKw is filled by pass 2.
 */
interface Cell {
  key: string;
  org: string;
  rateClassId: number;
  rateClass: string;
  period: Period;
  zone: string;
  /** UTC epoch of the cell's first local hour. */
  base: number;
  /** Summed kW per clock hour since base. */
  hours: Float64Array;
  /** Largest clock-hour sum and its epoch, once pass 1 is over. */
  cpHour: number;
  cpKw: number;
  n: number;
  ups: Int32Array;
  customers: Float64Array;
  ncpKw: Float64Array;
  cpKwOf: Float64Array;
  /** Customers of a usage point after the first one in this cell (rare: a move-in). */
  otherCustomers: number[];
}

function newCell(
  cls: { code: string; org: string },
  rateClassId: number,
  period: Period,
  zone: string,
): Cell {
  const base = localDay(period.startDay, zone).start;
  const end = localDay(period.endDay + 1, zone).start;
  return {
    key: `${cls.org}|${cls.code}|${rateClassId}|${period.label}`,
    org: cls.org,
    rateClassId,
    rateClass: cls.code,
    period,
    zone,
    base,
    hours: new Float64Array(Math.ceil((end - base) / 3600) + 1),
    cpHour: base,
    cpKw: 0,
    n: 0,
    ups: new Int32Array(16),
    customers: new Float64Array(16),
    ncpKw: new Float64Array(16),
    cpKwOf: new Float64Array(0),
    otherCustomers: [],
  };
}

/** Append an entry (usage point, customer) to a cell; returns its position. */
function addEntry(cell: Cell, up: number, customer: number): number {
  if (cell.n === cell.ups.length) {
    const size = cell.n * 2;
    const ups = new Int32Array(size);
    ups.set(cell.ups);
    const customers = new Float64Array(size);
    customers.set(cell.customers);
    const ncp = new Float64Array(size);
    ncp.set(cell.ncpKw);
    cell.ups = ups;
    cell.customers = customers;
    cell.ncpKw = ncp;
  }
  const at = cell.n++;
  cell.ups[at] = up;
  cell.customers[at] = customer;
  cell.ncpKw[at] = -Infinity;
  return at;
}

/**
 * Clock-hour kW of a decoded block into `buf` (kWh of each clock hour = its average kW), hour 0
 * being the clock hour of the block's start; returns that hour's epoch (and sets hoursN).
 */
function blockHours(
  start: number,
  seconds: number,
  count: number,
  values: Float64Array,
  quality: Uint8Array,
  factor: number,
  buf: Float64Array,
): number {
  const h0 = start - (((start % 3600) + 3600) % 3600);
  const n = Math.ceil((start + count * seconds - h0) / 3600);
  buf.fill(0, 0, n);
  for (let i = 0; i < count; i++) {
    const q = quality[i] as number;
    if (q === QUALITY.missing || q === QUALITY.failed) continue;
    const k = Math.floor((start + i * seconds - h0) / 3600);
    buf[k] = (buf[k] ?? 0) + (values[i] as number) * factor;
  }
  hoursN = n;
  return h0;
}
/** Hours filled by the last blockHours() call. */
let hoursN = 0;

const dayOfHourCache = new Map<string, Map<number, number>>();

/** The local day of an instant (cached per zone: many usage points share the peak hours). */
function dayOfInstant(epoch: number, zone: string): number {
  let m = dayOfHourCache.get(zone);
  if (!m) dayOfHourCache.set(zone, (m = new Map()));
  let d = m.get(epoch);
  if (d === undefined) {
    // The UTC day shifted by the zone offset at that instant.
    d = dayOf(localIso(epoch, zone).slice(0, 10));
    if (m.size > 200_000) m.clear();
    m.set(epoch, d);
  }
  return d;
}

interface Pass1 {
  agreements: Agreements;
  scope: Scope;
  scanner: SeriesScanner;
  rc: Map<number, { code: string; orgId: number; org: string }>;
  daily: boolean;
  /** Cells by rate class id, then by the period's first day. */
  cells: Map<number, Map<number, Cell>>;
  /** Every (cell, position) entry, usage point after usage point (pass 2 walks them). */
  entryCell: Cell[];
  entryPos: number[];
  buf: Float64Array;
}

const periodCache = new Map<number, Period>();

/** The period of a local day: itself (daily) or its calendar month (cached). */
function periodOf(day: number, daily: boolean): Period {
  const key = daily ? day : -1 - day;
  let p = periodCache.get(key);
  if (p === undefined) {
    if (daily) p = { label: isoOfDay(day), startDay: day, endDay: day };
    else {
      const label = monthOfDay(day);
      const { first, last } = monthDays(label);
      p = { label, startDay: first, endDay: last };
    }
    if (periodCache.size > 400_000) periodCache.clear();
    periodCache.set(key, p);
  }
  return p;
}

/** The cell of a rate class and period, created on first use. */
function cellOf(pass: Pass1, rateClassId: number, period: Period, zone: string): Cell | null {
  let byStart = pass.cells.get(rateClassId);
  if (!byStart) pass.cells.set(rateClassId, (byStart = new Map()));
  let cell = byStart.get(period.startDay);
  if (!cell) {
    const cls = pass.rc.get(rateClassId);
    if (!cls) return null;
    cell = newCell(cls, rateClassId, period, zone);
    byStart.set(period.startDay, cell);
  }
  return cell;
}

/** Pass 1 of the rate-class levels for one usage point: its blocks into the cells' hourly sums. */
function accumulate(pass: Pass1, up: UpRow, factor: number, blocks: SeriesBlocks): void {
  const { agreements, scope, scanner, daily, buf } = pass;
  const upId = up.id;
  // The cell and entry of the previous block, reused while the usage point stays in it.
  let cell: Cell | null = null;
  let pos = -1;
  let lastCustomer = 0;
  const list = agreements.of(upId);
  for (let i = 0; i < blocks.n; i++) {
    const day = blocks.day[i] as number;
    // Agreements.at() inline: the latest-starting agreement in force that day.
    let a: Agreement | null = null;
    for (const x of list) if (x.firstDay <= day && day <= x.lastDay) a = x;
    if (a?.rateClassId == null || !scope.dayIn(upId, day, a.rateClassId)) continue;
    // A customer key: the customer, else the usage point itself (negative: no clash).
    const customer = a.customerId === null ? -upId : a.customerId;
    if (
      cell === null ||
      cell.rateClassId !== a.rateClassId ||
      day > cell.period.endDay ||
      day < cell.period.startDay ||
      customer !== lastCustomer
    ) {
      const next = cellOf(pass, a.rateClassId, periodOf(day, daily), up.zone);
      if (!next) continue;
      cell = next;
      // Blocks come usage point after usage point: this one's entry, if any, is the last. One
      // entry per usage point (NCP is per usage point); a second customer of it in the same
      // cell (a move-in) still counts among the cell's customers.
      if (cell.n > 0 && cell.ups[cell.n - 1] === upId) {
        pos = cell.n - 1;
        if (cell.customers[pos] !== customer) cell.otherCustomers.push(customer);
      } else {
        pos = addEntry(cell, upId, customer);
        pass.entryCell.push(cell);
        pass.entryPos.push(pos);
      }
      lastCustomer = customer;
    }
    const count = scanner.decode(blocks, i);
    const start = blocks.start[i] as number;
    const seconds = blocks.seconds[i] as number;
    const hours = cell.hours;
    let ownKw = cell.ncpKw[pos] as number;
    if (seconds === 3600 && start % 3600 === 0) {
      // Hourly slots on clock hours (the common case): slot k is clock hour k; the same sums
      // as blockHours() without the staging buffer.
      const values = scanner.values;
      const quality = scanner.qualities;
      const offset = Math.round((start - cell.base) / 3600);
      const from = Math.max(0, -offset);
      const to = Math.min(count, hours.length - offset);
      if (blocks.qualityLen[i] === 0) {
        // Every slot valid.
        for (let k = 0; k < count; k++) {
          const kw = 0 + (values[k] as number) * factor;
          if (k >= from && k < to) hours[offset + k] = (hours[offset + k] as number) + kw;
          if (kw > ownKw) ownKw = kw;
        }
      } else {
        for (let k = 0; k < count; k++) {
          const q = quality[k] as number;
          const kw =
            q === QUALITY.missing || q === QUALITY.failed ? 0 : 0 + (values[k] as number) * factor;
          if (k >= from && k < to) hours[offset + k] = (hours[offset + k] as number) + kw;
          if (kw > ownKw) ownKw = kw;
        }
      }
    } else {
      const h0 = blockHours(start, seconds, count, scanner.values, scanner.qualities, factor, buf);
      const n = hoursN;
      const offset = Math.round((h0 - cell.base) / 3600);
      for (let k = 0; k < n; k++) {
        const kw = buf[k] ?? 0;
        const idx = offset + k;
        if (idx >= 0 && idx < hours.length) hours[idx] = (hours[idx] as number) + kw;
        if (kw > ownKw) ownKw = kw;
      }
    }
    cell.ncpKw[pos] = ownKw;
  }
}

/** The coincident peak of each cell: its largest clock-hour sum (the first such hour). */
function findPeaks(cells: Iterable<Cell>): void {
  for (const cell of cells) {
    let best = 0;
    for (let k = 1; k < cell.hours.length; k++)
      if ((cell.hours[k] as number) > (cell.hours[best] as number)) best = k;
    cell.cpHour = cell.base + best * 3600;
    cell.cpKw = cell.hours[best] ?? 0;
    cell.hours = new Float64Array(0);
    cell.cpKwOf = new Float64Array(cell.n);
  }
}

/**
 * Pass 2 for one usage point: its demand at the coincident peak hour of each of its cells,
 * from the blocks of those hours' local days (read again: one range read when they are many).
 */
function demandAtPeaks(
  scanner: SeriesScanner,
  source: { up: UpRow; s: SeriesRow; factor: number },
  cells: Cell[],
  positions: number[],
  from: number,
  to: number,
  buf: Float64Array,
): void {
  const { up, s, factor } = source;
  const days: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (let j = from; j < to; j++) {
    const d = dayOfInstant((cells[j] as Cell).cpHour, up.zone);
    days.push(d);
    if (d < first) first = d;
    if (d > last) last = d;
  }
  const unique = [...new Set(days)];
  const blocks =
    unique.length > 31 ? scanner.read(s.id, first, last) : scanner.readDays(s.id, unique);
  const at = new Map<number, number>();
  for (let i = 0; i < blocks.n; i++) at.set(blocks.day[i] as number, i);
  for (let j = from; j < to; j++) {
    const cell = cells[j] as Cell;
    const i = at.get(days[j - from] as number);
    let kw = 0;
    if (i !== undefined) {
      const count = scanner.decode(blocks, i);
      const h0 = blockHours(
        blocks.start[i] as number,
        blocks.seconds[i] as number,
        count,
        scanner.values,
        scanner.qualities,
        factor,
        buf,
      );
      const k = Math.round((cell.cpHour - h0) / 3600);
      if (k >= 0 && k < hoursN) kw = buf[k] ?? 0;
    }
    cell.cpKwOf[positions[j] as number] = kw;
  }
}

/** A cell's 15/15 verdict on one per-entry quantity, netted per customer. */
function cellVerdict(cell: Cell, values: Float64Array): CellVerdict {
  const byCustomer = new Map<number, number>();
  for (let k = 0; k < cell.n; k++) {
    const c = cell.customers[k] as number;
    byCustomer.set(c, (byCustomer.get(c) ?? 0) + (values[k] as number));
  }
  return judgeCell(byCustomer.values());
}

/** Distinct values among the first n of a typed array (plus extra ones). */
function distinct(a: Float64Array | Int32Array, n: number, extra: readonly number[] = []): number {
  const sorted = Float64Array.from([...a.subarray(0, n), ...extra]).sort();
  let d = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) d++;
  return d;
}

const compareCells = (x: Cell, y: Cell): number =>
  x.org < y.org
    ? -1
    : x.org > y.org
      ? 1
      : x.rateClass < y.rateClass
        ? -1
        : x.rateClass > y.rateClass
          ? 1
          : x.period.label < y.period.label
            ? -1
            : x.period.label > y.period.label
              ? 1
              : 0;

export function* rateClassRows(db: Database, p: P, scope: Scope): Generator<DatasetRow> {
  const factors = unitFactors(db);
  const scanner = new SeriesScanner(db);
  const rc = new Map<number, { code: string; orgId: number; org: string }>(
    (
      db
        .prepare(
          'SELECT r.id, r.code, r.org_id AS orgId, o.code AS org FROM rate_class r JOIN organization o ON o.id = r.org_id',
        )
        .all() as { id: number; code: string; orgId: number; org: string }[]
    ).map((r) => [r.id, r]),
  );
  // Hours of one block: 25 on a fall-back day, plus one when a block starts off the hour.
  const buf = new Float64Array(27);
  const pass: Pass1 = {
    agreements: new Agreements(db),
    scope,
    scanner,
    rc,
    daily: p.level === 'rate_class_daily',
    cells: new Map(),
    entryCell: [],
    entryPos: [],
    buf,
  };
  // Pass 1: hourly sums per cell and each usage point's own peak; entries per usage point.
  const sources: { up: UpRow; s: SeriesRow; factor: number; from: number; to: number }[] = [];
  for (const upId of scope.usagePoints) {
    const s = intervalSource(db, upId);
    if (!s) continue;
    const up = upRow(db, upId);
    const factor = factors.get(s.unit)?.factor ?? 1;
    const from = pass.entryCell.length;
    accumulate(pass, up, factor, scanner.read(s.id, scope.fromDay, scope.toDay));
    sources.push({ up, s, factor, from, to: pass.entryCell.length });
  }
  const cells = [...pass.cells.values()].flatMap((m) => [...m.values()]);
  findPeaks(cells);
  // Pass 2: each usage point's demand at its cells' coincident peak hours.
  for (const source of sources)
    if (source.to > source.from)
      demandAtPeaks(scanner, source, pass.entryCell, pass.entryPos, source.from, source.to, buf);
  cells.sort(compareCells);
  for (const cell of cells) {
    // Both published quantities pass the rule: per-customer NCP and demand at the CP hour.
    const ncpVerdict = cellVerdict(cell, cell.ncpKw);
    const verdict = ncpVerdict.released ? cellVerdict(cell, cell.cpKwOf) : ncpVerdict;
    let ncp = 0;
    for (let k = 0; k < cell.n; k++) ncp += cell.ncpKw[k] as number;
    const released = verdict.released;
    yield {
      values: {
        level: p.level,
        class: cell.rateClass,
        usage_point: cell.org,
        time_start: localIso(localDay(cell.period.startDay, cell.zone).start, cell.zone),
        uom: uomLabel('kW'),
        source: 'hourly',
        period: cell.period.label,
        customers: released ? distinct(cell.customers, cell.n, cell.otherCustomers) : null,
        usage_points: released ? cell.n : null,
        coincident_peak_kw: released ? kw9(cell.cpKw) : null,
        coincident_peak_time: released ? localIso(cell.cpHour, cell.zone) : null,
        non_coincident_peak_kw: released ? kw9(ncp) : null,
        suppressed: !released,
        suppression_reason: verdict.reason,
      },
      subjects: [],
      suppressed: !released,
    };
  }
}
