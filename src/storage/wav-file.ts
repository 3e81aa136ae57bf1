import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { ioReason, isSystemError } from '../io-reason.js';
import { alawToLinear, floatToPcm16, ulawToLinear } from '../../dsp/g711.js';
import { floatSamples, type MonoSamples } from '../../dsp/pcm.js';
import { resample } from '../../dsp/resampler.js';

/**
 * RIFF/WAVE reading and writing for the DTMF tools. Reads PCM 8/16/24/32-bit
 * integer, IEEE float 32/64-bit, G.711 A-law/µ-law, WAVE_FORMAT_EXTENSIBLE
 * wrappers of those; any channel count (mixed down to mono); any sample rate.
 * Writes 8/16/24/32-bit PCM or 32-bit float, mono.
 *
 * Format facts: Microsoft "Multimedia Programming Interface and Data
 * Specifications 1.0" (RIFF, 'fmt ', 'data'; 8-bit PCM is unsigned, wider PCM
 * signed little-endian) and the WAVE_FORMAT_EXTENSIBLE note (sub-format GUID
 * whose first two bytes are the format tag).
 */
const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_ALAW = 0x0006;
const WAVE_FORMAT_MULAW = 0x0007;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Sample rates outside this range are certainly corrupt headers. */
const MIN_RATE = 1000;
const MAX_RATE = 768000;
/** The machine's byte order, read off a typed array (node:os's endianness() would load a module for it at every decode's start). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export type WavEncoding = 'pcm' | 'float' | 'alaw' | 'ulaw';

export interface WavAudio {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  encoding: WavEncoding;
  /**
   * Mono samples at `sampleRate`. A 16-bit mono file's are its own 16-bit
   * values, a view of the file's bytes (no copy, no conversion: the DTMF
   * detector reads them as they are; on a big-endian machine, floats); every
   * other file's (channels averaged) are floats of ±1 full scale.
   * `floatSamples` gives floats of either.
   */
  samples: MonoSamples;
}

/** A file that is not a WAV file we can read; the message says what is wrong. */
export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

/** What a WAV file's header says, checked: its format and where its samples are. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  encoding: WavEncoding;
  /** Sample frames (one sample per channel each). */
  frames: number;
}

interface WavLayout extends WavInfo {
  /** Byte offset of the samples in the file. */
  dataAt: number;
}

/**
 * The header of a WAV file of `fileLength` bytes from its first bytes
 * (`bytes`, the whole file or a prefix of it): undefined when the chunks
 * before the samples run past the prefix. Throws `WavFormatError` for
 * anything corrupt, truncated or unsupported.
 */
function wavLayout(bytes: Uint8Array, fileLength: number): WavLayout | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fileLength < 12) throw new WavFormatError(`file too short for a WAV header (${fileLength} bytes)`);
  if (bytes.length < 12) return undefined;
  if (fourcc(bytes, 0) !== 'RIFF' || fourcc(bytes, 8) !== 'WAVE') {
    throw new WavFormatError('not a WAV file (no RIFF/WAVE header)');
  }
  let fmt: { tag: number; channels: number; rate: number; blockAlign: number; bits: number } | undefined;
  let data: { at: number; length: number } | undefined;
  let at = 12;
  while (at + 8 <= fileLength) {
    if (at + 8 > bytes.length) return undefined;
    const id = fourcc(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > fileLength) throw new WavFormatError(`'fmt ' chunk truncated (${size} bytes declared)`);
      if (body + size > bytes.length) return undefined;
      let tag = view.getUint16(body, true);
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40) throw new WavFormatError('WAVE_FORMAT_EXTENSIBLE header too short');
        tag = view.getUint16(body + 24, true);
      }
      fmt = {
        tag,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (body + size > fileLength) {
        throw new WavFormatError(`truncated: data chunk declares ${size} bytes but only ${fileLength - body} are present`);
      }
      data = { at: body, length: size };
      break;
    }
    at = body + size + (size & 1); // chunks are word-aligned
  }
  if (fmt === undefined) throw new WavFormatError("no 'fmt ' chunk before the data");
  if (data === undefined) throw new WavFormatError("no 'data' chunk (file truncated?)");
  const { tag, channels, rate, bits } = fmt;
  const encoding = encodingOf(tag, bits);
  if (channels < 1) throw new WavFormatError('channel count is 0');
  if (rate < MIN_RATE || rate > MAX_RATE) throw new WavFormatError(`implausible sample rate ${rate} Hz`);
  const frameBytes = (bits / 8) * channels;
  if (fmt.blockAlign !== frameBytes) {
    throw new WavFormatError(`block align ${fmt.blockAlign} does not match ${channels} channel(s) of ${bits} bits`);
  }
  if (data.length % frameBytes !== 0) {
    throw new WavFormatError(`truncated: data length ${data.length} is not a whole number of ${frameBytes}-byte frames`);
  }
  return { sampleRate: rate, channels, bitsPerSample: bits, encoding, frames: data.length / frameBytes, dataAt: data.at };
}

/** Parses a WAV file image. Throws `WavFormatError` for anything corrupt, truncated or unsupported. */
export function parseWav(bytes: Uint8Array): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The whole image: the layout is never left undefined.
  const { sampleRate: rate, channels, bitsPerSample: bits, encoding, frames, dataAt } = wavLayout(bytes, bytes.length)!;
  const samples =
    encoding === 'pcm' && bits === 16
      ? mixPcm16(bytes, view, dataAt, frames, channels)
      : mixGeneric(view, dataAt, frames, channels, bits / 8, sampleReader(view, encoding, bits));
  return { sampleRate: rate, channels, bitsPerSample: bits, encoding, samples };
}

/**
 * 16-bit PCM, the common case, through an Int16Array view instead of a DataView
 * call per sample. Mono stays 16-bit and is not copied: an 825 s telephone
 * recording costs no pass at all here. Int16Array has the machine's byte
 * order, WAV's is little-endian: a big-endian machine reads through the DataView.
 */
function mixPcm16(bytes: Uint8Array, view: DataView, at: number, frames: number, channels: number): MonoSamples {
  if (!LITTLE_ENDIAN) return mixGeneric(view, at, frames, channels, 2, sampleReader(view, 'pcm', 16));
  const offset = bytes.byteOffset + at;
  const count = frames * channels;
  // A view needs an even offset; otherwise copy the data once to realign it
  // (byte by byte: a Buffer's slice would be a view again, at the same odd offset).
  let pcm: Int16Array;
  if (offset % 2 === 0) {
    pcm = new Int16Array(bytes.buffer, offset, count);
  } else {
    pcm = new Int16Array(count);
    new Uint8Array(pcm.buffer).set(bytes.subarray(at, at + count * 2));
  }
  if (channels === 1) return pcm;
  const samples = new Float32Array(frames);
  const scale = 1 / (32768 * channels);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += pcm[f * channels + c];
    samples[f] = sum * scale;
  }
  return samples;
}

function mixGeneric(view: DataView, at: number, frames: number, channels: number, bytesPerSample: number, read: (at: number) => number): Float32Array {
  const frameBytes = bytesPerSample * channels;
  const samples = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(at + f * frameBytes + c * bytesPerSample);
    samples[f] = sum / channels;
  }
  return samples;
}

function encodingOf(tag: number, bits: number): WavEncoding {
  switch (tag) {
    case WAVE_FORMAT_PCM:
      if ([8, 16, 24, 32].includes(bits)) return 'pcm';
      throw new WavFormatError(`unsupported PCM sample size ${bits} bits (8, 16, 24 or 32 are read)`);
    case WAVE_FORMAT_IEEE_FLOAT:
      if (bits === 32 || bits === 64) return 'float';
      throw new WavFormatError(`unsupported float sample size ${bits} bits (32 or 64 are read)`);
    case WAVE_FORMAT_ALAW:
    case WAVE_FORMAT_MULAW:
      if (bits === 8) return tag === WAVE_FORMAT_ALAW ? 'alaw' : 'ulaw';
      throw new WavFormatError(`G.711 WAV must have 8-bit samples, not ${bits}`);
    default:
      throw new WavFormatError(`unsupported WAV format tag 0x${tag.toString(16).padStart(4, '0')} (PCM, float, A-law and µ-law are read)`);
  }
}

function sampleReader(view: DataView, encoding: WavEncoding, bits: number): (at: number) => number {
  if (encoding === 'float') return bits === 32 ? (at) => view.getFloat32(at, true) : (at) => view.getFloat64(at, true);
  if (encoding === 'alaw') return (at) => alawToLinear(view.getUint8(at)) / 32768;
  if (encoding === 'ulaw') return (at) => ulawToLinear(view.getUint8(at)) / 32768;
  switch (bits) {
    case 8:
      return (at) => (view.getUint8(at) - 128) / 128;
    case 16:
      return (at) => view.getInt16(at, true) / 32768;
    case 24:
      return (at) => ((view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608);
    default:
      return (at) => view.getInt32(at, true) / 2147483648;
  }
}

export interface WavWriteOptions {
  sampleRate: number;
  /** 8, 16, 24 or 32 (default 16). */
  bitsPerSample?: 8 | 16 | 24 | 32;
  /** Write IEEE float (32-bit) instead of integer PCM. */
  float?: boolean;
}

/** Encodes mono samples (±1 full scale, clipped) as a WAV file image. */
export function encodeWav(samples: Float32Array, options: WavWriteOptions): Buffer {
  const bits = options.float ? 32 : (options.bitsPerSample ?? 16);
  if (![8, 16, 24, 32].includes(bits)) throw new WavFormatError(`cannot write ${bits}-bit samples`);
  if (!Number.isInteger(options.sampleRate) || options.sampleRate < MIN_RATE || options.sampleRate > MAX_RATE) {
    throw new WavFormatError(`cannot write sample rate ${options.sampleRate} Hz`);
  }
  const bytesPerSample = bits / 8;
  const dataLength = samples.length * bytesPerSample;
  const buf = Buffer.alloc(44 + dataLength + (dataLength & 1));
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(buf.length - 8, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(options.float ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(options.sampleRate, 24);
  buf.writeUInt32LE(options.sampleRate * bytesPerSample, 28);
  buf.writeUInt16LE(bytesPerSample, 32);
  buf.writeUInt16LE(bits, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataLength, 40);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    const at = 44 + i * bytesPerSample;
    if (options.float) buf.writeFloatLE(v, at);
    else if (bits === 8) buf.writeUInt8(Math.max(0, Math.min(255, Math.round(v * 128) + 128)), at);
    else if (bits === 16) buf.writeInt16LE(floatToPcm16(v), at);
    else if (bits === 24) buf.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.round(v * 8388608))), at, 3);
    else buf.writeInt32LE(Math.max(-2147483648, Math.min(2147483647, Math.round(v * 2147483648))), at);
  }
  return buf;
}

/** Reads a WAV file; file-system errors and format errors both become `WavFormatError`. */
export function readWavFile(path: string): WavAudio {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new WavFormatError(`cannot read ${path}: ${ioReason(err)}`);
  }
  try {
    return parseWav(bytes);
  } catch (err) {
    if (err instanceof WavFormatError) throw new WavFormatError(`${path}: ${err.message}`);
    throw err;
  }
}

/** Bytes of the first read of `readWavFileInPieces`: any usual header fits. */
const HEADER_READ_BYTES = 4096;

/**
 * Reads a 16-bit mono PCM WAV file in pieces of `pieceSamples` through one
 * buffer, without holding the whole file: `onPiece` gets each piece's samples
 * (the file's own 16-bit values; the array is reused, valid during the call).
 * Returns the header's facts; undefined, having read only the header, when
 * the file is another kind or `wanted` refuses it — `readWavFile` reads those
 * whole. Errors are `readWavFile`'s, word for word.
 */
export function readWavFileInPieces(path: string, wanted: (info: WavInfo) => boolean, pieceSamples: number, onPiece: (samples: Int16Array) => void): WavInfo | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, HEADER_READ_BYTES));
    const got = readSync(fd, head, 0, head.length, 0);
    let layout: WavLayout | undefined;
    try {
      layout = wavLayout(head.subarray(0, got), size);
    } catch (err) {
      if (err instanceof WavFormatError) throw new WavFormatError(`${path}: ${err.message}`);
      throw err;
    }
    if (!layout || !LITTLE_ENDIAN || layout.encoding !== 'pcm' || layout.bitsPerSample !== 16 || layout.channels !== 1 || !wanted(layout)) return undefined;
    const piece = new Int16Array(pieceSamples);
    const bytes = new Uint8Array(piece.buffer);
    for (let done = 0; done < layout.frames; ) {
      const n = Math.min(pieceSamples, layout.frames - done);
      // The file is as long as its header says (wavLayout checked), unless it shrinks under us: then it ends here.
      const read = readSync(fd, bytes, 0, n * 2, layout.dataAt + done * 2) >> 1;
      if (read === 0) break;
      onPiece(read === pieceSamples ? piece : piece.subarray(0, read));
      done += read;
    }
    const { sampleRate, channels, bitsPerSample, encoding, frames } = layout;
    return { sampleRate, channels, bitsPerSample, encoding, frames };
  } catch (err) {
    if (err instanceof WavFormatError || !isSystemError(err)) throw err;
    throw new WavFormatError(`cannot read ${path}: ${ioReason(err)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function writeWavFile(path: string, samples: Float32Array, options: WavWriteOptions): void {
  writeFileSync(path, encodeWav(samples, options));
}

/**
 * The audio's mono samples converted to `rate` (default 8000 Hz, the DTMF
 * detector's rate): at that rate already, the samples themselves (16-bit or
 * float, no copy of a long recording); otherwise floats, resampled.
 */
export function toRate(audio: WavAudio, rate = 8000): MonoSamples {
  return audio.sampleRate === rate ? audio.samples : resample(floatSamples(audio.samples), audio.sampleRate, rate);
}
