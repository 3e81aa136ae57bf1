import t from 'tap';
import { DtmfAdminState, ENABLE_CODE } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import { MenuState } from '../../firmware-sim/dtmf-admin/dtmf-menu.js';
import { ADMIN, dtmfPbx, ENABLE_PASSWORD, TargetRig } from '../support/dtmf-admin-rig.js';
import { logLines } from '../support/firmware-fixtures.js';
import { AdminTerminal } from '../support/pbx-harness.js';

t.test('the right password enables the menu with one confirmation beep', async (t) => {
  const { pbx } = dtmfPbx();
  const rig = new TargetRig(pbx);
  t.match(rig.shown, /\*995 \+ password \+ #/, 'the display tells the procedure before it is keyed');
  rig.send(`${ENABLE_CODE}${ENABLE_PASSWORD}#`);
  t.equal(rig.conn.state, DtmfAdminState.Menu, 'enabled');
  t.equal(rig.conn.menu?.state, MenuState.LoginName, 'login asks for the name first');
  t.same(rig.tones, ['ok'], 'one beep');
  t.match(rig.shown, /Name: _/, 'login screen shown');
});

t.test('passive mode off in the KDS: refused with the reason, error tone, connection cleared', async (t) => {
  const { pbx } = dtmfPbx({ passive: false });
  const rig = new TargetRig(pbx);
  rig.send(`${ENABLE_CODE}${ENABLE_PASSWORD}#`);
  t.equal(rig.conn.state, DtmfAdminState.Closed, 'closed');
  t.match(rig.shown, /refused \| passive DTMF admin off/, 'reason on the display');
  t.same(rig.tones, ['error'], 'three beeps');
  t.same(rig.ended, ['passive DTMF admin off'], 'the target clears the call with the reason');
});

t.test('a wrong password is refused and logged as A0-3; three of them clear the call', async (t) => {
  const { pbx, log } = dtmfPbx();
  const rig = new TargetRig(pbx);
  const mark = log.lastSeq();
  rig.send(`${ENABLE_CODE}654321#`);
  t.equal(rig.conn.state, DtmfAdminState.AwaitEnable, 'still waiting for the procedure');
  t.match(rig.shown, /wrong password/, 'display says why');
  t.same(rig.tones, ['error'], 'error tone');
  t.same(logLines(log, mark), ['(dtmf) - (3) A0-3'], 'A0-3 logged, no password in the log');
  rig.send(`${ENABLE_CODE}12345#${ENABLE_CODE}1234567#`);
  t.equal(rig.conn.state, DtmfAdminState.Closed, 'third failure clears the call');
  t.equal(logLines(log, mark).length, 3, 'each failure logged');
  t.same(rig.ended, ['wrong password 3 times'], 'reason given');
});

t.test('no password set in the KDS: nothing opens the connection', async (t) => {
  const { pbx } = dtmfPbx({ password: '' });
  const rig = new TargetRig(pbx);
  rig.send(`${ENABLE_CODE}000000#`);
  t.equal(rig.conn.state, DtmfAdminState.Closed, 'closed');
  t.match(rig.shown, /no DTMF password set/, 'reason shown');
});

t.test('keys before the procedure, or a procedure restarted with *, do not confuse it', async (t) => {
  const { pbx } = dtmfPbx();
  const rig = new TargetRig(pbx);
  rig.send(`12#*99${ENABLE_CODE}${ENABLE_PASSWORD}#`);
  t.equal(rig.conn.state, DtmfAdminState.Menu, 'the last complete procedure counts');
});

t.test('show display in an admin session lists the open DTMF administration displays', async (t) => {
  const { pbx } = dtmfPbx();
  const rig = new TargetRig(pbx);
  rig.send(`${ENABLE_CODE}${ENABLE_PASSWORD}#`);
  const term = new AdminTerminal(pbx);
  term.login(ADMIN.name, ADMIN.password);
  t.match(term.cmd('show display').text, /dtmf test line: DTMF admin OfficeCom \| Name: _/, 'the DTMF menu display is shown');
  rig.conn.close();
  t.notMatch(term.cmd('show display').text, /dtmf/, 'gone when the call ends');
});
