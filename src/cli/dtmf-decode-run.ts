import { DTMF_SAMPLE_RATE, DtmfDetector, type DetectedDigit } from '../../dsp/dtmf-detector.js';
import { readWavFile, readWavFileInPieces, toRate, type WavInfo } from '../storage/wav-file.js';

/**
 * Samples per read of an 8 kHz 16-bit mono file: 15 of the detector's
 * half-second chunks (120 KB), so no read splits a block.
 */
const PIECE_SAMPLES = 15 * 4080;

/**
 * `hicom-sim dtmf decode FILE`: the receiver, the WAV reader and nothing of
 * the generator (dtmf-gen-run.ts), so a decode loads no more than it runs.
 */
export function decode(file: string, opts: { json?: boolean }): void {
  const detector = new DtmfDetector();
  const digits: DetectedDigit[] = [];
  // An 8 kHz 16-bit mono file, the usual recording of a line, goes to the
  // detector as it is read, through one small buffer; any other file is read
  // whole, mixed to mono and resampled to 8 kHz.
  let info: WavInfo | undefined = readWavFileInPieces(file, (i) => i.sampleRate === DTMF_SAMPLE_RATE, PIECE_SAMPLES, (piece) => {
    for (const d of detector.process(piece)) digits.push(d);
  });
  if (info === undefined) {
    const audio = readWavFile(file);
    info = { ...audio, frames: audio.samples.length };
    digits.push(...detector.process(toRate(audio)));
  }
  digits.push(...detector.flush());
  if (opts.json) {
    const result = {
      file,
      sampleRate: info.sampleRate,
      channels: info.channels,
      durationMs: Math.round((info.frames * 1000) / info.sampleRate),
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
