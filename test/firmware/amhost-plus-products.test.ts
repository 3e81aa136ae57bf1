import t from 'tap';
import { DEFAULT_AMHOST_PASSWORD } from '../../firmware-sim/user-table.js';
import { logLines, loginAs, ONE_PER_CIRCLE, pbxWithUsers } from '../support/firmware-fixtures.js';

const AMHOST = { name: 'AMHOST', password: DEFAULT_AMHOST_PASSWORD };

t.test('a new plus product logs in as AMHOST and changes the hotel items; each change is logged', async (t) => {
  const { pbx, log } = pbxWithUsers(ONE_PER_CIRCLE);
  const mark = log.lastSeq();
  const hotel = loginAs(pbx, AMHOST);
  t.equal(hotel.session.actor?.user, 'amhost', 'logged in as amhost');
  t.match(hotel.cmd('show rights').lines.join('\n'), /plus products \(AMHOST\) also write: station\.#\.name, station\.#\.code-lock, charge\.counter\.#/, 'show rights names what it may change');
  t.equal(hotel.cmd('set station.101.name "Gast Müller"').status, 'OK', 'check-in: the guest\'s name on the room phone');
  t.equal(hotel.cmd('set station.101.code-lock no').status, 'OK', 'the room phone may dial out');
  t.equal(hotel.cmd('set charge.counter.101 0').status, 'OK', 'its charge counter starts from 0');
  t.equal(hotel.cmd('get charge.counter.101').lines[0], 'charge.counter.101 = "0"', 'and reads it back at check-out');
  t.equal(pbx.kds.get('station.101.name'), 'Gast Müller', 'the KDS holds the change');
  hotel.cmd('logout');
  t.same(logLines(log, mark), [
    'amhost - (3) A0-1',
    'amhost - (1) STN-NAME 101 "Gast Müller"',
    'amhost - (1) STN-LOCK 101 "no"',
    'amhost - (1) CHG-CNT 101 "0"',
    'amhost - (3) A0-2',
  ], 'login, every change one to one before it is made (format 1, user amhost, no circle), logout');
});

t.test('AMHOST changes nothing else and keeps its password rule', async (t) => {
  const { pbx, log } = pbxWithUsers(ONE_PER_CIRCLE);
  const hotel = loginAs(pbx, AMHOST);
  const mark = log.lastSeq();
  t.match(hotel.cmd('set station.101.port UP0E-9').status, /^ERROR 403 missing right: write system data/, 'not the system data of a station');
  t.match(hotel.cmd('set charge.unit-price 10').status, /^ERROR 403 missing right: write charge data/, 'not the charge configuration');
  t.match(hotel.cmd('set speeddial.central.1 0301').status, /^ERROR 403/, 'not confidential customer data');
  t.match(hotel.cmd('pin reset').status, /^ERROR 403 missing right: write customer \(confidential\) data/, 'not the PIN');
  t.match(hotel.cmd('passwd').status, /^ERROR 403 the AMHOST password changes only by deleting and re-creating AMHOST/, 'its password changes only by delete and re-create');
  t.same(logLines(log, mark), [], 'refusals change nothing and log nothing');
});
