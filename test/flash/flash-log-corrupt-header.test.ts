import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { FlashProtocolLog } from '../../firmware-sim/flash-log.js';
import { BLOCK_HEADER_SIZE } from '../../firmware-sim/flash-log-format.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import type { FormatId } from '../../firmware-sim/protocol-log.js';

const rec = (i: number) => ({ time: 0, user: 'serv', circle: 'S', format: 1 as FormatId, command: `AMO-${i} ${'q'.repeat(40)}` });

t.test('a corrupt block header costs that block only', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash({ size: 8 * 1024, blockSize: 1024 });
  const area = { offset: 0, size: 8 * 1024 };
  const log = FlashProtocolLog.mount(card, { clock, area });
  for (let i = 0; i < 70; i++) log.append(rec(i));
  const all = log.read();
  const thirdBlockFirst = new DataView(card.bytes.buffer).getUint32(2 * 1024 + 12, true);
  const fourthBlockFirst = new DataView(card.bytes.buffer).getUint32(3 * 1024 + 12, true);
  card.bytes[2 * 1024 + 9] ^= 0x40; // flip a bit of block 2's generation: CRC fails
  const again = FlashProtocolLog.mount(card, { clock, area });
  t.same(again.mountReport.corruptBlocks, [2], 'the bad header is reported');
  const expected = all.filter((e) => e.seq < thirdBlockFirst || e.seq >= fourthBlockFirst);
  t.same(again.read(), expected, 'every entry outside block 2 is still there');
  t.equal(again.lastSeq(), log.lastSeq(), 'numbering continues');
  t.ok(again.append(rec(999)), 'still writable');
});

t.test('a card full of garbage is a new log, not a crash', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash({ size: 4096, blockSize: 1024 });
  card.bytes.fill(0x5a);
  card.bytes.fill(0x00, 0, BLOCK_HEADER_SIZE);
  const log = FlashProtocolLog.mount(card, { clock, area: { offset: 0, size: 4096 } });
  t.equal(log.mountReport.state, 'new', 'no valid header: new log');
  t.same(log.mountReport.corruptBlocks, [0, 1, 2, 3], 'all blocks reported unreadable');
  t.equal(log.append(rec(1))!.seq, 1, 'logging works after erasing');
});
