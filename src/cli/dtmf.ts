import { Command, InvalidArgumentError } from 'commander';
import { DtmfDetector, type DetectedDigit } from '../../dsp/dtmf-detector.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { DtmfDigitError, parseDtmfDigits } from '../../dsp/dtmf-tones.js';
import { readWavFile, toRate, WavFormatError, writeWavFile } from '../storage/wav-file.js';
import { CliError } from './cli-error.js';

/**
 * `hicom-sim dtmf decode FILE.wav [--json]` and `hicom-sim dtmf gen DIGITS -o FILE.wav`:
 * offline tools for the DTMF receiver and generator (spec §4.11).
 */
export function register(program: Command): void {
  const dtmf = program.command('dtmf').description('decode DTMF digits from a WAV file or generate one');

  dtmf
    .command('decode')
    .description('print the DTMF digits in a WAV file (any sample rate, mono or stereo) with their start times')
    .argument('<file>', 'WAV file')
    .option('--json', 'print one JSON object for programs')
    .action((file: string, opts: { json?: boolean }) => {
      const audio = readAudio(file);
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
    });

  dtmf
    .command('gen')
    .description('write DTMF digits (0-9 A-D * #) to a 16-bit mono WAV file')
    .argument('<digits>', 'digits to dial')
    .requiredOption('-o, --output <file>', 'WAV file to write')
    .option('--on <ms>', 'tone duration per digit', number('--on', 1, 10000), 50)
    .option('--off <ms>', 'pause after each digit', number('--off', 0, 10000), 50)
    .option('--rate <Hz>', 'sample rate', number('--rate', 4000, 192000), 8000)
    .option('--level <dBm0>', 'low-group tone level', number('--level', -60, 0), -10)
    .option('--twist <dB>', 'high-group minus low-group level', number('--twist', -20, 20), 0)
    .action((digitText: string, opts: { output: string; on: number; off: number; rate: number; level: number; twist: number }) => {
      let digits;
      try {
        digits = parseDtmfDigits(digitText);
      } catch (err) {
        if (err instanceof DtmfDigitError) throw new CliError(err.message);
        throw err;
      }
      const rate = Math.round(opts.rate);
      const g = generateDtmf(digits, { sampleRate: rate, onMs: opts.on, offMs: opts.off, levelDbm0: opts.level, twistDb: opts.twist });
      try {
        writeWavFile(opts.output, g.samples, { sampleRate: rate, bitsPerSample: 16 });
      } catch (err) {
        throw new CliError(`cannot write ${opts.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      process.stdout.write(`wrote ${digits.length} digit(s), ${((g.samples.length * 1000) / rate).toFixed(0)} ms at ${rate} Hz to ${opts.output}\n`);
    });
}

function readAudio(file: string): ReturnType<typeof readWavFile> {
  try {
    return readWavFile(file);
  } catch (err) {
    if (err instanceof WavFormatError) throw new CliError(err.message);
    throw err;
  }
}

function number(name: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
      throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}`);
    }
    return v;
  };
}
