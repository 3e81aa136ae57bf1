import t from 'tap';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlashError } from '../../core/flash-device.js';
import { FileFlash } from '../../src/storage/file-flash.js';

t.test('a missing image is created erased; writes reach the file', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'fmc.img');
  const f = new FileFlash(path);
  t.equal(statSync(path).size, 10 * 1024 * 1024, 'image is 10 MB, the FMC of spec §3.8');
  f.program(100, Uint8Array.of(0x12, 0x34));
  f.erase(1);
  f.close();
  const bytes = readFileSync(path);
  t.same([bytes[99], bytes[100], bytes[101]], [0xff, 0x12, 0x34], 'programmed bytes are in the file');
  const g = new FileFlash(path);
  t.same([...g.read(100, 2)], [0x12, 0x34], 'reopening sees them');
  t.throws(() => g.program(100, Uint8Array.of(0xff)), FlashError, 'NOR rule holds on the file image too');
  g.close();
});

t.test('wrong-sized or unreadable images are clear errors', async (t) => {
  const dir = t.testdir({ 'small.img': 'abc' });
  t.throws(() => new FileFlash(join(dir, 'small.img')), { name: 'FlashError', message: /is 3 bytes, expected 10485760/ }, 'size mismatch named');
  writeFileSync(join(dir, 'x'), '');
  t.throws(() => new FileFlash(join(dir, 'x', 'fmc.img')), { name: 'FlashError', message: /cannot create FMC image/ }, 'path under a file');
});
