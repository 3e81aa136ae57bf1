/** One sine tone: its frequency and peak amplitude (±1 = full scale). */
export interface Tone {
  hz: number;
  amplitude: number;
}

/** Where in the buffer the tones go. */
export interface ToneSpan {
  /** First sample written (default 0). */
  start?: number;
  /** Samples written (default: to the end of the buffer). */
  length?: number;
  /**
   * Phase of the first sample, in samples since the tone began (default 0:
   * the tone starts at phase zero, as an oscillator does when keyed). A
   * continuous tone rendered block by block passes the samples so far.
   */
  phase?: number;
}

/**
 * Adds the sum of `tones` to `out` (sample rate `sampleRate`) over `span`,
 * on top of what is there, and returns `out`. The one sine generator of the
 * project: DTMF digits, dial tone, the V.253 +VTS tones and the DTMF
 * administration's beeps are all rendered here.
 */
export function addTones(out: Float32Array, tones: readonly Tone[], sampleRate: number, span: ToneSpan = {}): Float32Array {
  const start = span.start ?? 0;
  const end = Math.min(out.length, start + (span.length ?? out.length - start));
  const phase = (span.phase ?? 0) - start;
  for (const { hz, amplitude } of tones) {
    const w = (2 * Math.PI * hz) / sampleRate;
    for (let i = start; i < end; i++) out[i] += amplitude * Math.sin(w * (phase + i));
  }
  return out;
}
