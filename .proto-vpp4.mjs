import highsLoader from 'highs';
const highs = await highsLoader();
const T = 96;
const price = Array.from(
  { length: T },
  (_, t) => 30 + 40 * Math.sin((t / T) * 2 * Math.PI) ** 2 + (t % 7),
);
function model(D) {
  const nc = D * 3 * T,
    rowsPer = T + 1,
    nr = D * rowsPer;
  const cost = new Float64Array(nc),
    lo = new Float64Array(nc),
    up = new Float64Array(nc);
  const rlo = new Float64Array(nr),
    rup = new Float64Array(nr);
  const ri = [],
    rs = [0],
    rv = [];
  const col = (d, k, t) => d * 3 * T + k * T + t;
  for (let d = 0; d < D; d++)
    for (let t = 0; t < T; t++) {
      cost[col(d, 0, t)] = -((price[t] * 0.25) / 1000 + 0.00001);
      cost[col(d, 1, t)] = (price[t] * 0.25) / 1000;
      up[col(d, 0, t)] = 5;
      up[col(d, 1, t)] = 5;
      lo[col(d, 2, t)] = 2.7;
      up[col(d, 2, t)] = 13.5;
    }
  for (let d = 0; d < D; d++) {
    for (let t = 0; t < T; t++) {
      const r = d * rowsPer + t;
      ri.push(col(d, 2, t));
      rv.push(1);
      if (t > 0) {
        ri.push(col(d, 2, t - 1));
        rv.push(-1);
      }
      ri.push(col(d, 0, t));
      rv.push(-0.2375);
      ri.push(col(d, 1, t));
      rv.push(0.263158);
      rs.push(ri.length);
      rlo[r] = rup[r] = t === 0 ? 6.75 : 0;
    }
    const r = d * rowsPer + T;
    ri.push(col(d, 2, T - 1));
    rv.push(1);
    rs.push(ri.length);
    rlo[r] = 6.75;
    rup[r] = Infinity;
  }
  return {
    numCols: nc,
    numRows: nr,
    sense: highs.constants.objectiveSense.maximize,
    colCost: cost,
    colLower: lo,
    colUpper: up,
    rowLower: rlo,
    rowUpper: rup,
    matrix: {
      format: 'csr',
      numRows: nr,
      numCols: nc,
      starts: Int32Array.from(rs),
      indices: Int32Array.from(ri),
      values: Float64Array.from(rv),
    },
  };
}
const opt = process.argv[2];
for (const D of [1, 1, 1, 1, 1, 1, 1, 1, 10, 100]) {
  const md = model(D);
  const t1 = performance.now();
  const m = highs.createModel();
  m.options.output_flag = false;
  if (opt) m.options.solver = opt;
  m.passModel(md);
  const t2 = performance.now();
  const r = m.run();
  const t3 = performance.now();
  console.log(
    D,
    (t2 - t1).toFixed(1),
    (t3 - t2).toFixed(1),
    r.modelStatus,
    m.getObjectiveValue().toFixed(4),
  );
  m.dispose();
}
