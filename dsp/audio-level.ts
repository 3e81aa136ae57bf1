/**
 * Signal levels on a digital voice path. Samples are floats where ±1.0 is the
 * largest 16-bit linear value (32768).
 *
 * dBm0: ITU-T G.711 §3 (A-law) puts the theoretical load capacity — the sine
 * whose peaks just reach the largest code — at +3.14 dBm0. So a 0 dBm0 sine has
 * peak amplitude 10^(−3.14/20) ≈ 0.697 of full scale. (µ-law's is +3.17 dBm0;
 * the Hicom's digital trunks are A-law, so A-law's figure is used throughout.)
 *
 * dBFS: level of a sine relative to a full-scale sine (AES17 convention), so
 * dBm0 = dBFS + 3.14.
 */
export const ALAW_LOAD_CAPACITY_DBM0 = 3.14;

/** Peak amplitude (full scale = 1) of a sine at `dbm0`. */
export function dbm0ToAmplitude(dbm0: number): number {
  return 10 ** ((dbm0 - ALAW_LOAD_CAPACITY_DBM0) / 20);
}

/** Level in dBm0 of a sine with peak amplitude `amplitude`. */
export function amplitudeToDbm0(amplitude: number): number {
  return 20 * Math.log10(amplitude) + ALAW_LOAD_CAPACITY_DBM0;
}

export function dbm0ToDbfs(dbm0: number): number {
  return dbm0 - ALAW_LOAD_CAPACITY_DBM0;
}

/** Level in dBm0 of a signal with mean power `power` (a sine of amplitude A has power A²/2). */
export function powerToDbm0(power: number): number {
  return 10 * Math.log10(2 * power) + ALAW_LOAD_CAPACITY_DBM0;
}

/** Mean power (mean of squares) of `samples`. */
export function meanPower(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return samples.length === 0 ? 0 : sum / samples.length;
}
