import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { FlashProtocolLog } from '../../firmware-sim/flash-log.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import { PowerCutFlash } from '../support/power-cut-flash.js';
import { LogAppendError, type FormatId } from '../../firmware-sim/protocol-log.js';

const rec = (command: string) => ({ time: Date.UTC(2026, 0, 5), user: 'serv', circle: 'S', format: 1 as FormatId, command });

t.test('entries come back in order with their sequence numbers, across a remount', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash();
  const log = FlashProtocolLog.mount(card, { clock });
  t.equal(log.mountReport.state, 'new', 'an erased area starts a new log');
  const a = log.append(rec('AMO-A'))!;
  const b = log.append({ ...rec('Straße ändern'), user: 'pnkm', circle: 'A', format: 7 })!;
  t.same([a.seq, b.seq], [1, 2], 'seqs start at 1');
  const again = FlashProtocolLog.mount(card, { clock });
  t.equal(again.mountReport.state, 'continued', 'a non-empty area is continued');
  t.same(again.read(), [a, b], 'both entries byte-exact after remount');
  t.same(again.read(2), [b], 'read from a seq');
  t.same(again.read(0, 1), [a], 'read with a limit');
  t.equal(again.append(rec('AMO-C'))!.seq, 3, 'numbering continues');
});

t.test('no card or a small card: no logging, with a reason to show once', async (t) => {
  const clock = new VirtualClock();
  const none = FlashProtocolLog.mount(undefined, { clock });
  t.notOk(none.available, 'no card: unavailable');
  t.match(none.mountReport.reason, /no flash memory card/, 'reason says no card');
  t.equal(none.append(rec('x')), undefined, 'append stores nothing');
  const small = FlashProtocolLog.mount(new MemoryFlash({ size: 4 * 1024 * 1024 }), { clock });
  t.notOk(small.available, '4 MB card: unavailable');
  t.match(small.mountReport.reason, /needs a 10 MB card/, 'reason names the size');
});

t.test('bad records and a failing medium throw LogAppendError', async (t) => {
  const clock = new VirtualClock();
  const log = FlashProtocolLog.mount(new MemoryFlash(), { clock });
  t.throws(() => log.append({ ...rec('x'), format: 9 as FormatId }), LogAppendError, 'unknown format id');
  t.throws(() => log.append({ ...rec('x'), circle: 'RS' }), LogAppendError, 'two-letter circle');
  t.throws(() => log.append({ ...rec('x'), user: 'u'.repeat(300) }), LogAppendError, 'oversized user');
  t.throws(() => log.append(rec('y'.repeat(70_000))), LogAppendError, 'command larger than a block');
  t.throws(() => log.deleteUpTo(5, { seq: 5, hash: '00' }), LogAppendError, 'delete beyond the last entry');
  const dead = FlashProtocolLog.mount(new PowerCutFlash(new MemoryFlash(), { cutAt: 1 }), { clock });
  t.throws(() => dead.append(rec('x')), LogAppendError, 'power failing during append is reported as LogAppendError');
});

t.test('block generation numbers wrap around 2^32 safely', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash({ size: 4096, blockSize: 1024 });
  const opts = { clock, area: { offset: 0, size: 4096 }, initialBlockSeq: 0xffff_fffe };
  const log = FlashProtocolLog.mount(card, opts);
  for (let i = 0; i < 60; i++) log.append(rec(`CMD-${i} ${'x'.repeat(30)}`));
  const again = FlashProtocolLog.mount(card, opts);
  t.equal(again.lastSeq(), log.lastSeq(), 'the newest block is found across the wrap');
  t.same(again.read().map((e) => e.command), log.read().map((e) => e.command), 'same entries in the same order');
});
