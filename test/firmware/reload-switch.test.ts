import t from 'tap';
import { Kds } from '../../firmware-sim/kds.js';
import { Pbx, RELOAD_LOG_COMMAND } from '../../firmware-sim/pbx.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { MemoryProtocolLog } from '../../firmware-sim/protocol-log.js';
import { MemoryStateStore } from '../../firmware-sim/state-store.js';
import { AMHOST_NAME, DEFAULT_AMHOST_PASSWORD, DEFAULT_SERVICE_PASSWORD, SERVICE_NAME } from '../../firmware-sim/user-table.js';
import { addUser } from '../support/add-user.js';
import { logLines, ONE_PER_CIRCLE, pbxWithUsers } from '../support/firmware-fixtures.js';
import { AdminTerminal, makePbx, TEST_HASH_COST } from '../support/pbx-harness.js';

t.test('the reload switch restores the delivered database; the log and the Error History stay and record it', async (t) => {
  const { pbx, log, clock, serv } = pbxWithUsers();
  serv.cmd('pin set');
  serv.cmd('12345');
  t.equal(serv.cmd('12345').status, 'OK', 'a PIN was set');
  t.equal(serv.cmd('set station.101.name "Meier Hans"').status, 'OK', 'a station name was set');
  t.equal(serv.cmd('errors raise B 0x210 "fan failure"').status, 'OK', 'an error was entered');
  t.equal(addUser(serv, ONE_PER_CIRCLE[0]), 'OK', 'a user administrator was created');
  const before = log.read();
  const errors = pbx.errors.list();

  pbx.reload();

  t.same(pbx.kds.entries(), Kds.defaults(PbxType.OfficePro).entries(), 'the KDS is the delivered one again');
  t.equal(pbx.kds.get('pin'), '', 'the PIN is back to the default, which blocks the modems');
  t.ok(pbx.kdsIsDefault, 'the PBX counts as a default system again (an offline KDS loads into it)');
  t.same(pbx.users.list().map((u) => [u.name, u.firstLogin === true]), [[SERVICE_NAME, true], [AMHOST_NAME, false]], 'the user table is SERVICE (first login) and AMHOST');
  t.same(pbx.errors.list(), errors, 'the Error History is not part of the database and stays');
  t.same(log.read().slice(0, before.length), before, 'not one protocol-log entry was erased');
  t.same(logLines(log, before.at(-1)!.seq), [`system - (4) ${RELOAD_LOG_COMMAND}`, 'system - (5) A2-3-"HE300M.00.001.01"'], 'the startup after the reload records it, then the APS startup');

  const old = new AdminTerminal(pbx);
  t.match(old.login('serv', 'servpw'), /ERROR 401 login failed/, 'the users of before the reload are gone');
  clock.advance(1000); // the failed login holds the port off for a second
  const amhost = new AdminTerminal(pbx);
  t.match(amhost.login(AMHOST_NAME, DEFAULT_AMHOST_PASSWORD), /Welcome AMHOST/, 'AMHOST logs in with its default password');
  const first = new AdminTerminal(pbx);
  t.match(first.login(SERVICE_NAME, DEFAULT_SERVICE_PASSWORD), /No users are set up in the system yet\.[\s\S]*Identity \(new user name\): $/, 'SERVICE with the default password starts the first login again');
});

t.test('the production test may change the SERVICE password; the reload switch undoes it', async (t) => {
  const { pbx, log, clock } = makePbx();
  const factory = new AdminTerminal(pbx);
  t.match(factory.login('', DEFAULT_SERVICE_PASSWORD), /Welcome \(Release 1\.0 password, system-maintenance\)\./, 'the production test logs in with the Release 1.0 password');
  const mark = log.lastSeq();
  factory.cmd('service password');
  factory.cmd('fab-test-1');
  t.equal(factory.cmd('fab-test-1').status, 'OK', 'the delivered SERVICE password is changed');
  t.same(logLines(log, mark), ['REL1.0 S (8) D3-1 SERVICE'], 'logged as a password change before it was made');
  t.ok(pbx.users.find(SERVICE_NAME)?.firstLogin, 'SERVICE is still the delivered account for the first login');
  factory.cmd('logout');

  t.match(new AdminTerminal(pbx).login(SERVICE_NAME, DEFAULT_SERVICE_PASSWORD), /ERROR 401 login failed/, 'the default password no longer opens the first login');
  clock.advance(1000);
  t.match(new AdminTerminal(pbx).login(SERVICE_NAME, 'fab-test-1'), /No users are set up in the system yet/, 'the production password does');

  pbx.reload();
  t.match(new AdminTerminal(pbx).login(SERVICE_NAME, 'fab-test-1'), /ERROR 401 login failed/, 'after the reload the production password is gone');
  clock.advance(2000);
  t.match(new AdminTerminal(pbx).login(SERVICE_NAME, DEFAULT_SERVICE_PASSWORD), /No users are set up in the system yet/, 'and the default one works again');
});

t.test('the SERVICE password changes only in the delivered state and only on a local port', async (t) => {
  const { pbx, serv } = pbxWithUsers();
  t.match(serv.cmd('service password').status, /^ERROR 409 the PBX is not in its delivered state/, 'after the first login there is no SERVICE account to change');
  const delivered = makePbx().pbx;
  const remote = new AdminTerminal(delivered, { channel: 'imod', port: 'IMOD 0897000' });
  remote.login('', DEFAULT_SERVICE_PASSWORD);
  t.match(remote.cmd('service password').status, /^ERROR 403 the SERVICE password is changed only on a local admin port/, 'not over a modem line');
  t.equal(addUser(serv, ONE_PER_CIRCLE[0]), 'OK', 'the PBX goes on working');
  t.notOk(pbx.users.find(SERVICE_NAME), 'SERVICE stays replaced');
});

t.test('a reload saved before a power cut is recorded at the next startup', async (t) => {
  const store = new MemoryStateStore();
  const log = new MemoryProtocolLog();
  const made = makePbx({ store, log });
  made.pbx.reload();
  const state = store.load()!;
  store.save({ ...state, reloadPending: true });
  const mark = log.lastSeq();
  const again = new Pbx({ clock: made.clock, log, store, systemId: 'HSIM-0001', type: PbxType.OfficePro, hashCost: TEST_HASH_COST });
  again.start();
  t.same(logLines(log, mark), [`system - (4) ${RELOAD_LOG_COMMAND}`, 'system - (5) A2-3-"HE300M.00.001.01"'], 'the pending reload is logged at that startup');
  t.notOk(store.load()?.reloadPending, 'and only once');
  again.start();
  t.same(logLines(log, mark + 2), ['system - (5) A2-3-"HE300M.00.001.01"'], 'the next startup is a plain one');
});
