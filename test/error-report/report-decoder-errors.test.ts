import t, { type Test } from 'tap';
import { crc32 } from 'node:zlib';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { decodeReport, ReportDecodeError, type ReportDecodeErrorCode } from '../../src/centre/report-decoder.js';
import { sampleReport } from '../support/sample-report.js';

const good = encodeReport(sampleReport());

/** Patch bytes and fix the CRC, to reach the checks behind it. */
function patched(at: number, bytes: number[]): Buffer {
  const b = Buffer.from(good);
  b.set(bytes, at);
  b.writeUInt32BE(crc32(b.subarray(0, b.length - 4)), b.length - 4);
  return b;
}

function expectCode(t: Test, input: Uint8Array, code: ReportDecodeErrorCode, what: string): void {
  try {
    decodeReport(input);
    t.fail(`${what}: decoded without error`);
  } catch (err) {
    t.ok(err instanceof ReportDecodeError, `${what}: throws ReportDecodeError`);
    t.equal((err as ReportDecodeError).code, code, `${what}: code ${code} (${(err as Error).message})`);
  }
}

t.test('every truncation of a good report is TRUNCATED', async (t) => {
  const codes = new Set<string>();
  for (let n = 0; n < good.length; n++) {
    try {
      decodeReport(good.subarray(0, n));
    } catch (err) {
      codes.add((err as ReportDecodeError).code);
    }
  }
  t.same([...codes], ['TRUNCATED'], 'all proper prefixes, including the empty one, report truncation');
});

t.test('magic, version, length and CRC are checked with clear errors', async (t) => {
  expectCode(t, Buffer.from('PK\x03\x04 not a report at all, a zip file', 'latin1'), 'BAD_MAGIC', 'zip file');
  expectCode(t, patched(4, [2]), 'BAD_VERSION', 'version 2');
  expectCode(t, Buffer.concat([good, Buffer.of(0)]), 'BAD_LENGTH', 'trailing byte');
  expectCode(t, patched(6, [0, 0, 0, 3]), 'BAD_LENGTH', 'length field below the header size');
  for (const at of [10, 30, good.length - 10, good.length - 1]) {
    const flipped = Buffer.from(good);
    flipped[at] ^= 0x40;
    expectCode(t, flipped, 'BAD_CRC', `bit flip at byte ${at}`);
  }
});

t.test('fields that are well-framed but invalid are BAD_FIELD', async (t) => {
  expectCode(t, patched(5, [1]), 'BAD_FIELD', 'reserved header flags set');
  expectCode(t, patched(26, [9]), 'BAD_FIELD', 'PBX type code 9');
  expectCode(t, patched(10, [0x2f]), 'BAD_FIELD', 'slash in system id');
  expectCode(t, patched(39, [0, 3]), 'BAD_FIELD', 'record count larger than the records present');
  expectCode(t, patched(39, [0, 1]), 'BAD_FIELD', 'record count smaller than the records present');
  const firstRecord = 41 + 1 + 'HE300M.00.001.01'.length;
  expectCode(t, patched(firstRecord + 12, [0x44]), 'BAD_FIELD', 'class byte D');
  expectCode(t, patched(firstRecord + 15, [0x80]), 'BAD_FIELD', 'unknown record flag');
  expectCode(t, patched(firstRecord + 17, [0xff]), 'BAD_FIELD', 'invalid UTF-8 in location');
});
