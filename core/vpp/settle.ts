// Stage .6 settlement and stage .7 value distribution (docs/vpp.md "Settlement" and
// "Distribution"). All money is integer: micro-dollars (BigInt) for lines, cents for what is
// paid. Rounding rules:
//  QTY-WH     energy quantities are rounded to whole Wh (W for capacity), half away from zero;
//  LINE-MICRO a line's amount is quantity × price rounded to the micro-dollar, half away from zero;
//  SETTLE-CENT the settlement total (Σ lines) is rounded once to the cent, half away from zero;
//  FEE-CENT   the aggregator fee is fee% of a positive settlement, rounded to the cent, half away;
//  LRM        the participants' pool (settlement − fee) is split to the cent by largest remainder
//             in proportion to each participant's positive contributed value (micro-dollars).
// So Σ payments + fee = settlement total, to the cent, by construction.
import type { DispatchArrays } from './dispatch';
import type { DerModel } from './fleet';
import type { DerDelivery, Performance } from './mv';
import { divHalfAway, largestRemainder, microsToCents, roundHalfAway, toMicros } from './money';
import type { Scenario } from './scenario';
import type { Signals, Timeline } from './timeline';

export interface SettlementLine {
  line: number;
  kind: 'energy' | 'capacity' | 'dr';
  event: string | null;
  /** Season interval index for energy lines. */
  interval: number | null;
  quantity: number;
  unit: 'Wh' | 'W';
  /** Micro-dollars per MWh (energy), per kW (capacity) or per kWh (DR). */
  priceMicros: bigint;
  amountMicros: bigint;
}

export interface Settlement {
  lines: SettlementLine[];
  totalMicros: bigint;
  totalCents: bigint;
  energyMicros: bigint;
  capacityMicros: bigint;
  drMicros: bigint;
}

export function settle(
  models: readonly DerModel[],
  dispatch: readonly DispatchArrays[],
  performance: readonly Performance[],
  tl: Timeline,
  sig: Signals,
  method: 'caiso-10in10' | 'caltrack',
): Settlement {
  const ns = tl.n - tl.season0;
  const lines: SettlementLine[] = [];
  let energy = 0n;
  for (let i = 0; i < ns; i++) {
    let kwh = 0;
    for (let j = 0; j < models.length; j++)
      kwh += ((dispatch[j] as DispatchArrays).flex[i] as number) * tl.dt;
    const wh = roundHalfAway(kwh * 1000);
    const price = sig.priceMicros[tl.season0 + i] as bigint;
    const amount = divHalfAway(BigInt(wh) * price, 1_000_000n);
    energy += amount;
    lines.push({
      line: lines.length + 1,
      kind: 'energy',
      event: null,
      interval: i,
      quantity: wh,
      unit: 'Wh',
      priceMicros: price,
      amountMicros: amount,
    });
  }
  let capacity = 0n;
  let dr = 0n;
  for (const ev of sig.events) {
    let kw = 0;
    let kwh = 0;
    for (const p of performance) {
      if (p.event !== ev.id || p.method !== method) continue;
      kw += p.deliveredKw;
      kwh += p.deliveredKwh;
    }
    const price = toMicros(ev.event.price);
    if (ev.kind === 'capacity') {
      const w = Math.max(0, roundHalfAway(kw * 1000));
      const amount = divHalfAway(BigInt(w) * price, 1000n);
      capacity += amount;
      lines.push({
        line: lines.length + 1,
        kind: 'capacity',
        event: ev.id,
        interval: null,
        quantity: w,
        unit: 'W',
        priceMicros: price,
        amountMicros: amount,
      });
    } else {
      const wh = Math.max(0, roundHalfAway(kwh * 1000));
      const amount = divHalfAway(BigInt(wh) * price, 1000n);
      dr += amount;
      lines.push({
        line: lines.length + 1,
        kind: 'dr',
        event: ev.id,
        interval: null,
        quantity: wh,
        unit: 'Wh',
        priceMicros: price,
        amountMicros: amount,
      });
    }
  }
  const total = energy + capacity + dr;
  return {
    lines,
    totalMicros: total,
    totalCents: microsToCents(total),
    energyMicros: energy,
    capacityMicros: capacity,
    drMicros: dr,
  };
}

export interface ParticipantValue {
  participant: string;
  ders: number[];
  energyKwhOut: number;
  energyKwhIn: number;
  energyMicros: bigint;
  eventKwh: number;
  eventMicros: bigint;
  valueMicros: bigint;
}

export interface Distribution {
  participants: (ParticipantValue & { weightMicros: bigint; paymentCents: bigint })[];
  settlementCents: bigint;
  feeCents: bigint;
  poolCents: bigint;
  /** Pool cents nobody earned (no positive value): kept by the aggregator with its fee. */
  unallocatedCents: bigint;
}

/** Each participant's contributed value (rounded once per participant to the micro-dollar). */
export function participantValues(
  models: readonly DerModel[],
  dispatch: readonly DispatchArrays[],
  deliveries: readonly DerDelivery[],
  tl: Timeline,
  sig: Signals,
): ParticipantValue[] {
  const byP = new Map<string, number[]>();
  models.forEach((m, j) => {
    let l = byP.get(m.der.participant);
    if (!l) byP.set(m.der.participant, (l = []));
    l.push(j);
  });
  const evPrice = new Map(sig.events.map((e) => [e.id, e]));
  const delByDer = new Map<number, DerDelivery[]>();
  for (const d of deliveries) {
    let l = delByDer.get(d.der);
    if (!l) delByDer.set(d.der, (l = []));
    l.push(d);
  }
  const ns = tl.n - tl.season0;
  const out: ParticipantValue[] = [];
  for (const [participant, ders] of byP) {
    let usd = 0;
    let kout = 0;
    let kin = 0;
    for (let i = 0; i < ns; i++) {
      let f = 0;
      for (const j of ders) f += (dispatch[j] as DispatchArrays).flex[i] as number;
      const kwh = f * tl.dt;
      if (kwh > 0) kout += kwh;
      else kin -= kwh;
      usd += (kwh * (sig.price[tl.season0 + i] as number)) / 1000;
    }
    let evUsd = 0;
    let evKwh = 0;
    for (const j of ders)
      for (const d of delByDer.get(j) ?? []) {
        const ev = evPrice.get(d.event);
        if (!ev) continue;
        evKwh += d.deliveredKwh;
        evUsd +=
          ev.kind === 'capacity' ? ev.event.price * d.deliveredKw : ev.event.price * d.deliveredKwh;
      }
    const energyMicros = toMicros(usd);
    const eventMicros = toMicros(evUsd);
    out.push({
      participant,
      ders,
      energyKwhOut: kout,
      energyKwhIn: kin,
      energyMicros,
      eventKwh: evKwh,
      eventMicros,
      valueMicros: energyMicros + eventMicros,
    });
  }
  out.sort((a, b) => (a.participant < b.participant ? -1 : a.participant > b.participant ? 1 : 0));
  return out;
}

/** The fee and each participant's payment; Σ payments + fee = settlement, to the cent. */
export function distribute(
  values: readonly ParticipantValue[],
  settlementCents: bigint,
  s: Scenario,
): Distribution {
  const feeBp = BigInt(Math.round(s.settlement.aggregatorFeePct * 100));
  let fee: bigint;
  let pool: bigint;
  if (settlementCents > 0n) {
    fee = divHalfAway(settlementCents * feeBp, 10_000n);
    pool = settlementCents - fee;
  } else {
    fee = settlementCents;
    pool = 0n;
  }
  const weights = values.map((v) => ({
    key: v.participant,
    weight: v.valueMicros > 0n ? v.valueMicros : 0n,
  }));
  const { shares, unallocated } = largestRemainder(pool, weights);
  const pay = new Map(shares.map((x) => [x.key, x.amount]));
  return {
    participants: values.map((v) => ({
      ...v,
      weightMicros: v.valueMicros > 0n ? v.valueMicros : 0n,
      paymentCents: pay.get(v.participant) ?? 0n,
    })),
    settlementCents,
    feeCents: fee + unallocated,
    poolCents: pool,
    unallocatedCents: unallocated,
  };
}
