/*
 * A window written by the clock (docs/maintenance-plans.md: `--window 20:00-06:00 --days 1-5`,
 * a scenario's `window:`), turned into the cron expression and length a plan stores. Kept apart
 * from maintenance-plan.ts so the CLI can check the option without loading croner.
 */

const MINUTES_PER_DAY = 24 * 60;

/** `20:00-06:00` → the window's start (hour, minute) and its length in minutes; the end may be the next morning. Undefined when the text is not HH:MM-HH:MM. */
export function parseClockWindow(text: string): { hour: number; minute: number; minutes: number } | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return { hour: Number(m[1]), minute: Number(m[2]), minutes: (end - start + MINUTES_PER_DAY) % MINUTES_PER_DAY };
}

/** The cron expression of a window that starts at hour:minute on the cron day-of-week field `days` (`1-5`, `*`). */
export function clockWindowCron(w: { hour: number; minute: number }, days: string): string {
  return `${w.minute} ${w.hour} * * ${days}`;
}
