import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseConfigText } from '../../src/lab/config.js';
import { runCli, tempDir } from '../support/lab-child.js';

/** Bad fault input on the command line and in the configuration: one clear line, no lab started. */
t.test('hicom-sim lab --fault refuses bad input with exit status 2', async (t) => {
  const bad = runCli(['lab', '--fault', '0800100=bogus']);
  t.equal(bad.status, 2, 'an unknown fault key exits 2');
  t.match(bad.stderr, /--fault 0800100=bogus: unknown fault 'bogus' \(known: busy, /, 'the message names the option and the known keys');
  const noTarget = runCli(['lab', '--fault', 'corrupt']);
  t.equal(noTarget.status, 2, 'a value without LINE= exits 2');
  t.match(noTarget.stderr, /expected LINE=SPEC/, 'the message shows the expected form');
  const rate = runCli(['lab', '--fault', '0800100=corrupt=2']);
  t.match(rate.stderr, /not a rate between 0 and 1/, 'an out-of-range corruption rate is refused');
  t.equal(rate.stdout, '', 'nothing was started');
});

t.test('faults: in the configuration are checked when it is read', async (t) => {
  t.throws(() => parseConfigText('faults:\n  "0800100": drop-after=soon\n'), /faults\.0800100: fault drop-after: 'soon' is not a duration/, 'a bad spec names its line');
  t.throws(() => parseConfigText('faults: [busy]\n'), /faults: expected a mapping/, 'a list is refused');
  const modem = 'modems:\n  - { name: m, number: "0897000", bind: "tcp:127.0.0.1:0" }\n';
  t.same(parseConfigText(`${modem}faults:\n  "0800100": corrupt=0.01\n`).faults, { '0800100': 'corrupt=0.01' }, 'a good mapping is kept as written');
  const dir = tempDir(t);
  const path = join(dir, 'lab.yaml');
  writeFileSync(path, `stateDir: ${join(dir, 'state')}\npbxs: []\n${modem}faults:\n  "0999999": busy\n`);
  const r = runCli(['lab', '--config', path]);
  t.equal(r.status, 2, 'a fault on a line that does not exist stops the lab with exit 2');
  t.match(r.stderr, /no line '0999999' \(use a public number or pbxId:internal\)/, 'with a one-line message naming the line');
});
