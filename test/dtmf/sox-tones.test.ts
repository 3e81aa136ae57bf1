import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { detectDtmf } from '../../dsp/dtmf-detector.js';
import { readWavFile, toRate } from '../../src/storage/wav-file.js';
import { ALL_DIGITS } from '../support/dtmf-channel.js';
import { hasTool, run } from '../support/external-tools.js';

/** ITU-T Q.23 (and ETSI ES 201 235-2): the low-group and high-group frequency of every key, written out so that sox gets them from the standard, not from our own table. */
const Q23_HZ: Record<string, readonly [number, number]> = {
  '1': [697, 1209], '2': [697, 1336], '3': [697, 1477], A: [697, 1633],
  '4': [770, 1209], '5': [770, 1336], '6': [770, 1477], B: [770, 1633],
  '7': [852, 1209], '8': [852, 1336], '9': [852, 1477], C: [852, 1633],
  '*': [941, 1209], '0': [941, 1336], '#': [941, 1477], D: [941, 1633],
};

// Cross-check with an independent generator: sox synthesises each digit
// (`synth 0.05 sine F1 sine F2 remix -`, i.e. both tones mixed to mono, 50 ms, then 50 ms of silence); ours decodes.
t.test('digits synthesised by sox at 8 kHz and 44.1 kHz are decoded', async (t) => {
  if (!hasTool('sox')) throw new Error('sox is missing: scripts/test-deps.sh installs it');
  const dir = mkdtempSync(join(tmpdir(), 'dtmf-sox-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const rate of [8000, 44100]) {
    const parts = [...ALL_DIGITS].map((d, i) => {
      const [low, high] = Q23_HZ[d];
      const file = join(dir, `${rate}-${i}.wav`);
      run('sox', ['-n', '-r', String(rate), '-b', '16', file, 'synth', '0.05', 'sine', String(low), 'sine', String(high), 'remix', '-', 'vol', '0.6', 'pad', '0', '0.05']);
      return file;
    });
    const all = join(dir, `all-${rate}.wav`);
    run('sox', [...parts, all]);
    const audio = readWavFile(all);
    t.equal(audio.sampleRate, rate, `sox wrote ${rate} Hz`);
    const found = detectDtmf(toRate(audio));
    t.equal(found.map((d) => d.digit).join(''), ALL_DIGITS, `${rate} Hz: all 16 sox digits decoded in order`);
    t.ok(found.every((d, i) => Math.abs(d.startMs - i * 100) <= 4), `${rate} Hz: start times on the 100 ms grid (±4 ms)`);
  }
});
