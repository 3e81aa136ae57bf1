/** Milliseconds per unit of a written duration. */
export const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, min: 60_000, h: 3600_000, d: 86_400_000 };

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?$/;

/**
 * A written duration — "500ms", "90s", "15min", "2h", "7d" — in ms;
 * `bareUnit` is the unit of a number written without one. Undefined when
 * the text is not a duration, so each caller words its own error.
 */
export function parseDuration(text: string, bareUnit: keyof typeof DURATION_UNITS = 's'): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (DURATION_UNITS[m[2] ?? bareUnit] ?? 1000);
}
