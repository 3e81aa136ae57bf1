import { DtmfDetector, type DetectedDigit } from '../../dsp/dtmf-detector.js';
import { readWavFile, toRate } from '../storage/wav-file.js';

/**
 * `hicom-sim dtmf decode FILE`: the receiver, the WAV reader and nothing of
 * the generator (dtmf-gen-run.ts), so a decode loads no more than it runs.
 */
export function decode(file: string, opts: { json?: boolean }): void {
  const audio = readWavFile(file);
  const samples = toRate(audio);
  const detector = new DtmfDetector();
  const digits: DetectedDigit[] = [...detector.process(samples), ...detector.flush()];
  if (opts.json) {
    const result = {
      file,
      sampleRate: audio.sampleRate,
      channels: audio.channels,
      durationMs: Math.round((audio.samples.length * 1000) / audio.sampleRate),
      text: digits.map((d) => d.digit).join(''),
      digits,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (digits.length === 0) {
    process.stdout.write('no DTMF digits found\n');
    return;
  }
  // One write: a long recording has thousands of digits, and a write per line costs more than decoding them.
  const lines = digits.map(
    (d) =>
      `${d.startMs.toFixed(1).padStart(9)} ms  ${d.digit}  ${(d.endMs - d.startMs).toFixed(0).padStart(4)} ms  ` +
      `${d.lowDbm0.toFixed(1)}/${d.highDbm0.toFixed(1)} dBm0\n`,
  );
  process.stdout.write(`${lines.join('')}digits: ${digits.map((d) => d.digit).join('')}\n`);
}
