import t from 'tap';
import { FlashError } from '../../core/flash-device.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';

t.test('NOR semantics: program clears bits, setting a bit is an error, erase restores 0xFF', async (t) => {
  const f = new MemoryFlash({ size: 4096, blockSize: 1024 });
  t.same([...f.read(0, 2)], [0xff, 0xff], 'a new device reads erased');
  f.program(10, Uint8Array.of(0xf0, 0x0f));
  f.program(10, Uint8Array.of(0x30));
  t.same([...f.read(10, 2)], [0x30, 0x0f], 'programming only cleared bits');
  t.throws(() => f.program(10, Uint8Array.of(0xff)), FlashError, 'setting a bit back to 1 without erase is refused');
  t.same([...f.read(10, 1)], [0x30], 'the refused program left nothing behind');
  f.erase(0);
  t.same([...f.read(10, 2)], [0xff, 0xff], 'erase sets the block to 0xFF');
  t.same(f.stats().erases, [1, 0, 0, 0], 'erase counted on its block');
  t.same(f.stats().programs[0], 2, 'programs counted per block');
});

t.test('accesses outside the device are clear errors', async (t) => {
  const f = new MemoryFlash({ size: 2048, blockSize: 1024 });
  t.throws(() => f.read(2040, 16), FlashError, 'read past the end');
  t.throws(() => f.program(-1, Uint8Array.of(0)), FlashError, 'negative offset');
  t.throws(() => f.erase(2), FlashError, 'block past the end');
  t.throws(() => new MemoryFlash({ size: 1000, blockSize: 1024 }), FlashError, 'size not a multiple of the block size');
});
