import t from 'tap';
import { entryHash } from '../../firmware-sim/archive-transaction.js';
import { VirtualClock } from '../../core/clock.js';
import { FlashError, type FlashDevice, type FlashStats } from '../../core/flash-device.js';
import { FlashProtocolLog } from '../../firmware-sim/flash-log.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import { MemoryStateStore } from '../../firmware-sim/state-store.js';
import { logLines, ONE_PER_CIRCLE, pbxWithUsers, SERV } from '../support/firmware-fixtures.js';
import { makePbx, AdminTerminal } from '../support/pbx-harness.js';
import { framedEntries, REV } from '../support/revisor-fixtures.js';

/**
 * The key protocol-log behaviours of test/firmware/ (which run on
 * MemoryProtocolLog) again on the log the lab really uses: FlashProtocolLog
 * on a 10 MB FMC image, remounted across restarts.
 */

/** A card whose programs fail on demand, as a worn-out or pulled FMC would. */
class FailingFlash implements FlashDevice {
  failing = false;
  constructor(readonly inner = new MemoryFlash()) {}
  get size(): number {
    return this.inner.size;
  }
  get blockSize(): number {
    return this.inner.blockSize;
  }
  read(offset: number, length: number): Uint8Array {
    return this.inner.read(offset, length);
  }
  program(offset: number, data: Uint8Array): void {
    if (this.failing) throw new FlashError('FMC program failed (test)');
    this.inner.program(offset, data);
  }
  erase(block: number): void {
    if (this.failing) throw new FlashError('FMC erase failed (test)');
    this.inner.erase(block);
  }
  stats(): FlashStats {
    return this.inner.stats();
  }
}

t.test('A2-3 at every startup, kept on the card across restarts', async (t) => {
  const card = new MemoryFlash();
  const clock = new VirtualClock();
  const store = new MemoryStateStore();
  makePbx({ log: FlashProtocolLog.mount(card, { clock }), store, clock });
  clock.advance(60_000);
  const log = FlashProtocolLog.mount(card, { clock });
  t.equal(log.mountReport.state, 'continued', 'the second startup continues the log on the card');
  makePbx({ log, store, clock });
  t.same(logLines(log), ['system - (5) A2-3-"HE300M.00.001.01"', 'system - (5) A2-3-"HE300M.00.001.01"'], 'both startups logged, read back from flash');
  t.equal(log.read()[1].time - log.read()[0].time, 60_000, 'with the restart time');
});

t.test('logged before the action: a failing card refuses the change with 507', async (t) => {
  const card = new FailingFlash();
  const clock = new VirtualClock();
  const { pbx, log, serv } = pbxWithUsers([], { log: FlashProtocolLog.mount(card, { clock }), clock });
  card.failing = true;
  t.match(serv.cmd('set station.101.name Meier').status, /^ERROR 507 protocol log unavailable: .*FMC program failed \(test\).*action refused/, 'refused with 507');
  t.equal(pbx.kds.get('station.101.name'), '', 'the KDS is unchanged');
  t.equal(serv.cmd('get station.101.name').status, 'OK', 'reads still work');
  card.failing = false;
  t.equal(serv.cmd('set station.101.name Meier').status, 'OK', 'with the card back, changes work');
  t.equal(log.read().at(-1)?.command, 'STN-NAME 101 "Meier"', 'and are logged');
});

t.test('logins, D2-1 and changes one to one; reads not logged', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash();
  const { pbx, log, serv } = pbxWithUsers([ONE_PER_CIRCLE[0]], { log: FlashProtocolLog.mount(card, { clock }), clock });
  const lines = logLines(log);
  t.same(lines.slice(0, 4), ['system - (5) A2-3-"HE300M.00.001.01"', 'serv S (8) D2-1 serv system-maintenance', 'serv S (3) A0-1', 'serv S (8) D2-1 ua user-administration'], 'startup, first login D2-1, A0-1, new user D2-1');
  let mark = log.lastSeq();
  for (const c of ['get station.101.name', 'kds show', 'show system', 'help']) serv.cmd(c);
  t.same(logLines(log, mark), [], 'reads are not logged');
  serv.cmd('set station.101.name Meier');
  serv.cmd('set station.101.name Meier');
  t.same(logLines(log, mark), ['serv S (1) STN-NAME 101 "Meier"', 'serv S (1) STN-NAME 101 "Meier"'], 'one entry per command');
  mark = log.lastSeq();
  new AdminTerminal(pbx).login(SERV.name, 'wrong');
  t.same(logLines(FlashProtocolLog.mount(card, { clock }), mark), ['serv - (3) A0-3'], 'a failed login is on the card (read after a remount)');
});

t.test('archiving on flash: D1-1 first, the delete and the mark survive a remount', async (t) => {
  const clock = new VirtualClock();
  const card = new MemoryFlash();
  const { pbx, log } = pbxWithUsers([ONE_PER_CIRCLE[0], REV], { log: FlashProtocolLog.mount(card, { clock }), clock });
  const rev = new AdminTerminal(pbx);
  rev.login(REV.name, REV.password);
  const chunks = Number(rev.cmd('log archive begin').lines.find((l) => l.startsWith('chunks: '))!.slice(8));
  const entries = Array.from({ length: chunks }, () => framedEntries(rev.cmd('log archive next').lines)).flat();
  const last = entries.at(-1)!;
  t.equal(rev.cmd(`log archive commit ${last.seq} ${entryHash(last)}`).status, 'OK', 'committed');
  const again = FlashProtocolLog.mount(card, { clock });
  t.same(again.archiveMark(), { seq: last.seq, hash: entryHash(last) }, 'the mark is on the card');
  t.same(logLines(again), [`rev R (8) D1-1 1-${last.seq}`], 'after a remount only the D1-1 entry is left');
});
