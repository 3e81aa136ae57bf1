/** The median of a bench's rounds (the upper middle one for an even count): what the benches quote against run-to-run noise. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
