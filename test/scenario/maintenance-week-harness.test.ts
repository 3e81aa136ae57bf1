import t from 'tap';
import { MaintenanceFleet } from '../../src/scenario/maintenance-fleet.js';
import { validateMaintenanceScenario } from '../../src/scenario/maintenance-scenario-file.js';
import { runMaintenanceScenario } from '../../src/scenario/maintenance-week.js';
import { FakeVisitor } from '../support/fake-visitor.js';

/*
 * The harness of a maintenance scenario — the fleet in a memory lab, the
 * faults acting on it, the nights, the figures, the expectations — with a
 * fake visitor that only asks the lab what stands in the way (people on the
 * PBX, a LAN cut off, a line that finds no modem). The shipped week runs
 * with the real visitor in maintenance-week.test.ts.
 */

/** A visitor per night that sees the lab's faults: the steps themselves take a minute each. */
function labAwareFake(fleet: MaintenanceFleet): FakeVisitor {
  const v = new FakeVisitor(fleet.clock, (id) => {
    const people = fleet.pbx(id).pbx.sessions.list();
    if (people.length > 0) return { busy: true, output: people.map((p) => `${p.port} ${p.user}`).join(', ') };
    if (fleet.channelOf(id) === 'lan') {
      try {
        fleet.lanConnect(id).close();
      } catch (err) {
        return { busy: false, output: (err as Error).message };
      }
      return undefined;
    }
    return fleet.lab.exchange.faultsOf(fleet.modemLine(id)).unreachable ? { busy: false, output: 'NO CARRIER' } : undefined;
  });
  for (const id of fleet.ids) v.add(id, { channel: fleet.channelOf(id) });
  return v;
}

const doc = (over: Record<string, unknown> = {}, expect: unknown[] = [{ night: 1, done: 40 }]) => ({
  name: 'harness',
  maintenance: {
    start: '2026-12-07T12:00:00Z',
    nights: 3,
    fleet: { pbxs: 40, lan: 0.5 },
    centre: { modems: 4, lanConcurrency: 8 },
    plan: { window: '20:00-22:00', steps: ['errors', 'kds-backup', 'archive', 'function-test'], retries: 1 },
    ...over,
  },
  expect,
});

t.test('nights with people on PBXs, a LAN cut off, lines without a modem and busy centre modems: the figures of each night', async (t) => {
  const s = validateMaintenanceScenario(doc({
    faults: [
      { night: 1, inUse: { pbxs: 4, as: 'technician', for: '30min' } },
      { night: 2, lanDown: { pbxs: 3 } },
      { night: 2, unreachable: { pbxs: 2 } },
      { night: 3, busyModems: 3 },
      { night: 3, inUse: { pbxs: 2, as: 'admin', for: '3h' } },
    ],
  }, [
    { night: 1, done: 40 },
    { night: 1, busyThenVisited: 4 },
    { night: 2, failures: { reason: 'connect failed', count: 5 } },
    { night: 2, done: 35 },
    { night: 3, cut: 2 },
    { night: 'all', failed: { atMost: 5 } },
  ]));
  const lines: string[] = [];
  const r = await runMaintenanceScenario(s, labAwareFake, (l) => lines.push(l));
  const [n1, n2, n3] = r.nights;
  t.equal(r.nights.length, 3, 'three nights run');
  t.match(n1, { devices: 40, done: 40, failed: 0, busyThenVisited: 4, lan: 20, modem: 20 }, 'night 1: everyone done, the four PBXs in use visited once the technicians left');
  t.ok(n1.busySkips >= 4, `night 1: the busy PBXs were skipped (${n1.busySkips} skips)`);
  t.match(n2, { done: 35, failed: 5 }, 'night 2: three LANs cut off and two lines without a modem fail');
  t.same(Object.values(n2.failures).reduce((a, b) => a + b, 0), 5, 'night 2: five failure reasons recorded');
  t.ok(Object.keys(n2.failures).some((k) => /unreachable/.test(k)) && Object.keys(n2.failures).some((k) => /NO CARRIER/.test(k)), `night 2: the reasons say what the lab did (${Object.keys(n2.failures).join(' | ')})`);
  t.match(n3, { done: 38, cut: 2, modem: 18 }, 'night 3: one modem left for the modem PBXs still visits them all in two hours; the two PBXs in use all window are cut');
  t.equal(n1.window.start, Date.UTC(2026, 11, 7, 20), 'night 1 is the first window after the start');
  t.equal(n3.window.start, Date.UTC(2026, 11, 9, 20), 'night 3 two days later');
  t.ok(r.passed, `every expectation holds (${r.results.filter((x) => !x.passed).map((x) => x.detail).join('; ')})`);
  t.match(lines.join('\n'), /night 2 \(2026-12-08 20:00Z\): 35\/40 done/, 'progress prints each night');
});

t.test('a failing expectation says what was expected and what the night did', async (t) => {
  const s = validateMaintenanceScenario(doc({ nights: 1 }, [{ night: 1, name: 'too many', done: 41 }, { night: 1, failures: { reason: 'x', count: { atLeast: 1 } } }]));
  const r = await runMaintenanceScenario(s, labAwareFake);
  t.notOk(r.passed, 'the scenario fails');
  t.match(r.results[0], { name: 'too many', passed: false, detail: 'night 1: done 40, expected 41' }, 'with the figure and the bound');
  t.match(r.results[1].detail, /0 visits failed with "x", expected at least 1 \(failures: none\)/, 'and a failure expectation lists what failed');
});

t.test('LAN PBXs lie evenly over the fleet', async (t) => {
  const lan = Array.from({ length: 10 }, (_, i) => MaintenanceFleet.hasLan(i, 0.3));
  t.equal(lan.filter(Boolean).length, 3, 'three in ten');
  t.same(lan.map((x) => (x ? 1 : 0)).join(''), '0001001001', 'spread, not bunched');
  t.equal(Array.from({ length: 10 }, (_, i) => MaintenanceFleet.hasLan(i, 1)).filter(Boolean).length, 10, 'share 1: all');
  t.equal(Array.from({ length: 10 }, (_, i) => MaintenanceFleet.hasLan(i, 0)).filter(Boolean).length, 0, 'share 0: none');
});
