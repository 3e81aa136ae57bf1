import { connect, type Socket } from 'node:net';
import t from 'tap';
import { startLab, tempDir } from '../support/lab-child.js';
import { writeModemLabConfig } from '../support/modem-lab.js';

/**
 * X.75 over a real-time, paced (64 kbit/s) network call whose line
 * corrupts octets (`--fault 0800100=corrupt=…`): LAPB retransmits, so the
 * echo comes back byte-identical — nothing lost, duplicated or reordered —
 * while an analog call on the same line shows the damage.
 */
const SIZE = 12_000;
const pattern = Buffer.from(Array.from({ length: SIZE }, (_, i) => (i * 37 + (i >> 7)) & 0xff));

/** Dial, wait for CONNECT, send the pattern, collect `SIZE` bytes of echo (or what came within the deadline). */
function echoRun(port: number, setup: string, deadlineMs: number): Promise<{ connect: string; echo: Buffer }> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect({ host: '127.0.0.1', port });
    let text = '';
    let online = false;
    let connectLine = '';
    const chunks: Buffer[] = [];
    let got = 0;
    const finish = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ connect: connectLine, echo: Buffer.concat(chunks) });
    };
    const timer = setTimeout(finish, deadlineMs);
    sock.on('error', reject);
    sock.on('connect', () => sock.write(`ATZE0${setup}\rATDT0800100\r`));
    sock.on('data', (b: Buffer) => {
      if (online) {
        chunks.push(b);
        got += b.length;
        if (got >= SIZE) finish();
        return;
      }
      text += b.toString('latin1');
      const m = /CONNECT ([^\r]*)\r\n/.exec(text);
      if (m) {
        online = true;
        connectLine = m[1];
        const rest = Buffer.from(text.slice(m.index + m[0].length), 'latin1');
        if (rest.length) { chunks.push(rest); got += rest.length; }
        sock.write(pattern);
      } else if (/NO CARRIER|BUSY/.test(text)) {
        finish();
      }
    });
  });
}

t.test('LAPB keeps user data intact across a corrupting real network call', async (t) => {
  const files = await writeModemLabConfig(tempDir(t), [
    { name: 'ta', number: '0897001', bind: 'tcp', profile: 'isdn-ta' },
    { name: 'analog', number: '0897000', bind: 'tcp' },
  ], { pacing: true });
  await startLab(t, files, ['--fault', '0800100=corrupt=0.001,seed=5']);
  const [x75, analog] = await Promise.all([
    echoRun(files.modems.ta.port!, '+BX75', 25_000),
    echoRun(files.modems.analog.port!, '', 25_000),
  ]);
  t.equal(x75.connect, '64000/X75', 'the terminal adapter connects with X.75');
  t.equal(x75.echo.length, SIZE, `all ${SIZE} bytes came back over X.75`);
  t.ok(x75.echo.equals(pattern), 'byte-identical: nothing lost, duplicated, reordered or damaged');
  t.equal(analog.connect, '14400/V42BIS', 'the analog modem connects to the same line');
  t.notOk(analog.echo.subarray(0, SIZE).equals(pattern), 'the analog call shows the line damage LAPB corrected (the fault is real)');
});
