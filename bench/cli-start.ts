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
 * in the same rounds as a before/after baseline.
 */
const ROUNDS = Number(process.argv[2] ?? 31);
const OTHER = process.argv[3];
/** Each spawn is killed after this; the whole run ends within (ROUNDS + 1) × 3 × it. */
const SPAWN_TIMEOUT_MS = 5_000;
const CLI = join(dirname(fileURLToPath(import.meta.url)), '../bin/hicom-sim.js');
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const wall = (args: string[]): number => timedRun(process.execPath, args, SPAWN_TIMEOUT_MS).ms;

const dir = mkdtempSync(join(tmpdir(), 'cli-start-'));
try {
  const wav = join(dir, 'one-second.wav');
  const tones = generateDtmf(parseDtmfDigits('0123456789'), { onMs: 50, offMs: 50 });
  writeWavFile(wav, tones.samples, { sampleRate: 8000, bitsPerSample: 16 });
  const spawns = OTHER ? 5 : 3;
  process.stdout.write(`cli-start: ${ROUNDS} rounds of node -e 0 / hicom-sim --version / hicom-sim dtmf decode (${(tones.samples.length / 8000).toFixed(1)} s WAV)${OTHER ? ` / the same two of ${OTHER}` : ''}, alternating; ends within ${((ROUNDS + 1) * spawns * SPAWN_TIMEOUT_MS) / 1000} s\n`);
  process.stdout.write(`load average at start: ${load()}\n`);
  const runs = { node: [] as number[], version: [] as number[], decode: [] as number[], otherVersion: [] as number[], otherDecode: [] as number[] };
  const round = (keep: boolean): void => {
    const [n, v, d] = [wall(['-e', '0']), wall([CLI, '--version']), wall([CLI, 'dtmf', 'decode', wav])];
    const [ov, od] = OTHER ? [wall([OTHER, '--version']), wall([OTHER, 'dtmf', 'decode', wav])] : [NaN, NaN];
    if (!keep) return;
    runs.node.push(n);
    runs.version.push(v);
    runs.decode.push(d);
    runs.otherVersion.push(ov);
    runs.otherDecode.push(od);
  };
  round(false); // warm-up, so the page cache holds every file for all three
  for (let i = 0; i < ROUNDS; i++) round(true);
  const base = median(runs.node);
  const ratio = (xs: number[]): string => `ratio ${(median(xs) / base).toFixed(2)}×`;
  process.stdout.write(`node -e 0 (baseline)               ${spread(runs.node, 1)}\n`);
  process.stdout.write(`hicom-sim --version                ${spread(runs.version, 1)}  ${ratio(runs.version)}  (goal ≤ 1.5×)\n`);
  process.stdout.write(`hicom-sim dtmf decode (1 s WAV)    ${spread(runs.decode, 1)}  ${ratio(runs.decode)}  (goal ≤ 2×)\n`);
  if (OTHER) {
    process.stdout.write(`other build: --version              ${spread(runs.otherVersion, 1)}  ${ratio(runs.otherVersion)}\n`);
    process.stdout.write(`other build: dtmf decode (1 s WAV)  ${spread(runs.otherDecode, 1)}  ${ratio(runs.otherDecode)}\n`);
  }
  process.stdout.write(`load average at end: ${load()}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
