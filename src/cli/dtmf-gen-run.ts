import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { parseDtmfDigits } from '../../dsp/dtmf-tones.js';
import { writeWavFile } from '../storage/wav-file.js';
import { checkWritable } from './user-files.js';

export interface GenOptions {
  output: string;
  on: number;
  off: number;
  rate: number;
  level: number;
  twist: number;
}

/** `hicom-sim dtmf gen DIGITS -o FILE`. */
export function gen(digitText: string, opts: GenOptions): void {
  const digits = parseDtmfDigits(digitText);
  checkWritable(opts.output);
  const g = generateDtmf(digits, { sampleRate: opts.rate, onMs: opts.on, offMs: opts.off, levelDbm0: opts.level, twistDb: opts.twist });
  writeWavFile(opts.output, g.samples, { sampleRate: opts.rate, bitsPerSample: 16 });
  process.stdout.write(`wrote ${digits.length} digit(s), ${((g.samples.length * 1000) / opts.rate).toFixed(0)} ms at ${opts.rate} Hz to ${opts.output}\n`);
}
