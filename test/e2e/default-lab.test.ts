import t from 'tap';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SessionClient } from '../../src/clients/session-client.js';
import { CheckIns } from '../../src/database/check-ins.js';
import { parseDatabaseUrl } from '../../src/database/database-url.js';
import { openDatabase } from '../../src/database/open-database.js';
import { cliCommand, firstLoginOverTcp, LAB_READY, tempDir } from '../support/lab-child.js';
import { LineChild } from '../support/line-child.js';
import { pollUntil } from '../support/poll-until.js';

/**
 * What `npm start` runs: the embedded default lab, no configuration file.
 * The README's walk-through, step by step, against the real process: first
 * login on the V.24 port, a PIN set by the customer, a dial-in from the
 * technician's modem to the IMOD, PIN, login, and the centre is up; the
 * second PBX, with the LAN option, is registered and checks in by UDP.
 */
t.test('the embedded default lab does what the README walk-through says', async (t) => {
  const state = join(tempDir(t, 'hicom-default-'), 'state');
  const child = new LineChild(...cliCommand(['lab', '-s', state, '--log-level', 'warn']));
  let out = '';
  child.proc.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  t.teardown(async () => {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    await child.exited;
  });
  await child.expect(LAB_READY, 20_000);
  t.match(out, /PBX HSIM-0001 \(OfficePro, APS HE300M\.00\.001\.01\)/, 'one PBX');
  t.match(out, /admin port: tcp 127\.0\.0\.1:7100 \(V\.24 service port\)/, 'the V.24 service port on 7100');
  t.match(out, /IMOD: internal 791, dial 0301234791/, 'the IMOD and its DID');
  t.match(out, /modem technician \(analog, number 0897000\): tcp 127\.0\.0\.1:7200/, "the technician's modem on 7200");
  t.match(out, /centre: receiving error reports on modem centre/, 'the centre runs');
  t.match(out, /centre service: UDP intake 127\.0\.0\.1:7300, database sqlite:/, 'as a service, its UDP intake on 7300');
  t.match(out, /JSON API: http:\/\/127\.0\.0\.1:7301\/api\/v1 /, 'its API on 7301');
  t.match(out, /PBX HSIM-0002 \(OfficePoint, APS [^)]*\)\n(?: {2}.*\n)* {2}LAN option: checks in with 127\.0\.0\.1:7300 every 1 min\n/, 'a second PBX, with the LAN option, checking in with the centre service every minute');
  t.match(out, /registered lab devices: HSIM-0001, HSIM-0002, DEPOT-0001\n/, 'the modem-only PBX, the LAN PBX and the key depot registered there');
  t.match(out, /key depot DEPOT-0001 \(4 compartments\), checks in with 127\.0\.0\.1:7300 every 60 s\n {2}keypad line: tcp 127\.0\.0\.1:7102/, 'the depot checks in, its keypad on 7102');
  t.match(out, /test lines: echo 0800100, busy 0800200, no answer 0800300/, 'the test lines are printed');
  const db = await openDatabase(parseDatabaseUrl(`sqlite:${join(state, 'centre', 'centre.db')}`));
  t.teardown(() => db.close());
  await pollUntil(async () => (await new CheckIns(db).recent('HSIM-0002', 1)).length > 0, 'a check-in of HSIM-0002', 20_000, 100).catch(() => undefined);
  t.ok((await new CheckIns(db).recent('HSIM-0002', 1)).length > 0, 'the LAN PBX HSIM-0002 checked in by UDP: its check-in is in the centre database');
  const supervised = await db.kysely.selectFrom('devices as d').select(['d.id', 'd.supervise']).where('d.id', 'in', ['HSIM-0001', 'HSIM-0002']).orderBy('d.id').execute();
  t.same(supervised.map((r) => [r.id, r.supervise]), [['HSIM-0001', 'reports'], ['HSIM-0002', 'checkin']], 'the modem-only PBX is supervised by its reports, the LAN PBX by its check-ins');

  const admin = await SessionClient.connectTcp('127.0.0.1', 7100);
  t.teardown(() => admin.close());
  t.match(await firstLoginOverTcp(admin, 'tech', 'techpw1'), /No users are set up in the system yet/, 'step 1: first login as SERVICE');
  const add = (line: string, pw: string) => admin.dialogue(line, [{ prompt: 'Password: ', answer: pw }, { prompt: 'Repeat password: ', answer: pw }]);
  t.ok((await add('user add ua user-administration', 'uapw123')).ok, 'step 3: a user administrator first');
  await admin.command('logout');
  await admin.login('ua', 'uapw123');
  t.ok((await add('user add kunde administration', 'kundepw')).ok, 'who creates the customer');
  t.ok((await add('user add rev revision', 'revpw12')).ok, 'and the revisor');
  await admin.command('logout');
  await admin.login('kunde', 'kundepw');
  t.ok((await admin.dialogue('pin set', [{ prompt: 'PIN: ', answer: '24680' }, { prompt: 'Repeat pin: ', answer: '24680' }])).ok, 'step 4: the customer sets the PIN');
  t.ok((await admin.command('set station.101.name "Meier"')).ok, 'and changes a station name');

  const socket = connect({ host: '127.0.0.1', port: 7200 });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const modem = new SessionClient(socket, { timeoutMs: 30_000 });
  t.teardown(() => modem.close());
  modem.write('ATZ\r');
  await modem.expect(/OK\r\n/);
  modem.write('ATDT0301234791\r');
  t.match(await modem.expect(/CONNECT [^\r]*\r\n/), /CONNECT 14400\/V42BIS/, 'step 5: the dial-in connects at V.32bis with V.42bis');
  await modem.login('tech', 'techpw1', { pin: '24680' });
  const sys = await modem.run('show system');
  t.match(sys.lines.join('\n'), /you: tech \(system-maintenance\) via imod/, 'the same session language over the IMOD');
  t.match((await modem.run('get station.101.name')).lines[0], /"Meier"/, 'and the same data as the local port');
  await modem.command('logout');

  await admin.command('logout');
  await admin.login('rev', 'revpw12');
  const log = (await admin.run('log show')).lines.join('\n');
  t.match(log, /kunde +A \(2\) STN-NAME 101 "Meier"/, 'step 6: the change is in the protocol log with user and circle');
  t.match(log, /kunde +A \(2\) PIN \*\*\*\*\*/, 'the PIN change is logged without the PIN');
});
