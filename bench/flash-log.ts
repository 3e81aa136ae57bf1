/**
 * Flash protocol log figures (docs/perf.md "## Flash log"): appends/s on the
 * in-memory and the fdatasync'd file image, mount time of a full 1 MB log,
 * recovery time after a power cut, erases per MB appended.
 * Run: npx tsc -p . && node dist/bench/flash-log.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../core/clock.js';
import { MB } from '../core/flash-device.js';
import { FlashProtocolLog } from '../firmware-sim/flash-log.js';
import { MemoryFlash } from '../firmware-sim/memory-flash.js';
import { PowerCutFlash } from '../test/support/power-cut-flash.js';
import { type FormatId, type LogRecord, type ProtocolLog } from '../firmware-sim/protocol-log.js';
import { FileFlash } from '../src/storage/file-flash.js';
import { median } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';

/** Measured 6 s on the loaded 2-core box. */
bound('flash-log', 120);

const clock = new VirtualClock();
/** ≈ 64-byte records on flash, the seed manual's mean entry size. */
const records: LogRecord[] = Array.from({ length: 1024 }, (_, i) => ({
  time: clock.now() + i, user: ['serv', 'pnkm', 'rev'][i % 3], circle: ['S', 'A', 'R'][i % 3], format: ((i % 8) + 1) as FormatId,
  command: `AMO-SBCSU STNO=${1000 + i} NAME=${'x'.repeat(i % 20)}`,
}));

function appendRate(log: ProtocolLog, n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) log.append(records[i & 1023]);
  return n / ((performance.now() - t0) / 1000);
}

const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Baseline: the bare device doing what one append must (program 64 bytes, then the commit byte), no log logic. */
function rawDeviceRate(n: number): number {
  const dev = new MemoryFlash();
  const rec = new Uint8Array(64).fill(0x11);
  const t0 = performance.now();
  for (let i = 0, at = 0; i < n; i++, at += 64) {
    if (at + 64 > MB) at = 0;
    if (at % dev.blockSize === 0) dev.erase(at / dev.blockSize);
    dev.program(at, rec.subarray(0, 63));
    dev.program(at + 63, Uint8Array.of(0x5a));
  }
  return n / ((performance.now() - t0) / 1000);
}
rawDeviceRate(50_000);
const baseline = rawDeviceRate(200_000);

const card = new MemoryFlash();
const memLog = FlashProtocolLog.mount(card, { clock });
appendRate(memLog, 50_000); // warm-up, also fills and wraps the ring
const memRate = appendRate(memLog, 200_000);
const bytesPerEntry = (1024 * 1024 * memLog.fill()) / memLog.read().length;

const dir = mkdtempSync(join(tmpdir(), 'flash-bench-'));
const file = new FileFlash(join(dir, 'fmc.img'));
const fileLog = FlashProtocolLog.mount(file, { clock });
const fileRate = appendRate(fileLog, 300);
file.close();
rmSync(dir, { recursive: true });

// Mount of a full log (headers + newest block), median of 20.
const mounts: number[] = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  FlashProtocolLog.mount(new MemoryFlash({ bytes: card.bytes }), { clock });
  mounts.push(performance.now() - t0);
}

// Recovery after a cut in the middle of a record: mount + first append.
const recoveries: number[] = [];
for (let i = 0; i < 20; i++) {
  const c = new MemoryFlash({ bytes: card.bytes.slice() });
  const cut = new PowerCutFlash(c, { cutAt: 1, programBytes: 20 });
  try {
    FlashProtocolLog.mount(cut, { clock }).append(records[i]);
  } catch {
    // the cut
  }
  const t0 = performance.now();
  FlashProtocolLog.mount(new MemoryFlash({ bytes: c.bytes }), { clock }).append(records[i + 1]);
  recoveries.push(performance.now() - t0);
}

// Erases per MB appended: on a fresh card, 3 MB of entries.
const wear = new MemoryFlash();
const wearLog = FlashProtocolLog.mount(wear, { clock });
const n = Math.round((3 * 1024 * 1024) / bytesPerEntry);
for (let i = 0; i < n; i++) wearLog.append(records[i & 1023]);
const erases = wear.stats().erases.reduce((a, b) => a + b, 0);

const rows: Array<[string, string]> = [
  ['appends/s, in-memory FMC image', `${fmt(memRate)} (goal ≥ 200,000; bare device floor ${fmt(baseline)}, log/floor ${fmt(memRate / baseline, 2)})`],
  ['appends/s, file image with fdatasync', fmt(fileRate)],
  ['mean bytes on flash per entry', fmt(bytesPerEntry, 1)],
  ['mount of a full 1 MB log, median of 20', `${fmt(median(mounts), 2)} ms (goal < 20 ms)`],
  ['recovery after a cut mid-record (mount + first append), median', `${fmt(median(recoveries), 2)} ms`],
  ['erases per MB appended', `${fmt(erases / 3, 1)} (64 KiB blocks: 16 is the floor)`],
];
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(64)} ${v}\n`);
