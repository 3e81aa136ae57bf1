import { floatToPcm16 } from './g711.js';
import type { LinkInfo } from '../core/call.js';

/**
 * What a voice call carries: 8 kHz audio (the telephone band's sampling rate,
 * G.711 §2) as 16-bit signed little-endian linear samples, 16,000 bytes/s in
 * each direction. Linear on the path, so an analog connection is transparent
 * and only a digital trunk quantises (voice-impairment.ts).
 */
export const VOICE_SAMPLE_RATE = 8000;
export const VOICE_BYTES_PER_SAMPLE = 2;
export const VOICE_BYTES_PER_SECOND = VOICE_SAMPLE_RATE * VOICE_BYTES_PER_SAMPLE;

/** The link of every answered voice call: no training, audio from the first moment. */
export const VOICE_LINK: Readonly<LinkInfo> = Object.freeze({
  rateBps: VOICE_BYTES_PER_SECOND * 8,
  bytesPerSecond: VOICE_BYTES_PER_SECOND,
  connectText: 'VOICE',
  handshakeMs: 0,
});

/** Float samples (±1 full scale) to path bytes. */
export function samplesToBytes(samples: Float32Array | Int16Array): Uint8Array {
  const out = Buffer.alloc(samples.length * VOICE_BYTES_PER_SAMPLE);
  const int = samples instanceof Int16Array;
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(int ? samples[i] : floatToPcm16(samples[i]), i * 2);
  return out;
}

/**
 * Path bytes to samples. The path may split a sample between two deliveries
 * (pacing ticks are byte-granular), so an odd byte waits for its partner.
 */
export class PcmReader {
  #odd: number | undefined;

  push(bytes: Uint8Array): Int16Array {
    let data = bytes;
    if (this.#odd !== undefined) {
      data = new Uint8Array(bytes.length + 1);
      data[0] = this.#odd;
      data.set(bytes, 1);
      this.#odd = undefined;
    }
    const n = data.length >> 1;
    if (data.length & 1) this.#odd = data[data.length - 1];
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) out[i] = (data[2 * i] | (data[2 * i + 1] << 8)) << 16 >> 16;
    return out;
  }
}

/**
 * Mono audio as a reader hands it over: 16-bit linear samples as they are
 * (full scale 32768, audio-level.ts) or floats of ±1 full scale. The DTMF
 * detector takes either; keeping 16-bit audio as it came spares a long
 * recording a conversion pass and a second copy.
 */
export type MonoSamples = Int16Array | Float32Array;

/** Samples as floats of ±1 full scale: 16-bit ones scaled (exactly: the scale is a power of two), floats as they are. */
export function floatSamples(samples: MonoSamples): Float32Array {
  if (samples instanceof Float32Array) return samples;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] / 32768;
  return out;
}
