import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { ScenarioError, validateScenario } from '../../src/scenario/scenario-file.js';

/**
 * A scenario file is checked field by field before anything runs (issue 18:
 * these passed validation and then crashed the run with exit 1, or ran and
 * passed while testing nothing).
 */
const base = {
  name: 'probe',
  network: { pbxs: [{ id: 'PBX-A' }] },
  timeline: [{ at: '0s', raise: { pbx: 'PBX-A', class: 'B' } }],
  expect: [{ by: '1h', reportsReceived: { pbx: 'PBX-A', count: 1 } }],
};

function refused(t: Test, what: string, change: (doc: typeof base & Record<string, unknown>) => void, field: RegExp): void {
  const doc = structuredClone(base) as typeof base & Record<string, unknown>;
  change(doc);
  t.throws(() => validateScenario(doc), ScenarioError, `${what}: refused`);
  t.throws(() => validateScenario(doc), field, `${what}: the message names the field`);
}

t.test('the base scenario is valid', async (t) => {
  t.equal(validateScenario(structuredClone(base)).name, 'probe', 'it validates');
});

t.test('nonsense that used to pass', async (t) => {
  refused(t, 'a KDS path that does not exist', (d) => (d.network.pbxs[0] = { id: 'PBX-A', kds: { 'station.999.nonsense': 'x' } } as never), /network\.pbxs\[0\]\.kds\.station\.999\.nonsense: no KDS item/);
  refused(t, 'a KDS value the item does not take', (d) => (d.network.pbxs[0] = { id: 'PBX-A', kds: { 'signaling.enabled': 'maybe' } } as never), /network\.pbxs\[0\]\.kds\.signaling\.enabled: .*yes or no/);
  refused(t, 'a set: with a bad path', (d) => d.timeline.push({ at: '1s', set: { pbx: 'PBX-A', path: 'nope.1', value: '1' } } as never), /timeline\[1\]\.set: no KDS item nope\.1/);
  refused(t, 'a duplicate PBX id', (d) => d.network.pbxs.push({ id: 'PBX-A' }), /network\.pbxs\[1\]\.id: PBX-A is used twice/);
  refused(t, 'by: 1e400 (Infinity)', (d) => (d.expect[0].by = parse('by: 1e400').by as string), /expect\[0\]\.by: .*outside 0 s – 366 d/);
  refused(t, 'at: a thousand years', (d) => (d.timeline[0].at = '365000d'), /timeline\[0\]\.at: .*outside 0 s – 366 d/);
  refused(t, 'requestCallback index 9', (d) => d.timeline.push({ at: '1s', requestCallback: { pbx: 'PBX-A', index: 9 } } as never), /timeline\[1\]\.requestCallback\.index: 9 is not a callback index 1–6/);
  refused(t, 'a misspelt top-level key', (d) => (d.timline = []), /scenario: unknown field "timline"/);
  refused(t, 'a misspelt expectation field', (d) => ((d.expect[0] as Record<string, unknown>).bye = '2h'), /expect\[0\]: unknown field "bye"/);
});
