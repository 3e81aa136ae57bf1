import t from 'tap';
import { RemoteAccess } from '../../firmware-sim/remote-access.js';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { serviceNetworkRules } from '../../src/lab/service-network-rules.js';
import { AdminTerminal, firstLogin, makePbx } from '../support/pbx-harness.js';
import { Terminal } from '../support/terminal.js';

/** A PBX with the LAN option's address rules, a System maintenance user and (optionally) a PIN and a service network. */
function lanPbx(options: { pin?: string; serviceNetwork?: string; teleservice?: boolean } = {}) {
  const made = makePbx({ addressRules: serviceNetworkRules });
  const local = new AdminTerminal(made.pbx);
  firstLogin(local);
  if (options.pin) {
    local.cmd('pin set');
    local.cmd(options.pin);
    local.cmd(options.pin);
  }
  if (options.serviceNetwork !== undefined) local.cmd(`set lan.service-network "${options.serviceNetwork}"`);
  if (options.teleservice !== false) local.cmd('set lan.teleservice yes');
  const remote = new RemoteAccess(made.pbx);
  /** A TCP connection to the teleservice port, from `source`, as the adapter hands it over. */
  const connect = (source: string) => {
    const pair = createLinePair(`lan ${source}`);
    let closed = false;
    pair.dte.onClose(() => (closed = true));
    const term = new Terminal(pair.dte, { encoding: 'utf8' });
    const taken = remote.acceptLan(pair.dce, source);
    return { term, taken, closed: () => closed };
  };
  const logged = () => made.pbx.log.read().map((e) => `${e.user} (${e.format}) ${e.command}`);
  return { ...made, local, remote, connect, logged };
}

t.test('a source outside the service network is refused and logged before a single byte is sent', async (t) => {
  const { connect, logged } = lanPbx({ pin: '12345', serviceNetwork: '172.30.0.0/24' });
  const c = connect('10.9.8.7');
  t.equal(c.taken, false, 'the PBX does not take the connection');
  t.equal(c.term.take(), '', 'no banner, no prompt: nothing at all was sent');
  t.ok(c.closed(), 'the line is closed');
  t.ok(logged().includes('(lan) (3) A0-3 LAN 10.9.8.7 refused: not in the service network'), `the refusal is an unauthorized attempt in the protocol log: ${logged().slice(-2).join(' | ')}`);
});

t.test('with LAN teleservice off every source is refused, the service network too', async (t) => {
  const { connect, logged } = lanPbx({ pin: '12345', serviceNetwork: '172.30.0.0/24', teleservice: false });
  const c = connect('172.30.0.1');
  t.equal(c.taken, false, 'refused');
  t.equal(c.term.take(), '', 'nothing sent');
  t.ok(logged().includes('(lan) (3) A0-3 LAN 172.30.0.1 refused: teleservice off'), 'logged with the reason');
});

t.test('an empty service network admits nobody', async (t) => {
  const { connect } = lanPbx({ pin: '12345', serviceNetwork: '' });
  const c = connect('172.30.0.1');
  t.equal(c.taken, false, 'refused: the service network is for the provider only, empty is nobody');
  t.equal(c.term.take(), '', 'nothing sent');
});

t.test('a source in the service network gets the PIN rules of the modem, then a login', async (t) => {
  const { connect, logged, pbx } = lanPbx({ pin: '12345', serviceNetwork: '172.30.0.0/24 10.1.2.3' });
  const c = connect('172.30.0.9');
  t.equal(c.taken, true, 'taken');
  t.match(c.term.take(), /HICOM-SIM OfficePro HSIM-0001[\s\S]*PIN: $/, 'banner, then the PIN prompt');
  c.term.send('54321\r');
  t.match(c.term.take(), /ERROR 401 wrong PIN[\s\S]*PIN: $/, 'a wrong PIN is refused and asked again');
  t.ok(logged().includes('(pin) (3) A0-3 LAN 172.30.0.9 PIN wrong'), 'and logged with where it came from');
  c.term.send('12345\r');
  t.match(c.term.take(), /PIN accepted[\s\S]*User: $/, 'the right PIN leads to the login');
  c.term.send('serv\rservpw\r');
  t.match(c.term.take(), /Welcome serv[\s\S]*OK/, 'logged in');
  c.term.send('show system\r');
  t.match(c.term.take(), /you: serv \(system-maintenance\) via lan/, 'the session knows it came over the LAN');
  t.ok(pbx.sessions.list().some((s) => s.channel === 'lan' && s.port === 'LAN 172.30.0.9' && s.user === 'serv'), 'the login is in the session registry');
  const single = connect('10.1.2.3');
  t.equal(single.taken, true, 'a single address of the list is admitted too');
});

t.test('the default PIN blocks LAN teleservice as it blocks the modems', async (t) => {
  const { connect, logged } = lanPbx({ serviceNetwork: '172.30.0.0/24' });
  const c = connect('172.30.0.9');
  t.match(c.term.take(), /ERROR 403 modem access is blocked[\s\S]*BYE no access/, 'refused after the banner, as over the IMOD');
  t.ok(c.closed(), 'hung up');
  t.ok(logged().includes('(pin) (3) A0-3 LAN 172.30.0.9 PIN default'), 'logged');
});

t.test('Node\'s IPv4-mapped IPv6 form of a source is the same address', async (t) => {
  const { connect } = lanPbx({ pin: '12345', serviceNetwork: '172.30.0.0/24' });
  t.equal(connect('::ffff:172.30.0.9').taken, true, 'admitted');
  t.equal(connect('::ffff:10.0.0.1').taken, false, 'refused');
  t.equal(connect('not an address').taken, false, 'an unreadable source is refused, never a crash');
});

t.test('the service network item is checked by the injected rules and stored canonically', async (t) => {
  const { local, pbx } = lanPbx({ pin: '12345' });
  const bad = local.cmd('set lan.service-network "172.30.0.0/33"');
  t.match(bad.status, /^ERROR 422 lan\.service-network: .*172\.30\.0\.0\/33/, `a bad network is refused naming the item and the entry: ${bad.status}`);
  t.equal(pbx.kds.get('lan.service-network'), '', 'nothing stored');
  const words = local.cmd('set lan.service-network "nonsense"');
  t.match(words.status, /^ERROR 422 lan\.service-network: "nonsense" is not an IPv4 or IPv6 address/, 'a word is refused');
  const ok = local.cmd('set lan.service-network "172.30.0.77/24, 10.1.2.3"');
  t.equal(ok.status, 'OK', 'a good list is taken');
  t.equal(pbx.kds.get('lan.service-network'), '172.30.0.0/24 10.1.2.3/32', 'stored canonical: network address, prefix on every entry');
  t.match(pbx.log.read().at(-1)?.command ?? '', /^LAN-SVCNET "172\.30\.0\.0\/24 10\.1\.2\.3\/32"$/, 'the change is logged as for a technician, with its mnemonic');
});

t.test('without the LAN option\'s rules no service network can be set', async (t) => {
  const { pbx } = makePbx();
  const local = new AdminTerminal(pbx);
  firstLogin(local);
  const r = local.cmd('set lan.service-network 172.30.0.0/24');
  t.match(r.status, /^ERROR 422 .*no LAN option/, `refused with the reason: ${r.status}`);
});

t.test('show sessions lists every logged-in session and marks the own one', async (t) => {
  const { connect, local } = lanPbx({ pin: '12345', serviceNetwork: '172.30.0.0/24' });
  const c = connect('172.30.0.9');
  c.term.send('12345\rserv\rservpw\r');
  c.term.take();
  c.term.send('show sessions\r');
  const lines = c.term.take().split('\r\n').filter((l) => l !== '');
  t.ok(lines.some((l) => /^\* +\d+ lan +serv +S .* LAN 172\.30\.0\.9$/.test(l)), `own LAN session marked: ${lines.join(' | ')}`);
  t.ok(lines.some((l) => /^ {2}\s*\d+ local +serv +S .* V\.24$/.test(l)), 'the local admin session is listed unmarked');
  t.ok(lines.includes('2 sessions'), 'count line');
  local.cmd('logout');
  c.term.send('show sessions\r');
  t.match(c.term.take(), /1 session\r\n/, 'a logout leaves the registry');
  c.term.send('logout\r');
  t.match(c.term.take(), /BYE logged out/, 'a LAN logout hangs up, as on a modem line');
  t.ok(c.closed(), 'closed');
});

t.test('signaling test logs a maintenance action first, then raises the function-test pseudo error', async (t) => {
  const { local, pbx } = lanPbx();
  const before = pbx.errors.list().length;
  const r = local.cmd('signaling test');
  t.match(r.lines.join('\n'), /function test \d+ entered/, 'the id of the pseudo error');
  const rec = pbx.errors.list().at(-1);
  t.equal(pbx.errors.list().length, before + 1, 'one entry more');
  t.ok(rec?.pseudo && rec.cls === 'B' && rec.text === 'Function test', 'a class-B function-test pseudo error, as the timer raises it');
  const entry = pbx.log.read().at(-1);
  t.equal(`${entry?.format} ${entry?.command}`, '6 signaling test', 'logged as a maintenance action');
});
