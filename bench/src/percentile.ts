/**
 * The `q` quantile (0..1) of `values` by the nearest-rank method (the value below which a share
 * `q` of them lie); NaN when there are none. `values` need not be sorted.
 */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
