// A small LP/MIP builder on HiGHS (the `highs` npm package, HiGHS compiled to WebAssembly).
// Models are passed as sparse rows (CSR) through the persistent-model API: no LP text to format
// and parse (for a 1,000-DER day that text is megabytes). `toLpText()` renders the same model
// in CPLEX LP format for inspection and docs.
import highsLoader, { type Highs } from 'highs';

let loading: Promise<Highs> | null = null;

/** The HiGHS runtime, loaded once per process. */
export function loadHighs(): Promise<Highs> {
  loading ??= highsLoader();
  return loading;
}

export class Lp {
  readonly cost: number[] = [];
  readonly lo: number[] = [];
  readonly up: number[] = [];
  readonly integer: boolean[] = [];
  readonly colLabel: string[] = [];
  readonly rowLo: number[] = [];
  readonly rowUp: number[] = [];
  readonly rowLabel: string[] = [];
  private readonly starts: number[] = [0];
  private readonly index: number[] = [];
  private readonly value: number[] = [];

  constructor(readonly sense: 'max' | 'min') {}

  col(label: string, cost: number, lo: number, up: number, integer = false): number {
    this.cost.push(cost);
    this.lo.push(lo);
    this.up.push(up);
    this.integer.push(integer);
    this.colLabel.push(label);
    return this.cost.length - 1;
  }

  /** A row lo ≤ Σ coef·x ≤ up; terms with the same column must not repeat. */
  row(
    label: string,
    cols: readonly number[],
    coefs: readonly number[],
    lo: number,
    up: number,
  ): number {
    for (let k = 0; k < cols.length; k++) {
      if (coefs[k] === 0) continue;
      this.index.push(cols[k] as number);
      this.value.push(coefs[k] as number);
    }
    this.starts.push(this.index.length);
    this.rowLo.push(lo);
    this.rowUp.push(up);
    this.rowLabel.push(label);
    return this.rowLo.length - 1;
  }

  get numCols(): number {
    return this.cost.length;
  }

  get numRows(): number {
    return this.rowLo.length;
  }

  /** Rows as (label, [col, coef][], lo, up), for diagnostics and the elastic model. */
  rowTerms(r: number): { cols: number[]; coefs: number[] } {
    const a = this.starts[r] as number;
    const b = this.starts[r + 1] as number;
    return { cols: this.index.slice(a, b), coefs: this.value.slice(a, b) };
  }

  async solve(): Promise<LpResult> {
    const highs = await loadHighs();
    const nc = this.numCols;
    const nr = this.numRows;
    const mip = this.integer.some((x) => x);
    const m = highs.createModel();
    try {
      m.options.set({ output_flag: false, log_to_console: false });
      m.passModel({
        numCols: nc,
        numRows: nr,
        sense:
          this.sense === 'max'
            ? highs.constants.objectiveSense.maximize
            : highs.constants.objectiveSense.minimize,
        colCost: Float64Array.from(this.cost),
        colLower: Float64Array.from(this.lo),
        colUpper: Float64Array.from(this.up, (u) => (u === Infinity ? highs.infinity : u)),
        rowLower: Float64Array.from(this.rowLo, (l) => (l === -Infinity ? -highs.infinity : l)),
        rowUpper: Float64Array.from(this.rowUp, (u) => (u === Infinity ? highs.infinity : u)),
        matrix: {
          format: 'csr',
          numRows: nr,
          numCols: nc,
          starts: Int32Array.from(this.starts),
          indices: Int32Array.from(this.index),
          values: Float64Array.from(this.value),
        },
        ...(mip
          ? {
              integrality: Int32Array.from(this.integer, (x) =>
                x ? highs.constants.variableType.integer : highs.constants.variableType.continuous,
              ),
            }
          : {}),
      });
      const run = m.run();
      const codes = highs.constants.modelStatus;
      const status =
        run.modelStatus === codes.optimal
          ? 'optimal'
          : run.modelStatus === codes.infeasible
            ? 'infeasible'
            : run.modelStatus === codes.unbounded
              ? 'unbounded'
              : run.modelStatus === codes.unboundedOrInfeasible
                ? 'infeasible-or-unbounded'
                : run.modelStatus === codes.empty
                  ? 'optimal'
                  : `status ${run.modelStatus}`;
      if (status !== 'optimal') return { status, x: new Float64Array(nc), objective: NaN, mip };
      const sol = m.getSolution();
      return { status, x: Float64Array.from(sol.colValue), objective: m.getObjectiveValue(), mip };
    } finally {
      m.dispose();
    }
  }

  /**
   * The elastic (phase-one) form of this model: every row gets slacks s⁺, s⁻ ≥ 0
   * (lo ≤ a·x + s⁺ − s⁻ ≤ up) and the objective is min Σ slack. Its optimum names the rows
   * that must be violated, and by how much, when the model itself is infeasible.
   */
  elastic(rows?: readonly number[]): { lp: Lp; slackOf: Map<number, [number, number]> } {
    const e = new Lp('min');
    for (let j = 0; j < this.numCols; j++)
      e.col(this.colLabel[j] as string, 0, this.lo[j] as number, this.up[j] as number);
    const relax = new Set(rows ?? Array.from({ length: this.numRows }, (_, r) => r));
    const slackOf = new Map<number, [number, number]>();
    for (let r = 0; r < this.numRows; r++) {
      const { cols, coefs } = this.rowTerms(r);
      if (relax.has(r)) {
        const p = e.col(`sp${r}`, 1, 0, Infinity);
        const n = e.col(`sn${r}`, 1, 0, Infinity);
        slackOf.set(r, [p, n]);
        cols.push(p, n);
        coefs.push(1, -1);
      }
      e.row(
        this.rowLabel[r] as string,
        cols,
        coefs,
        this.rowLo[r] as number,
        this.rowUp[r] as number,
      );
    }
    return { lp: e, slackOf };
  }

  /** The model in CPLEX LP format (for inspection; the solver is fed the sparse arrays). */
  toLpText(): string {
    const name = (j: number): string => `x${j}`;
    const out: string[] = [this.sense === 'max' ? 'Maximize' : 'Minimize', ' obj:'];
    const obj: string[] = [];
    this.cost.forEach((c, j) => {
      if (c !== 0) obj.push(`${c >= 0 ? '+' : '-'} ${Math.abs(c)} ${name(j)}`);
    });
    out.push(`  ${obj.join(' ') || '0 x0'}`, 'Subject To');
    for (let r = 0; r < this.numRows; r++) {
      const { cols, coefs } = this.rowTerms(r);
      const lhs = cols
        .map(
          (c, k) =>
            `${(coefs[k] as number) >= 0 ? '+' : '-'} ${Math.abs(coefs[k] as number)} ${name(c)}`,
        )
        .join(' ');
      const lo = this.rowLo[r] as number;
      const up = this.rowUp[r] as number;
      if (lo === up) out.push(` r${r}: ${lhs} = ${lo}`);
      else {
        if (lo > -Infinity) out.push(` r${r}l: ${lhs} >= ${lo}`);
        if (up < Infinity) out.push(` r${r}u: ${lhs} <= ${up}`);
      }
    }
    out.push('Bounds');
    for (let j = 0; j < this.numCols; j++)
      out.push(
        ` ${this.lo[j]} <= ${name(j)} <= ${(this.up[j] as number) === Infinity ? '+inf' : this.up[j]}`,
      );
    const ints = this.integer.map((x, j) => (x ? name(j) : '')).filter(Boolean);
    if (ints.length) out.push('General', ` ${ints.join(' ')}`);
    out.push('End', '');
    return out.join('\n');
  }
}

export interface LpResult {
  status: string;
  x: Float64Array;
  objective: number;
  mip: boolean;
}
