import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import t from 'tap';

/**
 * The WebAssembly bytes committed in dsp/dtmf-span-kernel-wasm.ts are the
 * compilation of dsp/assembly/dtmf-span-kernel.ts: a change to the kernel's
 * source that was not rebuilt (node scripts/build-dtmf-kernel.mjs) fails here.
 */
t.test('the committed DTMF kernel is its source compiled', async (t) => {
  const r = spawnSync(process.execPath, [resolve('scripts/build-dtmf-kernel.mjs'), '--check'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, `build-dtmf-kernel --check exits 0 (${r.stderr.trim()})`);
  t.match(r.stdout, /matches \(\d+ bytes\)/, 'and says the bytes match');
});
