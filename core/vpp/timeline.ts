// The simulation's time grid and market/weather signals: local days of the lookback and the
// season cut into intervals (DST days have 23/25 hours), local hours, day types, hourly prices
// with seeded volatility, events, temperatures and cloudiness (actual and day-ahead forecast).
import { dayToIso, isoToDay, localDay, localParts } from '../time/zone';
import { Rng } from './random';
import type { Event, Scenario } from './scenario';

export interface Timeline {
  zone: string;
  stepSeconds: number;
  /** Interval length in hours (Δ). */
  dt: number;
  /** Local day numbers, lookback first, then the season. */
  days: number[];
  /** First interval of each day (index into the interval arrays), plus a final end index. */
  dayStart: number[];
  /** Index of the first season day in `days`. */
  seasonDay0: number;
  /** Index of the first season interval. */
  season0: number;
  n: number;
  start: Float64Array;
  /** Local hour of the interval start, with minutes as a fraction (17.25 = 17:15). */
  hour: Float32Array;
  dayIndex: Int32Array;
  /** 1 on weekends and listed holidays. */
  offDay: Uint8Array;
}

export function buildTimeline(s: Scenario): Timeline {
  const zone = s.season.timeZone;
  const stepSeconds = s.season.intervalMinutes * 60;
  const first = isoToDay(s.season.start) - s.season.lookbackDays;
  const last = isoToDay(s.season.end);
  const holidays = new Set(s.season.holidays.map((d) => isoToDay(d)));
  const days: number[] = [];
  const dayStart: number[] = [];
  const starts: number[] = [];
  const hours: number[] = [];
  const dayIdx: number[] = [];
  const off: number[] = [];
  for (let d = first; d <= last; d++) {
    const di = days.length;
    days.push(d);
    dayStart.push(starts.length);
    const ld = localDay(d, zone);
    const count = Math.round(ld.seconds / stepSeconds);
    const weekday = new Date(d * 86_400_000).getUTCDay();
    const isOff = weekday === 0 || weekday === 6 || holidays.has(d) ? 1 : 0;
    for (let i = 0; i < count; i++) {
      const t = ld.start + i * stepSeconds;
      const p = localParts(t, zone);
      starts.push(t);
      hours.push(p.hour + p.minute / 60);
      dayIdx.push(di);
      off.push(isOff);
    }
  }
  dayStart.push(starts.length);
  const seasonDay0 = s.season.lookbackDays;
  return {
    zone,
    stepSeconds,
    dt: stepSeconds / 3600,
    days,
    dayStart,
    seasonDay0,
    season0: dayStart[seasonDay0] as number,
    n: starts.length,
    start: Float64Array.from(starts),
    hour: Float32Array.from(hours),
    dayIndex: Int32Array.from(dayIdx),
    offDay: Uint8Array.from(off),
  };
}

export function isoOf(tl: Timeline, dayIdx: number): string {
  return dayToIso(tl.days[dayIdx] as number);
}

/** 'YYYY-MM-DD HH:MM' local time of an interval (for messages and exports). */
export function localLabel(tl: Timeline, t: number): string {
  const p = localParts(tl.start[t] as number, tl.zone);
  const pad = (x: number): string => String(x).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

export interface EventWindow {
  id: string;
  kind: 'capacity' | 'dr';
  event: Event;
  dayIdx: number;
  /** Interval indices (timeline) of the event, in order. */
  intervals: number[];
  hours: number;
}

export interface Signals {
  /** USD/MWh per interval (price of the interval's local hour). */
  price: Float64Array;
  /** Integer micro-dollars per MWh per interval (rule PRICE-MICRO). */
  priceMicros: BigInt64Array;
  tempActual: Float32Array;
  tempForecast: Float32Array;
  /** Daily clear-sky factor (PV), actual and forecast, per day index. */
  cloudActual: Float32Array;
  cloudForecast: Float32Array;
  events: EventWindow[];
  /** Per interval: the event window index covering it, or -1. */
  eventAt: Int32Array;
  /** Day indices with an event. */
  eventDays: Set<number>;
}

export function buildSignals(s: Scenario, tl: Timeline, rng: Rng): Signals {
  const price = new Float64Array(tl.n);
  const priceMicros = new BigInt64Array(tl.n);
  const tempActual = new Float32Array(tl.n);
  const tempForecast = new Float32Array(tl.n);
  const nd = tl.days.length;
  const cloudActual = new Float32Array(nd);
  const cloudForecast = new Float32Array(nd);
  const p = s.market.energyPrices;
  const w = s.weather;
  const overrides = new Map(p.overrides.map((o) => [`${o.date}|${o.hour}`, o.price]));
  for (let di = 0; di < nd; di++) {
    const r = rng.fork('day', tl.days[di] as number);
    const dayFactor = Math.exp(p.volatility * r.normal());
    const hourFactor = Array.from({ length: 24 }, () => Math.exp((p.volatility / 2) * r.normal()));
    const mean = (w.meanHighF + w.meanLowF) / 2 + w.dailySdF * r.normal();
    const amp = (w.meanHighF - w.meanLowF) / 2;
    const fcBias = w.forecastErrorSdF * r.normal();
    cloudActual[di] = w.minClearSky + (1 - w.minClearSky) * r.next();
    cloudForecast[di] = Math.min(
      1,
      Math.max(w.minClearSky, (cloudActual[di] as number) + 0.15 * r.normal()),
    );
    const iso = dayToIso(tl.days[di] as number);
    for (let t = tl.dayStart[di] as number; t < (tl.dayStart[di + 1] as number); t++) {
      const h = tl.hour[t] as number;
      const hh = Math.floor(h);
      const base = (tl.offDay[t] ? p.weekend : p.weekday)[hh] as number;
      const ov = overrides.get(`${iso}|${hh}`);
      const v =
        ov !== undefined
          ? ov
          : Math.round(base * dayFactor * (hourFactor[hh] as number) * 100) / 100;
      price[t] = v;
      priceMicros[t] = BigInt(Math.round(v * 1e6));
      const temp = mean + amp * Math.cos((2 * Math.PI * (h + tl.dt / 2 - 15)) / 24);
      tempActual[t] = temp;
      tempForecast[t] = temp + fcBias;
    }
  }
  const events: EventWindow[] = [];
  const eventAt = new Int32Array(tl.n).fill(-1);
  const eventDays = new Set<number>();
  const add = (kind: 'capacity' | 'dr', e: Event): void => {
    const dayIdx = tl.days.indexOf(isoToDay(e.date));
    if (dayIdx < 0) return;
    const intervals: number[] = [];
    for (let t = tl.dayStart[dayIdx] as number; t < (tl.dayStart[dayIdx + 1] as number); t++) {
      const h = tl.hour[t] as number;
      if (h >= e.startHour && h < e.endHour) intervals.push(t);
    }
    if (intervals.length === 0) return;
    const idx = events.length;
    for (const t of intervals) {
      if (eventAt[t] !== -1)
        throw new RangeError(`events ${events[eventAt[t] as number]?.id} and ${e.id} overlap`);
      eventAt[t] = idx;
    }
    eventDays.add(dayIdx);
    events.push({ id: e.id, kind, event: e, dayIdx, intervals, hours: intervals.length * tl.dt });
  };
  for (const e of s.market.capacityEvents) add('capacity', e);
  for (const e of s.market.drEvents) add('dr', e);
  return {
    price,
    priceMicros,
    tempActual,
    tempForecast,
    cloudActual,
    cloudForecast,
    events,
    eventAt,
    eventDays,
  };
}

/**
 * Value of one kWh of extra injection (or load reduction) in each interval, USD/kWh: the energy
 * price, plus the DR price during DR events, plus the capacity price spread over the event's
 * hours during capacity events (paying price × average kW = price/H per kWh delivered).
 */
export function intervalValue(tl: Timeline, sig: Signals): Float64Array {
  const v = new Float64Array(tl.n);
  for (let t = 0; t < tl.n; t++) {
    let x = (sig.price[t] as number) / 1000;
    const e = sig.eventAt[t] as number;
    if (e >= 0) {
      const ev = sig.events[e] as EventWindow;
      x += ev.kind === 'dr' ? ev.event.price : ev.event.price / ev.hours;
    }
    v[t] = x;
  }
  return v;
}
