import t from 'tap';
import { VirtualClock } from '../../core/clock.js';
import { parseGapMarker, type GapInfo } from '../../firmware-sim/flash-log.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import type { FormatId } from '../../firmware-sim/protocol-log.js';
import { mountSmall, SMALL_AREA, SMALL_BLOCK } from '../support/flash-log-model.js';

const rec = (i: number) => ({ time: 0, user: 'pnkm', circle: 'A', format: 1 as FormatId, command: `AMO-PERSI ${String(i).padStart(4, '0')} ${'n'.repeat(24)}` });

t.test('imminent overflow erases exactly the oldest block and records how many entries went', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash({ size: SMALL_AREA.size, blockSize: SMALL_BLOCK });
  const gaps: GapInfo[] = [];
  const log = mountSmall(card, clock, { onEntriesOverwritten: (g) => gaps.push(g) });
  let i = 0;
  let before = log.read();
  let erasesBefore = card.stats().erases;
  let next = log.append(rec(i++))!;
  while (gaps.length === 0) {
    before = log.read();
    erasesBefore = card.stats().erases;
    next = log.append(rec(i++))!;
  }
  t.ok(before.length > 40 && before[0].seq === 1, `the ring held all ${before.length} entries from seq 1 before the overflow`);
  const erasesAfter = card.stats().erases;
  t.same(erasesAfter.map((e, b) => e - erasesBefore[b]), [1, 0, 0, 0], 'only block 0 (the oldest) was erased');
  t.equal(gaps.length, 1, 'one overwrite reported');
  const after = log.read();
  const marker = after.find((e) => parseGapMarker(e));
  t.ok(marker, 'a gap marker entry is in the log');
  const gap = parseGapMarker(marker!)!;
  const dropped = before.filter((e) => !after.some((a) => a.seq === e.seq));
  t.same({ from: gap.from, to: gap.to, count: gap.count }, { from: dropped[0].seq, to: dropped.at(-1)!.seq, count: dropped.length }, 'marker names exactly the dropped entries');
  t.same(gaps[0], gap, 'callback and marker agree');
  t.equal(after[0].seq, dropped.at(-1)!.seq + 1, 'the log now starts right after the dropped block');
  t.same(after.slice(-2).map((e) => e.seq), [marker!.seq, next.seq], 'the marker precedes the entry that needed the room');
  t.match(marker!.command, /^LOG-GAP \d+ entries overwritten unarchived \(seq 1-\d+\)$/, 'marker text for the revisor');
});

t.test('archived entries are reclaimed without a gap marker', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash({ size: SMALL_AREA.size, blockSize: SMALL_BLOCK });
  const gaps: GapInfo[] = [];
  const log = mountSmall(card, clock, { onEntriesOverwritten: (g) => gaps.push(g) });
  for (let i = 0; i < 200; i++) {
    log.append(rec(i));
    if (i % 20 === 19) log.deleteUpTo(log.lastSeq(), { seq: log.lastSeq(), hash: 'ab'.repeat(32) });
  }
  t.same(gaps, [], 'nothing unarchived was overwritten');
  t.ok(card.stats().erases.every((e) => e >= 3), 'the ring wrapped at least 3 times');
  t.same(log.read().map((e) => e.seq), [...Array(log.lastSeq() - 200 + 0).keys()].map((k) => 201 + k), 'only unarchived entries remain');
});
