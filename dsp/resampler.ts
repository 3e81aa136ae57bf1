/**
 * Sample-rate conversion by band-limited interpolation: every output sample is
 * the input convolved with a Kaiser-windowed sinc low-pass, evaluated at the
 * output instant. The cut-off sits below half the lower of the two rates, so
 * converting down (44.1 kHz → 8 kHz) removes everything that would alias.
 *
 * Kaiser design (Oppenheim & Schafer, 3rd ed., §7.6): stop-band attenuation
 * A = 80 dB gives β = 0.1102·(A − 8.7) and a kernel length of (A − 8)/(2.285·Δω).
 */
const STOPBAND_DB = 80;
const KAISER_BETA = 0.1102 * (STOPBAND_DB - 8.7);
/** Pass band ends at 40 % of the lower rate (3.2 kHz at 8 kHz: the whole telephone band). */
const PASSBAND_EDGE = 0.4;
/** Stop band starts at the lower rate's Nyquist frequency. */
const STOPBAND_EDGE = 0.5;
/** Kernel table points per input sample; linear interpolation between them. */
const TABLE_OVERSAMPLING = 512;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 40; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/**
 * Converts `samples` from `fromRate` to `toRate` (any positive rates, e.g.
 * 44100 → 8000, 11025 → 8000, 8000 → 48000). Returns a copy when equal.
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0) || !Number.isFinite(fromRate) || !Number.isFinite(toRate)) {
    throw new RangeError(`resample: sample rates must be positive, got ${fromRate} → ${toRate}`);
  }
  if (fromRate === toRate) return samples.slice();
  const lower = Math.min(fromRate, toRate);
  const cutoff = ((PASSBAND_EDGE + STOPBAND_EDGE) / 2) * lower; // Hz, middle of the transition band
  const transition = (STOPBAND_EDGE - PASSBAND_EDGE) * lower; // Hz
  const halfLength = (STOPBAND_DB - 8) / (2.285 * 2 * Math.PI * (transition / fromRate)) / 2; // input samples
  const tableSize = Math.ceil(halfLength * TABLE_OVERSAMPLING) + 2;
  const table = new Float64Array(tableSize);
  const fc = cutoff / fromRate; // cycles per input sample
  const i0beta = besselI0(KAISER_BETA);
  for (let i = 0; i < tableSize; i++) {
    const tau = i / TABLE_OVERSAMPLING;
    if (tau > halfLength) break;
    const sinc = tau === 0 ? 1 : Math.sin(2 * Math.PI * fc * tau) / (2 * Math.PI * fc * tau);
    const r = tau / halfLength;
    table[i] = 2 * fc * sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0beta);
  }
  const outLength = Math.floor((samples.length * toRate) / fromRate);
  const out = new Float32Array(outLength);
  const step = fromRate / toRate;
  for (let n = 0; n < outLength; n++) {
    const centre = n * step; // position in input samples
    const first = Math.max(0, Math.ceil(centre - halfLength));
    const last = Math.min(samples.length - 1, Math.floor(centre + halfLength));
    let acc = 0;
    for (let k = first; k <= last; k++) {
      const pos = Math.abs(centre - k) * TABLE_OVERSAMPLING;
      const i = pos | 0;
      const frac = pos - i;
      acc += samples[k] * (table[i] + frac * (table[i + 1] - table[i]));
    }
    out[n] = acc;
  }
  return out;
}
