import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addWhiteNoise, digitalTrunk, noiseLevelForSnr } from '../dsp/audio-channel.js';
import { DtmfDetector, detectDtmf } from '../dsp/dtmf-detector.js';
import { generateDtmf } from '../dsp/dtmf-generator.js';
import { floatToPcm16 } from '../dsp/g711.js';
import { resample } from '../dsp/resampler.js';
import { SeededRandom } from '../core/seeded-random.js';
import { randomDigits } from '../test/support/dtmf-channel.js';
import { talkOffCorpus } from '../test/support/talk-off-corpus.js';

/**
 * DTMF receiver speed in multiples of real time on one core, the same audio
 * through multimon-ng (when installed) for a ratio, and the talk-off figure on
 * an hour of the generated corpus. Run: npx tsc -p . && node dist/bench/dtmf.js
 */
const SECONDS = 600;

function benchAudio(): Float32Array {
  // Half DTMF bursts in 15 dB SNR noise, half speech/music corpus, A-law: a busy line.
  const digits = randomDigits((SECONDS / 2) * 10, 7);
  const tones = generateDtmf(digits, { levelDbm0: -15 }).samples;
  const noisy = addWhiteNoise(tones, noiseLevelForSnr(-15, -15, 15), new SeededRandom(7));
  const out = new Float32Array(SECONDS * 8000);
  out.set(noisy.subarray(0, out.length / 2));
  out.set(talkOffCorpus(SECONDS / 2, 7), out.length / 2);
  return digitalTrunk(out);
}

function timeOurs(pcm: Int16Array): { bestMs: number; digits: number } {
  let best = Infinity;
  let digits = 0;
  for (let run = 0; run < 5; run++) {
    const d = new DtmfDetector();
    const t0 = performance.now();
    // 20 ms blocks, as a voice channel delivers them.
    for (let i = 0; i < pcm.length; i += 160) digits = d.process(pcm.subarray(i, i + 160)).length + (i === 0 ? 0 : digits);
    digits += d.flush().length;
    best = Math.min(best, performance.now() - t0);
  }
  return { bestMs: best, digits };
}

function timeMultimon(audio: Float32Array): { ms: number; digits: number } | undefined {
  const probe = spawnSync('multimon-ng', ['-h'], { stdio: 'ignore' });
  if (probe.error) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dtmf-bench-'));
  try {
    // multimon-ng's raw input is 22050 Hz signed 16-bit mono.
    const at22k = resample(audio, 8000, 22050);
    const raw = Buffer.from(Int16Array.from(at22k, floatToPcm16).buffer);
    const file = join(dir, 'bench.raw');
    writeFileSync(file, raw);
    let best = Infinity;
    let digits = 0;
    for (let run = 0; run < 3; run++) {
      const t0 = performance.now();
      const r = spawnSync('multimon-ng', ['-q', '-c', '-a', 'DTMF', '-t', 'raw', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
      best = Math.min(best, performance.now() - t0);
      digits = r.stdout.split('\n').filter((l) => l.startsWith('DTMF: ')).length;
    }
    return { ms: best, digits };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const audio = benchAudio();
const pcm = Int16Array.from(audio, floatToPcm16);
const ours = timeOurs(pcm);
const oursX = (SECONDS * 1000) / ours.bestMs;
process.stdout.write(`DTMF bench: ${SECONDS} s of 8 kHz audio (half DTMF in 15 dB SNR noise, half speech/music), A-law, one core (${cpus()[0]?.model ?? 'cpu'})\n`);
process.stdout.write(`  ours:        ${ours.bestMs.toFixed(0)} ms  = ${oursX.toFixed(0)}× real time  (${ours.digits} digits)\n`);
const mm = timeMultimon(audio);
if (mm) {
  const mmX = (SECONDS * 1000) / mm.ms;
  process.stdout.write(`  multimon-ng: ${mm.ms.toFixed(0)} ms  = ${mmX.toFixed(0)}× real time  (${mm.digits} digits; same audio at 22050 Hz, its native rate, incl. process start)\n`);
  process.stdout.write(`  ratio ours/multimon-ng speed: ${(oursX / mmX).toFixed(2)}\n`);
} else {
  process.stdout.write('  multimon-ng: not installed, no ratio\n');
}
const hour = talkOffCorpus(3600, 3600);
for (const [name, signal] of [['linear', hour], ['A-law', digitalTrunk(hour)]] as const) {
  const falseDigits = detectDtmf(signal);
  process.stdout.write(`  talk-off (${name}): ${falseDigits.length} false digits in 1 hour of generated speech/music${falseDigits.length ? ': ' + falseDigits.map((d) => `${d.digit}@${(d.startMs / 1000).toFixed(1)}s`).join(' ') : ''}\n`);
}
