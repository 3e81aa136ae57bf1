/**
 * An IANA time zone name as the centre stores it (a device's, a plan's):
 * the canonical spelling of a name the platform's time-zone data knows
 * (`europe/berlin` → `Europe/Berlin`), or undefined. Offsets such as
 * `+01:00` are refused: they have no daylight saving, and a device in
 * Berlin is not at +01:00 all year.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.trim() === '' || /^[+-]/.test(name.trim())) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name.trim() }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
