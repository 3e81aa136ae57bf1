import t from 'tap';
import { buildApsImage, verifyApsImage } from '../../firmware-sim/aps-image.js';
import { APS_SLOT_OFFSETS, FlashApsStore } from '../../firmware-sim/aps-store.js';
import { FMC_SIZE, PowerCutError } from '../../core/flash-device.js';
import { LOG_AREA } from '../../firmware-sim/flash-log.js';
import { MemoryFlash } from '../../firmware-sim/memory-flash.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { PowerCutFlash } from '../support/power-cut-flash.js';

/** APS images on the FMC: two slots below the log area; a torn store never replaces the running image. */
const image = (v: string, n = 70_000): Buffer => buildApsImage({ version: v, type: PbxType.OfficePro, body: Buffer.alloc(n, v.charCodeAt(10)) });
const header = (img: Buffer) => {
  const c = verifyApsImage(img);
  if (!c.ok) throw new Error(c.error);
  return c.header;
};

t.test('slots lie below the protocol log area', (t) => {
  const store = new FlashApsStore(new MemoryFlash({ size: FMC_SIZE }));
  t.ok(APS_SLOT_OFFSETS[1] + store.capacity < LOG_AREA.offset, 'the second slot ends before the log area');
  t.end();
});

t.test('store, re-mount, store again in the other slot', (t) => {
  const flash = new MemoryFlash({ size: FMC_SIZE });
  const a = image('HE300M.00.002.01');
  new FlashApsStore(flash).store(a, header(a));
  const mounted = new FlashApsStore(new MemoryFlash({ size: FMC_SIZE, bytes: flash.bytes }));
  t.equal(mounted.active()?.version, 'HE300M.00.002.01', 'a re-inserted card boots the stored APS');
  const b = image('HE300M.00.003.01');
  mounted.store(b, header(b));
  t.equal(new FlashApsStore(new MemoryFlash({ size: FMC_SIZE, bytes: flash.bytes })).active()?.version, 'HE300M.00.003.01', 'the newer image wins');
  t.end();
});

t.test('a power cut at any operation of a store leaves the old image active', (t) => {
  const base = new MemoryFlash({ size: FMC_SIZE });
  const a = image('HE300M.00.002.01');
  new FlashApsStore(base).store(a, header(a));
  const b = image('HE300M.00.003.01');
  const counter = new PowerCutFlash(new MemoryFlash({ size: FMC_SIZE, bytes: Uint8Array.from(base.bytes) }));
  new FlashApsStore(counter).store(b, header(b));
  const ops = counter.ops;
  t.ok(ops > 2, `a store takes ${ops} flash operations`);
  for (let cut = 1; cut <= ops; cut++) {
    for (const programBytes of [0, 7]) {
      const copy = new MemoryFlash({ size: FMC_SIZE, bytes: Uint8Array.from(base.bytes) });
      const dev = new PowerCutFlash(copy, { cutAt: cut, programBytes, erase: 'mixed', seed: cut });
      t.throws(() => new FlashApsStore(dev).store(b, header(b)), PowerCutError, `cut at op ${cut}/${programBytes} bytes: the store fails`);
      const after = new FlashApsStore(new MemoryFlash({ size: FMC_SIZE, bytes: copy.bytes })).active()?.version;
      t.equal(after, 'HE300M.00.002.01', `cut at op ${cut} (${programBytes} bytes landed): the old APS is still the active one`);
    }
  }
  t.end();
});
