// DER models for the simulation. Every DER, whatever its kind, is planned and dispatched as a
// "virtual battery" (docs/vpp.md "Optimisation model"): per interval t a charge-like c_t ≥ 0
// and a discharge-like g_t ≥ 0 (kW) move a state s_t (kWh) within time-varying bounds,
//   s_t = keep · s_{t−1} + ηc·Δ·c_t − Δ/ηd · g_t,   smin_t ≤ s_t ≤ smax_t,
// and its flexibility (kW injected or load avoided, relative to its baseline behaviour) is
// g_t − c_t. Its absolute injection is base_t + g_t − c_t. The kinds differ only in the arrays:
//   storage:    c charge, g discharge, s state of charge in [reserve·E, E], base 0;
//   thermostat: g AC reduction (≤ AC load, events only), c precooling (≤ nameplate − AC load,
//               in the precool hours before events), s heat stored in the house in kWh of
//               cooling within [−precool, +comfort band] × thermal mass, leaking each hour;
//   ev_charger: g deferral (≤ baseline charging), c catching up (≤ nameplate − baseline), s the
//               energy charged ahead of the baseline (negative = behind), zero outside a
//               session and back to zero at departure;
//   pv:         c curtailment (≤ generation, ηc = 0: no state), g 0, base the generation.
import type { Scenario, DerKind } from './scenario';
import type { Signals, Timeline } from './timeline';
import { Rng } from './random';

export interface Der {
  idx: number;
  key: string;
  kind: DerKind;
  kw: number;
  kwh: number | null;
  participant: string;
  /** Premise key for M&V: one meter per premise. */
  premise: string;
  premiseId: number | null;
  customerId: number | null;
  usagePointId: number | null;
  assetId: number | null;
  circuit: string | null;
  transformer: string | null;
  source: 'workspace' | 'scenario';
  /** Per-DER parameter multipliers (1 unless the fleet is generated `distinct`). */
  variant: number;
}

export interface VbArrays {
  cmax: Float32Array;
  gmax: Float32Array;
  smin: Float32Array;
  smax: Float32Array;
  base: Float32Array;
  /** Available (physical) kW: what stage .2 forecasts. */
  avail: Float32Array;
}

export interface DerModel {
  der: Der;
  etaC: number;
  etaD: number;
  keep: number;
  /** State at the start of the season (kWh). */
  s0: number;
  /** Battery: end each day at least at min(start-of-day state, target). */
  target: number | null;
  /** USD per kWh of throughput (c + g). */
  wear: number;
  exclusive: boolean;
  /** Class key: DERs with the same key have the same model up to the scale factor. */
  classKey: string;
  scale: number;
  forecast: VbArrays;
  actual: VbArrays;
  /** Day indices (season-relative) on which the device does not respond. */
  offline: Set<number>;
  /** EV: sessions whose energy need the charger cannot deliver (actual only; clipped). */
  clipped: number;
}

function vb(n: number): VbArrays {
  return {
    cmax: new Float32Array(n),
    gmax: new Float32Array(n),
    smin: new Float32Array(n),
    smax: new Float32Array(n),
    base: new Float32Array(n),
    avail: new Float32Array(n),
  };
}

/** Clear-sky PV shape (0..1) at local hour h: a sine from 06:00 to 20:00. */
export function pvShape(h: number): number {
  return h <= 6 || h >= 20 ? 0 : Math.sin((Math.PI * (h - 6)) / 14);
}

/** AC load share (0..1) at outdoor temperature `f`. */
export function acShare(f: number, start: number, full: number): number {
  return Math.min(1, Math.max(0, (f - start) / (full - start)));
}

export class InfeasibleError extends Error {
  constructor(
    message: string,
    readonly binding: string,
  ) {
    super(message);
    this.name = 'InfeasibleError';
  }
}

/** Season-relative interval range of a timeline. */
export function seasonLength(tl: Timeline): number {
  return tl.n - tl.season0;
}

export function buildModel(der: Der, s: Scenario, tl: Timeline, sig: Signals, rng: Rng): DerModel {
  const ns = seasonLength(tl);
  const f = vb(ns);
  const a = vb(ns);
  const dt = tl.dt;
  const nDays = tl.days.length - tl.seasonDay0;
  const r = rng.fork('der', der.key);
  const offline = new Set<number>();
  for (let d = 0; d < nDays; d++) if (r.chance(s.dispatch.failureRate)) offline.add(d);
  const dayOf = (i: number): number => (tl.dayIndex[tl.season0 + i] as number) - tl.seasonDay0;
  const base = {
    der,
    etaC: 1,
    etaD: 1,
    keep: 1,
    s0: 0,
    target: null as number | null,
    wear: 1e-6,
    exclusive: false,
    offline,
    clipped: 0,
    forecast: f,
    actual: a,
  };
  switch (der.kind) {
    case 'storage': {
      const c = s.constraints.storage;
      const P = der.kw;
      const E = der.kwh ?? P * 2.7;
      const eta = Math.sqrt(c.roundTripEfficiency);
      const reserve = (c.reservePct / 100) * E;
      const s0 = (c.initialSocPct / 100) * E;
      if (s0 < reserve - 1e-9)
        throw new InfeasibleError(
          `storage ${der.key}: the initial state of charge (${c.initialSocPct} % of ${E} kWh) is below the customer's battery reserve (${c.reservePct} %): constraints.storage.reservePct binds`,
          'constraints.storage.reservePct',
        );
      for (let i = 0; i < ns; i++) {
        const on = offline.has(dayOf(i)) ? 0 : 1;
        for (const [x, k] of [
          [f, 1],
          [a, on],
        ] as const) {
          x.cmax[i] = P * k;
          x.gmax[i] = P * k;
          x.smin[i] = reserve;
          x.smax[i] = E;
          x.avail[i] = P * k;
        }
      }
      return {
        ...base,
        etaC: eta,
        etaD: eta,
        s0,
        target: s0,
        wear: c.degradationUsdPerMwh / 1000,
        exclusive: c.exclusiveChargeDischarge,
        classKey: `storage|${(P / E).toFixed(9)}|${c.roundTripEfficiency}|${c.reservePct}|${c.initialSocPct}`,
        scale: E,
      };
    }
    case 'thermostat': {
      const c = s.constraints.thermostat;
      const A = der.kw;
      const C = c.kwhPerFPerKw * A * der.variant;
      const keep = Math.pow(1 - c.lossPerHour, dt);
      // Precool windows: the precoolHours before each event (same day).
      const precool = new Uint8Array(ns);
      for (const ev of sig.events) {
        const first = (ev.intervals[0] as number) - tl.season0;
        const k = Math.round(c.precoolHours / dt);
        for (let i = Math.max(0, first - k); i < first; i++) if (i < ns) precool[i] = 1;
      }
      for (let i = 0; i < ns; i++) {
        const t = tl.season0 + i;
        const inEvent = (sig.eventAt[t] as number) >= 0;
        const on = offline.has(dayOf(i)) ? 0 : 1;
        for (const [x, temp, k] of [
          [f, sig.tempForecast[t] as number, 1],
          [a, sig.tempActual[t] as number, on],
        ] as const) {
          const ac = A * acShare(temp, c.acStartF, c.acFullF);
          x.base[i] = -ac;
          x.avail[i] = ac;
          x.gmax[i] = inEvent ? ac * k : 0;
          x.cmax[i] = precool[i] && !inEvent ? (A - ac) * k : 0;
          x.smin[i] = -c.precoolF * C;
          x.smax[i] = c.comfortBandF * C;
        }
      }
      return {
        ...base,
        keep,
        classKey: `thermostat|${der.variant}`,
        scale: A,
      };
    }
    case 'ev_charger': {
      const c = s.constraints.evCharger;
      const P = der.kw;
      const need = c.energyKwh * der.variant;
      // Forecast: the program's default session every day, scaled by the plug-in probability
      // (an expected value); actual: seeded sessions.
      const fSessions: [number, number, number][] = [];
      const aSessions: [number, number, number][] = [];
      let lastEnd = 0;
      for (let d = 0; d < nDays; d++) {
        const di = tl.seasonDay0 + d;
        const arrive = (hour: number): number => firstAtOrAfter(tl, di, hour);
        const fa = arrive(c.arrivalHour);
        const fd = departure(tl, di, c.arrivalHour, c.departureHour);
        if (fa >= 0) fSessions.push([fa - tl.season0, fd - tl.season0, need]);
        const rr = r.fork('ev', d);
        const plugged = rr.chance(c.plugInProbability);
        const jitter = rr.int(-c.arrivalJitterHours, c.arrivalJitterHours);
        const energy = need * (1 + c.energyJitterShare * (2 * rr.next() - 1));
        const ah = Math.min(23, Math.max(0, c.arrivalHour + jitter));
        let aa = arrive(ah);
        const ad = departure(tl, di, ah, c.departureHour);
        if (aa >= 0) aa = Math.max(aa, lastEnd + tl.season0);
        if (plugged && aa >= 0 && ad > aa) {
          aSessions.push([aa - tl.season0, ad - tl.season0, energy]);
          lastEnd = ad - tl.season0;
        }
      }
      const p = c.plugInProbability;
      for (const [from, to, e] of fSessions) {
        const max = P * (Math.min(to, ns) - from) * dt;
        if (e > max + 1e-9)
          throw new InfeasibleError(
            `EV charger ${der.key}: a session from ${c.arrivalHour}:00 to ${c.departureHour}:00 at ${P} kW delivers at most ${max.toFixed(1)} kWh, less than the ${e} kWh the customer needs: constraints.evCharger.energyKwh binds`,
            'constraints.evCharger.energyKwh',
          );
        fillSession(f, from, Math.min(to, ns), P, e, dt, p, true);
      }
      let clipped = 0;
      for (const [from, to, e] of aSessions) {
        const on = offline.has(dayOf(from)) ? 0 : 1;
        const max = P * (Math.min(to, ns) - from) * dt;
        if (e > max) clipped++;
        fillSession(a, from, Math.min(to, ns), P, Math.min(e, max), dt, 1, on === 1);
      }
      return {
        ...base,
        clipped,
        classKey: `ev|${(need / P).toFixed(9)}`,
        scale: P,
      };
    }
    case 'pv': {
      const kw = der.kw;
      for (let i = 0; i < ns; i++) {
        const t = tl.season0 + i;
        const di = tl.dayIndex[t] as number;
        const shape = pvShape((tl.hour[t] as number) + dt / 2) * 0.8 * kw;
        const gf = shape * (sig.cloudForecast[di] as number);
        const ga = shape * (sig.cloudActual[di] as number);
        f.base[i] = gf;
        f.avail[i] = gf;
        f.cmax[i] = gf;
        a.base[i] = ga;
        a.avail[i] = ga;
        a.cmax[i] = ga;
      }
      return { ...base, etaC: 0, classKey: 'pv', scale: kw };
    }
  }
}

/** First interval of day `di` at or after local hour `h` (timeline index), or -1. */
function firstAtOrAfter(tl: Timeline, di: number, h: number): number {
  for (let t = tl.dayStart[di] as number; t < (tl.dayStart[di + 1] as number); t++)
    if ((tl.hour[t] as number) >= h) return t;
  return -1;
}

/** End (exclusive, timeline index) of a session that arrives on day di at hour `arr`. */
function departure(tl: Timeline, di: number, arr: number, dep: number): number {
  const nextDay = dep <= arr;
  const d = nextDay ? di + 1 : di;
  if (d >= tl.days.length) return tl.n;
  const t = firstAtOrAfter(tl, d, dep);
  return t < 0 ? (tl.dayStart[d + 1] as number) : t;
}

/**
 * One charging session [from, to) needing `energy` kWh at up to P kW: the baseline charges at
 * full power from arrival; the state bounds keep the session deliverable (docs/vpp.md).
 * `scale` multiplies every array (the forecast's expected value); `flexible` false (device
 * offline) leaves the baseline and no flexibility.
 */
function fillSession(
  x: VbArrays,
  from: number,
  to: number,
  P: number,
  energy: number,
  dt: number,
  scale: number,
  flexible: boolean,
): void {
  const m = to - from;
  if (m <= 0) return;
  const B = new Float64Array(m);
  let left = energy;
  for (let k = 0; k < m; k++) {
    const e = Math.min(left, P * dt);
    B[k] = e / dt;
    left -= e;
  }
  const cum = new Float64Array(m);
  let acc = 0;
  for (let k = 0; k < m; k++) cum[k] = acc += (B[k] as number) * dt;
  const catchup = new Float64Array(m);
  let c = 0;
  for (let k = m - 1; k >= 0; k--) {
    catchup[k] = c;
    c += (P - (B[k] as number)) * dt;
  }
  const total = cum[m - 1] as number;
  for (let k = 0; k < m; k++) {
    const i = from + k;
    const b = B[k] as number;
    x.base[i] = -b * scale;
    x.avail[i] = b * scale;
    x.gmax[i] = flexible ? b * scale : 0;
    x.cmax[i] = flexible ? (P - b) * scale : 0;
    x.smax[i] = flexible ? (total - (cum[k] as number)) * scale : 0;
    x.smin[i] = flexible ? -Math.min(cum[k] as number, catchup[k] as number) * scale : 0;
  }
}
