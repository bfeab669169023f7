/** Reads a Prometheus histogram from a /metrics text: its count, mean and bucket-bound quantiles. */
export interface HistogramStats {
  count: number;
  mean: number;
  /** The upper bound of the bucket holding the quantile (Prometheus' own resolution). */
  p50: number;
  p99: number;
}

export function histogram(text: string, name: string, labels = ''): HistogramStats {
  const buckets: { le: number; count: number }[] = [];
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (labels && !line.includes(labels))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_bucket`)) {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: value });
    } else if (line.startsWith(`${name}_sum`)) sum = value;
    else if (line.startsWith(`${name}_count`)) count = value;
  }
  const quantile = (q: number): number => buckets.find((b) => b.count >= q * count)?.le ?? NaN;
  return { count, mean: count > 0 ? sum / count : NaN, p50: quantile(0.5), p99: quantile(0.99) };
}
