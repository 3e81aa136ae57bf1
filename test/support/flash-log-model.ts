/**
 * Shared by the flash-log tests: a deterministic workload, a model of what
 * the log acknowledged, and the post-remount check every power-cut test uses.
 */
import type { Test } from 'tap';
import { VirtualClock } from '../../core/clock.js';
import type { FlashDevice } from '../../core/flash-device.js';
import { FlashProtocolLog, parseGapMarker, type FlashLogOptions } from '../../firmware-sim/flash-log.js';
import type { FormatId, LogEntry, LogRecord } from '../../firmware-sim/protocol-log.js';

/** The small ring the exhaustive tests use: 4 blocks of 1 KiB (≈ 14 entries a block). */
export const SMALL_BLOCK = 1024;
export const SMALL_AREA = { offset: 0, size: 4 * SMALL_BLOCK };

export function mountSmall(device: FlashDevice, clock: VirtualClock, extra: Partial<FlashLogOptions> = {}): FlashProtocolLog {
  return FlashProtocolLog.mount(device, { clock, area: SMALL_AREA, ...extra });
}

const USERS = ['serv', 'pnkm', 'rev', 'amhost', 'system'];
const CIRCLES = ['S', 'A', 'R', '-', '-'];

/** Record number `i` of the workload: lengths vary from a few bytes to ~90 so entries straddle block ends at many offsets. */
export function workloadRecord(i: number, clock: VirtualClock): LogRecord {
  const u = i % USERS.length;
  return {
    time: clock.now() + i * 1000,
    user: USERS[u],
    circle: CIRCLES[u],
    format: ((i % 8) + 1) as FormatId,
    command: `CMD-${i} STNO=${1000 + ((i * 7919) % 9000)} ${'Ä'.repeat(i % 23)}${'x'.repeat((i * 13) % 41)}`,
  };
}

/** What the test knows the log acknowledged. */
export class LogModel {
  acked = new Map<number, LogEntry>();
  /** The record whose append is running now. */
  inflight: LogRecord | undefined;
  /** Records whose append failed (the action was refused): each may be on flash at most once. */
  maybe: LogRecord[] = [];
  markAcked = 0;
  /** A deleteUpTo that had not returned: either outcome is allowed. */
  markInflight: number | undefined;
  next = 0;

  get lastAckedSeq(): number {
    let max = 0;
    for (const s of this.acked.keys()) max = Math.max(max, s);
    return max;
  }
}

/**
 * Run workload steps `model.next` … `end` on `log` until done or the device
 * dies. Every 37th step archives all but the last 5 entries, so the ring
 * wraps both with and without unarchived entries being overwritten.
 * Returns false when a write failed.
 */
export function runWorkload(log: FlashProtocolLog, model: LogModel, clock: VirtualClock, end: number, archiveEvery = 37): boolean {
  while (model.next < end) {
    const i = model.next;
    try {
      if (archiveEvery > 0 && i % archiveEvery === archiveEvery - 1 && log.lastSeq() > 5) {
        const upTo = log.lastSeq() - 5;
        model.markInflight = upTo;
        log.deleteUpTo(upTo, { seq: upTo, hash: upTo.toString(16).padStart(64, '0') });
        model.markAcked = upTo;
        model.markInflight = undefined;
      }
      const rec = workloadRecord(i, clock);
      model.inflight = rec;
      const e = log.append(rec)!;
      model.acked.set(e.seq, e);
      model.inflight = undefined;
    } catch {
      // The action is refused and not retried; its entry may still have landed.
      if (model.inflight) model.maybe.push(model.inflight);
      model.inflight = undefined;
      model.next++;
      return false;
    }
    model.next++;
  }
  return true;
}

function sameRecord(a: LogRecord, b: LogRecord): boolean {
  return a.time === b.time && a.user === b.user && a.circle === b.circle && a.format === b.format && a.command === b.command;
}

/**
 * After a remount: acknowledged entries present byte-exact and in order, at
 * most the in-flight ones extra, no silent holes, gap markers honest, archive
 * mark either the acknowledged one or the in-flight one, and the log
 * writable again. Returns the number of failed checks (0 = fine), reporting
 * only the first failure in detail to keep the output short.
 */
export function checkRemounted(t: Test, log: FlashProtocolLog, model: LogModel, clock: VirtualClock, label: string): boolean {
  const problems: string[] = [];
  const v = log.read();
  const markSeq = log.archiveMark()?.seq ?? 0;
  if (markSeq !== model.markAcked && markSeq !== model.markInflight) problems.push(`archive mark ${markSeq}, expected ${model.markAcked}${model.markInflight ? ` or ${model.markInflight}` : ''}`);
  let gapTo = 0;
  let extra = 0;
  for (let k = 0; k < v.length; k++) {
    const e = v[k];
    if (k > 0 && e.seq !== v[k - 1].seq + 1) problems.push(`hole between seq ${v[k - 1].seq} and ${e.seq}`);
    if (e.seq <= markSeq) problems.push(`archived entry ${e.seq} still shown`);
    const gap = parseGapMarker(e);
    if (gap) {
      gapTo = Math.max(gapTo, gap.to);
      if (gap.to >= e.seq || gap.count !== gap.to - gap.from + 1) problems.push(`gap marker ${e.seq} inconsistent: ${e.command}`);
      if (v.some((x) => x.seq >= gap.from && x.seq <= gap.to)) problems.push(`gap marker ${e.seq} covers entries still shown`);
      continue;
    }
    const want = model.acked.get(e.seq);
    if (want) {
      if (!sameRecord(want, e)) problems.push(`entry ${e.seq} differs: ${e.command} vs ${want.command}`);
    } else if (model.maybe.some((m) => sameRecord(m, e))) {
      extra++;
      if (v.filter((x) => sameRecord(x, e)).length > 1) problems.push(`in-flight entry ${e.command} shown twice`);
    } else {
      problems.push(`entry ${e.seq} was never appended: ${e.command}`);
    }
  }
  if (extra > model.maybe.length) problems.push(`${extra} in-flight entries shown, only ${model.maybe.length} were in flight`);
  const floor = Math.max(markSeq, gapTo);
  for (const [seq] of model.acked) {
    if (seq > floor && !v.some((e) => e.seq === seq)) problems.push(`acknowledged entry ${seq} lost (floor ${floor})`);
  }
  if (v.length > 0 && v[0].seq > floor + 1) problems.push(`silent hole before ${v[0].seq} (floor ${floor})`);
  // Entries the test did not see acknowledged but the flash kept are now facts: adopt them.
  for (const e of v) if (!parseGapMarker(e)) model.acked.set(e.seq, e);
  if (model.markInflight !== undefined && markSeq === model.markInflight) model.markAcked = markSeq;
  model.markInflight = undefined;
  model.maybe = [];
  if (problems.length === 0) {
    const probe = { time: clock.now(), user: 'probe', circle: '-', format: 3 as FormatId, command: `A0-1 after ${label}` };
    try {
      const e = log.append(probe)!;
      const back = log.read(e.seq);
      if (back.length !== 1 || !sameRecord(back[0], probe)) problems.push('probe entry not read back');
      model.acked.set(e.seq, e);
    } catch (err) {
      problems.push(`log not writable again: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) t.fail(`${label}: ${problems.slice(0, 3).join('; ')}`);
  return problems.length === 0;
}
