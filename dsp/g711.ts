/**
 * ITU-T G.711 A-law and µ-law companding, computed segment by segment (no
 * tables), bit-exact to the code tables of G.711 (1988) Tables 1a/1b and 2a/2b.
 *
 * Linear samples are 16-bit two's complement; A-law uses the 13 most
 * significant bits and µ-law the 14 most significant bits, as G.711 §3/§4
 * define the uniform PCM resolution of each law.
 */

/** G.711 §3: A-law characters have their even bits inverted on the line. */
const ALAW_EVEN_BIT_INVERSION = 0x55;
/** G.711 Table 2a: the 7 chord ends of the 13-bit A-law magnitude. */
const ALAW_SEGMENT_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
/** G.711 Table 2b: µ-law bias (33 in 14-bit units, 0x84 in 16-bit units). */
const ULAW_BIAS = 0x84;
/** G.711 Table 2b: largest 14-bit µ-law magnitude before the bias (8159). */
const ULAW_CLIP = 8159;
const ULAW_SEGMENT_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];

function segmentOf(value: number, ends: readonly number[]): number {
  for (let i = 0; i < ends.length; i++) if (value <= ends[i]) return i;
  return ends.length;
}

/** Encodes one 16-bit linear sample to an A-law character (0..255). */
export function linearToAlaw(pcm16: number): number {
  let value = pcm16 >> 3;
  let mask: number;
  if (value >= 0) {
    mask = 0x80 | ALAW_EVEN_BIT_INVERSION;
  } else {
    mask = ALAW_EVEN_BIT_INVERSION;
    value = -value - 1;
  }
  const seg = segmentOf(value, ALAW_SEGMENT_END);
  if (seg >= 8) return 0x7f ^ mask;
  const mantissa = seg < 2 ? (value >> 1) & 0x0f : (value >> seg) & 0x0f;
  return ((seg << 4) | mantissa) ^ mask;
}

/** Decodes an A-law character to the 16-bit linear decision value's midpoint. */
export function alawToLinear(code: number): number {
  const a = (code & 0xff) ^ ALAW_EVEN_BIT_INVERSION;
  const seg = (a & 0x70) >> 4;
  let t = (a & 0x0f) << 4;
  if (seg === 0) t += 8;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

/** Encodes one 16-bit linear sample to a µ-law character (0..255). */
export function linearToUlaw(pcm16: number): number {
  let value = pcm16 >> 2;
  let mask: number;
  if (value < 0) {
    value = -value;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (value > ULAW_CLIP) value = ULAW_CLIP;
  value += ULAW_BIAS >> 2;
  const seg = segmentOf(value, ULAW_SEGMENT_END);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((value >> (seg + 1)) & 0x0f)) ^ mask;
}

/** Decodes a µ-law character to 16-bit linear. */
export function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + ULAW_BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? ULAW_BIAS - t : t - ULAW_BIAS;
}

export type CompandingLaw = 'alaw' | 'ulaw';

/** Encodes float samples in [-1, 1) to G.711 characters (clipping outside). */
export function encodeG711(samples: Float32Array, law: CompandingLaw): Uint8Array {
  const out = new Uint8Array(samples.length);
  const encode = law === 'alaw' ? linearToAlaw : linearToUlaw;
  for (let i = 0; i < samples.length; i++) out[i] = encode(floatToPcm16(samples[i]));
  return out;
}

/** Decodes G.711 characters to float samples in [-1, 1). */
export function decodeG711(codes: Uint8Array, law: CompandingLaw): Float32Array {
  const out = new Float32Array(codes.length);
  const decode = law === 'alaw' ? alawToLinear : ulawToLinear;
  for (let i = 0; i < codes.length; i++) out[i] = decode(codes[i]) / 32768;
  return out;
}

/** Passes float audio through an encode/decode pair, as a digital trunk does. */
export function g711RoundTrip(samples: Float32Array, law: CompandingLaw = 'alaw'): Float32Array {
  return decodeG711(encodeG711(samples, law), law);
}

/** Rounds a float sample in [-1, 1) to 16-bit linear, clipping out-of-range values. */
export function floatToPcm16(sample: number): number {
  const v = Math.round(sample * 32768);
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
