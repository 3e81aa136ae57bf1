import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { FlashProtocolLog } from '../../firmware-sim/flash-log.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import type { FormatId } from '../../firmware-sim/protocol-log.js';

const rec = (command: string) => ({ time: 0, user: 'system', circle: '-', format: 5 as FormatId, command });

t.test('card exchange: an empty card restarts the log, a used card continues its own', async (t) => {
  const clock = new VirtualClock();
  const cardA = new MemoryFlash();
  const logA = FlashProtocolLog.mount(cardA, { clock });
  for (let i = 0; i < 30; i++) logA.append(rec(`A2-3-"HE300M.00.001.${i}"`));
  logA.deleteUpTo(10, { seq: 10, hash: 'ef'.repeat(32) });

  const fresh = FlashProtocolLog.mount(new MemoryFlash(), { clock });
  t.equal(fresh.mountReport.state, 'new', 'empty card: new log');
  t.equal(fresh.append(rec('A2-3-"HE300M.00.001.01"'))!.seq, 1, 'numbering restarts at 1');
  t.equal(fresh.archiveMark(), undefined, 'no archive mark on a new card');

  const back = FlashProtocolLog.mount(new MemoryFlash({ bytes: cardA.bytes }), { clock });
  t.equal(back.mountReport.state, 'continued', 'used card: continued');
  t.equal(back.lastSeq(), 30, 'its numbering is kept');
  t.same(back.archiveMark(), { seq: 10, hash: 'ef'.repeat(32) }, 'its archive mark survives the exchange');
  t.same(back.read().map((e) => e.seq), [...Array(20).keys()].map((k) => 11 + k), 'archived entries stay deleted');
  t.equal(back.append(rec('A2-3'))!.seq, 31, 'and it appends after them');
});

t.test('the archive mark is carried into new blocks, so it survives the ring wrapping past it', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash({ size: 4096, blockSize: 1024 });
  const area = { offset: 0, size: 4096 };
  const log = FlashProtocolLog.mount(card, { clock, area });
  log.append(rec('x'));
  log.deleteUpTo(1, { seq: 1, hash: '12'.repeat(32) });
  for (let i = 0; i < 200; i++) log.append(rec(`B1-1 ${i} ${'y'.repeat(30)}`));
  t.same(FlashProtocolLog.mount(card, { clock, area }).archiveMark(), { seq: 1, hash: '12'.repeat(32) }, 'mark read back from the newest block header');
});
