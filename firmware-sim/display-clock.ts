import type { DateFormat, Language } from './country-profile.js';
import { DISPLAY_TEXTS } from './display-texts.js';

export interface ClockStyle {
  language: Language;
  dateFormat: DateFormat;
  utcOffsetMinutes: number;
  /** Daylight saving switched on (KDS c6.enabled): the EU rule applies. */
  daylightSaving: boolean;
}

/** 01:00 UTC, when EU summer time starts and ends (Directive 2000/84/EC, Art. 2 and 3). */
const EU_SWITCH_HOUR_UTC = 1;

/** The last Sunday of `month` (0-based) in `year`, at 01:00 UTC. */
function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  const sunday = lastDay.getUTCDate() - lastDay.getUTCDay();
  return Date.UTC(year, month, sunday, EU_SWITCH_HOUR_UTC);
}

/** EU summer time: from the last Sunday of March to the last Sunday of October, 01:00 UTC each. */
export function isEuSummerTime(utcMs: number): boolean {
  const year = new Date(utcMs).getUTCFullYear();
  return utcMs >= lastSundayAt1Utc(year, 2) && utcMs < lastSundayAt1Utc(year, 9);
}

/** The display clock: weekday, date in the country's format and time, local time ("Mo 23.11.26 16:20"). */
export function displayClock(utcMs: number, style: ClockStyle): string {
  const offset = style.utcOffsetMinutes + (style.daylightSaving && isEuSummerTime(utcMs) ? 60 : 0);
  const d = new Date(utcMs + offset * 60_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const parts: Record<string, string> = { DD: p(d.getUTCDate()), MM: p(d.getUTCMonth() + 1), YY: String(d.getUTCFullYear()).slice(2) };
  const date = style.dateFormat.replace(/DD|MM|YY/g, (k) => parts[k]);
  const weekday = DISPLAY_TEXTS[style.language].weekdays[(d.getUTCDay() + 6) % 7];
  return `${weekday} ${date} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}
