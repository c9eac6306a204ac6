import highsLoader from 'highs';
const highs = await highsLoader();
const T = 96;
const price = Array.from(
  { length: T },
  (_, t) => 30 + 40 * Math.sin((t / T) * 2 * Math.PI) ** 2 + (t % 7),
);
function lp(D) {
  const obj = [],
    cons = [],
    bounds = [];
  for (let d = 0; d < D; d++) {
    for (let t = 0; t < T; t++) {
      obj.push(
        ` + ${((price[t] * 0.25) / 1000).toFixed(6)} g_${d}_${t} - ${((price[t] * 0.25) / 1000 + 0.00001).toFixed(6)} c_${d}_${t}`,
      );
      const prev = t === 0 ? '' : ` - s_${d}_${t - 1}`;
      cons.push(
        ` b_${d}_${t}: s_${d}_${t}${prev} - 0.2375 c_${d}_${t} + 0.263158 g_${d}_${t} = ${t === 0 ? 6.75 : 0}`,
      );
      bounds.push(` 0 <= c_${d}_${t} <= 5\n 0 <= g_${d}_${t} <= 5\n 2.7 <= s_${d}_${t} <= 13.5`);
    }
    cons.push(` e_${d}: s_${d}_${T - 1} >= 6.75`);
  }
  return `Maximize\n obj:${obj.join('')}\nSubject To\n${cons.join('\n')}\nBounds\n${bounds.join('\n')}\nEnd\n`;
}
for (const D of [1, 1, 1, 1, 1, 10, 10, 100]) {
  const s = lp(D);
  const t1 = performance.now();
  const r = highs.solve(s, { output_flag: false });
  console.log(D, (performance.now() - t1).toFixed(1), r.Status);
}
