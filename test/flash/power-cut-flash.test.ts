import t from 'tap';
import { PowerCutError } from '../../core/flash-device.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import { PowerCutFlash } from '../support/power-cut-flash.js';

t.test('the N-th program is torn after m bytes and the device is dead afterwards', async (t) => {
  const inner = new MemoryFlash({ size: 2048, blockSize: 1024 });
  const f = new PowerCutFlash(inner, { cutAt: 2, programBytes: 2 });
  f.program(0, Uint8Array.of(1, 2, 3, 4));
  t.throws(() => f.program(4, Uint8Array.of(5, 6, 7, 8)), PowerCutError, 'the second op cuts power');
  t.same([...inner.bytes.subarray(0, 8)], [1, 2, 3, 4, 5, 6, 0xff, 0xff], 'first op whole, 2 bytes of the second');
  t.throws(() => f.read(0, 1), PowerCutError, 'a dead device refuses even reads');
  const again = new MemoryFlash({ bytes: inner.bytes, blockSize: 1024 });
  t.same([...again.read(4, 2)], [5, 6], 'a device re-created over the same bytes sees what landed');
});

t.test('a cut erase leaves nothing, everything or a mix', async (t) => {
  for (const mode of ['none', 'all', 'mixed'] as const) {
    const inner = new MemoryFlash({ size: 2048, blockSize: 1024 });
    inner.program(0, new Uint8Array(1024));
    const f = new PowerCutFlash(inner, { cutAt: 1, erase: mode, seed: 7 });
    t.throws(() => f.erase(0), PowerCutError, `${mode}: the erase is cut`);
    const erased = inner.bytes.subarray(0, 1024).filter((b) => b === 0xff).length;
    if (mode === 'none') t.equal(erased, 0, 'none: no byte erased');
    if (mode === 'all') t.equal(erased, 1024, 'all: every byte erased');
    if (mode === 'mixed') t.ok(erased > 100 && erased < 924, `mixed: ${erased} of 1024 bytes erased`);
  }
});

t.test('without a plan the wrapper only counts operations', async (t) => {
  const f = new PowerCutFlash(new MemoryFlash({ size: 2048, blockSize: 1024 }));
  f.program(0, Uint8Array.of(0));
  f.erase(1);
  t.equal(f.ops, 2, 'program and erase counted');
  t.notOk(f.dead, 'still powered');
});
