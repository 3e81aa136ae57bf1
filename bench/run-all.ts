import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: every benchmark in this folder, one after the other, each
 * in its own process so one's heap and JIT state do not colour the next.
 * Arguments after `--` pick benchmarks by name: `npm run bench -- dtmf x75`.
 *
 * Every benchmark prints the bound it ends within ("ends within N s", or
 * "… about N minutes") among its first lines; one that runs past its bound
 * (with a grace of half the bound, for a loaded machine), or prints none
 * within DEFAULT_BOUND_S, is stopped and counted as failed, so the whole
 * run always comes to an end.
 */
const here = dirname(fileURLToPath(import.meta.url));
/** How long a benchmark may run before it has printed its bound. */
const DEFAULT_BOUND_S = 60;
const GRACE = 1.5;
const BOUND = /ends within (?:about )?(\d+) (s|seconds|min|minutes)\b/;

const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run-all.js')
  .map((f) => f.replace(/\.js$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name));
if (benches.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(', ')}\n`);
  process.exit(2);
}

/** Run one benchmark with its output passed through; resolves with a failure text, or undefined when it ended well. */
function runBench(name: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', join(here, `${name}.js`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let boundS: number | undefined;
    let timer = setTimeout(() => stop(`printed no bound within ${DEFAULT_BOUND_S} s`), DEFAULT_BOUND_S * 1000);
    let stopped: string | undefined;
    const stop = (why: string): void => {
      stopped = why;
      child.kill('SIGKILL');
    };
    let head = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (boundS !== undefined) return;
      head += chunk.toString('utf8');
      const m = BOUND.exec(head);
      if (!m) return;
      boundS = Number(m[1]) * (m[2].startsWith('m') ? 60 : 1);
      clearTimeout(timer);
      timer = setTimeout(() => stop(`ran past its bound of ${boundS} s (stopped after ${Math.round(boundS! * GRACE)} s)`), boundS * GRACE * 1000);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (stopped) resolve(stopped);
      else if (code !== 0) resolve(`exited with ${code ?? signal}`);
      else resolve(boundS === undefined ? 'printed no bound' : undefined);
    });
  });
}

let failed = 0;
for (const name of benches) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const failure = await runBench(name);
  if (failure) {
    failed++;
    process.stdout.write(`${name}: ${failure}\n`);
  }
}
process.exit(failed ? 1 : 0);
