/**
 * Order statistics for the benchmarks' figures: the `p`-quantile of a set of
 * samples as the sample at rank ⌊n·p⌋ of the sorted set (so the median is the
 * upper middle of an even set), never past the largest.
 */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** The median, as percentile(samples, 0.5). */
export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}
