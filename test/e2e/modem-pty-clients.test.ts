import t from 'tap';
import { LineChild } from '../support/line-child.js';
import { runChat } from '../support/chat-client.js';
import { pyserialExpect } from '../support/pyserial-expect.js';
import { startLab, tempDir } from '../support/lab-child.js';
import { IMOD_NUMBER, openModemAccess, PIN, TECH, writeModemLabConfig } from '../support/modem-lab.js';

/**
 * Real clients on the technician modem's DTE side, bound to a socat pty
 * (`pty:PATH`) and to TCP: a pyserial script dials the IMOD, logs in,
 * changes a station name and hangs up with +++ and ATH; ppp's `chat`
 * (through socat) expects CONNECT over TCP, and on the pty aborts with
 * exit code 4 on BUSY.
 */
const PYSERIAL = String.raw`
import serial, sys, time
path, number, pin, name, password = sys.argv[1:6]
port = serial.Serial(path, 19200, timeout=20)
${pyserialExpect('port')}
def send(text):
    port.write(text.encode('utf-8'))
def status():
    while True:
        line = expect(b'\r\n').strip()
        if line == 'OK' or line.startswith('ERROR'):
            return line
send('ATZ\r'); expect(b'OK\r\n')
send('ATE0\r'); expect(b'OK\r\n')
send('ATDT' + number + '\r')
line = expect(b'\r\n')
while not line.strip():
    line = expect(b'\r\n')
print('RESULT', line.strip())
expect(b'PIN: '); send(pin + '\r')
expect(b'User: '); send(name + '\r')
expect(b'Password: '); send(password + '\r')
print('LOGIN', status())
send('mode machine\r'); status()
send('set station.103.name "pyserial"\r')
print('SET', status())
time.sleep(1.2); send('+++'); time.sleep(1.2)
print('ESCAPE', expect(b'OK\r\n').strip())
send('ATH\r')
print('HANGUP', expect(b'OK\r\n').strip())
port.close()
`;

t.test('pyserial and chat (BUSY) on the pty, chat (CONNECT) over TCP', async (t) => {
  const dir = tempDir(t);
  const files = await writeModemLabConfig(dir, [
    { name: 'tech', number: '0897000', bind: 'pty' },
    { name: 'tech2', number: '0897002', bind: 'tcp' },
  ]);
  const lab = await startLab(t, files);
  const admin = await openModemAccess(lab.connect);
  t.teardown(() => admin.close());
  const pty = files.modems.tech.pty!;

  // chat over TCP dials the echo test line while pyserial works on the pty.
  const chatConnect = runChat(dir, `TCP:127.0.0.1:${files.modems.tech2.port}`, 'connect', `ABORT BUSY\nABORT 'NO CARRIER'\n'' ATZ\nOK ATDT0800100\nCONNECT ''\n`);
  const py = LineChild.python(PYSERIAL, pty, IMOD_NUMBER, PIN, TECH.name, TECH.password);
  t.teardown(() => py.stop());
  t.equal(await py.expect(/^RESULT /, 25_000), 'RESULT CONNECT 14400/V42BIS', 'pyserial reads the CONNECT line');
  t.equal(await py.expect(/^LOGIN /, 10_000), 'LOGIN OK', 'PIN and login through the modem');
  t.equal(await py.expect(/^SET /, 10_000), 'SET OK', 'the station name is changed');
  t.equal(await py.expect(/^ESCAPE /, 10_000), 'ESCAPE OK', '+++ with guard time gives OK');
  t.equal(await py.expect(/^HANGUP /, 10_000), 'HANGUP OK', 'ATH hangs up');
  t.equal(await py.exited, 0, `the script exits cleanly (stderr: ${py.stderr.trim()})`);
  t.same((await admin.run('get station.103.name')).lines, ['station.103.name = "pyserial"'], 'the change is in the PBX');

  const busy = await runChat(dir, `FILE:${pty},raw,echo=0`, 'busy', `ABORT BUSY\nABORT 'NO CARRIER'\n'' ATZ\nOK ATDT0800200\nCONNECT ''\n`);
  const connect = await chatConnect;
  t.equal(connect.code, 0, `chat over TCP gets CONNECT from the echo line and exits 0 (log: ${connect.log.slice(-300)})`);
  t.match(connect.log, /CONNECT/, 'chat\'s log shows the CONNECT it waited for');
  // chat(8): exit status 4 = the first ABORT string (BUSY) was received.
  t.equal(busy.code, 4, `chat on the pty aborts on BUSY from the busy test line with exit code 4 (log: ${busy.log.slice(-300)})`);
});
