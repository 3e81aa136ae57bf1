import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { logLines, loginAs, ONE_PER_CIRCLE, pbxWithUsers } from '../support/firmware-fixtures.js';

/** 2026-07-15 12:00 UTC, a Wednesday in EU summer time. */
const SUMMER_NOON_UTC = Date.UTC(2026, 6, 15, 12, 0);
/** 2026-01-15 12:00 UTC, a Thursday in winter. */
const WINTER_NOON_UTC = Date.UTC(2026, 0, 15, 12, 0);
const byName = (name: string) => ONE_PER_CIRCLE.find((u) => u.name === name)!;
/** Line 2 of the display as `show display` prints it, without the padding to 24 characters. */
const clockLine = (term: { cmd(line: string): { lines: string[] } }): string => term.cmd('show display').lines[1].trimEnd();

t.test('country initialisation sets the country defaults, logged once before, and the display follows them', async (t) => {
  const { pbx, log, serv } = pbxWithUsers([], { clock: new VirtualClock(SUMMER_NOON_UTC) });
  t.equal(clockLine(serv), 'Mi 15.07.26 14:00', 'delivered (DE): German weekday, DD.MM.YY, CEST with daylight saving');
  const mark = log.lastSeq();
  const r = serv.cmd('special country FR');
  t.equal(r.status, 'OK', 'System maintenance may initialise the country');
  t.same(r.lines.slice(0, 5), ['country: FR', 'language: fr', 'date-format: DD/MM/YY', 'outside-prefix: 0', 'daylight-saving: EU rule'], 'it says what it set');
  t.match(r.lines[5], /^ringing: 440 Hz 1500\/3500 ms$/, 'and the French ringing cadence');
  t.same(logLines(log, mark), ['serv S (1) Länderinitialisierung FR'], 'one T command in the log, the menu item and the country');
  t.same(['c1.country', 'c1.language', 'c1.date-format', 'c1.outside-prefix', 'c6.enabled'].map((p) => pbx.kds.get(p)), ['FR', 'fr', 'DD/MM/YY', '0', 'yes'], 'the KDS holds the French defaults');
  t.equal(clockLine(serv), 'mer 15/07/26 14:00', 'the display: French weekday, DD/MM/YY');
  t.equal(serv.cmd('set c6.enabled no').status, 'OK', 'daylight saving switched off');
  t.equal(clockLine(serv), 'mer 15/07/26 13:00', 'standard time (CET) then');
  t.equal(serv.cmd('special country GB').status, 'OK', 'GB');
  t.equal(pbx.kds.get('c1.outside-prefix'), '9', 'the UK outside-line prefix');
  t.equal(clockLine(serv), 'Wed 15/07/26 13:00', 'English weekday, BST (UTC+0 with daylight saving)');
  t.match(serv.cmd('show system').lines.join('\n'), /country: GB \(language en, dates DD\/MM\/YY, outside line 9\)/, 'show system names the country');
  t.match(serv.cmd('special country XX').status, /^ERROR 422 country is one of DE, AT, CH, FR, IT, NL, GB$/, 'an unknown country is refused, naming the countries');
});

t.test('the display clock keeps standard time in winter and the country\'s language', async (t) => {
  const { serv } = pbxWithUsers([], { clock: new VirtualClock(WINTER_NOON_UTC) });
  t.equal(clockLine(serv), 'Do 15.01.26 13:00', 'DE in winter: CET');
  serv.cmd('special country IT');
  t.equal(clockLine(serv), 'gio 15/01/26 13:00', 'IT: Italian weekday');
  serv.cmd('special country NL');
  t.equal(clockLine(serv), 'Thu 15-01-26 13:00', 'NL: DD-MM-YY with the English display');
});

t.test('an outside-line prefix that an internal number starts with is refused', async (t) => {
  const { pbx, serv } = pbxWithUsers();
  t.match(serv.cmd('set c1.outside-prefix 7').status, /^ERROR 409 internal number 791 \(modem\.imod\.number\) starts with 7/, 'the IMOD 791 could not be dialled any more');
  t.equal(pbx.kds.get('c1.outside-prefix'), '0', 'nothing changed');
  t.equal(serv.cmd('set modem.imod.number 991').status, 'OK', 'IMOD on 991');
  t.equal(serv.cmd('set modem.x75.number 992').status, 'OK', 'X.75 on 992');
  t.match(serv.cmd('special country GB').status, /^ERROR 409 internal number 991 \(modem\.imod\.number\) starts with 9; country GB dials out with 9$/, 'GB (prefix 9) is refused while an internal number starts with 9');
  t.equal(pbx.kds.get('c1.country'), 'DE', 'the country stays');
});

t.test('reset connected options: a customer action, logged before; the base stations restart', async (t) => {
  const { pbx, log, serv } = pbxWithUsers(ONE_PER_CIRCLE);
  const dev = loginAs(pbx, byName('dev'));
  t.equal(dev.cmd('bs clear-restart all').status, 'OK', 'the base stations\' restart flags are cleared');
  const pnkm = loginAs(pbx, byName('pnkm'));
  const mark = log.lastSeq();
  const r = pnkm.cmd('special reset-options');
  t.equal(r.status, 'OK', 'Administration (the customer) may reset the options');
  t.same(r.lines.slice(0, -1), ['dect: 8 base stations restarted', '1 options reset'], 'each option says what it did');
  t.same(logLines(log, mark), ['pnkm A (2) Rücksetzen angeschlossener Optionen alle'], 'logged as an Assistant TC command before it ran');
  t.ok(pbx.maintenance.baseStations().every((b) => b.restart && !b.overload), 'every base station reports a restart');
  t.match(pnkm.cmd('special reset-options lan').status, /^ERROR 404 no option lan \(dect\)/, 'an option that is not fitted is named');
  t.match(serv.cmd('special reset-options').status, /^ERROR 403 missing right: customer actions/, 'System maintenance no longer has the customer actions once Administration has users');
  t.match(pnkm.cmd('special reset-modules').status, /^ERROR 403 missing right: maintenance actions/, 'the customer cannot reset modules');
  t.match(pnkm.cmd('special country FR').status, /^ERROR 403 missing right: maintenance actions/, 'nor initialise the country');
});

t.test('reset modules: trunks as configured with counters cleared, stations back in service', async (t) => {
  const { pbx, log, serv } = pbxWithUsers();
  serv.cmd('trunk service 1 out');
  serv.cmd('trunk test 1 ping');
  serv.cmd('station service 101 out');
  t.match(serv.cmd('trunk status 1').lines[0], / errors=1 /, 'the trunk counted an error');
  const mark = log.lastSeq();
  const r = serv.cmd('special reset-modules');
  t.equal(r.status, 'OK', 'System maintenance resets the modules');
  t.same(r.lines.slice(0, -1), ['trunk-and-subscriber: 8 trunks as configured, counters cleared; 1 stations back in service', '1 modules reset'], 'and says what happened');
  t.same(logLines(log, mark), ['serv S (1) Rücksetzen Baugruppen'], 'logged before it ran');
  t.match(serv.cmd('trunk status 1').lines[0], /^trunk 1: in-service in-service=yes .* errors=0 frames=0$/, 'the trunk is in service again with cleared counters');
  t.ok(pbx.maintenance.stationInService('101'), 'station 101 is in service again');
});
