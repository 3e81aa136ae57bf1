import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: every benchmark in this folder, one after the other, each
 * in its own process so one's heap and JIT state do not colour the next.
 * Arguments after `--` pick benchmarks by name: `npm run bench -- dtmf x75`.
 */
const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run-all.js')
  .map((f) => f.replace(/\.js$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name));
if (benches.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(', ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const name of benches) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const run = spawnSync(process.execPath, [join(here, `${name}.js`)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    process.stdout.write(`${name}: exited with ${run.status ?? run.signal}\n`);
  }
}
process.exit(failed ? 1 : 0);
