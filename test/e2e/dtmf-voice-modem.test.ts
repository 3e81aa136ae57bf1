import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { ENABLE_CODE } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import { multiTapKeys } from '../../firmware-sim/dtmf-admin/multi-tap.js';
import { LineChild } from '../support/line-child.js';
import { pyserialExpect } from '../support/pyserial-expect.js';
import { firstLoginOverTcp, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';

/**
 * End to end: a pyserial script drives the lab's voice modem through a socat
 * pty — AT+FCLASS=8, voice dial of the PBX's DTMF administration port,
 * the enable procedure, login and a station name change, all by AT+VTS.
 * The name is then checked over the admin TCP port.
 */
const SCRIPT = String.raw`
import serial, sys
path, number, keys = sys.argv[1:4]
port = serial.Serial(path, 9600, timeout=10)
${pyserialExpect('port')}
def result(*tokens):
    # The result code that ended the wait: the last line of what expect() read.
    return expect(*tokens).strip().split('\r\n')[-1]
def cmd(line, *tokens):
    port.write(line.encode() + b'\r')
    return result(*(tokens or (b'OK\r\n', b'ERROR\r\n')))
print('ATE0', cmd('ATE0'))
print('FCLASS', cmd('AT+FCLASS=8'))
print('S11', cmd('ATS11=60'))
port.write(('ATD' + number + '\r').encode())
print('DIAL', result(b'VCON', b'BUSY', b'NO CARRIER', b'NO ANSWER', b'ERROR'))
for i in range(0, len(keys), 16):
    r = cmd('AT+VTS=' + ','.join(keys[i:i + 16]))
    if r != 'OK':
        print('VTS', r)
        sys.exit(1)
print('KEYS', 'OK')
print('HANGUP', cmd('ATH'))
port.close()
`;

t.test('a pyserial script administers the PBX by DTMF through the voice modem on a pty', async (t) => {
  const files = await writeLabConfig(tempDir(t));
  const modemPty = join(files.dir, 'modem-pty');
  const config = parse(readFileSync(files.configPath, 'utf8')) as { modems: unknown[] };
  config.modems = [{ name: 'tech', number: '0401000', bind: `pty:${modemPty}`, profile: 'analog' }];
  writeFileSync(files.configPath, stringify(config));
  const lab = await startLab(t, files);
  t.match(lab.banner, /DTMF remote admin: dial 0301234795/, 'the banner tells the DTMF admin number');

  const tcp = await lab.connect();
  t.teardown(() => tcp.close());
  await firstLoginOverTcp(tcp, 'TECH', 'TECH1');
  t.ok((await tcp.command('set dtmf.passive yes')).ok, 'passive DTMF administration enabled');
  const pw = await tcp.dialogue('dtmf password', [{ prompt: 'Password: ', answer: '246810' }, { prompt: 'Repeat password: ', answer: '246810' }]);
  t.ok(pw.ok, `DTMF password set (${pw.message})`);

  const keys = `${ENABLE_CODE}246810#${multiTapKeys('TECH')}${multiTapKeys('TECH1')}1104#${multiTapKeys('Fern')}0`;
  const py = LineChild.python(SCRIPT, modemPty, '0301234795', keys);
  t.teardown(() => py.stop());
  t.equal(await py.expect(/^FCLASS /, 15_000), 'FCLASS OK', 'voice mode');
  t.equal(await py.expect(/^DIAL /, 15_000), 'DIAL VCON', 'the DTMF admin port answered the voice call');
  t.equal(await py.expect(/^KEYS /, 60_000), 'KEYS OK', 'every AT+VTS accepted');
  t.equal(await py.exited, 0, `the script exits cleanly (stderr: ${py.stderr.trim()})`);
  t.same((await tcp.run('get station.104.name')).lines, ['station.104.name = "Fern"'], 'the name keyed by DTMF is visible over TCP');
});
