import { connect } from 'node:net';
import t from 'tap';
import { startLab, tempDir } from '../support/lab-child.js';
import { writeModemLabConfig } from '../support/modem-lab.js';

/**
 * Line-rate pacing in real time (spec §4.5): a 5 s transfer through the
 * technician's modem to the echo line at 14400 bit/s must arrive at
 * 1,440 bytes/s (rate/10 for start + 8 data + stop bits) within ±1 %.
 */
const RATE = 14_400 / 10;
const SIZE = RATE * 5;

t.test('a 5 s echo transfer at CONNECT 14400 is paced at 1,440 bytes/s ±1 %', async (t) => {
  const files = await writeModemLabConfig(tempDir(t), [{ name: 'tech', number: '0897000', bind: 'tcp' }], { pacing: true });
  await startLab(t, files);
  const { connectText, firstAt, lastAt, bytes, firstChunk } = await new Promise<{ connectText: string; firstAt: number; lastAt: number; bytes: number; firstChunk: number }>((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port: files.modems.tech.port! });
    let text = '';
    let online = false;
    let connectText = '';
    let bytes = 0;
    let firstAt = 0;
    let lastAt = 0;
    let firstChunk = 0;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`timed out: ${bytes} bytes, ${JSON.stringify(text.slice(-80))}`)); }, 25_000);
    sock.on('error', reject);
    sock.on('connect', () => sock.write('ATZE0\rATDT0800100\r'));
    sock.on('data', (b: Buffer) => {
      const now = performance.now();
      if (!online) {
        text += b.toString('latin1');
        const m = /CONNECT ([^\r]*)\r\n/.exec(text);
        if (!m) return;
        online = true;
        connectText = m[1];
        sock.write(Buffer.alloc(SIZE, 0x55));
        return;
      }
      // The first chunk marks the start, so the measured span covers the other bytes.
      if (bytes === 0) {
        firstAt = now;
        firstChunk = b.length;
      } else {
        lastAt = now;
      }
      bytes += b.length;
      if (bytes >= SIZE) {
        clearTimeout(timer);
        sock.destroy();
        resolve({ connectText, firstAt, lastAt, bytes, firstChunk });
      }
    });
  });
  t.equal(connectText, '14400/V42BIS', 'connected at 14400');
  t.equal(bytes, SIZE, 'every byte came back');
  // Bytes after the first chunk over the time they took: the paced rate.
  const measured = (bytes - firstChunk) / ((lastAt - firstAt) / 1000);
  const error = (measured / RATE - 1) * 100;
  t.ok(Math.abs(error) <= 1, `measured ${measured.toFixed(1)} bytes/s, error ${error.toFixed(2)} % (limit ±1 %)`);
});
