/**
 * The ceiling of the intake benchmark (docs/perf.md "Centre intake",
 * `centre-intake --only ceiling`): what this box and Node allow per check-in
 * before any of the centre's own work, one layer at a time, as a process of
 * its own answering the same load generator over UDP loopback:
 *
 * - `echo`: a bare UDP echo on `node:dgram`: every datagram goes back as it
 *   came, its type byte turned into an ack's (no crypto, nothing read but
 *   that byte) — the two syscalls and Node's per-datagram cost;
 * - `seal`: + the §5.2 codec both ways (`ceiling-seal.ts`): the check-in's
 *   header read, its tag and body opened, an ack sealed with a fresh nonce
 *   — no replay window, nothing stored;
 * - `seal-thread`: the same codec on a worker thread, this thread only
 *   receiving and sending, batches of datagrams handed over both ways
 *   through SharedArrayBuffer rings (`datagram-ring.ts`: one publish and at
 *   most one wake-up per batch, no structured clone per datagram) — what
 *   the second core can take off the main thread, and what the hand-over
 *   costs.
 *
 * The responder (`test/support/responder-process.ts`, + replay window and
 * events in memory) and `centre serve` are the next layers; the bench runs
 * them beside these in the same run.
 *
 * `node dist/bench/support/ceiling-process.js echo|seal|seal-thread KEYS_FILE` binds
 * 127.0.0.1 on a free port, prints `listening HOST:PORT` and answers until
 * SIGTERM.
 */
import { createSocket } from 'node:dgram';
import { Worker } from 'node:worker_threads';
import { literalFirst } from '../../src/adapters/udp-datagram-port.js';
import { readDeviceKeys } from '../../src/storage/device-keys-file.js';
import { ceilingSeal } from './ceiling-seal.js';
import { allocateDatagramRing, DatagramRing, TAIL } from './datagram-ring.js';

/** Spec §5.2: the type byte's offset and the ack's code. */
const TYPE_AT = 4;
const ACK = 0x81;
/** Datagrams each ring holds: the 512 in flight of the bench, eight times over. */
const RING_SLOTS = 4096;
const MODES = ['echo', 'seal', 'seal-thread'];
/** `Atomics.waitAsync`: in V8 on Node 20, not yet in the TypeScript lib this project builds with (ES2022). */
type WaitAsync = (a: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

const [mode, keysFile] = process.argv.slice(2);
if (!MODES.includes(mode) || !keysFile) {
  process.stderr.write(`usage: ceiling-process.js ${MODES.join('|')} KEYS_FILE\n`);
  process.exit(2);
}
const keys = new Map(readDeviceKeys(keysFile).map((k) => [k.id, k.key]));
// The centre's own resolver (an IP answered at once, not a tick later): the same per-send cost as the intake's port.
const socket = createSocket({ type: 'udp4', lookup: literalFirst });
await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
for (const set of [(b: number) => socket.setRecvBufferSize(b), (b: number) => socket.setSendBufferSize(b)]) set(4 << 20);
/** The load comes from loopback only (the bench), so a sender is its port. */
const PEER = '127.0.0.1';

if (mode === 'echo') {
  socket.on('message', (data, from) => {
    data[TYPE_AT] = ACK;
    socket.send(data, from.port, from.address);
  });
} else if (mode === 'seal') {
  socket.on('message', (data, from) => {
    const answer = ceilingSeal(data, keys);
    if (answer) socket.send(answer, from.port, from.address);
  });
} else {
  // seal-thread: this thread only receives and sends; the codec runs on a worker, batches handed over through two rings.
  const inMemory = allocateDatagramRing(RING_SLOTS);
  const outMemory = allocateDatagramRing(RING_SLOTS);
  const inbound = new DatagramRing(inMemory);
  const outbound = new DatagramRing(outMemory);
  const worker = new Worker(new URL('./ceiling-seal-thread.js', import.meta.url), { workerData: { keysFile, inbound: inMemory, outbound: outMemory } });
  worker.unref();
  let scheduled = false;
  // Everything one wake-up of the socket brought goes over in one publish (setImmediate runs after the poll phase).
  const publish = (): void => {
    scheduled = false;
    inbound.publish();
  };
  socket.on('message', (data, from) => {
    inbound.put(data, from.port);
    if (!scheduled) {
      scheduled = true;
      setImmediate(publish);
    }
  });
  let seen = 0;
  const drain = (): void => {
    const n = outbound.take((answer, port) => {
      // Copied out of the ring: a send that has to queue keeps its buffer, and the slot is reused once released.
      socket.send(Buffer.from(answer), port, PEER);
    });
    outbound.release(n);
    seen = Atomics.load(outbound.control, TAIL);
    const w = waitAsync(outbound.control, TAIL, seen);
    if (w.async) void w.value.then(drain);
    else setImmediate(drain);
  };
  drain();
}
process.stdout.write(`listening 127.0.0.1:${socket.address().port}\n`);
process.on('SIGTERM', () => {
  socket.close();
  process.exit(0);
});
