import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { armorFrame, FrameType } from '../../firmware-sim/armored-frame.js';
import { buildChipCard, CARD_SIZE, type ChipCard } from '../../firmware-sim/chip-card.js';
import { DEFAULT_SERVICE_PASSWORD, SERVICE_NAME } from '../../firmware-sim/user-table.js';
import { logLines } from '../support/firmware-fixtures.js';
import { AdminTerminal, makePbx } from '../support/pbx-harness.js';

const NOW = Date.UTC(2026, 4, 4, 9, 0);
const DAY = 86_400_000;
const T4711: ChipCard = { individual: 'T4711', group: 'NL-BONN', octopus: true, issued: NOW - DAY, validUntil: NOW + 365 * DAY };

function octopus(variant: 'octopus-e' | 'hicom' = 'octopus-e') {
  return makePbx({ clock: new VirtualClock(NOW), variant });
}

/** `CARD` at User:, then the card's frame; what the PBX answered. */
function present(term: AdminTerminal, card: Uint8Array): string {
  term.take();
  term.send('CARD\r');
  term.send(armorFrame(FrameType.Card, card).map((l) => `${l}\r`).join(''));
  return term.take();
}

t.test('first login without a card: the standard name, then name, circle and password of the first user', async (t) => {
  const { pbx, log } = octopus();
  const term = new AdminTerminal(pbx);
  t.match(term.take(), /^HICOM-SIM OfficePro HSIM-0001 APS HE300M\.00\.001\.01 Octopus E\r\n/, 'the greeting names the Octopus E');
  const intro = term.login(SERVICE_NAME, DEFAULT_SERVICE_PASSWORD);
  t.match(intro, /No users are set up in the system yet\.\r\nEnter the first user: name, circle and password; they replace the standard name and password\.\r\nIdentity \(new user name\): $/, 'user administration asks for the first user');
  term.send('tel1\r');
  t.match(term.take(), /Circle \(1-6 or its name\): $/, 'then the circle');
  term.send('revision\r');
  t.match(term.take(), /ERROR 422 a first user in revision would leave nobody who can administer users; choose user-administration or system-maintenance\r\nCircle/, 'a circle that would lock user administration out is refused');
  term.send('user-administration\rtelpw1\rtelpw1\r');
  t.match(term.take(), /Welcome tel1 \(user-administration\)\./, 'the first user is in the circle it chose');
  t.same(pbx.users.list().map((u) => u.name), ['tel1', 'AMHOST'], 'the standard name is overwritten');
  t.same(logLines(log, 1), ['tel1 B (8) D2-1 tel1 user-administration', 'tel1 B (3) A0-1'], 'the new user and the login are logged');
});

t.test('first login with a card: user administration starts at once, the identity is the card\'s', async (t) => {
  const { pbx, log } = octopus();
  const term = new AdminTerminal(pbx);
  const reply = present(term, buildChipCard(T4711));
  t.match(reply, /SEND FRAME\r\n/, 'the PBX asks for the card');
  t.match(reply, /Card T4711 \(group NL-BONN\) accepted\.\r\nNo users are set up in the system yet\.\r\nEnter the first user: the identity of your card, circle and password/, 'and starts user administration without the standard name');
  t.match(reply, /Identity \(group NL-BONN \| individual T4711\): $/, 'offering the card\'s two identities');
  term.send('individual\rsystem-maintenance\rcardpw1\rcardpw1\r');
  t.match(term.take(), /Welcome T4711 \(system-maintenance\)\./, 'the card holder is the first user');
  t.match(pbx.users.find('T4711'), { card: 'individual' }, 'a chip card user');
  t.same(logLines(log, 1), ['T4711 S (8) D2-1 T4711 system-maintenance card individual', 'T4711 S (3) A0-1 card T4711'], 'logged with the card\'s individual id');
  t.notOk(pbx.users.find(SERVICE_NAME), 'the standard name no longer exists');
});

t.test('card users log in with the card, by group or individually; the log names the card\'s individual id', async (t) => {
  const { pbx, log, clock } = octopus();
  const first = new AdminTerminal(pbx);
  present(first, buildChipCard(T4711));
  first.send('individual\rsystem-maintenance\rcardpw1\rcardpw1\r');
  first.cmd('user add ua user-administration');
  first.cmd('uapw1');
  t.equal(first.cmd('uapw1').status, 'OK', 'a user administrator, by hand');
  first.cmd('logout');
  const ua = new AdminTerminal(pbx);
  ua.login('ua', 'uapw1');
  t.match(ua.cmd('user add-card revision').text, /SEND FRAME/, 'a card user is added by card');
  ua.send(armorFrame(FrameType.Card, buildChipCard({ ...T4711, individual: 'T4712' })).map((l) => `${l}\r`).join(''));
  t.match(ua.take(), /Add as \(group NL-BONN \| individual T4712\): $/, 'asking which of its identities');
  ua.cmd('group');
  ua.cmd('grouppw1');
  t.equal(ua.cmd('grouppw1').status, 'OK', 'the group NL-BONN is a user in Revision');
  t.match(ua.cmd('user add T4799 revision individual').text, /Password: $/, 'and one by hand (its card id typed): the password is asked');
  ua.cmd('handpw1');
  t.equal(ua.cmd('handpw1').status, 'OK', 'created');
  t.match(ua.cmd('user list').lines.join('\n'), /NL-BONN +revision .* card:group[\s\S]*T4799 +revision .* card:individual/, 'user list marks the card users');

  const mark = log.lastSeq();
  const tech = new AdminTerminal(pbx);
  t.match(present(tech, buildChipCard(T4711)), /Log in as \(group NL-BONN \| individual T4711\): $/, 'a card at User: asks group or individual');
  tech.send('group\r');
  t.match(tech.take(), /Password: $/, 'then the password');
  tech.send('grouppw1\r');
  t.match(tech.take(), /Welcome NL-BONN \(revision\)\./, 'logged in with the group id');
  tech.cmd('logout');
  t.same(logLines(log, mark), ['NL-BONN R (3) A0-1 card T4711', 'NL-BONN R (3) A0-2 card T4711'], 'a group login is traced to the card\'s individual id');

  t.match(tech.login('NL-BONN', 'grouppw1'), /ERROR 401 login failed/, 'a card user cannot log in without the card');
  clock.advance(1000);
  t.match(present(tech, buildChipCard(T4711)), /Log in as/, 'nor a card identity that has no user');
  tech.send('individual\r');
  tech.send('cardpw1\r');
  t.match(tech.take(), /Welcome T4711/, 'while T4711 itself logs in individually');
});

t.test('cards the PBX refuses: forged, expired, without Octopus E access, or on a Hicom', async (t) => {
  const { pbx, log, clock } = octopus();
  const forged = buildChipCard(T4711);
  forged[20] ^= 0x01;
  const cases: Array<[string, Uint8Array, RegExp, string]> = [
    ['forged', forged, /ERROR 403 chip card refused: forged/, '(card) - (3) A0-3 card forged'],
    ['expired', buildChipCard({ ...T4711, validUntil: NOW - 1000 }), /ERROR 403 chip card T4711 refused: expired/, '(card) - (3) A0-3 card T4711 expired'],
    ['without Octopus E access', buildChipCard({ ...T4711, octopus: false }), /ERROR 403 chip card T4711 refused: no Octopus E access/, '(card) - (3) A0-3 card T4711 no Octopus E access'],
    ['not a card', Buffer.alloc(CARD_SIZE), /ERROR 403 chip card refused: not a chip card/, '(card) - (3) A0-3 card not a chip card'],
  ];
  const term = new AdminTerminal(pbx);
  for (const [what, card, answer, entry] of cases) {
    clock.advance(60_000);
    const mark = log.lastSeq();
    const reply = present(term, card);
    t.match(reply, answer, `${what}: refused, saying why`);
    t.match(reply, /Next attempt in \d+ s\./, `${what}: counted as a failed login (the port waits)`);
    t.same(logLines(log, mark), [entry], `${what}: logged`);
  }
  t.ok(pbx.users.pristine, 'no user was created by any of them');

  const hicom = octopus('hicom');
  const other = new AdminTerminal(hicom.pbx);
  const mark = hicom.log.lastSeq();
  const refused = present(other, buildChipCard(T4711));
  t.match(refused, /ERROR 403 chip cards are read only by an Octopus E\r\nNext attempt in 1 s\./, 'a Hicom refuses any card, as a failed login');
  t.notMatch(refused, /SEND FRAME/, 'without asking for it');
  t.same(logLines(hicom.log, mark), ['(card) - (3) A0-3 card on a PBX that is no Octopus E'], 'and logs it');
});

t.test('a broken card frame presents nothing; the name CARD is taken', async (t) => {
  const { pbx } = octopus();
  const term = new AdminTerminal(pbx);
  term.take();
  term.send('CARD\r');
  term.send('hello\r');
  t.match(term.take(), /ERROR 422 expected "BEGIN <TYPE> <bytes>"\r\nUser: $/, 'back at User: without a failure counted');
  const serv = makePbx().pbx;
  const admin = new AdminTerminal(serv);
  admin.login(SERVICE_NAME, DEFAULT_SERVICE_PASSWORD);
  admin.send('card\r');
  t.match(admin.take(), /ERROR 422 "CARD" presents a chip card at the User: prompt and cannot be a user name/, 'no user may be called CARD');
});

t.test('at the card\'s identity question only group or individual counts; a frame of another type is no card', async (t) => {
  const { pbx, clock } = octopus();
  const first = new AdminTerminal(pbx);
  present(first, buildChipCard(T4711));
  first.send('individual\rsystem-maintenance\rcardpw1\rcardpw1\r');
  first.cmd('logout');
  clock.advance(1000);
  const term = new AdminTerminal(pbx);
  t.match(present(term, buildChipCard(T4711)), /Log in as \(group NL-BONN \| individual T4711\): $/, 'the identity question');
  term.send('T4712\r');
  t.match(term.take(), /^ERROR 422 answer group or individual \(NL-BONN or T4711\)\r\nLog in as \(group NL-BONN \| individual T4711\): $/, 'another id is refused and the question asked again');
  term.send('t4711\rcardpw1\r');
  t.match(term.take(), /Password: [\s\S]*Welcome T4711 \(system-maintenance\)\./, 'the individual id itself, in any case, is an answer');
  term.cmd('logout');
  const kdsFrame = armorFrame(FrameType.Kds, Buffer.from('not a card'));
  term.take();
  term.send(`CARD\r${kdsFrame.map((l) => `${l}\r`).join('')}`);
  t.match(term.take(), /SEND FRAME\r\nERROR 422 unexpected frame type\r\nUser: $/, 'a KDS frame at the card prompt is refused and the login starts over');
  t.equal(term.session.state, 'user', 'back at User:');
});
