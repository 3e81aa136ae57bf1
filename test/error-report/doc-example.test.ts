import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { encodeFrame } from '../../firmware-sim/report-frame.js';
import { decodeReport } from '../../src/centre/report-decoder.js';
import { hexDump } from '../support/hex-dump.js';
import { sampleReport } from '../support/sample-report.js';

const doc = readFileSync(join(process.cwd(), 'docs/error-report.md'), 'utf8');

function block(name: string): string {
  const m = new RegExp(`<!-- begin ${name} -->\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\`\\n<!-- end ${name} -->`).exec(doc);
  if (!m) throw new Error(`docs/error-report.md has no ${name} block`);
  return m[1];
}

t.test('the hex example in the doc is the report the encoder produces', async (t) => {
  const bytes = encodeReport(sampleReport());
  t.equal(block('sample-report-hex'), hexDump(bytes), 'doc hex dump matches the encoder byte for byte');
  const fromDoc = Buffer.from(block('sample-report-hex').split('\n').map((l) => l.slice(6, 53)).join(' ').replace(/\s+/g, ''), 'hex');
  t.same(decodeReport(fromDoc), sampleReport(), 'the bytes copied from the doc decode to the described report');
});

t.test('the frame example in the doc matches the frame codec', async (t) => {
  const frame = encodeFrame(encodeReport(sampleReport()));
  const hex = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  t.equal(block('sample-frame-hex'), `${hex(frame.subarray(0, 12))} <the 138 bytes above> ${hex(frame.subarray(frame.length - 4))}`, 'frame header and CRC as documented');
});

t.test('the CRC is the documented CRC-32 (check value of "123456789")', async (t) => {
  t.equal(crc32('123456789'), 0xcbf43926, 'node:zlib crc32 is CRC-32/ISO-HDLC');
  t.match(doc, /0xCBF43926/, 'the doc states that check value');
});
