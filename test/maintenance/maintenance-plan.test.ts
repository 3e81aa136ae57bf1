import t, { type Test } from 'tap';
import { DEFAULT_FUNCTION_TEST_WAIT_MS, functionTestBudgetMs, functionTestWaitMs } from '../../src/maintenance/function-test-wait.js';
import { checkPlan, localDate, nextWindow, PlanError, type PlanSpec } from '../../src/maintenance/maintenance-plan.js';

const NOW = Date.UTC(2026, 11, 1, 10, 0); // Tuesday 1 December 2026, 11:00 in Berlin
const spec = (over: Partial<PlanSpec> = {}, window: Partial<PlanSpec['window']> = {}): PlanSpec => ({
  name: 'nightly',
  selection: { devices: ['HSIM-0001'] },
  window: { cron: '0 20 * * 1-5', minutes: 600, timeZone: 'Europe/Berlin', holidays: [], ...window },
  steps: ['errors', 'kds-backup', 'archive'],
  loadAps: false,
  backupRetention: 7,
  maxRetries: 2,
  serviceUser: 'service',
  ...over,
});
const known = (id: string) => id.startsWith('HSIM-');

function refused(t: Test, s: PlanSpec, field: string, pattern: RegExp, what: string): void {
  try {
    checkPlan(s, NOW, known);
    t.fail(`${what}: accepted`);
  } catch (err) {
    t.ok(err instanceof PlanError, `${what}: a PlanError`);
    t.equal((err as PlanError).field, field, `${what}: names the field ${field}`);
    t.match((err as Error).message, pattern, `${what}: says why (${(err as Error).message})`);
  }
}

t.test('bad plans are refused with the field named', async (t) => {
  refused(t, spec({}, { minutes: 0 }), 'window', /empty window/, 'an empty window');
  refused(t, spec({}, { cron: '0 20 1 1 * 2020' }), 'cron', /does not parse/, 'a cron expression with a year field croner does not take');
  refused(t, spec({}, { cron: '0 25 * * *' }), 'cron', /does not parse.*hour/i, 'an hour 25');
  refused(t, spec({}, { cron: 'every night' }), 'cron', /does not parse/, 'words');
  refused(t, spec({}, { cron: '0 20 30 2 *' }), 'window', /no window after .*past/, 'a window that never comes (30 February)');
  refused(t, spec({}, { timeZone: 'Mars/Olympus' }), 'time-zone', /IANA/, 'an unknown time zone');
  refused(t, spec({}, { holidays: ['2026-02-30'] }), 'holidays', /not a date/, 'a date that does not exist');
  refused(t, spec({ selection: { devices: ['HSIM-0001', 'NOPE-1'] } }), 'devices', /unknown device NOPE-1/, 'an unknown device');
  refused(t, spec({ selection: { devices: [] } }), 'devices', /at least one/, 'no device');
  refused(t, spec({ steps: [] }), 'steps', /at least one/, 'no step');
  refused(t, spec({ steps: ['errors', 'defrag' as 'errors'] }), 'steps', /"defrag" is not one of/, 'an unknown step');
  refused(t, spec({ loadAps: true }), 'target-aps', /target version/, 'loading without a target');
  refused(t, spec({ name: 'a plan' }), 'name', /A–Z/, 'a name with a space');
  refused(t, spec({ maxRetries: 11 }), 'retries', /0–10/, 'too many retries');
  refused(t, spec({ functionTestWaitMinutes: 0 }), 'function-test-wait', /0 is not 1–120 minutes/, 'a function-test wait of nothing');
  refused(t, spec({ functionTestWaitMinutes: 2.5 }), 'function-test-wait', /not 1–120 minutes/, 'a function-test wait in part minutes');
  refused(t, spec({ functionTestWaitMinutes: 121 }), 'function-test-wait', /not 1–120 minutes/, 'a function-test wait over two hours');
  refused(t, spec({ steps: ['errors', 'function-test'], functionTestWaitMinutes: 30 }, { minutes: 30 }), 'function-test-wait', /31 min \(the wait and 1 min for the test\) does not fit in the 30-min window: the step could never start/, 'a wait the window cannot hold');
  refused(t, spec({ steps: ['function-test'] }, { minutes: 15 }), 'function-test-wait', /18 min \(the wait, by default, and 1 min for the test\) does not fit in the 15-min window/, 'the default wait in a short window');
});

t.test('the function-test wait: the default from the PBX\'s report timing, or the plan\'s', async (t) => {
  t.equal(DEFAULT_FUNCTION_TEST_WAIT_MS, 17 * 60_000, 'by default 17 min: the longest signaling interval (15 min) and a report call');
  t.equal(functionTestWaitMs({}), DEFAULT_FUNCTION_TEST_WAIT_MS, 'a plan without its own wait');
  t.equal(functionTestWaitMs({ functionTestWaitMinutes: null }), DEFAULT_FUNCTION_TEST_WAIT_MS, 'a stored plan without its own wait');
  t.equal(functionTestWaitMs({ functionTestWaitMinutes: 4 }), 4 * 60_000, "the plan's wait");
  t.equal(functionTestBudgetMs({ functionTestWaitMinutes: 4 }), 5 * 60_000, 'the step budget: the wait and a minute for the test');
  t.equal(checkPlan(spec({ steps: ['function-test'], functionTestWaitMinutes: 4 }, { minutes: 5 }), NOW, known).functionTestWaitMinutes, 4, 'a wait that just fits is taken');
  t.equal(checkPlan(spec({ functionTestWaitMinutes: 90 }, { minutes: 30 }), NOW, known).functionTestWaitMinutes, 90, 'a plan without the function-test step keeps its wait, unused');
});

t.test('a good plan is taken in stored form', async (t) => {
  const p = checkPlan(spec({ selection: { devices: ['HSIM-0002', 'HSIM-0001', 'HSIM-0002'] } }, { holidays: ['2026-12-25', '2026-12-24', '2026-12-25'] }), NOW, known);
  t.same(p.selection, { devices: ['HSIM-0001', 'HSIM-0002'] }, 'devices sorted and unique');
  t.same(p.window.holidays, ['2026-12-24', '2026-12-25'], 'holidays sorted and unique');
  t.same(checkPlan(spec({ selection: { customer: ' Müller GmbH ' } }), NOW, known).selection, { customer: 'Müller GmbH' }, 'a customer filter, trimmed');
});

t.test('windows: weekdays 20:00–06:00 in the device time zone, holidays skipped, an open window found', async (t) => {
  const w = spec().window;
  const first = nextWindow(w, NOW);
  t.same(first && [new Date(first.start).toISOString(), new Date(first.end).toISOString()], ['2026-12-01T19:00:00.000Z', '2026-12-02T05:00:00.000Z'], 'Tuesday 20:00 Berlin (CET, UTC+1) to Wednesday 06:00');
  const open = nextWindow(w, Date.UTC(2026, 11, 2, 3, 0));
  t.equal(open?.start, first?.start, 'at 04:00 Berlin the window of the evening before is still open');
  const friday = nextWindow(w, Date.UTC(2026, 11, 5, 6, 0));
  t.equal(friday && new Date(friday.start).toISOString(), '2026-12-07T19:00:00.000Z', 'once the window of Friday night closed (Saturday 07:00 Berlin) the next is Monday night: no weekend');
  const summer = nextWindow(w, Date.UTC(2026, 6, 1, 10, 0));
  t.equal(summer && new Date(summer.start).toISOString(), '2026-07-01T18:00:00.000Z', 'in summer 20:00 Berlin is 18:00 UTC (CEST)');
  const withHolidays = nextWindow({ ...w, holidays: ['2026-12-24', '2026-12-25'] }, Date.UTC(2026, 11, 24, 10, 0));
  t.equal(withHolidays && new Date(withHolidays.start).toISOString(), '2026-12-28T19:00:00.000Z', 'no window on 24 and 25 December, none on the weekend: Monday 28th');
  t.equal(localDate(Date.UTC(2026, 11, 24, 23, 30), 'Europe/Berlin'), '2026-12-25', 'the holiday date is read in the plan time zone');
  t.equal(nextWindow({ ...w, cron: '0 20 30 2 *' }, NOW), undefined, 'no window at all: undefined');
});
