import { spawnSync } from 'node:child_process';
import t from 'tap';
// Not ../support/plain-children.js: the listener must come from package.json's node-arg, as for every file.
import { withoutTapLoader } from '../support/tap-loader-options.js';

// What a child's NODE_OPTIONS holds and whether tap's loader hook is registered in it.
// (The probe's own text names the loader, so only --import options are looked at, not the whole command line.)
const probe = `const imports = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(' ')].filter((a) => /^"?--import/.test(a)); process.stdout.write(JSON.stringify({ options: process.env.NODE_OPTIONS ?? null, hooked: imports.some((a) => a.includes('processinfo')), heapMiB: Math.round(require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20) }))`;
interface Probe {
  options: string | null;
  hooked: boolean;
  heapMiB: number;
}

t.test('a process a test spawns starts without tap\'s process-info loader, as a user\'s would', async (t) => {
  t.match(process.env.NODE_OPTIONS ?? '', /@tapjs\/processinfo/, 'the test process itself was started with tap\'s loader (so the listener has something to take out)');
  const plain = JSON.parse(spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' }).stdout) as Probe;
  t.equal(plain.hooked, false, 'the child has no --import of tap\'s loader');
  t.equal(plain.options, null, 'and no NODE_OPTIONS at all when tap\'s loader was all it held');
  const own = JSON.parse(spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=200' } }).stdout) as Probe;
  // tap's listener re-quotes each option; what counts is that it is still in effect.
  t.match(own.options, /^"?--max-old-space-size=200"?$/, 'a NODE_OPTIONS the test gives its child is kept');
  t.ok(own.heapMiB > 150 && own.heapMiB < 300, `and is in effect: a heap limit of about 200 MiB (${own.heapMiB})`);
  t.equal(own.hooked, false, 'and tap\'s loader is not added to it');
});

t.test('only tap\'s loader is taken out of NODE_OPTIONS', async (t) => {
  const tap = '--import=file:///x/node_modules/@tapjs/processinfo/dist/esm/import.mjs';
  t.equal(withoutTapLoader(`"${tap}"`), '', 'quoted, alone');
  t.equal(withoutTapLoader(`--enable-source-maps ${tap} --max-old-space-size=64`), '--enable-source-maps --max-old-space-size=64', 'between other options');
  t.equal(withoutTapLoader('--import=./dist/test/support/module-trace.js'), '--import=./dist/test/support/module-trace.js', 'another --import stays');
});
