import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDtmf } from '../dsp/dtmf-generator.js';
import { parseDtmfDigits } from '../dsp/dtmf-tones.js';
import { writeWavFile } from '../src/storage/wav-file.js';
import { spread, timedRun } from '../test/support/process-timing.js';
import { median } from '../test/support/sample-stats.js';

/**
 * How fast the CLI starts, as whole processes against a bare `node -e 0`
 * in the same run (issue 15's goals: `hicom-sim --version` within 1.5×,
 * `hicom-sim dtmf decode` of a 1 s file within 2×). The three run in turn,
 * round after round, so a load change on the shared machine hits all of
 * them alike; medians and the spread (min–max) are printed.
 * Run: npx tsc -p . && node dist/bench/cli-start.js [rounds] [other/dist/bin/hicom-sim.js]
 * The optional second argument is another build of the CLI (e.g. a commit
 * before lazy command loading, unpacked with `git archive` and built), timed
 * in the same rounds as a before/after baseline. Beside the wall times the
 * CPU time of each child (user + system, /proc's 10 ms steps, mean of the
 * rounds) is printed: the load of a shared machine moves it much less.
 */
const ROUNDS = Number(process.argv[2] ?? 31);
const OTHER = process.argv[3];
/** Each spawn is killed after this; the whole run ends within (ROUNDS + 1) × 3 × it. */
const SPAWN_TIMEOUT_MS = 5_000;
const CLI = join(dirname(fileURLToPath(import.meta.url)), '../bin/hicom-sim.js');
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
type Run = { ms: number; cpuMs: number | undefined };
const spawnTimed = (args: string[]): Run => timedRun(process.execPath, args, SPAWN_TIMEOUT_MS);
const NOT_RUN: Run = { ms: NaN, cpuMs: undefined };

const dir = mkdtempSync(join(tmpdir(), 'cli-start-'));
try {
  const wav = join(dir, 'one-second.wav');
  const tones = generateDtmf(parseDtmfDigits('0123456789'), { onMs: 50, offMs: 50 });
  writeWavFile(wav, tones.samples, { sampleRate: 8000, bitsPerSample: 16 });
  const spawns = OTHER ? 5 : 3;
  process.stdout.write(`cli-start: ${ROUNDS} rounds of node -e 0 / hicom-sim --version / hicom-sim dtmf decode (${(tones.samples.length / 8000).toFixed(1)} s WAV)${OTHER ? ` / the same two of ${OTHER}` : ''}, alternating; ends within ${((ROUNDS + 1) * spawns * SPAWN_TIMEOUT_MS) / 1000} s\n`);
  process.stdout.write(`load average at start: ${load()}\n`);
  const runs = { node: [] as Run[], version: [] as Run[], decode: [] as Run[], otherVersion: [] as Run[], otherDecode: [] as Run[] };
  const round = (keep: boolean): void => {
    const [n, v, d] = [spawnTimed(['-e', '0']), spawnTimed([CLI, '--version']), spawnTimed([CLI, 'dtmf', 'decode', wav])];
    const [ov, od] = OTHER ? [spawnTimed([OTHER, '--version']), spawnTimed([OTHER, 'dtmf', 'decode', wav])] : [NOT_RUN, NOT_RUN];
    if (!keep) return;
    runs.node.push(n);
    runs.version.push(v);
    runs.decode.push(d);
    runs.otherVersion.push(ov);
    runs.otherDecode.push(od);
  };
  round(false); // warm-up, so the page cache holds every file for all three
  for (let i = 0; i < ROUNDS; i++) round(true);
  const ms = (xs: Run[]): number[] => xs.map((r) => r.ms);
  const cpuMean = (xs: Run[]): number => xs.reduce((sum, r) => sum + (r.cpuMs ?? NaN), 0) / xs.length;
  const base = median(ms(runs.node));
  const baseCpu = cpuMean(runs.node);
  const line = (label: string, xs: Run[], goal = ''): string =>
    `${label.padEnd(35)}${spread(ms(xs), 1)}  ratio ${(median(ms(xs)) / base).toFixed(2)}×${goal}  CPU mean ${cpuMean(xs).toFixed(1)} ms = ${(cpuMean(xs) / baseCpu).toFixed(2)}×\n`;
  process.stdout.write(`${'node -e 0 (baseline)'.padEnd(35)}${spread(ms(runs.node), 1)}  CPU mean ${baseCpu.toFixed(1)} ms\n`);
  process.stdout.write(line('hicom-sim --version', runs.version, '  (goal ≤ 1.5×)'));
  process.stdout.write(line('hicom-sim dtmf decode (1 s WAV)', runs.decode, '  (goal ≤ 2×)'));
  if (OTHER) {
    process.stdout.write(line('other build: --version', runs.otherVersion));
    process.stdout.write(line('other build: dtmf decode (1 s WAV)', runs.otherDecode));
  }
  process.stdout.write(`load average at end: ${load()}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
