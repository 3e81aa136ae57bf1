import t from 'tap';
import { Circle } from '../../firmware-sim/circles.js';
import { LineChild } from '../support/line-child.js';
import { pyserialExpect } from '../support/pyserial-expect.js';
import { firstLoginOverTcp, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';
import { addUser } from '../support/add-user.js';

/**
 * The admin port bound to a socat virtual serial port (`pty:PATH`), driven by
 * a pyserial script as a customer's own tool would: log in as
 * Administration, change a station name, log out. The change is then checked
 * over the TCP admin port of the same PBX.
 *
 * The session on a long-lived port already waits at `User:` when the script
 * opens it (output written while nobody holds the pty is lost, as on an
 * unplugged cable), so the script simply types the name.
 */
const SCRIPT = String.raw`
import serial, sys
path, name, password = sys.argv[1:4]
port = serial.Serial(path, 9600, timeout=5)
${pyserialExpect('port')}
def send(line):
    port.write(line.encode('utf-8') + b'\r')
def status():
    text = expect(b'\r\n')
    while not (text.strip() == 'OK' or text.strip().startswith('ERROR')):
        text = expect(b'\r\n')
    return text.strip()
send(name)
expect(b'Password: ')
send(password)
print('LOGIN', status())
send('mode machine')
print('MODE', status())
send('set station.102.name "Serial Port"')
print('SET', status())
send('logout')
print('LOGOUT', status())
port.close()
`;

t.test('a pyserial script on the pty admin port changes a station name as Administration', async (t) => {
  const files = await writeLabConfig(tempDir(t), { pty: true });
  const lab = await startLab(t, files);
  t.match(lab.banner, new RegExp(`admin port: pty ${files.ptyPath}`), 'the banner names the virtual serial port');

  const tcp = await lab.connect();
  t.teardown(() => tcp.close());
  await firstLoginOverTcp(tcp, 'tech', 'techpw1');
  t.ok((await addUser(tcp, { name: 'useradm', circle: Circle.UserAdministration, password: 'uapw1' })).ok, 'user administrator created over TCP');
  await tcp.run('logout');
  await tcp.login('useradm', 'uapw1');
  t.ok((await addUser(tcp, { name: 'adm', circle: Circle.Administration, password: 'admpw1' })).ok, 'Administration user created over TCP');
  await tcp.run('logout');

  const py = LineChild.python(SCRIPT, files.ptyPath!, 'adm', 'admpw1');
  t.teardown(() => py.stop());
  t.equal(await py.expect(/^LOGIN /, 15_000), 'LOGIN OK', 'pyserial logs in as adm');
  t.equal(await py.expect(/^MODE /), 'MODE OK', 'machine mode is accepted');
  t.equal(await py.expect(/^SET /), 'SET OK', 'the station name is changed through the pty');
  t.equal(await py.expect(/^LOGOUT /), 'LOGOUT OK', 'the script logs out');
  t.equal(await py.exited, 0, `the script exits cleanly (stderr: ${py.stderr.trim()})`);

  await tcp.login('adm', 'admpw1');
  t.same((await tcp.run('get station.102.name')).lines, ['station.102.name = "Serial Port"'], 'the change made over the pty is visible over TCP');
});
