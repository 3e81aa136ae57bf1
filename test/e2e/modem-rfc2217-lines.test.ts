import t from 'tap';
import { LineChild } from '../support/line-child.js';
import { pyserialExpect } from '../support/pyserial-expect.js';
import { startLab, tempDir } from '../support/lab-child.js';
import { writeModemLabConfig } from '../support/modem-lab.js';

/**
 * Modem lines over TCP with RFC 2217, seen by pyserial's rfc2217:// client
 * on `hicom-sim lab` in real time: DCD comes on with CONNECT and goes off
 * with the hang-up (+++ ATH), and dropping DTR hangs up under &D2.
 */
const CLIENT = String.raw`
import sys, time, serial
port, mode = sys.argv[1], sys.argv[2]
s = serial.serial_for_url('rfc2217://127.0.0.1:%s' % port, baudrate=19200, timeout=20)
${pyserialExpect('s')}
def cd(want):
    end = time.time() + 3
    while s.cd != want and time.time() < end:
        time.sleep(0.02)
    return int(s.cd)
s.write(b'ATZE0&C1&D2\r'); expect(b'OK\r\n')
print('IDLE-DCD', cd(False))
s.write(b'ATDT0800100\r'); expect(b'CONNECT')
print('CONNECT-DCD', cd(True))
s.write(b'ping'); expect(b'ping')
print('ECHO ok')
if mode == 'ath':
    time.sleep(1.2); s.write(b'+++'); time.sleep(1.2); expect(b'OK\r\n')
    s.write(b'ATH\r'); expect(b'OK\r\n')
    print('HANGUP-DCD', cd(False))
else:
    s.dtr = False
    expect(b'NO CARRIER')
    print('DTR-DROP NO CARRIER, DCD', cd(False))
s.close()
`;

t.test('rfc2217://: DCD follows the call; DTR drop hangs up under &D2', async (t) => {
  const files = await writeModemLabConfig(tempDir(t), [
    { name: 'a', number: '0897000', bind: 'tcp' },
    { name: 'b', number: '0897001', bind: 'tcp' },
  ]);
  await startLab(t, files);
  const ath = LineChild.python(CLIENT, String(files.modems.a.port), 'ath');
  const dtr = LineChild.python(CLIENT, String(files.modems.b.port), 'dtr');
  t.teardown(() => { ath.stop(); dtr.stop(); });
  const [athLines, dtrLines] = await Promise.all([ath, dtr].map(async (py) => {
    const out = [await py.expect(/^IDLE-DCD/, 10_000), await py.expect(/^CONNECT-DCD/, 20_000), await py.expect(/^ECHO/, 10_000)];
    out.push(await py.expect(/^(HANGUP|DTR-DROP)/, 10_000));
    return out;
  }));
  t.equal(athLines[0], 'IDLE-DCD 0', 'DCD is off while idle (&C1)');
  t.equal(athLines[1], 'CONNECT-DCD 1', 'DCD comes on with CONNECT');
  t.equal(athLines[2], 'ECHO ok', 'data crosses the call to the echo line');
  t.equal(athLines[3], 'HANGUP-DCD 0', 'DCD goes off after +++ and ATH');
  t.equal(dtrLines[1], 'CONNECT-DCD 1', 'the second modem is connected too');
  t.equal(dtrLines[3], 'DTR-DROP NO CARRIER, DCD 0', 'dropping DTR hangs up (&D2): NO CARRIER and DCD off');
  t.equal(await ath.exited, 0, `the +++/ATH client exits cleanly (${ath.stderr.trim()})`);
  t.equal(await dtr.exited, 0, `the DTR client exits cleanly (${dtr.stderr.trim()})`);
});
