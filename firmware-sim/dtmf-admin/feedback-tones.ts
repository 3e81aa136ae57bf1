import { dbm0ToAmplitude } from '../../dsp/audio-level.js';
import { addTones } from '../../dsp/tone-generator.js';
import type { ToneKind } from './dtmf-menu.js';

/**
 * Confirmation and error tones of the DTMF administration: one beep when a
 * step is done, three when it is refused. A single 1000 Hz tone, so no DTMF
 * receiver at the far end can take it for a digit (DTMF needs two tones).
 */
export const FEEDBACK_TONE_HZ = 1000;
export const FEEDBACK_BEEP_MS = 150;
export const FEEDBACK_GAP_MS = 100;
export const FEEDBACK_LEVEL_DBM0 = -10;
export const FEEDBACK_BEEPS: Readonly<Record<ToneKind, number>> = { ok: 1, error: 3 };

/** The beeps of `kind` as 8 kHz float audio, ending with one gap of silence. */
export function feedbackTone(kind: ToneKind, sampleRate = 8000): Float32Array {
  const on = Math.round((FEEDBACK_BEEP_MS * sampleRate) / 1000);
  const off = Math.round((FEEDBACK_GAP_MS * sampleRate) / 1000);
  const beeps = FEEDBACK_BEEPS[kind];
  const tone = [{ hz: FEEDBACK_TONE_HZ, amplitude: dbm0ToAmplitude(FEEDBACK_LEVEL_DBM0) }];
  const out = new Float32Array(beeps * (on + off));
  for (let b = 0; b < beeps; b++) addTones(out, tone, sampleRate, { start: b * (on + off), length: on });
  return out;
}
