import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDtmf } from '../dsp/dtmf-generator.js';
import { parseDtmfDigits } from '../dsp/dtmf-tones.js';
import { writeWavFile } from '../src/storage/wav-file.js';

/**
 * How fast the CLI starts, as whole processes against a bare `node -e 0`
 * in the same run (issue 15's goals: `hicom-sim --version` within 1.5×,
 * `hicom-sim dtmf decode` of a 1 s file within 2×). The three are run in
 * turn, round after round, so a load change on the shared machine hits all
 * of them alike; medians and the spread (min–max) are printed.
 * Run: npx tsc -p . && node dist/bench/cli-start.js [rounds]
 */
const ROUNDS = Number(process.argv[2] ?? 21);
/** Each spawn is killed after this; the whole run ends within ROUNDS × 3 × it. */
const SPAWN_TIMEOUT_MS = 5_000;
const CLI = join(dirname(fileURLToPath(import.meta.url)), '../bin/hicom-sim.js');

function wall(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: SPAWN_TIMEOUT_MS });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function summary(name: string, xs: number[], base?: number): string {
  const m = median(xs);
  return `${name.padEnd(34)} median ${m.toFixed(1).padStart(6)} ms  (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})${base ? `  ratio ${(m / base).toFixed(2)}×` : ''}`;
}

const dir = mkdtempSync(join(tmpdir(), 'cli-start-'));
try {
  const wav = join(dir, 'one-second.wav');
  const tones = generateDtmf(parseDtmfDigits('0123456789'), { onMs: 50, offMs: 50 });
  writeWavFile(wav, tones.samples, { sampleRate: 8000, bitsPerSample: 16 });
  process.stdout.write(`cli-start: ${ROUNDS} rounds of node -e 0 / hicom-sim --version / hicom-sim dtmf decode (${(tones.samples.length / 8000).toFixed(1)} s WAV), alternating; bound ${(ROUNDS * 3 * SPAWN_TIMEOUT_MS) / 1000} s\n`);
  process.stdout.write(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const runs: Record<'node' | 'version' | 'decode', number[]> = { node: [], version: [], decode: [] };
  // One warm-up round so the page cache holds every file for all three.
  wall(['-e', '0']);
  wall([CLI, '--version']);
  wall([CLI, 'dtmf', 'decode', wav]);
  for (let i = 0; i < ROUNDS; i++) {
    runs.node.push(wall(['-e', '0']));
    runs.version.push(wall([CLI, '--version']));
    runs.decode.push(wall([CLI, 'dtmf', 'decode', wav]));
  }
  const base = median(runs.node);
  process.stdout.write(`${summary('node -e 0 (baseline)', runs.node)}\n`);
  process.stdout.write(`${summary('hicom-sim --version', runs.version, base)}  goal ≤ 1.5×\n`);
  process.stdout.write(`${summary('hicom-sim dtmf decode (1 s WAV)', runs.decode, base)}  goal ≤ 2×\n`);
  process.stdout.write(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
