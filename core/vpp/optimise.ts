// Stage .4 (SMV-03.4): optimisation and bids. Each operating day is planned with HiGHS on the
// day-ahead forecast (docs/vpp.md "Optimisation model"). The fleet problem is block-separable
// except for the circuit and transformer limits, so it is solved exactly by decomposition:
//  1. DERs whose models are identical up to a scale factor (same class and scaled state) form
//     one class; one LP per class gives every member's optimum (an LP scales with its bounds);
//  2. the circuit and transformer limits are checked on the sum of those optima; a circuit
//     whose limits hold is optimal as is (its feasible set only shrank by the limits);
//  3. a circuit whose limits are violated is re-solved as one LP with its limits, members of a
//     class under the same transformer aggregated into one scaled block (the sum of n copies of
//     a convex set is the set scaled by n, so the aggregate is exact and splits back pro rata).
// An infeasible circuit LP is re-solved in elastic form (slacks on the limit rows, minimise
// their sum) and the error names the limit that must be violated, where and by how much.
import { InfeasibleError, type DerModel, type VbArrays } from './fleet';
import { Lp } from './lp';
import { localLabel, type Timeline } from './timeline';

export interface CircuitLimit {
  key: string;
  label: string;
  exportKw: number;
  importKw: number;
}

export interface TransformerLimit {
  key: string;
  label: string;
  circuit: string | null;
  kw: number;
}

export interface PlanArrays {
  c: Float32Array;
  g: Float32Array;
  s: Float32Array;
}

export interface DayStats {
  lps: number;
  mips: number;
  coupled: number;
  classes: number;
  seconds: number;
}

const TOL = 1e-6;

interface Block {
  c: number[];
  g: number[];
  s: number[];
  z: number[];
}

/** Add one (possibly aggregated, `factor`-scaled) DER block over season intervals [a, b). */
function addBlock(
  lp: Lp,
  m: DerModel,
  x: VbArrays,
  a: number,
  b: number,
  factor: number,
  s0: number,
  value: Float64Array,
  season0: number,
  dt: number,
  label: string,
  binaries: boolean,
): Block {
  const blk: Block = { c: [], g: [], s: [], z: [] };
  let prev = -1;
  const lastLo = m.target === null ? null : Math.min(s0, m.target * factor);
  for (let i = a; i < b; i++) {
    const v = value[season0 + i] as number;
    const cmax = (x.cmax[i] as number) * factor;
    const gmax = (x.gmax[i] as number) * factor;
    let smin = (x.smin[i] as number) * factor;
    const smax = (x.smax[i] as number) * factor;
    if (i === b - 1 && lastLo !== null) smin = Math.max(smin, Math.min(lastLo, smax));
    const c = lp.col(`c`, -(v + m.wear) * dt, 0, cmax);
    const g = lp.col(`g`, (v - m.wear) * dt, 0, gmax);
    const s = lp.col(`s`, 0, Math.min(smin, smax), smax);
    blk.c.push(c);
    blk.g.push(g);
    blk.s.push(s);
    // s_i − keep·s_{i−1} − ηc·Δ·c_i + Δ/ηd·g_i = (first ? keep·s0 : 0)
    const cols = prev < 0 ? [s, c, g] : [s, prev, c, g];
    const coefs =
      prev < 0 ? [1, -m.etaC * dt, dt / m.etaD] : [1, -m.keep, -m.etaC * dt, dt / m.etaD];
    const rhs = prev < 0 ? m.keep * s0 : 0;
    lp.row(`${label}: energy balance`, cols, coefs, rhs, rhs);
    if (binaries && cmax > 0 && gmax > 0) {
      const z = lp.col('z', 0, 0, 1, true);
      blk.z.push(z);
      lp.row(`${label}: charge only when z = 1`, [c, z], [1, -cmax], -Infinity, 0);
      lp.row(`${label}: discharge only when z = 0`, [g, z], [1, gmax], -Infinity, gmax);
    }
    prev = s;
  }
  return blk;
}

/**
 * The baseline injection a limit row counts: the dispatchable DERs' (EV charging, AC load);
 * PV generation is left out — its export was approved by its interconnection study (PTO) and
 * the limits bound what the VPP dispatches; PV curtailment still counts as flexibility.
 */
function limitBase(m: DerModel, i: number): number {
  return m.der.kind === 'pv' ? 0 : (m.forecast.base[i] as number);
}

function simultaneous(x: Float64Array, blk: Block): boolean {
  for (let k = 0; k < blk.c.length; k++)
    if ((x[blk.c[k] as number] as number) > TOL && (x[blk.g[k] as number] as number) > TOL)
      return true;
  return false;
}

export class Optimiser {
  readonly plan: PlanArrays[];
  readonly stats = {
    lps: 0,
    mips: 0,
    coupledCircuits: 0,
    bindingCircuitIntervals: 0,
    classesMax: 0,
    solveSeconds: 0,
  };

  constructor(
    private readonly tl: Timeline,
    private readonly models: readonly DerModel[],
    private readonly value: Float64Array,
    private readonly circuits: ReadonlyMap<string, CircuitLimit>,
    private readonly transformers: ReadonlyMap<string, TransformerLimit>,
  ) {
    const ns = tl.n - tl.season0;
    this.plan = models.map(() => ({
      c: new Float32Array(ns),
      g: new Float32Array(ns),
      s: new Float32Array(ns),
    }));
  }

  private startState(i: number, a: number): number {
    return a === 0
      ? (this.models[i] as DerModel).s0
      : ((this.plan[i] as PlanArrays).s[a - 1] as number);
  }

  /** Plan season day `d` (0-based within the season). */
  async planDay(d: number): Promise<void> {
    const tl = this.tl;
    const di = tl.seasonDay0 + d;
    const a = (tl.dayStart[di] as number) - tl.season0;
    const b = (tl.dayStart[di + 1] as number) - tl.season0;
    const t0 = performance.now();
    // 1. classes
    const classes = new Map<string, number[]>();
    this.models.forEach((m, i) => {
      const k = `${m.classKey}|${(this.startState(i, a) / m.scale).toFixed(9)}`;
      let list = classes.get(k);
      if (!list) classes.set(k, (list = []));
      list.push(i);
    });
    this.stats.classesMax = Math.max(this.stats.classesMax, classes.size);
    for (const members of classes.values()) {
      const rep = members[0] as number;
      const m = this.models[rep] as DerModel;
      const s0 = this.startState(rep, a);
      let lp = new Lp('max');
      let blk = addBlock(
        lp,
        m,
        m.forecast,
        a,
        b,
        1,
        s0,
        this.value,
        tl.season0,
        tl.dt,
        `${m.der.kind} ${m.der.key}`,
        false,
      );
      let r = await lp.solve();
      this.stats.lps++;
      if (r.status !== 'optimal') await this.explain(lp, r.status, d, null);
      if (m.exclusive && simultaneous(r.x, blk)) {
        lp = new Lp('max');
        blk = addBlock(
          lp,
          m,
          m.forecast,
          a,
          b,
          1,
          s0,
          this.value,
          tl.season0,
          tl.dt,
          `${m.der.kind} ${m.der.key}`,
          true,
        );
        r = await lp.solve();
        this.stats.mips++;
        if (r.status !== 'optimal') await this.explain(lp, r.status, d, null);
      }
      for (const i of members) {
        const f = (this.models[i] as DerModel).scale / m.scale;
        const p = this.plan[i] as PlanArrays;
        for (let k = 0; k < b - a; k++) {
          p.c[a + k] = (r.x[blk.c[k] as number] as number) * f;
          p.g[a + k] = (r.x[blk.g[k] as number] as number) * f;
          p.s[a + k] = (r.x[blk.s[k] as number] as number) * f;
        }
      }
    }
    // 2. limits
    const byCircuit = new Map<string, number[]>();
    this.models.forEach((m, i) => {
      const c = m.der.circuit;
      if (c === null || !this.circuits.has(c)) {
        if (m.der.transformer === null || !this.transformers.has(m.der.transformer)) return;
      }
      const key = c ?? `transformer:${m.der.transformer}`;
      let list = byCircuit.get(key);
      if (!list) byCircuit.set(key, (list = []));
      list.push(i);
    });
    for (const [key, members] of byCircuit) {
      if (!this.violated(key, members, a, b)) continue;
      await this.coupled(key, members, a, b, d);
    }
    this.stats.solveSeconds += (performance.now() - t0) / 1000;
  }

  private injection(members: readonly number[], i: number): number {
    let tot = 0;
    for (const j of members) {
      const m = this.models[j] as DerModel;
      const p = this.plan[j] as PlanArrays;
      tot += limitBase(m, i) + (p.g[i] as number) - (p.c[i] as number);
    }
    return tot;
  }

  private violated(key: string, members: readonly number[], a: number, b: number): boolean {
    const lim = this.circuits.get(key);
    const byTr = new Map<string, number[]>();
    for (const j of members) {
      const t = (this.models[j] as DerModel).der.transformer;
      if (t === null || !this.transformers.has(t)) continue;
      let l = byTr.get(t);
      if (!l) byTr.set(t, (l = []));
      l.push(j);
    }
    for (let i = a; i < b; i++) {
      if (lim) {
        const x = this.injection(members, i);
        if (x > lim.exportKw + TOL || x < -lim.importKw - TOL) return true;
      }
      for (const [t, l] of byTr) {
        const kw = (this.transformers.get(t) as TransformerLimit).kw;
        const x = this.injection(l, i);
        if (Math.abs(x) > kw + TOL) return true;
      }
    }
    return false;
  }

  /** Re-solve one circuit with its limits (classes aggregated per transformer). */
  private async coupled(
    key: string,
    members: readonly number[],
    a: number,
    b: number,
    d: number,
    binaries = false,
  ): Promise<void> {
    const tl = this.tl;
    if (!binaries) this.stats.coupledCircuits++;
    const groups = new Map<string, number[]>();
    for (const i of members) {
      const m = this.models[i] as DerModel;
      const k = `${m.classKey}|${(this.startState(i, a) / m.scale).toFixed(9)}|${m.der.transformer ?? ''}`;
      let l = groups.get(k);
      if (!l) groups.set(k, (l = []));
      l.push(i);
    }
    const lp = new Lp('max');
    const blocks: { members: number[]; blk: Block; rep: DerModel; total: number }[] = [];
    for (const g of groups.values()) {
      const rep = this.models[g[0] as number] as DerModel;
      const total = g.reduce((x, i) => x + (this.models[i] as DerModel).scale, 0);
      const factor = total / rep.scale;
      const s0 = g.reduce((x, i) => x + this.startState(i, a), 0);
      const label =
        g.length === 1
          ? `${rep.der.kind} ${rep.der.key}`
          : `${g.length} × ${rep.der.kind} like ${rep.der.key}`;
      const blk = addBlock(
        lp,
        rep,
        rep.forecast,
        a,
        b,
        factor,
        s0,
        this.value,
        tl.season0,
        tl.dt,
        label,
        binaries && rep.exclusive,
      );
      blocks.push({ members: g, blk, rep, total });
    }
    const limitRows: number[] = [];
    const addLimit = (
      label: string,
      sel: (m: DerModel) => boolean,
      lo: number,
      up: number,
      i: number,
    ): void => {
      const cols: number[] = [];
      const coefs: number[] = [];
      let base = 0;
      for (const bl of blocks) {
        if (!sel(bl.rep)) continue;
        const k = i - a;
        cols.push(bl.blk.g[k] as number, bl.blk.c[k] as number);
        coefs.push(1, -1);
        for (const j of bl.members) base += limitBase(this.models[j] as DerModel, i);
      }
      if (cols.length === 0) return;
      limitRows.push(
        lp.row(
          label.replace('%AT%', localLabel(tl, tl.season0 + i)),
          cols,
          coefs,
          lo - base,
          up - base,
        ),
      );
    };
    const lim = this.circuits.get(key);
    const trs = new Set<string>();
    for (const bl of blocks)
      if (bl.rep.der.transformer && this.transformers.has(bl.rep.der.transformer))
        trs.add(bl.rep.der.transformer);
    for (let i = a; i < b; i++) {
      if (lim)
        addLimit(
          `circuit ${lim.label} limits (export ${fmt(lim.exportKw)} kW, import ${fmt(lim.importKw)} kW) at %AT%`,
          () => true,
          -lim.importKw,
          lim.exportKw,
          i,
        );
      for (const t of trs) {
        const tr = this.transformers.get(t) as TransformerLimit;
        addLimit(
          `transformer ${tr.label} limit (${fmt(tr.kw)} kW) at %AT%`,
          (m) => m.der.transformer === t,
          -tr.kw,
          tr.kw,
          i,
        );
      }
    }
    const r = await lp.solve();
    this.stats.lps++;
    if (r.mip) this.stats.mips++;
    if (r.status !== 'optimal') await this.explain(lp, r.status, d, limitRows);
    // Simultaneous charge and discharge of a battery group: solve again with binaries (MIP).
    if (!binaries && blocks.some((bl) => bl.rep.exclusive && simultaneous(r.x, bl.blk)))
      return this.coupled(key, members, a, b, d, true);
    for (const row of limitRows) {
      const { cols, coefs } = lp.rowTerms(row);
      let act = 0;
      cols.forEach((c, k) => (act += (coefs[k] as number) * (r.x[c] as number)));
      if (act >= (lp.rowUp[row] as number) - 1e-6 || act <= (lp.rowLo[row] as number) + 1e-6)
        this.stats.bindingCircuitIntervals++;
    }
    for (const bl of blocks) {
      for (const i of bl.members) {
        const f = (this.models[i] as DerModel).scale / bl.total;
        const p = this.plan[i] as PlanArrays;
        for (let k = 0; k < b - a; k++) {
          p.c[a + k] = (r.x[bl.blk.c[k] as number] as number) * f;
          p.g[a + k] = (r.x[bl.blk.g[k] as number] as number) * f;
          p.s[a + k] = (r.x[bl.blk.s[k] as number] as number) * f;
        }
      }
    }
  }

  /** Name the constraint(s) that make a model infeasible, via its elastic form, and throw. */
  private async explain(lp: Lp, status: string, d: number, rows: number[] | null): Promise<never> {
    const { lp: e, slackOf } = lp.elastic(rows ?? undefined);
    const r = await e.solve();
    const day = this.tl.days[this.tl.seasonDay0 + d] as number;
    const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (r.status !== 'optimal')
      throw new InfeasibleError(
        `the plan for ${date} is ${status} and its elastic form is ${r.status}`,
        'unknown',
      );
    const violations: { row: number; by: number }[] = [];
    for (const [row, [p, n]] of slackOf) {
      const by = (r.x[p] as number) + (r.x[n] as number);
      if (by > 1e-6) violations.push({ row, by });
    }
    violations.sort((x, y) => y.by - x.by);
    const first = violations[0];
    if (!first) throw new InfeasibleError(`the plan for ${date} is ${status}`, 'unknown');
    const label = lp.rowLabel[first.row] as string;
    const more =
      violations.length > 1
        ? ` (and ${violations.length - 1} more constraint-interval(s), ${violations
            .slice(1, 4)
            .map((v) => lp.rowLabel[v.row])
            .join('; ')})`
        : '';
    throw new InfeasibleError(
      `no feasible plan for ${date}: ${label} must be exceeded by ${fmt(first.by)} kW${more}`,
      label,
    );
  }
}

function fmt(x: number): string {
  return (Math.round(x * 1000) / 1000).toString();
}
