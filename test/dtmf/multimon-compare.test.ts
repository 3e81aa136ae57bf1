import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { addWhiteNoise, dialTone, digitalTrunk, mix, noiseLevelForSnr } from '../../dsp/audio-channel.js';
import { detectDtmf } from '../../dsp/dtmf-detector.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { readWavFile, toRate, writeWavFile } from '../../src/storage/wav-file.js';
import { ALL_DIGITS, randomDigits } from '../support/dtmf-channel.js';
import { hasTool, matchedDigits, run } from '../support/external-tools.js';

/** The conformance signals, written as 8 kHz 16-bit WAV files both decoders read. */
function conformanceFiles(): Array<{ name: string; sent: string; samples: Float32Array }> {
  const noisyDigits = randomDigits(1000, 15).join('');
  const noisy = generateDtmf(noisyDigits, { levelDbm0: -20, leadMs: 50 }).samples;
  const underDialTone = generateDtmf(ALL_DIGITS, { levelDbm0: -15, leadMs: 100 }).samples;
  const files = [
    { name: 'all digits 50/50', sent: ALL_DIGITS, samples: generateDtmf(ALL_DIGITS, { leadMs: 20 }).samples },
    { name: '+1.5 % frequency', sent: ALL_DIGITS, samples: generateDtmf(ALL_DIGITS, { rowOffset: 0.015, columnOffset: 0.015 }).samples },
    { name: '−1.5 % frequency', sent: ALL_DIGITS, samples: generateDtmf(ALL_DIGITS, { rowOffset: -0.015, columnOffset: -0.015 }).samples },
    { name: '40 ms tones', sent: ALL_DIGITS, samples: generateDtmf(ALL_DIGITS, { onMs: 40, offMs: 50 }).samples },
    { name: '8 dB normal twist', sent: ALL_DIGITS, samples: generateDtmf(ALL_DIGITS, { twistDb: -8, levelDbm0: -6 }).samples },
    { name: '4 dB reverse twist', sent: ALL_DIGITS, samples: generateDtmf(ALL_DIGITS, { twistDb: 4, levelDbm0: -10 }).samples },
    { name: '−35 dBm0 per tone', sent: ALL_DIGITS, samples: generateDtmf(ALL_DIGITS, { levelDbm0: -35 }).samples },
    { name: '15 dB SNR, 1000 bursts', sent: noisyDigits, samples: addWhiteNoise(noisy, noiseLevelForSnr(-20, -20, 15), new SeededRandom(1515)) },
    { name: 'dial tone 10 dB above', sent: ALL_DIGITS, samples: mix(underDialTone, dialTone(underDialTone.length, -5)) },
  ];
  return [...files, ...files.map((f) => ({ ...f, name: `${f.name}, A-law`, samples: digitalTrunk(f.samples) }))];
}

t.test('ours and multimon-ng on the same conformance WAV files, counts side by side', async (t) => {
  if (!hasTool('multimon-ng', ['-h'])) throw new Error('multimon-ng is missing: scripts/test-deps.sh installs it');
  const dir = mkdtempSync(join(tmpdir(), 'dtmf-mm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const rows: string[] = [];
  for (const [i, f] of conformanceFiles().entries()) {
    const file = join(dir, `${i}.wav`);
    writeWavFile(file, f.samples, { sampleRate: 8000 });
    const ours = detectDtmf(toRate(readWavFile(file)))
      .map((d) => d.digit)
      .join('');
    const theirs = run('multimon-ng', ['-q', '-c', '-a', 'DTMF', '-t', 'wav', file])
      .split('\n')
      .filter((l) => l.startsWith('DTMF: '))
      .map((l) => l.slice(6).trim())
      .join('');
    const a = matchedDigits(f.sent, ours);
    const b = matchedDigits(f.sent, theirs);
    rows.push(`${f.name.padEnd(30)} sent ${String(f.sent.length).padStart(4)}  ours ${String(a).padStart(4)} (+${ours.length - a} extra)  multimon-ng ${String(b).padStart(4)} (+${theirs.length - b} extra)`);
    t.ok(a >= b, `${f.name}: ours found ${a} ≥ multimon-ng's ${b}`);
    t.equal(ours.length - a, 0, `${f.name}: ours reports no extra digits`);
  }
  t.comment(`\n${rows.join('\n')}`);
});
