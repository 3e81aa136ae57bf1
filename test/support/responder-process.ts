/**
 * The §5.2 responder as a process of its own, for benchmarks that must not
 * share a CPU with the load: `node dist/test/support/responder-process.js
 * KEYS_FILE [CLOCK_OFFSET_MS]` binds 127.0.0.1 on a free port, prints
 * `listening HOST:PORT`, answers until SIGTERM, then prints its stats as one
 * JSON line and exits. SIGUSR1 then moves the centre's clock by
 * CLOCK_OFFSET_MS, as a centre whose clock jumps: the next check-in of every
 * device is nakked for clock skew (a test of how a device and the lab take a
 * nak, after the test has subscribed to its events).
 */
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';
import { readDeviceKeys } from '../../src/storage/device-keys-file.js';
import { CheckInResponder } from './check-in-responder.js';

const [keysFile, offsetText = '0'] = process.argv.slice(2);
const clockOffsetMs = Number(offsetText);
if (!keysFile || !Number.isInteger(clockOffsetMs)) {
  process.stderr.write('usage: responder-process.js KEYS_FILE [CLOCK_OFFSET_MS]\n');
  process.exit(2);
}
const responder = new CheckInResponder({ clock: new RealClock(), random: cryptoRandom });
process.on('SIGUSR1', () => {
  responder.clockOffsetMs += clockOffsetMs;
});
for (const k of readDeviceKeys(keysFile)) responder.addDevice(k.id, k.key);
const port = await UdpDatagramPort.open({ host: '127.0.0.1', receiveBufferBytes: 4 << 20, sendBufferBytes: 4 << 20 });
responder.attach(port);
process.stdout.write(`listening 127.0.0.1:${port.address.port}\n`);
process.on('SIGTERM', () => {
  const { checkIns, acks, naks, unanswered } = responder.stats;
  process.stdout.write(`${JSON.stringify({ checkIns, acks, naks, unanswered, rejects: Object.fromEntries(responder.stats.rejects) })}\n`);
  responder.close();
  process.exit(0);
});
