/**
 * The protocol log of spec §3.8 kept in the reserved area of the FMC (the
 * second-to-last MB of a 10 MB card), as a ring of erase blocks. The byte
 * layout and the recovery rules are in docs/flash-log.md.
 *
 * Durability: a record is programmed whole with its commit byte still
 * erased, then the commit byte is programmed; only committed records are
 * shown, so a power cut at any byte never shows a torn entry and loses at
 * most the entry whose `append` had not returned.
 */
import type { Clock } from '../core/clock.js';
import { findRing, ringOrder } from './block-ring.js';
import { FMC_SIZE, MB, type FlashDevice } from '../core/flash-device.js';
import {
  BLOCK_HEADER_SIZE, COMMIT, encodeBlockHeader, encodeRecord, MAX_USER_BYTES, parseBlockHeader,
  RECORD_HEAD_SIZE, RECORD_TAIL_SIZE, RecordType, scanRecord, type BlockHeader, type FlashRecord,
} from './flash-log-format.js';
import { LogAppendError, REVISOR_ALARM_FILL, logEntry, type ArchiveMark, type FormatId, type LogEntry, type LogRecord, type ProtocolLog } from './protocol-log.js';

/** Seed manual: "Wird ein Füllstand von circa 80 Prozent überschritten, wird ein Klasse-A Fehler ausgelöst." */
export { REVISOR_ALARM_FILL };
/** Seed manual: "Das vorletzte MB der Flash Memory Card ist für die Protokollierung reserviert." */
export const LOG_AREA = { offset: FMC_SIZE - 2 * MB, size: MB } as const;
/** Gap markers are shown as maintenance entries of the PBX itself. */
export const GAP_FORMAT: FormatId = 6;
export const GAP_USER = 'system';

const MAX_SEQ = 0xffff_ffff;
const EMPTY_HASH = new Uint8Array(32);
const GAP_TEXT = /^LOG-GAP (\d+) entries overwritten unarchived \(seq (\d+)-(\d+)\)$/;

export interface GapInfo {
  from: number;
  to: number;
  count: number;
}

export interface FlashLogOptions {
  /** Time for the entries the log writes itself (gap markers). */
  clock: Clock;
  /** Log area on the device; default the second-to-last MB of a 10 MB FMC. Tests use a smaller ring. */
  area?: { offset: number; size: number };
  /** Fires once each time the fill rises to REVISOR_ALARM_FILL or above (and at mount if it is above). */
  onRevisorAlarm?: (fill: number) => void;
  /** Fires when entries are erased unarchived to make room (the marker entry is already written). */
  onEntriesOverwritten?: (gap: GapInfo) => void;
  /** blockSeq of the first block of a new log; only for tests of sequence wrap-around. */
  initialBlockSeq?: number;
}

export type MountState = 'new' | 'continued' | 'unavailable';

export interface MountReport {
  state: MountState;
  /** Why there is no log (no card, card too small); the caller says it once. */
  reason?: string;
  /** Blocks whose header was unreadable (not erased, not valid). */
  corruptBlocks: number[];
  /** A gap found at mount (cut between erasing a block and writing its marker) and recorded now. */
  recoveredGap?: GapInfo;
}

/** The overwrite marker's command text; `parseGapMarker` reads it back. */
export function gapMarkerText(from: number, to: number): string {
  return `LOG-GAP ${to - from + 1} entries overwritten unarchived (seq ${from}-${to})`;
}

/** The range a gap marker entry reports, or undefined for any other entry. */
export function parseGapMarker(e: LogEntry): GapInfo | undefined {
  if (e.user !== GAP_USER || e.format !== GAP_FORMAT) return undefined;
  const m = GAP_TEXT.exec(e.command);
  return m ? { count: Number(m[1]), from: Number(m[2]), to: Number(m[3]) } : undefined;
}

function hexToBytes(hex: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new LogAppendError(`archive mark hash must be 64 hex digits, got "${hex}"`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export class FlashProtocolLog implements ProtocolLog {
  readonly available: boolean;
  #mount: MountReport;
  readonly #dev: FlashDevice | undefined;
  readonly #opt: FlashLogOptions;
  readonly #areaBlock0: number;
  readonly #blocks: number;
  readonly #bs: number;
  /** Valid header per ring slot; undefined = erased, corrupt or not yet known. */
  #headers: Array<BlockHeader | undefined> = [];
  #newest: number | undefined;
  #writePos = 0;
  #nextSeq = 1;
  #markSeq = 0;
  #markHash: Uint8Array = EMPTY_HASH;
  #lostUpTo = 0;
  #alarm = false;
  #olderLiveBlocks = 0;
  /** Set after a failed write: the next call re-reads the state from flash first. */
  #stale = false;

  /** Mount the log on `device` (undefined = no FMC plugged). Never throws for a missing or small card. */
  static mount(device: FlashDevice | undefined, options: FlashLogOptions): FlashProtocolLog {
    return new FlashProtocolLog(device, options);
  }

  private constructor(device: FlashDevice | undefined, options: FlashLogOptions) {
    this.#opt = options;
    const area = options.area ?? LOG_AREA;
    this.#bs = device?.blockSize ?? 1;
    this.#areaBlock0 = Math.floor(area.offset / this.#bs);
    this.#blocks = Math.floor(area.size / this.#bs);
    const reason = FlashProtocolLog.#unusable(device, area, options.area !== undefined);
    this.available = reason === undefined;
    this.#dev = this.available ? device : undefined;
    this.#mount = { state: 'unavailable', reason, corruptBlocks: [] };
    if (this.available) {
      this.#remount();
      this.#checkAlarm();
    }
  }

  static #unusable(device: FlashDevice | undefined, area: { offset: number; size: number }, custom: boolean): string | undefined {
    if (device === undefined) return 'no flash memory card: protocol log disabled';
    if (!custom && device.size < FMC_SIZE) return `flash memory card has ${device.size} bytes, protocol log needs a 10 MB card: protocol log disabled`;
    const bs = device.blockSize;
    if (area.offset % bs !== 0 || area.size % bs !== 0 || area.offset + area.size > device.size) return `log area ${area.offset}+${area.size} does not fit the card's ${bs}-byte blocks`;
    if (area.size / bs < 2) return 'log area needs at least 2 erase blocks';
    if (bs - BLOCK_HEADER_SIZE > 0xffff) return `erase block of ${bs} bytes is larger than the layout's 16-bit record lengths allow`;
    return undefined;
  }

  get mountReport(): MountReport {
    return { ...this.#mount, corruptBlocks: [...this.#mount.corruptBlocks] };
  }

  /** True while the fill is at or above REVISOR_ALARM_FILL. */
  get revisorAlarm(): boolean {
    return this.#alarm;
  }

  append(record: LogRecord): LogEntry | undefined {
    if (!this.available) return undefined;
    if (Buffer.byteLength(record.user) > MAX_USER_BYTES) throw new LogAppendError(`user name longer than ${MAX_USER_BYTES} bytes`);
    if (!Number.isInteger(record.format) || record.format < 1 || record.format > 8) throw new LogAppendError(`unknown format id ${String(record.format)}`);
    if (record.circle.length !== 1 || record.circle.charCodeAt(0) > 0x7e) throw new LogAppendError(`circle must be one ASCII letter or '-', got "${record.circle}"`);
    if (!Number.isFinite(record.time)) throw new LogAppendError('entry time is not a number');
    const commandBytes = Buffer.byteLength(record.command);
    const size = RECORD_HEAD_SIZE + Buffer.byteLength(record.user) + commandBytes + RECORD_TAIL_SIZE;
    if (size > this.#bs - BLOCK_HEADER_SIZE) throw new LogAppendError(`command of ${commandBytes} bytes does not fit a log block`);
    return this.#guard(() => {
      if (this.#nextSeq > MAX_SEQ) throw new LogAppendError('log sequence numbers exhausted');
      this.#ensureRoom(size);
      const seq = this.#nextSeq;
      this.#write({ type: RecordType.Entry, format: record.format, seq, time: record.time, circle: record.circle, user: record.user, body: record.command });
      return logEntry(record, seq);
    });
  }

  read(fromSeq = 0, limit = Infinity): LogEntry[] {
    const out: LogEntry[] = [];
    if (!this.available || this.#newest === undefined || limit <= 0) return out;
    const slots = this.#ringOrder();
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      const nextFirst = i + 1 < slots.length ? this.#headers[slots[i + 1]]!.firstSeq : Infinity;
      if (nextFirst <= Math.max(fromSeq, this.#markSeq + 1)) continue;
      const end = slot === this.#newest ? this.#writePos : this.#bs;
      this.#scanBlock(slot, end, (r) => {
        if (r.type === RecordType.Mark || r.seq <= this.#markSeq || r.seq < fromSeq) return true;
        out.push(this.#toEntry(r));
        return out.length < limit;
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  deleteUpTo(seq: number, mark: ArchiveMark): number {
    if (!this.available) return 0;
    if (!Number.isInteger(seq) || seq < 0 || seq > this.lastSeq()) throw new LogAppendError(`cannot delete up to ${seq}: last entry is ${this.lastSeq()}`);
    const hash = hexToBytes(mark.hash);
    if (mark.seq !== seq) throw new LogAppendError(`archive mark is for seq ${mark.seq}, not ${seq}`);
    if (seq < this.#markSeq) throw new LogAppendError(`entries up to ${this.#markSeq} are already deleted`);
    const deleted = this.read(this.#markSeq + 1).filter((e) => e.seq <= seq).length;
    this.#guard(() => {
      const body = hash;
      this.#ensureRoom(RECORD_HEAD_SIZE + body.length + RECORD_TAIL_SIZE);
      this.#write({ type: RecordType.Mark, format: 0, seq, time: 0, circle: '-', user: '', body });
    });
    return deleted;
  }

  archiveMark(): ArchiveMark | undefined {
    if (this.#markSeq === 0) return undefined;
    return { seq: this.#markSeq, hash: Buffer.from(this.#markHash).toString('hex') };
  }

  /** Used fraction of the ring, counted in whole blocks except the newest (see docs/flash-log.md). */
  fill(): number {
    if (this.#newest === undefined) return 0;
    const usable = this.#bs - BLOCK_HEADER_SIZE;
    const newest = this.lastSeq() > this.#markSeq ? this.#writePos - BLOCK_HEADER_SIZE : 0;
    return (this.#olderLiveBlocks * usable + newest) / (usable * this.#blocks);
  }

  /** Blocks before the newest that still hold unarchived entries; recounted when the ring or the mark moves. */
  #countOlderLive(): void {
    const slots = this.#ringOrder();
    let n = 0;
    for (let i = 0; i < slots.length - 1; i++) if (this.#headers[slots[i + 1]]!.firstSeq - 1 > this.#markSeq) n++;
    this.#olderLiveBlocks = n;
  }

  lastSeq(): number {
    return this.#nextSeq - 1;
  }

  /** Per-block wear of the log area (erase counts), for the benchmark and service display. */
  areaErases(): number[] {
    return this.#dev ? this.#dev.stats().erases.slice(this.#areaBlock0, this.#areaBlock0 + this.#blocks) : [];
  }

  /** Run a write; on failure remember to re-read flash and report LogAppendError. */
  #guard<T>(fn: () => T): T {
    try {
      if (this.#stale) this.#remount();
      if (this.#stale) throw new LogAppendError('protocol log medium is failing: could not record a gap found on flash');
      const result = fn();
      this.#checkAlarm();
      return result;
    } catch (err) {
      this.#stale = true;
      if (err instanceof LogAppendError) throw err;
      throw new LogAppendError(`protocol log write failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Read headers of all blocks plus the newest block's records; no writes unless a gap must be recorded. */
  #remount(): void {
    const corrupt: number[] = [];
    const read: Array<BlockHeader | undefined> = [];
    for (let i = 0; i < this.#blocks; i++) {
      const h = parseBlockHeader(this.#dev!.read(this.#offset(i), BLOCK_HEADER_SIZE));
      if (h === 'corrupt') corrupt.push(i);
      read.push(typeof h === 'string' ? undefined : h);
    }
    ({ newest: this.#newest, headers: this.#headers } = findRing(read, (h) => h.blockSeq));
    this.#stale = false;
    this.#nextSeq = 1;
    this.#markSeq = 0;
    this.#markHash = EMPTY_HASH;
    this.#lostUpTo = 0;
    this.#olderLiveBlocks = 0;
    this.#mount = { state: this.#newest === undefined ? 'new' : 'continued', corruptBlocks: corrupt };
    if (this.#newest !== undefined) {
      const h = this.#headers[this.#newest]!;
      this.#nextSeq = h.firstSeq;
      this.#markSeq = h.markSeq;
      this.#markHash = h.markHash;
      this.#lostUpTo = h.lostUpTo;
      // A torn record ends the block for writing: the next append starts a fresh block.
      this.#writePos = this.#bs;
      const end = this.#scanBlock(this.#newest, this.#bs, (r) => {
        this.#apply(r);
        return true;
      });
      if (end.free) this.#writePos = end.pos;
      this.#countOlderLive();
      const gap = this.#gapRange();
      if (gap) {
        try {
          this.#writeGap();
          this.#mount.recoveredGap = gap;
        } catch {
          // Mounting must not fail on a bad write: the next append retries the marker or reports the failure.
          this.#stale = true;
        }
      }
    }
  }

  /** Walk committed records of a block; stops at free space, a torn record, `end`, or when `visit` returns false. */
  #scanBlock(slot: number, end: number, visit: (r: FlashRecord) => boolean): { pos: number; free: boolean } {
    const block = Buffer.from(this.#dev!.read(this.#offset(slot), end));
    let pos = BLOCK_HEADER_SIZE;
    while (pos < end) {
      const s = scanRecord(block, pos);
      if (s.kind === 'free') return { pos, free: true };
      if (s.kind === 'torn') return { pos, free: false };
      pos += s.length;
      if (s.committed && !visit(s.record)) return { pos, free: false };
    }
    return { pos, free: false };
  }

  /** Update the in-RAM state for a committed record of the newest block. */
  #apply(r: Omit<FlashRecord, 'body'> & { body: Uint8Array | string }): void {
    if (r.type === RecordType.Mark) {
      this.#markSeq = r.seq;
      this.#markHash = typeof r.body === 'string' ? EMPTY_HASH : r.body.slice(0, 32);
      this.#countOlderLive();
      return;
    }
    this.#nextSeq = Math.max(this.#nextSeq, r.seq + 1);
    if (r.type === RecordType.Gap && typeof r.body !== 'string') this.#lostUpTo = Math.max(this.#lostUpTo, new DataView(r.body.buffer, r.body.byteOffset).getUint32(4, true));
  }

  #toEntry(r: FlashRecord): LogEntry {
    if (r.type === RecordType.Gap) {
      const v = new DataView(r.body.buffer, r.body.byteOffset);
      return { seq: r.seq, time: r.time, user: GAP_USER, circle: '-', format: GAP_FORMAT, command: gapMarkerText(v.getUint32(0, true), v.getUint32(4, true)) };
    }
    return { seq: r.seq, time: r.time, user: r.user, circle: r.circle, format: r.format as FormatId, command: new TextDecoder().decode(r.body) };
  }

  /** Valid ring slots from oldest to newest. */
  #ringOrder(): number[] {
    return ringOrder(this.#headers, this.#newest);
  }

  /** Seqs that are gone (erased block) but neither archived nor covered by a marker yet. */
  #gapRange(): GapInfo | undefined {
    const slots = this.#ringOrder();
    if (slots.length === 0) return undefined;
    const oldestFirst = this.#headers[slots[0]]!.firstSeq;
    const floor = Math.max(this.#markSeq, this.#lostUpTo);
    return oldestFirst - 1 > floor ? { from: floor + 1, to: oldestFirst - 1, count: oldestFirst - 1 - floor } : undefined;
  }

  #ensureRoom(size: number): void {
    if (this.#newest === undefined || this.#writePos + size > this.#bs) this.#startNextBlock();
  }

  /**
   * Erase the slot after the newest (the oldest, when the ring is full) and
   * start it. Entries in it that were not archived are counted in a gap
   * marker written as the new block's first record.
   */
  #startNextBlock(): void {
    const slot = this.#newest === undefined ? 0 : (this.#newest + 1) % this.#blocks;
    const blockSeq = this.#newest === undefined ? (this.#opt.initialBlockSeq ?? 1) >>> 0 : (this.#headers[this.#newest]!.blockSeq + 1) >>> 0;
    this.#headers[slot] = undefined;
    this.#dev!.erase(this.#areaBlock0 + slot);
    const header: BlockHeader = { blockSeq, firstSeq: this.#nextSeq, markSeq: this.#markSeq, markHash: this.#markHash, lostUpTo: this.#lostUpTo };
    this.#dev!.program(this.#offset(slot), encodeBlockHeader(header));
    this.#headers[slot] = header;
    this.#newest = slot;
    this.#writePos = BLOCK_HEADER_SIZE;
    this.#countOlderLive();
    this.#writeGap();
  }

  #writeGap(): void {
    const gap = this.#gapRange();
    if (!gap) return;
    const body = new Uint8Array(8);
    new DataView(body.buffer).setUint32(0, gap.from, true);
    new DataView(body.buffer).setUint32(4, gap.to, true);
    const size = RECORD_HEAD_SIZE + GAP_USER.length + body.length + RECORD_TAIL_SIZE;
    if (this.#writePos + size > this.#bs) {
      this.#startNextBlock(); // writes the (then larger) gap itself
      return;
    }
    this.#write({ type: RecordType.Gap, format: GAP_FORMAT, seq: this.#nextSeq, time: this.#opt.clock.now(), circle: '-', user: GAP_USER, body });
    this.#opt.onEntriesOverwritten?.(gap);
  }

  /** Program the record, then its commit byte; advance the RAM state only when both are durable. */
  #write(r: Omit<FlashRecord, 'body'> & { body: Uint8Array | string }): void {
    const bytes = encodeRecord(r);
    const at = this.#offset(this.#newest!) + this.#writePos;
    this.#dev!.program(at, bytes);
    this.#dev!.program(at + bytes.length - 1, Uint8Array.of(COMMIT));
    this.#writePos += bytes.length;
    this.#apply(r);
  }

  #checkAlarm(): void {
    const f = this.fill();
    const active = f >= REVISOR_ALARM_FILL;
    if (active && !this.#alarm) this.#opt.onRevisorAlarm?.(f);
    this.#alarm = active;
  }

  #offset(slot: number): number {
    return (this.#areaBlock0 + slot) * this.#bs;
  }
}
