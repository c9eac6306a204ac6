// core-03-demand, levels rate_class_daily and rate_class_monthly: coincident and
// non-coincident peaks per rate class and period, under the 15/15 rule.
import type { Database } from 'better-sqlite3';
import { SeriesScanner, type SeriesBlocks } from '../../../metering/blockScan';
import { QUALITY } from '../../../metering/quality';
import { FifteenFifteen, type CellVerdict } from '../../../privacy/fifteen';
import { localDay } from '../../../time/zone';
import {
  type Agreement,
  Agreements,
  dayOf,
  localIso,
  monthDays,
  monthOfDay,
  uomLabel,
} from '../../meter';
import type { DatasetRow } from '../../types';
import {
  type P,
  type Scope,
  type UpRow,
  type SeriesRow,
  intervalSource,
  isoOfDay,
  kw9,
  unitFactors,
  upRow,
} from './shared';

interface Cell {
  org: string;
  orgId: number;
  rateClassId: number;
  rateClass: string;
  period: string;
  zone: string;
  startDay: number;
  /** UTC epoch of the cell's first local hour. */
  base: number;
  /** Summed kW per clock hour since base. */
  hours: Float64Array;
  /** usage point → its largest hourly kW and its customer key. */
  ncp: Map<number, { kw: number; customer: string }>;
  customers: Set<string>;
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
  cells: Map<string, Cell>;
  /** The same cells by rate class id and period (no key string per block). */
  byClass: Map<number, Map<string, Cell>>;
  buf: Float64Array;
}

/** Pass 1 of the rate-class levels for one usage point: its blocks into the cells' hourly sums. */
function accumulate(pass: Pass1, up: UpRow, factor: number, blocks: SeriesBlocks): void {
  const { agreements, scope, scanner, rc, daily, cells, buf } = pass;
  const upId = up.id;
  // The cell of the previous block, reused while the usage point stays in it.
  let lastCell = null as Cell | null;
  let lastCustomer = '';
  let own: { kw: number; customer: string } = { kw: -Infinity, customer: '' };
  let lastAgreement: Agreement | null = null;
  const list = agreements.of(upId);
  for (let i = 0; i < blocks.n; i++) {
    const day = blocks.day[i] as number;
    // Agreements.at() inline: the latest-starting agreement in force that day.
    let a: Agreement | null = null;
    for (const x of list) if (x.firstDay <= day && day <= x.lastDay) a = x;
    if (a?.rateClassId == null || !scope.dayIn(upId, day, a.rateClassId)) continue;
    const cls = rc.get(a.rateClassId);
    if (!cls) continue;
    const period = daily ? isoOfDay(day) : monthOfDay(day);
    const customer =
      a === lastAgreement
        ? lastCustomer
        : a.customerId === null
          ? `up:${upId}`
          : `c:${a.customerId}`;
    lastAgreement = a;
    let cell: Cell | null = lastCell;
    if (
      cell === null ||
      cell.rateClassId !== a.rateClassId ||
      cell.period !== period ||
      lastCustomer !== customer
    ) {
      let byPeriod = pass.byClass.get(a.rateClassId);
      if (!byPeriod) pass.byClass.set(a.rateClassId, (byPeriod = new Map()));
      cell = byPeriod.get(period) ?? null;
      if (!cell) {
        const key = `${cls.org}|${cls.code}|${a.rateClassId}|${period}`;
        const startDay = daily ? day : monthDays(period).first;
        const endDay = daily ? day : monthDays(period).last;
        const base = localDay(startDay, up.zone).start;
        const end = localDay(endDay + 1, up.zone).start;
        cell = {
          org: cls.org,
          orgId: cls.orgId,
          rateClassId: a.rateClassId,
          rateClass: cls.code,
          period,
          zone: up.zone,
          startDay,
          base,
          hours: new Float64Array(Math.ceil((end - base) / 3600) + 1),
          ncp: new Map(),
          customers: new Set(),
        };
        cells.set(key, cell);
        byPeriod.set(period, cell);
      }
      cell.customers.add(customer);
      const found = cell.ncp.get(upId);
      if (found) own = found;
      else cell.ncp.set(upId, (own = { kw: -Infinity, customer }));
      lastCell = cell;
      lastCustomer = customer;
    }
    const count = scanner.decode(blocks, i);
    const start = blocks.start[i] as number;
    const seconds = blocks.seconds[i] as number;
    const hours = cell.hours;
    let ownKw = own.kw;
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
    own.kw = ownKw;
  }
}

export function* rateClassRows(db: Database, p: P, scope: Scope): Generator<DatasetRow> {
  const agreements = new Agreements(db);
  const factors = unitFactors(db);
  const scanner = new SeriesScanner(db);
  const daily = p.level === 'rate_class_daily';
  const cells = new Map<string, Cell>();
  const rc = new Map<number, { code: string; orgId: number; org: string }>(
    (
      db
        .prepare(
          'SELECT r.id, r.code, r.org_id AS orgId, o.code AS org FROM rate_class r JOIN organization o ON o.id = r.org_id',
        )
        .all() as { id: number; code: string; orgId: number; org: string }[]
    ).map((r) => [r.id, r]),
  );
  const sources: { up: UpRow; s: SeriesRow; factor: number }[] = [];
  // Hours of one block: 25 on a fall-back day, plus one when a block starts off the hour.
  const buf = new Float64Array(27);
  // Pass 1: hourly sums per cell and each usage point's own peak.
  const pass: Pass1 = { agreements, scope, scanner, rc, daily, cells, byClass: new Map(), buf };
  for (const upId of scope.usagePoints) {
    const s = intervalSource(db, upId);
    if (!s) continue;
    const up = upRow(db, upId);
    const factor = factors.get(s.unit)?.factor ?? 1;
    sources.push({ up, s, factor });
    accumulate(pass, up, factor, scanner.read(s.id, scope.fromDay, scope.toDay));
  }
  // Pass 2: each usage point's demand at its cell's coincident peak hour.
  const cp = new Map<string, { hour: number; kw: number }>();
  for (const [key, cell] of cells) {
    let best = 0;
    for (let k = 1; k < cell.hours.length; k++)
      if ((cell.hours[k] ?? 0) > (cell.hours[best] ?? 0)) best = k;
    cp.set(key, { hour: cell.base + best * 3600, kw: cell.hours[best] ?? 0 });
    cell.hours = new Float64Array(0);
  }
  const ncpRule = new FifteenFifteen();
  const cpRule = new FifteenFifteen();
  // Per usage point, its cells' keys, CP hours and its customer there (parallel arrays: no
  // object per (cell, usage point), which the daily level has millions of).
  const cpByUp = new Map<number, { keys: string[]; hours: number[]; customers: string[] }>();
  for (const [key, cell] of cells) {
    const peak = cp.get(key) as { hour: number; kw: number };
    for (const [up, own] of cell.ncp) {
      ncpRule.add(key, own.customer, own.kw);
      let list = cpByUp.get(up);
      if (!list) cpByUp.set(up, (list = { keys: [], hours: [], customers: [] }));
      list.keys.push(key);
      list.hours.push(peak.hour);
      list.customers.push(own.customer);
    }
  }
  for (const { up, s, factor } of sources) {
    const wanted = cpByUp.get(up.id);
    if (!wanted) continue;
    cpByUp.delete(up.id);
    const days = wanted.hours.map((h) => dayOfInstant(h, up.zone));
    // The blocks of those days (the block of the peak hour's local day), in one read: a range
    // when they are many (daily cells), else the list.
    const unique = [...new Set(days)];
    let first = Infinity;
    let last = -Infinity;
    for (const d of unique) {
      if (d < first) first = d;
      if (d > last) last = d;
    }
    const blocks =
      unique.length > 31 ? scanner.read(s.id, first, last) : scanner.readDays(s.id, unique);
    const at = new Map<number, number>();
    for (let i = 0; i < blocks.n; i++) at.set(blocks.day[i] as number, i);
    for (let j = 0; j < days.length; j++) {
      const hour = wanted.hours[j] as number;
      const i = at.get(days[j] as number);
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
        const k = Math.round((hour - h0) / 3600);
        if (k >= 0 && k < hoursN) kw = buf[k] ?? 0;
      }
      cpRule.add(wanted.keys[j] as string, wanted.customers[j] as string, kw);
    }
  }
  const keys = [...cells.keys()].sort((a, b) => {
    const x = cells.get(a) as Cell;
    const y = cells.get(b) as Cell;
    return x.org < y.org
      ? -1
      : x.org > y.org
        ? 1
        : x.rateClass < y.rateClass
          ? -1
          : x.rateClass > y.rateClass
            ? 1
            : x.period < y.period
              ? -1
              : x.period > y.period
                ? 1
                : 0;
  });
  for (const key of keys) {
    const cell = cells.get(key) as Cell;
    const peak = cp.get(key) as { hour: number; kw: number };
    const verdict = worse(ncpRule.verdict(key), cpRule.verdict(key));
    let ncp = 0;
    for (const own of cell.ncp.values()) ncp += own.kw;
    const released = verdict.released;
    yield {
      values: {
        level: p.level,
        class: cell.rateClass,
        usage_point: cell.org,
        time_start: localIso(localDay(cell.startDay, cell.zone).start, cell.zone),
        uom: uomLabel('kW'),
        source: 'hourly',
        period: cell.period,
        customers: released ? cell.customers.size : null,
        usage_points: released ? cell.ncp.size : null,
        coincident_peak_kw: released ? kw9(peak.kw) : null,
        coincident_peak_time: released ? localIso(peak.hour, cell.zone) : null,
        non_coincident_peak_kw: released ? kw9(ncp) : null,
        suppressed: !released,
        suppression_reason: verdict.reason,
      },
      subjects: [],
      suppressed: !released,
    };
  }
}

function worse(a: CellVerdict, b: CellVerdict): CellVerdict {
  return a.released ? b : a;
}
