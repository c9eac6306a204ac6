// Forecast accuracy (seed 002, AOV-04.1): MAPE and MASE, as defined in docs/vpp.md.

export interface Accuracy {
  /** Mean absolute percentage error, percent, over the points whose actual is not zero. */
  mape: number | null;
  /** Points left out of MAPE because their actual is zero (the percentage is undefined). */
  mapeExcluded: number;
  /** Mean absolute scaled error: MAE / MAE of the seasonal naive forecast (period m). */
  mase: number | null;
  mae: number;
  n: number;
}

/**
 * MAPE = 100/n' Σ |A_t − F_t| / |A_t| over the n' points with A_t ≠ 0.
 * MASE = (1/n Σ |A_t − F_t|) / (1/(n−m) Σ_{t>m} |A_t − A_{t−m}|): the error relative to the
 * in-sample seasonal naive forecast "same interval one season (m points) earlier". null when
 * undefined (no non-zero actual; n ≤ m or a constant series).
 */
export function accuracy(
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  m: number,
): Accuracy {
  const n = actual.length;
  if (forecast.length !== n) throw new RangeError('actual and forecast differ in length');
  if (!(m >= 1)) throw new RangeError('the seasonal period must be at least 1');
  let absErr = 0;
  let pct = 0;
  let nPct = 0;
  for (let t = 0; t < n; t++) {
    const a = actual[t] as number;
    const e = Math.abs(a - (forecast[t] as number));
    absErr += e;
    if (a !== 0) {
      pct += e / Math.abs(a);
      nPct++;
    }
  }
  let naive = 0;
  for (let t = m; t < n; t++) naive += Math.abs((actual[t] as number) - (actual[t - m] as number));
  const mae = n > 0 ? absErr / n : 0;
  const scale = n > m ? naive / (n - m) : 0;
  return {
    mape: nPct > 0 ? (100 * pct) / nPct : null,
    mapeExcluded: n - nPct,
    mase: scale > 0 ? mae / scale : null,
    mae,
    n,
  };
}
