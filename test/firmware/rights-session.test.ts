import t, { type Test } from 'tap';
import { ALL_CIRCLES, Circle, CIRCLE_NAME } from '../../firmware-sim/circles.js';
import { resolveItem } from '../../firmware-sim/kds-schema.js';
import { ACTION_TEXT, rightsOf, type Action } from '../../firmware-sim/rights.js';
import type { AdminTerminal } from '../support/pbx-harness.js';
import { addUser } from '../support/add-user.js';
import { loginAs, ONE_PER_CIRCLE, pbxWithUsers, SERV } from '../support/firmware-fixtures.js';

/**
 * The rights as a logged-in user meets them: `show rights`, `get`, `set`,
 * `kds show` (hidden items not listed) and the commands guarded by an
 * action (ERROR 403 naming the missing right), for every circle and AMHOST.
 */

/** One item per data class, with a valid new value. */
const PROBES = [
  { path: 'station.101.name', value: 'Meier', label: 'customer' },
  { path: 'speeddial.central.1', value: '0891234', label: 'customer (confidential)' },
  { path: 'c1.system-name', value: '"Werk Nord"', label: 'system' },
  { path: 'charge.unit-price', value: '150', label: 'charge' },
  { path: 'charge.output.baud', value: '2400', label: 'charge-interface' },
  { path: 'dev.trace-mask', value: '7', label: 'development' },
] as const;

/** Commands guarded by one action each, harmless to run. */
const GUARDED: Array<{ cmd: string; action: Action }> = [
  { cmd: 'user list', action: 'user-admin' },
  { cmd: 'log show last 1', action: 'log-read' },
  { cmd: 'errors show', action: 'errors-read' },
  { cmd: 'errors delete', action: 'errors-delete' },
  { cmd: 'kds read', action: 'kds-read' },
];

function parseShowRights(term: AdminTerminal): Map<string, string> {
  const out = term.cmd('show rights');
  const map = new Map<string, string>();
  for (const line of out.lines) {
    const m = /^(data .+|action [a-z-]+): (.*)$/.exec(line);
    if (m) map.set(m[1], m[2]);
  }
  return map;
}

/** What AMHOST writes beyond its circle (none): the plus products' items of docs/session-protocol.md among the probes. */
const AMHOST_WRITES = ['station.101.name'];

function checkTerminal(t: Test, term: AdminTerminal, who: string, circle: Circle | undefined, occupied: Set<Circle>, itemWrites: readonly string[] = []): void {
  const want = rightsOf(circle, occupied);
  const shown = parseShowRights(term);
  for (const probe of PROBES) {
    const { spec } = resolveItem(probe.path)!;
    const conf = spec.confidential === true;
    const r = want.canRead(spec.cls, conf);
    const classWrite = want.canWrite(spec.cls, conf);
    const w = classWrite || itemWrites.includes(probe.path);
    t.equal(shown.get(`data ${probe.label}`), `${r ? 'read' : '-'} ${classWrite ? 'write' : '-'}`, `${who}: show rights for ${probe.label}`);
    const got = term.cmd(`get ${probe.path}`);
    if (r) t.equal(got.status, 'OK', `${who}: get ${probe.path} allowed`);
    else t.match(got.status, /^ERROR 403 missing right: read /, `${who}: get ${probe.path} refused naming the right`);
    const listed = term.cmd(`kds show ${probe.path.split('.').slice(0, -1).join('.') || probe.path}`).text.includes(`${probe.path} =`);
    t.equal(listed, r, `${who}: kds show ${r ? 'lists' : 'hides'} ${probe.path}`);
    const set = term.cmd(`set ${probe.path} ${probe.value}`);
    if (w) t.equal(set.status, 'OK', `${who}: set ${probe.path} allowed`);
    else t.match(set.status, /^ERROR 403 missing right: write .* held by /, `${who}: set ${probe.path} refused naming right and owner`);
  }
  for (const { cmd, action } of GUARDED) {
    t.equal(shown.get(`action ${action}`), want.may(action) ? 'yes' : 'no', `${who}: show rights for action ${action}`);
    const got = term.cmd(cmd);
    if (want.may(action)) t.notMatch(got.text, /ERROR 403/, `${who}: ${cmd} allowed`);
    else t.equal(got.status.startsWith(`ERROR 403 missing right: ${ACTION_TEXT[action]}`), true, `${who}: ${cmd} refused with "${ACTION_TEXT[action]}" (${got.status})`);
    if (cmd === 'kds read' && want.may(action)) t.match(got.text, /BEGIN KDS \d+/, `${who}: kds read sends the whole KDS`);
  }
}

t.test('every circle and AMHOST, all circles occupied', async (t) => {
  const { pbx } = pbxWithUsers(ONE_PER_CIRCLE);
  const occupied = new Set(ALL_CIRCLES);
  for (const u of [SERV, ...ONE_PER_CIRCLE]) {
    const term = loginAs(pbx, u);
    t.equal(term.session.actor?.circle, u.circle, `${u.name} is logged in`);
    checkTerminal(t, term, CIRCLE_NAME[u.circle!], u.circle, occupied);
  }
  const amhost = loginAs(pbx, { name: 'AMHOST', password: 'amhost' });
  t.equal(amhost.session.actor?.user, 'amhost', 'AMHOST is logged in');
  checkTerminal(t, amhost, 'AMHOST', undefined, occupied, AMHOST_WRITES);
  const dev = loginAs(pbx, ONE_PER_CIRCLE[4]);
  t.match(dev.cmd('kds show dev').text, /dev\.trace-mask = "7"/, 'Development sees the reserved items');
  const serv = loginAs(pbx, SERV);
  t.notMatch(serv.cmd('kds show').text, /dev\.|speeddial\.|namekey\.|pin =/, 'a reduced System maintenance sees neither reserved nor confidential items');
});

t.test('System maintenance holds all rights only while no other circle has users', async (t) => {
  const { pbx, serv } = pbxWithUsers();
  t.match(serv.cmd('show rights').text, /note: no other circle has users/, 'serv is told it holds all rights');
  t.equal(serv.cmd('user list').status, 'OK', 'serv alone administers users');
  t.equal(serv.cmd('set speeddial.central.2 0301').status, 'OK', 'and writes confidential customer data');
  t.equal(serv.cmd('log show').status, 'OK', 'and reads the protocol log');
  t.equal(serv.cmd('set dev.trace-mask 1').status.startsWith('ERROR 403'), true, 'but never Development-reserved data');
  t.match(serv.cmd('user add rev revision').status, /^ERROR 409 .*create a user-administration user first/, 'a first user in Revision would lock user administration: refused');
  t.match(serv.cmd('user add ua user-administration').text, /Password: $/, 'a user administrator is accepted');
  serv.cmd('uapw');
  t.equal(serv.cmd('uapw').status, 'OK', 'user administrator created');
  t.notMatch(serv.cmd('show rights').text, /note:/, 'the note is gone');
  t.match(serv.cmd('user list').status, /^ERROR 403 missing right: user administration \(user-administration\)/, 'serv lost user administration on the spot, and is told who has it');
  t.match(serv.cmd('set speeddial.central.2 0302').status, /^ERROR 403/, 'and confidential data');
  t.match(serv.cmd('log show').status, /^ERROR 403 missing right: protocol log read/, 'and the protocol log');
  t.equal(serv.cmd('set c1.system-name Lager').status, 'OK', 'but keeps general system administration');

  const ua = loginAs(pbx, { name: 'ua', password: 'uapw' });
  t.equal(addUser(ua, { name: 'rev', circle: Circle.Revision, password: 'revpw' }), 'OK', 'ua creates a Revision user');
  t.equal(ua.cmd('user delete rev').status, 'OK', 'and deletes it again');
  t.match(serv.cmd('user list').status, /^ERROR 403/, 'serv is still restricted: ua is in another circle');
  const del = ua.cmd('user delete ua');
  t.match(del.text, /user ua deleted; logging out\r\nOK/, 'the last user administrator deletes itself and is logged out');
  t.equal(ua.session.actor, undefined, 'ua session has no actor');
  t.match(serv.cmd('show rights').text, /note: no other circle has users/, 'System maintenance holds all rights again');
  t.equal(serv.cmd('user list').status, 'OK', 'serv administers users again');
  t.equal(serv.cmd('log show').status, 'OK', 'and reads the log again');
  t.equal(pbx.users.list().map((u) => u.name).join(','), 'serv,AMHOST', 'only serv and AMHOST remain');
});

t.test('Charge accounting fallback: G, else A, else S', async (t) => {
  const { pbx } = pbxWithUsers(ONE_PER_CIRCLE);
  const ua = loginAs(pbx, ONE_PER_CIRCLE[0]);
  const pnkm = loginAs(pbx, ONE_PER_CIRCLE[2]);
  const serv = loginAs(pbx, SERV);
  const dev = loginAs(pbx, ONE_PER_CIRCLE[4]);
  const charge = (term: AdminTerminal, v: string): string => term.cmd(`set charge.unit-price ${v}`).status;
  t.match(charge(pnkm, '101'), /^ERROR 403 .*held by charge-accounting/, 'Administration has no charges while Charge accounting has a user');
  t.match(charge(serv, '102'), /^ERROR 403/, 'nor System maintenance');
  t.equal(ua.cmd('user delete gebuehr').status, 'OK', 'the charge accountant is deleted');
  t.equal(charge(pnkm, '103'), 'OK', 'Administration now owns charges');
  t.match(charge(serv, '104'), /^ERROR 403 .*held by administration/, 'System maintenance still not, and the owner is named');
  t.match(charge(dev, '105'), /^ERROR 403/, 'nor Development');
  t.equal(ua.cmd('user delete pnkm').status, 'OK', 'the administrator is deleted');
  t.equal(charge(serv, '106'), 'OK', 'System maintenance now owns charges');
  t.equal(charge(dev, '107'), 'OK', 'and Development with it');
  t.equal(pbx.kds.get('charge.unit-price'), '107', 'the last allowed write is stored');
  t.equal(pnkm.cmd('show system').status.startsWith('ERROR 401'), true, 'the deleted administrator\'s open session ends');
});
