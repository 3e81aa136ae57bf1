import t from 'tap';
import { SessionClient } from '../../src/clients/session-client.js';
import { firstLoginOverTcp, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';

/**
 * The special functions as a technician uses them on a running lab: country
 * initialisation changes the display, reset connected options lists what it
 * restarted, reset modules drops the Assistant T terminal on its UP0/E port
 * while the V.24 session goes on.
 */
t.test('special functions over the V.24 port of a running lab', async (t) => {
  const files = await writeLabConfig(tempDir(t), { stations: ['100'] });
  const lab = await startLab(t, files);
  const v24 = await lab.connect();
  t.teardown(() => v24.close());
  await firstLoginOverTcp(v24, 'tech', 'techpw1');
  const terminal = await SessionClient.connectTcp('127.0.0.1', files.stationPorts!['100']);
  t.teardown(() => terminal.close());
  t.ok((await terminal.login('tech', 'techpw1')).ok, 'tech is logged in on the Assistant T terminal of station 100 (UP0E-1) too');

  const country = await v24.run('special country FR');
  t.equal(country.lines[0], 'country: FR', 'country initialisation to France');
  t.match((await v24.run('show display')).lines[1], /^(lun|mar|mer|jeu|ven|sam|dim) \d\d\/\d\d\/\d\d \d\d:\d\d/, 'the display shows a French weekday and DD/MM/YY');

  const options = await v24.run('special reset-options');
  t.same(options.lines.map((l) => l.split(':')[0]), ['dect', 'imod', 'x75', '3 options reset'], 'the connected options: base stations, IMOD, X.75 modem');

  const modules = await v24.run('special reset-modules');
  t.match(modules.lines.join('\n'), /station-terminals: 1 Assistant T sessions dropped/, 'the subscriber module reset drops the terminal session');
  t.match(await terminal.expect(/BYE [^\r\n]*\r?\n/), /BYE subscriber module reset/, 'which the terminal sees');
  const log = (await v24.run('log show last 4')).lines.join('\n');
  t.match(log, /tech +S \(1\) Länderinitialisierung FR/, 'country initialisation logged');
  t.match(log, /tech +S \(1\) Rücksetzen angeschlossener Optionen alle/, 'the options reset logged');
  t.match(log, /tech +S \(1\) Rücksetzen Baugruppen/, 'the modules reset logged');
  t.ok((await v24.command('show system')).ok, 'the V.24 session goes on');
});
