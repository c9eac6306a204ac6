// Stage .5 (SMV-03.5): dispatch. Each DER executes its plan with a seeded deviation and the
// physics of the actual day (actual weather, actual EV sessions, devices that do not respond):
// the commanded power is plan × (1 + ε), ε ~ N(0, deviationSd) per DER and interval, then
// projected onto what the device can actually do — power within [0, cmax/gmax] and the state
// within [smin, smax] (the EV bounds keep a session deliverable, so the projection can always
// finish it). A battery's controller steers back to the planned end-of-day state in the day's
// last interval (recovery), so execution errors do not accumulate across the season.
import type { DerModel } from './fleet';
import type { PlanArrays } from './optimise';
import type { Rng } from './random';
import type { Timeline } from './timeline';

export interface DispatchArrays {
  /** Actual flexibility g − c (kW, + = injection / load avoided). */
  flex: Float32Array;
  /** Actual state (kWh). */
  s: Float32Array;
}

export function newDispatch(ns: number): DispatchArrays {
  return { flex: new Float32Array(ns), s: new Float32Array(ns) };
}

/** Dispatch one DER over season day `d`. `sPrev` is its actual state before the day. */
export function dispatchDay(
  m: DerModel,
  plan: PlanArrays,
  out: DispatchArrays,
  tl: Timeline,
  d: number,
  sd: number,
  rng: Rng,
): void {
  const di = tl.seasonDay0 + d;
  const a = (tl.dayStart[di] as number) - tl.season0;
  const b = (tl.dayStart[di + 1] as number) - tl.season0;
  const x = m.actual;
  const dt = tl.dt;
  const r = rng.fork('dispatch', m.der.key, d);
  let s = a === 0 ? m.s0 : (out.s[a - 1] as number);
  for (let i = a; i < b; i++) {
    const eps = sd > 0 ? sd * r.normal() : 0;
    const k = Math.max(0, 1 + eps);
    let c = Math.min(Math.max(0, (plan.c[i] as number) * k), x.cmax[i] as number);
    let g = Math.min(Math.max(0, (plan.g[i] as number) * k), x.gmax[i] as number);
    if (m.etaC === 0) {
      // no state (PV curtailment)
      out.flex[i] = g - c;
      out.s[i] = 0;
      continue;
    }
    const kept = m.keep * s;
    let target = kept + m.etaC * dt * c - (dt / m.etaD) * g;
    if (i === b - 1 && m.target !== null) target = plan.s[i] as number;
    const lowest = kept - (dt / m.etaD) * (x.gmax[i] as number);
    const highest = kept + m.etaC * dt * (x.cmax[i] as number);
    const lo = Math.max(x.smin[i] as number, lowest);
    const hi = Math.min(x.smax[i] as number, highest);
    const next = lo <= hi ? Math.min(hi, Math.max(lo, target)) : lo > highest ? highest : lowest;
    if (next >= kept) {
      c = (next - kept) / (m.etaC * dt);
      g = 0;
    } else {
      g = ((kept - next) * m.etaD) / dt;
      c = 0;
    }
    s = next;
    out.flex[i] = g - c;
    out.s[i] = s;
  }
}
