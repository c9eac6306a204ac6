// Stage .3 (SMV-03.3): opportunity analysis. Screening values per DER over the season, from
// the day-ahead forecast, before any optimisation (upper bounds, docs/vpp.md):
//  - arbitrage: storage, one full cycle a day between the day's cheapest and dearest hours;
//    EV charging, the day's baseline charging moved to the cheapest plugged-in hours;
//  - capacity events: price × forecast available kW averaged over the event;
//  - DR events: price × forecast available kWh in the event (storage: at most its usable energy);
//  - demand-charge reduction: the monthly demand charge × the DER's largest available kW in the
//    month (storage: its power), per month of the season.
import type { DerModel } from './fleet';
import type { Scenario } from './scenario';
import type { Signals, Timeline } from './timeline';

export interface Opportunity {
  der: number;
  arbitrageUsd: number;
  capacityUsd: number;
  drUsd: number;
  demandChargeUsd: number;
  totalUsd: number;
}

export function opportunities(
  models: readonly DerModel[],
  s: Scenario,
  tl: Timeline,
  sig: Signals,
): Opportunity[] {
  const dt = tl.dt;
  const months = new Map<string, number[]>();
  for (let d = tl.seasonDay0; d < tl.days.length; d++) {
    const m = new Date((tl.days[d] as number) * 86_400_000).toISOString().slice(0, 7);
    let l = months.get(m);
    if (!l) months.set(m, (l = []));
    l.push(d);
  }
  return models.map((m, idx) => {
    const x = m.forecast;
    let arbitrage = 0;
    for (let di = tl.seasonDay0; di < tl.days.length; di++) {
      const a = tl.dayStart[di] as number;
      const b = tl.dayStart[di + 1] as number;
      const prices: number[] = [];
      for (let t = a; t < b; t++) prices.push((sig.price[t] as number) / 1000);
      if (m.der.kind === 'storage') {
        const E = m.scale;
        const P = x.gmax[a - tl.season0] as number;
        const usable = E - (x.smin[a - tl.season0] as number);
        if (!(P > 0) || !(usable > 0)) continue;
        const k = Math.min(prices.length >> 1, Math.ceil(usable / (P * dt)));
        const sorted = [...prices].sort((p, q) => p - q);
        const low = sorted.slice(0, k).reduce((p, q) => p + q, 0) / k;
        const high = sorted.slice(-k).reduce((p, q) => p + q, 0) / k;
        arbitrage += Math.max(0, usable * (high * m.etaD - low / m.etaC));
      } else if (m.der.kind === 'ev_charger') {
        let e = 0;
        let cost = 0;
        const plugged: number[] = [];
        for (let t = a; t < b; t++) {
          const i = t - tl.season0;
          const base = -(x.base[i] as number);
          e += base * dt;
          cost += base * dt * (prices[t - a] as number);
          if (base > 0 || (x.cmax[i] as number) > 0) plugged.push(prices[t - a] as number);
        }
        if (e <= 0 || plugged.length === 0) continue;
        const P = m.der.kw;
        plugged.sort((p, q) => p - q);
        let left = e;
        let best = 0;
        for (const p of plugged) {
          const q = Math.min(left, P * dt);
          best += q * p;
          left -= q;
          if (left <= 0) break;
        }
        arbitrage += Math.max(0, cost - best);
      }
    }
    let capacity = 0;
    let dr = 0;
    for (const ev of sig.events) {
      let kwh = 0;
      for (const t of ev.intervals) kwh += (x.avail[t - tl.season0] as number) * dt;
      if (m.der.kind === 'pv') continue;
      if (m.der.kind === 'storage')
        kwh = Math.min(kwh, m.scale - (x.smin[ev.intervals[0]! - tl.season0] as number));
      if (ev.kind === 'capacity') capacity += ev.event.price * (kwh / ev.hours);
      else dr += ev.event.price * kwh;
    }
    let demand = 0;
    if (s.market.demandChargeUsdPerKw > 0 && m.der.kind !== 'pv') {
      for (const days of months.values()) {
        let peak = 0;
        for (const d of days)
          for (let t = tl.dayStart[d] as number; t < (tl.dayStart[d + 1] as number); t++)
            peak = Math.max(peak, x.avail[t - tl.season0] as number);
        demand += s.market.demandChargeUsdPerKw * peak;
      }
    }
    return {
      der: idx,
      arbitrageUsd: arbitrage,
      capacityUsd: capacity,
      drUsd: dr,
      demandChargeUsd: demand,
      totalUsd: arbitrage + capacity + dr + demand,
    };
  });
}
