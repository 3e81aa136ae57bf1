import t from 'tap';
import { FlashEventQueue, QueueFullError } from '../../firmware-sim/key-depot/event-queue.js';
import { FlashSnapshotStore } from '../../firmware-sim/key-depot/snapshot-store.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import { ReservedCounter, COUNTER_RESERVATION } from '../../firmware-sim/reserved-counter.js';

const BS = 256;
const card = (blocks: number): MemoryFlash => new MemoryFlash({ size: blocks * BS, blockSize: BS });
const ev = (i: number) => ({ type: 'door-open', time: 1000 + i });
const te = new TextEncoder();

t.test('queue: events survive a remount until acknowledged, oldest first', async (t) => {
  const flash = card(4);
  const q = FlashEventQueue.mount(flash, { offset: 0, size: 4 * BS });
  const a = q.append(ev(1));
  const b = q.append(ev(2));
  const c = q.append(ev(3));
  t.same([a.seq, b.seq, c.seq], [1, 2, 3], 'seqs from 1');
  t.equal(q.acknowledge([2, 99]), 1, 'only pending seqs count');
  const again = FlashEventQueue.mount(new MemoryFlash({ bytes: flash.bytes, blockSize: BS }), { offset: 0, size: 4 * BS });
  t.same(again.pending().map((e) => e.seq), [1, 3], '2 is gone, 1 and 3 wait');
  t.same(again.pending()[0], { ...ev(1), seq: 1 }, 'the event as appended');
  t.equal(again.append(ev(4)).seq, 4, 'seqs go on after a remount, never reused');
});

t.test('queue: the ring wraps over acknowledged blocks for as long as the centre keeps up', async (t) => {
  const flash = card(4);
  let q = FlashEventQueue.mount(flash, { offset: 0, size: 4 * BS });
  for (let i = 0; i < 500; i++) {
    const e = q.append(ev(i));
    q.acknowledge([e.seq]);
    if (i % 97 === 0) q = FlashEventQueue.mount(flash, { offset: 0, size: 4 * BS });
  }
  t.equal(q.size, 0, 'nothing pending');
  t.equal(q.nextSeq, 501, 'seq 501 next');
  t.ok(Math.min(...flash.stats().erases) >= 10, `every block reused (${flash.stats().erases.join(',')})`);
});

t.test('queue: full of pending events it refuses new ones, but can still record acks and drain', async (t) => {
  const flash = card(4);
  const q = FlashEventQueue.mount(flash, { offset: 0, size: 4 * BS });
  let n = 0;
  t.throws(() => { for (;;) { q.append(ev(n)); n++; } }, QueueFullError, 'eventually full');
  t.ok(n >= 4, `${n} events fit 2 of 4 blocks (one written, one in reserve behind it)`);
  q.acknowledge(q.pending().map((e) => e.seq));
  t.equal(q.size, 0, 'all acknowledged although the queue was full');
  t.doesNotThrow(() => q.append(ev(999)), 'room again');
});

t.test('snapshot store: the newest value survives remounts and half switches', async (t) => {
  const flash = card(4);
  let s = FlashSnapshotStore.mount(flash, { offset: 0, size: 4 * BS }, 0x11223344);
  t.equal(s.latest(), undefined, 'fresh: nothing');
  for (let i = 0; i < 300; i++) {
    s.write(te.encode(`value ${i}`));
    if (i % 37 === 0) s = FlashSnapshotStore.mount(flash, { offset: 0, size: 4 * BS }, 0x11223344);
  }
  const back = FlashSnapshotStore.mount(new MemoryFlash({ bytes: flash.bytes, blockSize: BS }), { offset: 0, size: 4 * BS }, 0x11223344);
  t.equal(new TextDecoder().decode(back.latest()), 'value 299', 'the last write is what a remount reads');
  t.ok(flash.stats().erases.every((e) => e > 5), 'both halves were switched many times');
  t.throws(() => back.write(new Uint8Array(back.capacity + 1)), RangeError, 'a snapshot larger than a half is refused');
  t.equal(FlashSnapshotStore.mount(flash, { offset: 0, size: 4 * BS }, 0x55667788).latest(), undefined, 'another magic sees nothing');
});

t.test('reserved counter: one write per 64 counters, and a restart skips ahead, never back', async (t) => {
  const writes: number[] = [];
  const c = new ReservedCounter(0, (u) => writes.push(u));
  const got = Array.from({ length: 130 }, () => c.next());
  t.same(got, Array.from({ length: 130 }, (_, i) => i), 'counters 0…129');
  t.same(writes, [COUNTER_RESERVATION, 2 * COUNTER_RESERVATION, 3 * COUNTER_RESERVATION], 'reserved before use, a block at a time');
  const after = new ReservedCounter(writes[writes.length - 1], () => undefined);
  t.equal(after.next(), 192, 'after a restart: the reservation, above every counter used');
  const end = new ReservedCounter(0xffff_ffff, () => undefined);
  t.equal(end.next(), 0xffff_ffff, 'the last counter');
  t.equal(end.next(), undefined, 'then none: the key is used up');
  let failed = 0;
  const dying = new ReservedCounter(0, () => { failed++; throw new Error('power cut'); });
  t.throws(() => dying.next(), /power cut/, 'a failed reservation hands out no counter');
  t.equal(failed, 1, 'it was tried');
});
