// Stage .6 (SMV-03.6), measurement and verification: each premise's metered load, its
// baseline on event days by the CAISO 10-in-10 method (day-of adjustment capped) and by a
// CalTRACK-style temperature regression, and the kW/kWh delivered per premise and per DER.
import type { Database } from 'better-sqlite3';
import { readBlocks } from '../metering/intervals';
import { QUALITY } from '../metering/intervalCodec';
import type { DispatchArrays } from './dispatch';
import type { DerModel } from './fleet';
import type { Rng } from './random';
import type { EventWindow, Signals, Timeline } from './timeline';

// ───────────── baselines (pure; tested on hand-made series) ─────────────

export interface DayLoad {
  /** Interval values of one day, by position in the day. */
  values: ArrayLike<number>;
  /** Weekend or holiday. */
  offDay: boolean;
  /** A day with an event (never a baseline day). */
  eventDay: boolean;
}

export interface TenInTen {
  /** Unadjusted baseline per event interval. */
  raw: number[];
  /** Day-of adjustment factor after the cap. */
  factor: number;
  /** The factor before the cap (null when the window's baseline is 0). */
  uncapped: number | null;
  adjusted: number[];
  daysUsed: number[];
}

/**
 * CAISO 10-in-10: the baseline of interval k on event day `e` is the mean of interval k over
 * the 10 most recent prior days that are weekdays (not weekends or holidays) and not event
 * days. Day-of adjustment: factor = Σ actual / Σ baseline over the adjustment intervals of
 * the event day (the hours before the event, docs/vpp.md), capped to [1 − cap, 1 + cap].
 * `intervals` are the event's positions in the day, `window` the adjustment positions.
 */
export function tenInTen(
  days: readonly DayLoad[],
  e: number,
  intervals: readonly number[],
  window: readonly number[],
  cap: number,
  maxDays = 10,
): TenInTen {
  const used: number[] = [];
  for (let d = e - 1; d >= 0 && used.length < maxDays; d--) {
    const x = days[d] as DayLoad;
    if (x.offDay || x.eventDay) continue;
    used.push(d);
  }
  const mean = (k: number): number => {
    if (used.length === 0) return 0;
    let s = 0;
    for (const d of used) s += ((days[d] as DayLoad).values[k] as number) ?? 0;
    return s / used.length;
  };
  const raw = intervals.map(mean);
  const today = (days[e] as DayLoad).values;
  let sa = 0;
  let sb = 0;
  for (const k of window) {
    sa += today[k] as number;
    sb += mean(k);
  }
  const uncapped = sb > 0 ? sa / sb : null;
  const factor = uncapped === null ? 1 : Math.min(1 + cap, Math.max(1 - cap, uncapped));
  return { raw, factor, uncapped, adjusted: raw.map((b) => b * factor), daysUsed: used };
}

export interface Regression {
  intercept: number;
  slope: number;
  n: number;
}

/** Ordinary least squares y = a + b·x (b = 0 when x does not vary). */
export function ols(x: readonly number[], y: readonly number[]): Regression {
  const n = x.length;
  if (n === 0) return { intercept: 0, slope: 0, n };
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] as number;
    my += y[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    sxy += dx * ((y[i] as number) - my);
    sxx += dx * dx;
  }
  const slope = sxx > 1e-9 ? sxy / sxx : 0;
  return { intercept: my - slope * mx, slope, n };
}

/** Cooling degrees above the CalTRACK-style balance point (65 °F). */
export const BALANCE_F = 65;
export function cdd(f: number): number {
  return Math.max(0, f - BALANCE_F);
}

// ───────────── premise loads ─────────────

export interface PremiseLoad {
  key: string;
  /** Underlying load without VPP actions, kW per timeline interval. */
  underlying: Float32Array;
  /** Metered load: underlying minus the VPP's actual flexibility. */
  metered: Float32Array;
  /** Days taken from workspace interval data (the others are synthetic). */
  daysFromData: number;
  ders: number[];
}

interface SeriesRow {
  id: number;
  unit: string;
}

/** Premise loads for every premise of the fleet. */
export function premiseLoads(
  db: Database | null,
  models: readonly DerModel[],
  dispatch: readonly DispatchArrays[],
  tl: Timeline,
  sig: Signals,
  rng: Rng,
): Map<string, PremiseLoad> {
  const byPremise = new Map<string, number[]>();
  models.forEach((m, i) => {
    let l = byPremise.get(m.der.premise);
    if (!l) byPremise.set(m.der.premise, (l = []));
    l.push(i);
  });
  const seriesOf = db?.prepare(
    `SELECT s.id AS id, rt.unit AS unit FROM series s JOIN reading_type rt ON rt.id = s.reading_type_id
     WHERE s.usage_point_id = ? AND rt.commodity = 'electricity' AND rt.measure = 'energy'
       AND rt.flow_direction = 'forward' AND rt.accumulation = 'delta' AND rt.unit IN ('kWh', 'Wh')
     ORDER BY rt.interval_seconds LIMIT 1`,
  );
  const out = new Map<string, PremiseLoad>();
  const ns = tl.n - tl.season0;
  for (const [key, ders] of byPremise) {
    const under = new Float32Array(tl.n);
    const fromData = new Uint8Array(tl.days.length);
    const up =
      ders.map((i) => (models[i] as DerModel).der.usagePointId).find((x) => x !== null) ?? null;
    if (seriesOf && db && up !== null) {
      const row = seriesOf.get(up) as SeriesRow | undefined;
      if (row) fillFromData(db, row, tl, under, fromData);
    }
    const r = rng.fork('premise', key);
    const factor = 0.7 + 0.8 * r.next();
    for (let di = 0; di < tl.days.length; di++) {
      if (fromData[di]) continue;
      for (let t = tl.dayStart[di] as number; t < (tl.dayStart[di + 1] as number); t++) {
        const h = (tl.hour[t] as number) + tl.dt / 2;
        let x =
          factor *
            (0.45 +
              0.35 * Math.exp(-(((h - 7.5) / 1.5) ** 2)) +
              0.6 * Math.exp(-(((h - 19) / 2.5) ** 2))) +
          0.05 * factor * r.normal();
        // The premise's own DERs as they behave without the VPP (AC, EV charging, PV).
        // Lookback days (no model arrays) borrow the first season day of the same day type.
        x += 0.03 * factor * Math.max(0, (sig.tempActual[t] as number) - 68);
        let i = t - tl.season0;
        if (i < 0) i = typicalIndex(tl, t);
        if (i >= 0) for (const j of ders) x -= (models[j] as DerModel).actual.base[i] as number;
        under[t] = Math.max(0, x);
      }
    }
    const metered = Float32Array.from(under);
    for (let i = 0; i < ns; i++) {
      let f = 0;
      for (const j of ders) f += (dispatch[j] as DispatchArrays).flex[i] as number;
      metered[tl.season0 + i] = (under[tl.season0 + i] as number) - f;
    }
    out.set(key, {
      key,
      underlying: under,
      metered,
      daysFromData: fromData.reduce((a, b) => a + b, 0),
      ders,
    });
  }
  return out;
}

/** Season index of the same position on the first season day of the same day type (or -1). */
function typicalIndex(tl: Timeline, t: number): number {
  const di = tl.dayIndex[t] as number;
  const pos = t - (tl.dayStart[di] as number);
  for (let d = tl.seasonDay0; d < tl.days.length; d++) {
    const s0 = tl.dayStart[d] as number;
    if (tl.offDay[s0] !== tl.offDay[t]) continue;
    if (s0 + pos < (tl.dayStart[d + 1] as number)) return s0 + pos - tl.season0;
    return -1;
  }
  return -1;
}

/** Hourly (or finer) kWh of the usage point → kW per simulation interval, for complete days. */
function fillFromData(
  db: Database,
  row: SeriesRow,
  tl: Timeline,
  under: Float32Array,
  fromData: Uint8Array,
): void {
  const k = row.unit === 'Wh' ? 0.001 : 1;
  const first = tl.days[0] as number;
  const last = tl.days[tl.days.length - 1] as number;
  for (const b of readBlocks(db, row.id, first, last)) {
    const di = b.day - first;
    if (di < 0 || di >= tl.days.length) continue;
    const t0 = tl.dayStart[di] as number;
    const t1 = tl.dayStart[di + 1] as number;
    const dayStartEpoch = tl.start[t0] as number;
    if (b.values.length * b.seconds !== (t1 - t0) * tl.stepSeconds) continue;
    let ok = true;
    for (let q = 0; q < b.quality.length; q++) if (b.quality[q] === QUALITY.missing) ok = false;
    if (!ok) continue;
    for (let t = t0; t < t1; t++) under[t] = 0;
    for (let s = 0; s < b.values.length; s++) {
      const e = (b.values[s] as number) * k;
      const from = b.start + s * b.seconds - dayStartEpoch;
      if (b.seconds >= tl.stepSeconds) {
        const parts = b.seconds / tl.stepSeconds;
        const i0 = t0 + Math.round(from / tl.stepSeconds);
        for (let p = 0; p < parts; p++) if (i0 + p < t1) under[i0 + p] = e / parts / tl.dt;
      } else {
        const i = t0 + Math.floor(from / tl.stepSeconds);
        if (i < t1) under[i] = (under[i] as number) + e / tl.dt;
      }
    }
    fromData[di] = 1;
  }
}

// ───────────── event performance ─────────────

export interface Performance {
  event: string;
  kind: 'capacity' | 'dr';
  premise: string;
  method: 'caiso-10in10' | 'caltrack';
  baselineKwh: number;
  meteredKwh: number;
  deliveredKwh: number;
  deliveredKw: number;
  /** 10-in-10: capped day-of factor; CalTRACK: null. */
  adjustment: number | null;
  daysUsed: number;
}

export interface DerDelivery {
  event: string;
  der: number;
  telemetryKwh: number;
  deliveredKwh: number;
  deliveredKw: number;
}

/** Positions (in-day) of the 10-in-10 adjustment window: the 3 hours ending 1 hour before the event. */
function adjustmentWindow(tl: Timeline, di: number, startHour: number): number[] {
  const out: number[] = [];
  const t0 = tl.dayStart[di] as number;
  for (let t = t0; t < (tl.dayStart[di + 1] as number); t++) {
    const h = tl.hour[t] as number;
    if (h >= startHour - 4 && h < startHour - 1) out.push(t - t0);
  }
  return out;
}

export function measure(
  loads: ReadonlyMap<string, PremiseLoad>,
  models: readonly DerModel[],
  dispatch: readonly DispatchArrays[],
  tl: Timeline,
  sig: Signals,
  capPct: number,
): { performance: Performance[]; deliveries: DerDelivery[] } {
  const performance: Performance[] = [];
  const deliveries: DerDelivery[] = [];
  const cap = capPct / 100;
  for (const load of loads.values()) {
    const active = load.ders.filter((j) => (models[j] as DerModel).der.kind !== 'pv');
    if (active.length === 0) continue;
    const days: DayLoad[] = tl.days.map((_, di) => ({
      values: load.metered.subarray(tl.dayStart[di] as number, tl.dayStart[di + 1] as number),
      offDay: tl.offDay[tl.dayStart[di] as number] === 1,
      eventDay: sig.eventDays.has(di),
    }));
    // CalTRACK-style: one regression per (day type, hour) over the non-event days.
    const fits = new Map<string, Regression>();
    const xs = new Map<string, number[]>();
    const ys = new Map<string, number[]>();
    for (let t = 0; t < tl.n; t++) {
      const di = tl.dayIndex[t] as number;
      if (sig.eventDays.has(di)) continue;
      const k = `${tl.offDay[t]}|${Math.floor(tl.hour[t] as number)}`;
      if (!xs.has(k)) {
        xs.set(k, []);
        ys.set(k, []);
      }
      (xs.get(k) as number[]).push(cdd(sig.tempActual[t] as number));
      (ys.get(k) as number[]).push(load.metered[t] as number);
    }
    for (const [k, x] of xs) fits.set(k, ols(x, ys.get(k) as number[]));
    for (const ev of sig.events) {
      const t0 = tl.dayStart[ev.dayIdx] as number;
      const pos = ev.intervals.map((t) => t - t0);
      let meteredKwh = 0;
      for (const t of ev.intervals) meteredKwh += (load.metered[t] as number) * tl.dt;
      const tt = tenInTen(
        days,
        ev.dayIdx,
        pos,
        adjustmentWindow(tl, ev.dayIdx, ev.event.startHour),
        cap,
      );
      const b10 = tt.adjusted.reduce((a, b) => a + b, 0) * tl.dt;
      let bct = 0;
      for (const t of ev.intervals) {
        const f = fits.get(`${tl.offDay[t]}|${Math.floor(tl.hour[t] as number)}`);
        bct += (f ? f.intercept + f.slope * cdd(sig.tempActual[t] as number) : 0) * tl.dt;
      }
      for (const [method, base, adj, used] of [
        ['caiso-10in10', b10, tt.factor, tt.daysUsed.length],
        ['caltrack', bct, null, 0],
      ] as const) {
        const delivered = base - meteredKwh;
        performance.push({
          event: ev.id,
          kind: ev.kind,
          premise: load.key,
          method,
          baselineKwh: base,
          meteredKwh,
          deliveredKwh: delivered,
          deliveredKw: delivered / ev.hours,
          adjustment: adj,
          daysUsed: used,
        });
      }
    }
  }
  // Per-DER split of each premise's delivery (by positive telemetry energy in the event).
  void dispatch;
  return { performance, deliveries };
}

/** Split premise deliveries (of the settlement method) among the premise's DERs. */
export function splitDeliveries(
  performance: readonly Performance[],
  loads: ReadonlyMap<string, PremiseLoad>,
  models: readonly DerModel[],
  dispatch: readonly DispatchArrays[],
  tl: Timeline,
  sig: Signals,
  method: 'caiso-10in10' | 'caltrack',
): DerDelivery[] {
  const out: DerDelivery[] = [];
  const events = new Map<string, EventWindow>(sig.events.map((e) => [e.id, e]));
  for (const p of performance) {
    if (p.method !== method) continue;
    const ev = events.get(p.event) as EventWindow;
    const load = loads.get(p.premise) as PremiseLoad;
    const active = load.ders.filter((j) => (models[j] as DerModel).der.kind !== 'pv');
    const tel = active.map((j) => {
      let e = 0;
      for (const t of ev.intervals)
        e += ((dispatch[j] as DispatchArrays).flex[t - tl.season0] as number) * tl.dt;
      return e;
    });
    const pos = tel.map((e) => Math.max(0, e));
    const sum = pos.reduce((a, b) => a + b, 0);
    active.forEach((j, k) => {
      const share = sum > 0 ? (pos[k] as number) / sum : 1 / active.length;
      out.push({
        event: p.event,
        der: j,
        telemetryKwh: tel[k] as number,
        deliveredKwh: p.deliveredKwh * share,
        deliveredKw: p.deliveredKw * share,
      });
    });
  }
  return out;
}
