import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { detectDtmf } from '../../dsp/dtmf-detector.js';
import { DTMF_COLUMN_FREQUENCIES_HZ, DTMF_ROW_FREQUENCIES_HZ, digitPosition } from '../../dsp/dtmf-tones.js';
import { readWavFile, toRate } from '../../src/storage/wav-file.js';
import { ALL_DIGITS } from '../support/dtmf-channel.js';
import { hasTool, run } from '../support/external-tools.js';

// Cross-check with an independent generator: sox synthesises each digit
// (`synth 0.05 sine F1 sine F2 remix -`, i.e. both tones mixed to mono, 50 ms, then 50 ms of silence); ours decodes.
t.test('digits synthesised by sox at 8 kHz and 44.1 kHz are decoded', async (t) => {
  t.ok(hasTool('sox'), 'sox is installed (scripts/test-deps.sh installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'dtmf-sox-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const rate of [8000, 44100]) {
    const parts = [...ALL_DIGITS].map((d, i) => {
      const { row, column } = digitPosition(d as never);
      const file = join(dir, `${rate}-${i}.wav`);
      run('sox', ['-n', '-r', String(rate), '-b', '16', file, 'synth', '0.05', 'sine', String(DTMF_ROW_FREQUENCIES_HZ[row]), 'sine', String(DTMF_COLUMN_FREQUENCIES_HZ[column]), 'remix', '-', 'vol', '0.6', 'pad', '0', '0.05']);
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
