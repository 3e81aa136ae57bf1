/**
 * The ceiling of the intake benchmark (docs/perf.md "Centre intake",
 * `centre-intake --only ceiling`): what this box and Node allow per check-in
 * before any of the centre's own work, one layer at a time, as a process of
 * its own answering the same load generator over UDP loopback:
 *
 * - `echo`: a bare UDP echo on `node:dgram`: every datagram goes back as it
 *   came, its type byte turned into an ack's (no crypto, nothing read but
 *   that byte) — the two syscalls and Node's per-datagram cost;
 * - `seal`: + the §5.2 codec both ways: the check-in's header read, its tag
 *   and body opened (`openAfterHeader`), an ack sealed with a fresh nonce
 *   (`encodeTelegram`) — no replay window, nothing stored.
 *
 * The responder (`test/support/responder-process.ts`, + replay window and
 * events in memory) and `centre serve` are the next layers; the bench runs
 * them beside these in the same run.
 *
 * `node dist/bench/support/ceiling-process.js echo|seal KEYS_FILE` binds
 * 127.0.0.1 on a free port, prints `listening HOST:PORT` and answers until
 * SIGTERM.
 */
import { createSocket } from 'node:dgram';
import { encodeTelegram, openAfterHeader, readTelegramHeader } from '../../core/check-in-telegram.js';
import { unixSeconds } from '../../core/check-in-verdict.js';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { literalFirst } from '../../src/adapters/udp-datagram-port.js';
import { readDeviceKeys } from '../../src/storage/device-keys-file.js';

/** Spec §5.2: the type byte's offset and the ack's code. */
const TYPE_AT = 4;
const ACK = 0x81;

const [mode, keysFile] = process.argv.slice(2);
if ((mode !== 'echo' && mode !== 'seal') || !keysFile) {
  process.stderr.write('usage: ceiling-process.js echo|seal KEYS_FILE\n');
  process.exit(2);
}
const keys = new Map(readDeviceKeys(keysFile).map((k) => [k.id, k.key]));
// The centre's own resolver (an IP answered at once, not a tick later): the same per-send cost as the intake's port.
const socket = createSocket({ type: 'udp4', lookup: literalFirst });
await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
for (const set of [(b: number) => socket.setRecvBufferSize(b), (b: number) => socket.setSendBufferSize(b)]) set(4 << 20);

/** The answer to one datagram, or undefined for silence (what the centre does with a reject). */
function sealed(data: Buffer): Uint8Array | undefined {
  const head = readTelegramHeader(data);
  if (!head.ok) return undefined;
  const key = keys.get(head.header.deviceId);
  if (!key) return undefined;
  const r = openAfterHeader(data, head, key);
  if (!r.ok) return undefined;
  const { deviceId, counter } = r.telegram;
  const nowS = unixSeconds(Date.now());
  return encodeTelegram({ type: 'ack', deviceId, counter, time: nowS, body: { counter, serverTime: nowS, accepted: [], commands: [] } }, key, cryptoRandom.bytes(12));
}

socket.on('message', (data, from) => {
  if (mode === 'echo') {
    data[TYPE_AT] = ACK;
    socket.send(data, from.port, from.address);
    return;
  }
  const answer = sealed(data);
  if (answer) socket.send(answer, from.port, from.address);
});
process.stdout.write(`listening 127.0.0.1:${socket.address().port}\n`);
process.on('SIGTERM', () => {
  socket.close();
  process.exit(0);
});
