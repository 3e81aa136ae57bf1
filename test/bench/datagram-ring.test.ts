import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { allocateDatagramRing, DatagramRing, SLOT_BYTES } from '../../bench/support/datagram-ring.js';
import { formatDeviceKey } from '../../src/storage/device-keys-file.js';
import { TelegramProbe } from '../support/telegram-probe.js';

/** Every datagram `take` hands out, copied, with its tag. */
function drain(ring: DatagramRing): Array<[number[], number]> {
  const got: Array<[number[], number]> = [];
  ring.release(ring.take((d, tag) => got.push([[...d], tag])));
  return got;
}

t.test('the datagram ring hands batches over whole, in order, across the wrap-around, and refuses what does not fit', async (t) => {
  const memory = allocateDatagramRing(4);
  const producer = new DatagramRing(memory);
  const consumer = new DatagramRing(memory);
  t.ok(producer.put(Uint8Array.of(1), 11) && producer.put(Uint8Array.of(2, 2), 22), 'two datagrams go in');
  t.same(drain(consumer), [], 'nothing is visible before the batch is published');
  producer.publish();
  t.same(drain(consumer), [[[1], 11], [[2, 2], 22]], 'after publish the batch comes out whole, in order, with its tags');
  // Slots 2 and 3 are next, then 0 and 1 again: a batch across the end of the ring.
  for (let i = 3; i <= 6; i++) t.ok(producer.put(new Uint8Array(i).fill(i), i), `datagram ${i} goes in`);
  t.notOk(producer.put(Uint8Array.of(7), 7), 'a fifth datagram in a ring of four is refused while none is taken');
  producer.publish();
  t.same(drain(consumer).map(([d, tag]) => [d.length, tag]), [[3, 3], [4, 4], [5, 5], [6, 6]], 'a batch across the wrap-around comes out whole and in order');
  t.ok(producer.put(Uint8Array.of(8), 8), 'released slots are free again');
  t.notOk(producer.put(new Uint8Array(SLOT_BYTES + 1), 9), 'a datagram over 1,200 bytes (spec §5.2) is refused, not cut');
  producer.publish();
  t.same(drain(consumer), [[[8], 8]], 'and the refused one left nothing behind');
});

t.test('the threaded ceiling answers each check-in with an ack sealed on its worker thread', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ring-ceiling-'));
  const key = randomBytes(32);
  writeFileSync(join(dir, 'keys.txt'), formatDeviceKey({ id: 'RC-1', kind: 'key-depot', key }));
  const child = spawn(process.execPath, [resolve('dist/bench/support/ceiling-process.js'), 'seal-thread', join(dir, 'keys.txt')], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const port = await new Promise<number>((done) => child.stdout.on('data', (b: Buffer) => {
    const m = /listening 127\.0\.0\.1:(\d+)/.exec(b.toString());
    if (m) done(Number(m[1]));
  }));
  const probe = await TelegramProbe.open({ host: '127.0.0.1', port });
  t.teardown(() => probe.close());
  for (let counter = 1; counter <= 3; counter++) {
    const ack = await probe.checkIn('RC-1', key, counter, {});
    t.ok(ack?.type === 'ack' && ack.body.counter === counter, `check-in ${counter}: an ack that opens with the device key and echoes its counter`);
  }
  t.equal(await probe.checkIn('RC-1', randomBytes(32), 4, {}, undefined, 300), undefined, 'a wrong key gets silence');
});
