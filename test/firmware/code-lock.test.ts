import t from 'tap';
import { DtmfSourceStation } from '../../firmware-sim/dtmf-admin/source-station.js';
import { logLines, loginAs, ONE_PER_CIRCLE, pbxWithUsers } from '../support/firmware-fixtures.js';
import { AdminTerminal } from '../support/pbx-harness.js';

const PNKM = ONE_PER_CIRCLE.find((u) => u.name === 'pnkm')!;

t.test('the code lock is customer data; administration logs in at a locked station regardless', async (t) => {
  const { pbx, log, clock } = pbxWithUsers(ONE_PER_CIRCLE);
  const customer = loginAs(pbx, PNKM);
  const mark = log.lastSeq();
  t.equal(customer.cmd('set station.100.code-lock yes').status, 'OK', 'the customer locks station 100');
  t.same(logLines(log, mark), ['pnkm A (2) STN-LOCK 100 "yes"'], 'logged as an Assistant TC command before the change');
  for (const locked of [true, false]) {
    if (!locked) customer.cmd('set station.100.code-lock no');
    t.equal(pbx.kds.flag('station.100.code-lock'), locked, `station 100 ${locked ? 'locked' : 'unlocked'}`);
    const terminal = new AdminTerminal(pbx, { port: 'UP0E-1', stationPort: 'UP0E-1' });
    t.match(terminal.login('serv', 'servpw'), /Welcome serv \(system-maintenance\)/, `Assistant T on station 100 (UP0E-1) logs in with the lock ${locked ? 'on' : 'off'}`);
    terminal.cmd('logout');
    clock.advance(1000);
  }
});

t.test('a code-locked station cannot start active DTMF remote administration (an external call)', async (t) => {
  const { pbx, serv } = pbxWithUsers();
  serv.cmd('set dtmf.active yes');
  const dialled: string[] = [];
  const station = new DtmfSourceStation(pbx, '100', { display: () => undefined, dial: (number) => dialled.push(number), audio: () => undefined });
  serv.cmd('set station.100.code-lock yes');
  for (const k of '*9960301202795#') station.press(k);
  t.same(station.display.map((l) => l.trimEnd()), ['DTMF remote refused', 'code lock on'], 'locked: refused, and the display says why');
  t.same(dialled, [], 'nothing dialled');
  serv.cmd('set station.100.code-lock no');
  for (const k of '*9960301202795#') station.press(k);
  t.same(dialled, ['0301202795'], 'unlocked: the station dials the target');
});
