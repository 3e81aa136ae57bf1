import t from 'tap';
import { validateMaintenanceScenario } from '../../src/scenario/maintenance-scenario-file.js';
import { ScenarioError } from '../../src/scenario/scenario-file.js';

const good = () => ({
  name: 'n',
  maintenance: {
    start: '2026-12-07T12:00:00Z',
    nights: 3,
    fleet: { pbxs: 100, lan: 0.3 },
    centre: { modems: 4, lanConcurrency: 16 },
    plan: { window: '20:00-06:00', days: '1-5', timeZone: 'Europe/Berlin', steps: ['errors', 'archive'], retries: 1 },
    faults: [{ night: 2, lineFault: { pbxs: 5, afterBytes: 2000, every: true } }, { night: 3, inUse: { pbxs: ['MNT-00001'], as: 'admin', for: '2h' } }],
  },
  expect: [{ night: 1, done: 100 }, { night: 'all', failed: { atMost: 5 } }, { night: 2, failures: { reason: 'line', count: { atLeast: 1 } } }],
});

t.test('a maintenance scenario is read into its plan, fleet, faults and expectations', async (t) => {
  const s = validateMaintenanceScenario(good());
  t.equal(s.start, Date.UTC(2026, 11, 7, 12), 'the start');
  t.match(s.plan, { window: { cron: '0 20 * * 1-5', minutes: 600, timeZone: 'Europe/Berlin' }, steps: ['errors', 'archive'], maxRetries: 1, serviceUser: 'service' }, 'the window as the plan stores it');
  t.equal(s.plan.functionTestWaitMinutes, undefined, 'no function-test wait of its own: the default');
  const doc = good();
  Object.assign(doc.maintenance.plan, { functionTestWait: '12min' });
  t.equal(validateMaintenanceScenario(doc).plan.functionTestWaitMinutes, 12, 'functionTestWait: a duration in whole minutes');
  t.match(s.faults[0], { night: 2, lineFault: { pbxs: { count: 5 }, cut: { afterBytes: 2000 }, every: true } }, 'a line fault');
  t.match(s.faults[1], { inUse: { pbxs: { ids: ['MNT-00001'] }, as: 'admin', forMs: 2 * 3600_000 } }, 'people on a PBX');
  t.match(s.expect, [{ night: 1, figure: 'done', bound: { equals: 100 } }, { night: 'all', figure: 'failed', bound: { atMost: 5 } }, { failures: { reason: 'line' }, bound: { atLeast: 1 } }], 'the expectations');
});

t.test('every wrong field is refused with its name', async (t) => {
  const cases: Array<[string, (d: ReturnType<typeof good>) => void, RegExp]> = [
    ['unknown top field', (d) => Object.assign(d, { network: {} }), /scenario: unknown field "network"/],
    ['bad start', (d) => (d.maintenance.start = 'Monday'), /maintenance\.start: "Monday" is not a UTC time/],
    ['no nights', (d) => (d.maintenance.nights = 0), /maintenance\.nights: 0 is outside 1–62/],
    ['too many PBXs', (d) => (d.maintenance.fleet.pbxs = 1e6), /maintenance\.fleet\.pbxs: 1000000 is outside 1–20000/],
    ['a share above 1', (d) => (d.maintenance.fleet.lan = 1.5), /maintenance\.fleet\.lan: expected a share from 0 to 1/],
    ['a window that is not one', (d) => (d.maintenance.plan.window = '8pm'), /maintenance\.plan\.window: "8pm" is not HH:MM-HH:MM/],
    ['an empty window', (d) => (d.maintenance.plan.window = '20:00-20:00'), /maintenance\.plan\.window: an empty window/],
    ['a cron day field that does not parse', (d) => (d.maintenance.plan.days = 'monday-ish'), /maintenance\.plan\.cron: .* does not parse/],
    ['an unknown time zone', (d) => (d.maintenance.plan.timeZone = 'Mars/Olympus'), /maintenance\.plan\.time-zone: "Mars\/Olympus" is not an IANA time zone/],
    ['an unknown step', (d) => (d.maintenance.plan.steps = ['errors', 'coffee']), /maintenance\.plan\.steps: "coffee" is not one of/],
    ['a function-test wait in seconds', (d) => Object.assign(d.maintenance.plan, { functionTestWait: '90s' }), /maintenance\.plan\.functionTestWait: "90s" is not a whole number of minutes/],
    ['a function-test wait the window cannot hold', (d) => Object.assign(d.maintenance.plan, { window: '20:00-20:10', steps: ['function-test'], functionTestWait: '15min' }), /maintenance\.plan\.function-test-wait: 16 min .* does not fit in the 10-min window/],
    ['a fault on a night not run', (d) => (d.maintenance.faults[0].night = 4), /maintenance\.faults\[0\]\.night: 4 is outside 1–3/],
    ['two faults in one entry', (d) => Object.assign(d.maintenance.faults[0], { busyModems: 1 }), /maintenance\.faults\[0\]: exactly one of lineFault/],
    ['a line fault without when', (d) => (d.maintenance.faults[0] = { night: 2, lineFault: { pbxs: 5 } } as never), /maintenance\.faults\[0\]\.lineFault: afterBytes or afterTime/],
    ['every that is not yes or no', (d) => ((d.maintenance.faults[0].lineFault as Record<string, unknown>).every = 'often'), /lineFault\.every: true \(every call of the night\) or false/],
    ['more PBXs than the fleet', (d) => ((d.maintenance.faults[0].lineFault as Record<string, unknown>).pbxs = 101), /lineFault\.pbxs: 101 is outside 1–100/],
    ['a PBX the fleet does not have', (d) => ((d.maintenance.faults[1].inUse as Record<string, unknown>).pbxs = ['MNT-00101']), /inUse\.pbxs\[0\]: MNT-00101 is not a PBX of the fleet \(MNT-00001 … MNT-00100\)/],
    ['people of no kind', (d) => ((d.maintenance.faults[1].inUse as Record<string, unknown>).as = 'cleaner'), /inUse\.as: admin .* or technician/],
    ['all modems busy', (d) => (d.maintenance.faults[0] = { night: 2, busyModems: 4 } as never), /busyModems: 4 of 4 modems leaves none for the visits/],
    ['no expectation', (d) => (d.expect = []), /expect: at least one expectation/],
    ['an unknown figure', (d) => (d.expect[0] = { night: 1, completed: 100 } as never), /expect\[0\]: unknown field "completed"/],
    ['a bound upside down', (d) => (d.expect[0] = { night: 1, done: { atLeast: 5, atMost: 2 } } as never), /expect\[0\]\.done: atLeast 5 is above atMost 2/],
    ['a bound of nothing', (d) => (d.expect[0] = { night: 1, done: {} } as never), /expect\[0\]\.done: a number, or atLeast and\/or atMost/],
  ];
  for (const [what, spoil, message] of cases) {
    const d = good();
    spoil(d);
    t.throws(() => validateMaintenanceScenario(d), message, `${what}: refused with the field named`);
    try {
      validateMaintenanceScenario(d);
    } catch (err) {
      t.ok(err instanceof ScenarioError, `${what}: a ScenarioError (exit 2), not a crash`);
    }
  }
});
