// The VPP season simulation (seed 003, SMV-03 stages .1–.7) in memory: scenario + workspace →
// every stage's output. store.ts writes them to the workspace; report.ts summarises them.
import type { Database } from 'better-sqlite3';
import type { Progress } from '../api/definition';
import { CancelledError, EdwError } from '../workspace/errors';
import { dispatchDay, newDispatch, type DispatchArrays } from './dispatch';
import { enrol, type EnrolResult } from './enrol';
import { buildModel, InfeasibleError, seasonLength, type DerModel } from './fleet';
import { loadHighs } from './lp';
import { accuracy, type Accuracy } from './metrics';
import {
  measure,
  premiseLoads,
  splitDeliveries,
  type DerDelivery,
  type Performance,
  type PremiseLoad,
} from './mv';
import { opportunities, type Opportunity } from './opportunity';
import { Optimiser } from './optimise';
import { Rng } from './random';
import type { DerKind, Scenario } from './scenario';
import {
  distribute,
  participantValues,
  settle,
  type Distribution,
  type Settlement,
} from './settle';
import {
  buildSignals,
  buildTimeline,
  intervalValue,
  type Signals,
  type Timeline,
} from './timeline';

export interface SimOptions {
  progress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface ForecastAccuracy {
  fleet: Accuracy;
  byKind: Partial<Record<DerKind, Accuracy>>;
  perDer: Accuracy[];
}

export interface SimResult {
  scenario: Scenario;
  tl: Timeline;
  sig: Signals;
  enrol: EnrolResult;
  models: DerModel[];
  accuracy: ForecastAccuracy;
  opportunities: Opportunity[];
  optimiser: Optimiser;
  dispatch: DispatchArrays[];
  loads: Map<string, PremiseLoad>;
  performance: Performance[];
  deliveries: DerDelivery[];
  settlement: Settlement;
  distribution: Distribution;
  timings: Record<string, number>;
}

function sumSeries(
  models: readonly DerModel[],
  pick: (m: DerModel) => Float32Array,
  ns: number,
): Float64Array {
  const out = new Float64Array(ns);
  for (const m of models) {
    const a = pick(m);
    for (let i = 0; i < ns; i++) out[i] = (out[i] as number) + (a[i] as number);
  }
  return out;
}

export async function simulate(
  db: Database | null,
  scenario: Scenario,
  opts: SimOptions = {},
): Promise<SimResult> {
  const progress = opts.progress ?? (() => {});
  const check = (): void => {
    if (opts.signal?.aborted) throw new CancelledError();
  };
  const timings: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    timings[name] = (now - mark) / 1000;
    mark = now;
  };
  const rng = new Rng(scenario.seed);

  progress({ phase: 'stage 1: enrolment', done: 0 });
  const tl = buildTimeline(scenario);
  const sig = (() => {
    try {
      return buildSignals(scenario, tl, rng.fork('signals'));
    } catch (e) {
      throw new EdwError('usage', `market: ${(e as Error).message}`);
    }
  })();
  const en = enrol(db, scenario);
  if (en.ders.length === 0)
    throw new EdwError(
      'input_rejected',
      `no DER is enrolled: ${en.enrolments.length} excluded (see the enrolment table)`,
      {
        exclusions: en.enrolments.slice(0, 50).map((e) => ({ der: e.key, reason: e.reason })),
      },
    );
  lap('enrol');
  check();

  progress({ phase: 'stage 2: capacity forecast', done: 0, total: en.ders.length, unit: 'DERs' });
  const models: DerModel[] = [];
  try {
    for (const d of en.ders) models.push(buildModel(d, scenario, tl, sig, rng.fork('models')));
  } catch (e) {
    if (e instanceof InfeasibleError)
      throw new EdwError('input_rejected', `infeasible scenario: ${e.message}`, {
        binding: e.binding,
      });
    throw e;
  }
  const ns = seasonLength(tl);
  const perDay = Math.round(86_400 / tl.stepSeconds);
  const fleetF = sumSeries(models, (m) => m.forecast.avail, ns);
  const fleetA = sumSeries(models, (m) => m.actual.avail, ns);
  const byKind: Partial<Record<DerKind, Accuracy>> = {};
  for (const k of ['storage', 'ev_charger', 'thermostat', 'pv'] as const) {
    const ms = models.filter((m) => m.der.kind === k);
    if (ms.length === 0) continue;
    byKind[k] = accuracy(
      sumSeries(ms, (m) => m.actual.avail, ns),
      sumSeries(ms, (m) => m.forecast.avail, ns),
      perDay,
    );
  }
  const acc: ForecastAccuracy = {
    fleet: accuracy(fleetA, fleetF, perDay),
    byKind,
    perDer: models.map((m) => accuracy(m.actual.avail, m.forecast.avail, perDay)),
  };
  lap('forecast');
  check();

  progress({ phase: 'stage 3: opportunity analysis', done: 0 });
  const opps = opportunities(models, scenario, tl, sig);
  lap('opportunity');
  check();

  await loadHighs();
  const value = intervalValue(tl, sig);
  const opt = new Optimiser(tl, models, value, en.circuits, en.transformers);
  const dispatch = models.map(() => newDispatch(ns));
  const nDays = tl.days.length - tl.seasonDay0;
  const drng = rng.fork('dispatch');
  for (let d = 0; d < nDays; d++) {
    progress({
      phase: 'stages 4–5: optimisation and dispatch',
      done: d,
      total: nDays,
      unit: 'days',
    });
    try {
      await opt.planDay(d);
    } catch (e) {
      if (e instanceof InfeasibleError)
        throw new EdwError('input_rejected', `infeasible scenario: ${e.message}`, {
          binding: e.binding,
        });
      throw e;
    }
    models.forEach((m, j) =>
      dispatchDay(m, opt.plan[j]!, dispatch[j]!, tl, d, scenario.dispatch.deviationSd, drng),
    );
    check();
    // Let the event loop breathe (cancel requests, progress frames).
    if (d % 4 === 3) await new Promise((r) => setImmediate(r));
  }
  progress({
    phase: 'stages 4–5: optimisation and dispatch',
    done: nDays,
    total: nDays,
    unit: 'days',
  });
  timings.optimise = opt.stats.solveSeconds;
  lap('optimise+dispatch');
  check();

  progress({ phase: 'stage 6: M&V and settlement', done: 0 });
  const loads = premiseLoads(db, models, dispatch, tl, sig, rng.fork('loads'));
  const { performance: perf } = measure(
    loads,
    models,
    dispatch,
    tl,
    sig,
    scenario.settlement.adjustmentCapPct,
  );
  const method = scenario.settlement.baseline;
  const deliveries = splitDeliveries(perf, loads, models, dispatch, tl, sig, method);
  const settlement = settle(models, dispatch, perf, tl, sig, method);
  lap('settle');
  check();

  progress({ phase: 'stage 7: value distribution', done: 0 });
  const values = participantValues(models, dispatch, deliveries, tl, sig);
  const distribution = distribute(values, settlement.totalCents, scenario);
  const paid = distribution.participants.reduce((a, p) => a + p.paymentCents, 0n);
  if (paid + distribution.feeCents !== settlement.totalCents)
    throw new EdwError(
      'internal',
      `distribution does not reconcile: ${paid} + ${distribution.feeCents} ≠ ${settlement.totalCents} cents`,
    );
  lap('distribute');
  return {
    scenario,
    tl,
    sig,
    enrol: en,
    models,
    accuracy: acc,
    opportunities: opps,
    optimiser: opt,
    dispatch,
    loads,
    performance: perf,
    deliveries,
    settlement,
    distribution,
    timings,
  };
}
