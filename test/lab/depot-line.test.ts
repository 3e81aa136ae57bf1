import t from 'tap';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { DepotLine } from '../../src/lab/depot-line.js';
import { DEPOT_ID, DepotRig, pinHash } from '../support/depot-rig.js';
import { Terminal } from '../support/terminal.js';

/** A depot on the bench with a person at its keypad line. */
function bench(): { rig: DepotRig; term: Terminal; cmd: (line: string) => string[] } {
  const rig = new DepotRig();
  rig.boot();
  rig.centre.queueCommand(DEPOT_ID, { type: 'pin-add', user: 'Meier', hash: pinHash('4711'), compartments: [2] });
  rig.run(100);
  rig.run(60_000);
  const pair = createLinePair('keypad');
  const term = new Terminal(pair.dte);
  new DepotLine(pair.dce, { id: DEPOT_ID, cabinet: rig.cabinet, depot: () => rig.depot, powerCycle: async () => rig.boot() }, { echo: false });
  const cmd = (line: string): string[] => {
    term.take();
    term.send(`${line}\r`);
    return term.take().split('\r\n').filter((l) => l !== '');
  };
  return { rig, term, cmd };
}

t.test('a person at the keypad line: PIN, take, return, with the display after each', async (t) => {
  const { rig, cmd } = bench();
  t.same(cmd('pin 4711'), ['+----------------+', '|Open 2          |', '|Meier           |', '+----------------+', 'OK'], 'the PIN opens compartment 2; the display shows it');
  t.same(cmd('take 3'), ['+----------------+', '|Open 2          |', '|Meier           |', '+----------------+', 'ERROR 423 compartment 3 is locked: enter a PIN that opens it'], 'a locked compartment refuses');
  t.equal(cmd('take 2').at(0), 'key taken from compartment 2', 'the key of 2 is taken');
  t.equal(cmd('take 2').at(-1), 'ERROR 409 compartment 2 is empty', 'twice is refused');
  t.equal(cmd('return 2').at(-1), 'OK', 'and returned');
  t.equal(cmd('take 9').at(-1), 'ERROR 404 no compartment 9', 'no compartment 9');
  rig.run(60_000);
  t.same(rig.centreEvents().filter((e) => e.startsWith('key-')), ['key-taken:2:Meier', 'key-returned:2:Meier'], 'the centre has both movements with the holder');
});

t.test('wrong PIN, raw keys, door, tamper, mains, status and help', async (t) => {
  const { rig, cmd } = bench();
  t.match(cmd('pin 1234').join('\n'), /\|Wrong PIN {7}\|\n\|1 of 5 {10}\|/, 'a wrong PIN is shown');
  rig.run(3000);
  t.match(cmd('keys 47').join('\n'), /\|PIN \*\* {10}\|/, 'raw keys: two digits shown as stars');
  t.match(cmd('keys 11#').join('\n'), /\|Open 2/, 'the rest of the PIN and # open');
  t.equal(cmd('door open').at(-1), 'OK', 'door opened');
  t.equal(cmd('door close').at(-1), 'OK', 'door closed');
  t.equal(cmd('tamper').at(-1), 'OK', 'tamper tripped');
  t.equal(cmd('mains off').at(-1), 'OK', 'mains off');
  const status = cmd('status');
  t.ok(status.includes('compartment 2: key in, open'), 'status lists the compartments');
  t.ok(status.includes('mains: off (on battery)'), 'status: mains');
  t.ok(status.some((l) => /^check-in: waiting, online, every 60 s$/.test(l)), 'status: check-in');
  t.ok(status.includes('users: 1'), 'status: users');
  t.ok(cmd('help').some((l) => l.startsWith('pin <digits>')), 'help lists the commands');
  rig.run(60_000);
  t.same(rig.centreEvents().slice(-5), ['wrong-pin', 'door-open', 'door-close', 'tamper', 'power-loss'], 'the centre has them');
});

t.test('bad lines get a clear error and change nothing', async (t) => {
  const { rig, cmd } = bench();
  const before = rig.depot.pendingEvents().length;
  const cases: Array<[string, RegExp]> = [
    ['pin', /^ERROR 400 usage: pin <digits>$/],
    ['pin 12ab', /^ERROR 400 usage: pin <digits>$/],
    ['keys x', /^ERROR 400 usage: keys <0-9\*#>$/],
    ['take', /^ERROR 400 usage: take <compartment>$/],
    ['take -1', /^ERROR 400 usage: take <compartment>$/],
    ['door ajar', /^ERROR 400 usage: door open\|close$/],
    ['mains maybe', /^ERROR 400 usage: mains off\|on$/],
    ['power off', /^ERROR 400 usage: power cycle$/],
    ['open sesame', /^ERROR 404 unknown command "open"; type help$/],
  ];
  for (const [line, want] of cases) t.match(cmd(line).at(-1), want, line);
  t.same(cmd(''), [], 'an empty line is ignored');
  t.equal(rig.depot.pendingEvents().length, before, 'no event came of it');
});

t.test('power cycle from the line: the depot reboots over its flash, the queue survives', async (t) => {
  const { rig, term, cmd } = bench();
  rig.centre.answering = false;
  cmd('tamper');
  term.take();
  term.send('power cycle\r');
  await new Promise((r) => setImmediate(r));
  t.match(term.take(), /power cut and back\r\n[\s\S]*OK\r\n$/, 'power cut and back, then OK');
  t.equal(rig.boots, 2, 'a second boot');
  t.same(rig.depot.pendingEvents().map((e) => e.type), ['tamper', 'startup'], 'the queued tamper survived, a startup joined it');
});
