import { DtmfDetector, type DetectedDigit } from '../../dsp/dtmf-detector.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { parseDtmfDigits } from '../../dsp/dtmf-tones.js';
import { readWavFile, toRate, writeWavFile } from '../storage/wav-file.js';
import { checkWritable } from './user-files.js';

export interface GenOptions {
  output: string;
  on: number;
  off: number;
  rate: number;
  level: number;
  twist: number;
}

/** `hicom-sim dtmf decode FILE`. */
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

/** `hicom-sim dtmf gen DIGITS -o FILE`. */
export function gen(digitText: string, opts: GenOptions): void {
  const digits = parseDtmfDigits(digitText);
  checkWritable(opts.output);
  const g = generateDtmf(digits, { sampleRate: opts.rate, onMs: opts.on, offMs: opts.off, levelDbm0: opts.level, twistDb: opts.twist });
  writeWavFile(opts.output, g.samples, { sampleRate: opts.rate, bitsPerSample: 16 });
  process.stdout.write(`wrote ${digits.length} digit(s), ${((g.samples.length * 1000) / opts.rate).toFixed(0)} ms at ${opts.rate} Hz to ${opts.output}\n`);
}
