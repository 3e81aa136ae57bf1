import { addWhiteNoise, attenuate, dialToneTones } from '../../dsp/audio-channel.js';
import { g711RoundTrip } from '../../dsp/g711.js';
import { SeededRandom } from '../../core/seeded-random.js';
import { PcmReader, samplesToBytes, VOICE_SAMPLE_RATE } from '../../dsp/pcm.js';
import { addTones } from '../../dsp/tone-generator.js';

/** What one direction of a voice path does to the audio (from trunks and fault plans). */
export interface VoiceImpairmentOptions {
  /** The call crosses a digital trunk: G.711 A-law encode and decode (its quantisation). */
  digitalTrunk: boolean;
  /** Loss in dB (attenuation); 0 = none. */
  lossDb: number;
  /** White noise level in dBm0, or undefined for none. */
  noiseDbm0: number | undefined;
  /** Dial tone (350 + 440 Hz) mixed in at this level per frequency, or undefined. */
  dialToneDbm0: number | undefined;
  seed: number;
}

/** True when the options leave the audio untouched, so the path need not decode it. */
export function isTransparent(o: VoiceImpairmentOptions): boolean {
  return !o.digitalTrunk && o.lossDb === 0 && o.noiseDbm0 === undefined && o.dialToneDbm0 === undefined;
}

/**
 * One direction of a voice path: path bytes in, impaired path bytes out.
 * Order as on a real connection: the analog local loop (loss, noise, an
 * injected tone) before the trunk's coder, whose quantisation comes last.
 */
export class VoiceImpairment {
  readonly #reader = new PcmReader();
  readonly #random: SeededRandom;
  /** Samples passed so far, so an injected dial tone keeps its phase across blocks. */
  #at = 0;

  constructor(private readonly options: VoiceImpairmentOptions) {
    this.#random = new SeededRandom(options.seed);
  }

  apply(bytes: Uint8Array): Uint8Array {
    const pcm = this.#reader.push(bytes);
    let audio: Float32Array = Float32Array.from(pcm, (v) => v / 32768);
    const o = this.options;
    if (o.lossDb !== 0) audio = attenuate(audio, o.lossDb);
    if (o.noiseDbm0 !== undefined) audio = addWhiteNoise(audio, o.noiseDbm0, this.#random);
    if (o.dialToneDbm0 !== undefined) this.#addDialTone(audio, o.dialToneDbm0);
    if (o.digitalTrunk) audio = g711RoundTrip(audio, 'alaw');
    this.#at += audio.length;
    return samplesToBytes(audio);
  }

  #addDialTone(audio: Float32Array, levelDbm0: number): void {
    addTones(audio, dialToneTones(levelDbm0), VOICE_SAMPLE_RATE, { phase: this.#at });
  }
}
