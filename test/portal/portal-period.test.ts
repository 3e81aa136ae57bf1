import t from 'tap';
import { periodOf } from '../../src/portal/portal-kit.js';

/**
 * The history pages' period (`from`/`to`, YYYY-MM-DD, UTC, `to` inclusive)
 * on the calendar's edges: a month's end, the 29th of February, New Year,
 * the instant after midnight UTC. The clock is a number passed in, so every
 * date is tried whatever day the tests run on.
 */
const at = (iso: string): number => Date.parse(iso);

t.test('a date that is no day of the calendar is refused, not moved into the next month', async (t) => {
  const now = at('2026-03-15T12:00:00Z');
  for (const bad of ['2026-02-29', '2026-02-30', '2026-02-31', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00']) {
    t.equal(periodOf({ from: bad, to: '2026-03-10' }, now), 'dates are YYYY-MM-DD, each a day of the calendar', `from=${bad} refused`);
    t.equal(periodOf({ from: '2025-12-01', to: bad }, now), 'dates are YYYY-MM-DD, each a day of the calendar', `to=${bad} refused`);
  }
  t.match(periodOf({ from: '2028-02-29', to: '2028-02-29' }, now), { from: '2028-02-29', to: '2028-02-29', period: { from: at('2028-02-29T00:00:00Z'), to: at('2028-03-01T00:00:00Z') } }, "a leap year's 29 February is a day: the whole of it");
  t.match(periodOf({ from: '2026-02-01', to: '2026-02-28' }, now), { period: { from: at('2026-02-01T00:00:00Z'), to: at('2026-03-01T00:00:00Z') } }, "February's last day included to its end");
});

t.test('the default period, the last 30 days to today, at midnight UTC and across New Year', async (t) => {
  t.match(periodOf({}, at('2027-01-01T00:00:00Z')), { from: '2026-12-03', to: '2027-01-01', period: { from: at('2026-12-03T00:00:00Z'), to: at('2027-01-02T00:00:00Z') } }, 'at the first instant of a year: today is its first day');
  t.match(periodOf({}, at('2026-12-31T23:59:59.999Z')), { from: '2026-12-02', to: '2026-12-31' }, 'at the last instant of a year: today is still its last day');
  t.match(periodOf({}, at('2028-03-01T00:00:00Z')), { from: '2028-02-01', to: '2028-03-01' }, 'after a leap February: 30 days back count its 29th');
  t.equal(periodOf({ from: '2027-01-02', to: '2026-12-31' }, at('2027-01-05T00:00:00Z')), 'the period ends before it starts', 'a period ending before it starts is refused across New Year too');
});
