/**
 * The ceiling's `seal-thread` layer (bench/support/ceiling-process.ts): a
 * worker thread that takes check-ins from one SharedArrayBuffer ring,
 * opens each and seals its ack into another, one wake-up and one publish
 * per batch. It blocks in `Atomics.wait` while there is nothing to do (a
 * worker may block; the main thread never does).
 */
import { workerData } from 'node:worker_threads';
import { readDeviceKeys } from '../../src/storage/device-keys-file.js';
import { ceilingSeal } from './ceiling-seal.js';
import { DatagramRing, HEAD, TAIL, type DatagramRingMemory } from './datagram-ring.js';

const data = workerData as { keysFile: string; inbound: DatagramRingMemory; outbound: DatagramRingMemory };
const keys = new Map(readDeviceKeys(data.keysFile).map((k) => [k.id, k.key]));
const inbound = new DatagramRing(data.inbound);
const outbound = new DatagramRing(data.outbound);
for (;;) {
  const tail = Atomics.load(inbound.control, TAIL);
  if (Atomics.load(inbound.control, HEAD) === tail) {
    Atomics.wait(inbound.control, TAIL, tail);
    continue;
  }
  const n = inbound.take((d, port) => {
    const answer = ceilingSeal(d, keys);
    // A full outbound ring drops the answer, as a full socket buffer would.
    if (answer) outbound.put(answer, port);
  });
  inbound.release(n);
  outbound.publish();
}
