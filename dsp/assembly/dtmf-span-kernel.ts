/**
 * The DTMF receiver's arithmetic per block, in AssemblyScript compiled to
 * WebAssembly (scripts/build-dtmf-kernel.mjs; the bytes are committed in
 * dsp/dtmf-span-kernel-wasm.ts, and test/dsp/dtmf-span-kernel-build.test.ts
 * fails when they are not this file's). dsp/dtmf-detector.ts holds the
 * receiver's design, options and the state machine's diagram; this file does,
 * per 34-sample block, what it describes: dial-tone notches, block energy, the
 * Goertzel bank, the 102-sample window, the span's verdict and the digit state
 * machine, reporting each digit that ends.
 *
 * Why WebAssembly: a fresh `hicom-sim dtmf decode` spent about 60 ms of CPU
 * compiling the same code as JavaScript with TurboFan (each function once on
 * its own and again inlined in its caller) and ran its first blocks in the
 * interpreter; WebAssembly compiles once, in about a millisecond, before the
 * first block.
 *
 * Every value is computed as dsp/dtmf-detector.ts computed it in JavaScript:
 * the same IEEE-754 double operations in the same order (WebAssembly does not
 * fuse or reorder them), atan2 and sin are JavaScript's own Math functions
 * (imported), and `jsRound` is Math.round's rule, so the digits, times and
 * levels are bit for bit the JavaScript receiver's.
 *
 * Memory: fixed regions (no allocator). The image — parameters, constants and
 * the receiver state between blocks — is one contiguous range, so one module
 * instance serves every detector of a process: dsp/dtmf-span-kernel.ts swaps
 * a detector's image in when another detector ran last.
 */

@external('env', 'atan2') declare function atan2(y: f64, x: f64): f64;
@external('env', 'sin') declare function sin(x: f64): f64;

/** The detector's block (34 samples at 8 kHz), window (3 blocks) and span (4 blocks): dsp/dtmf-detector.ts. */
const BLOCK: i32 = 34;
const WINDOW: f64 = 102;
const SPAN: f64 = 136;
const SAMPLE_RATE: f64 = 8000;
/** Blocks of input per call: the detector's chunk (120 blocks, 0.5 s). */
export const CHUNK_BLOCKS: i32 = 120;
const NO_DIGIT: i32 = -1;
/**
 * Column within 1 % of twice the row frequency = second harmonic, not DTMF. The
 * closest genuine pairs (1633/852, 1336/697: ratio 1.917; 1477/697: 2.119) stay
 * ≥ 1.2 % away from 2 even when both tones are 1.5 % off.
 */
const OCTAVE_TOLERANCE: f64 = 0.01;
/** Input sample kinds of `run`. */
const KIND_I16: i32 = 2;
const KIND_F32: i32 = 1;

// ---- the image: parameters, constants, state (contiguous, in this order) ----
const params: usize = memory.data(24 * 8, 16);
const MIN_AMPLITUDE = 0;
const SILENT_BLOCK = 1;
const NORMAL_TWIST = 2;
const REVERSE_TWIST = 3;
const MAX_DEVIATION = 4;
const RELATIVE_PEAK = 5;
const TONE_TO_TOTAL = 6;
const LEVEL_STEP = 7;
const NOTCHES = 8;
const P1 = 9;
const Q1 = 10;
const R1 = 11;
const P2 = 12;
const Q2 = 13;
const R2 = 14;
const MIN_HITS = 15;
const MIN_TONE_SAMPLES = 16;
const MAX_MISSES = 17;
const MEAN_TONE_TO_TOTAL = 18;
/** Per frequency k (8): Goertzel 2cos ω, cos ω, sin ω; e^(jωL); notch gain correction; nominal frequency and its phase advance per block. */
const coeff: usize = memory.data(8 * 8, 16);
const cosW: usize = memory.data(8 * 8, 16);
const sinW: usize = memory.data(8 * 8, 16);
const stepRe: usize = memory.data(8 * 8, 16);
const stepIm: usize = memory.data(8 * 8, 16);
const gain: usize = memory.data(8 * 8, 16);
const freq: usize = memory.data(8 * 8, 16);
const phaseAdvance: usize = memory.data(8 * 8, 16);
/** Cross-leakage q of column into row, [row·4 + column]. */
const crossRe: usize = memory.data(16 * 8, 16);
const crossIm: usize = memory.data(16 * 8, 16);
/**
 * State: notch filter memory (4), energies of the last four blocks (ring of 4),
 * Goertzel results of the last three (ring of 3 × 8, re and im), windows of
 * the last two spans' ends (ring of 2 × 8: re, im, power), loud-block run
 * (capped at 4: only ≥ 3 and ≥ 4 matter), block count mod 12 (the rings' phase).
 */
const state: usize = memory.data(128 * 8, 16);
const Z = 0;
const ENERGY = 4;
const Y_RE = 8;
const Y_IM = 32;
const W_RE = 56;
const W_IM = 72;
const W_POWER = 88;
const LOUD_RUN = 104;
const RING = 105;
/** Blocks analysed (the time base of the digits; exact as a double for 2⁵³ blocks). */
const BLOCKS = 106;
/** The receiver's state (dsp/dtmf-detector.ts DtmfReceiverState: 0 idle, 1 pending, 2 active) and its two candidates. */
const MACHINE = 107;
const CURRENT = 108;
const OTHER = 116;
const STATE_END = 124;
/** A candidate's fields: a digit being collected, its hits, their tone time (union of the hit spans, in samples) and summed levels. */
const C_DIGIT = 0;
const C_FIRST = 1;
const C_LAST = 2;
const C_HITS = 3;
const C_TONE = 4;
const C_LOW = 5;
const C_HIGH = 6;
const C_PURITY = 7;
const IDLE = 0;
const PENDING = 1;
const ACTIVE = 2;

// ---- scratch, not part of the image ----
const blockBuffer: usize = memory.data(BLOCK * 8, 16);
const power: usize = memory.data(8 * 8, 16);
const measured: usize = memory.data(8 * 8, 16);
const xRe: usize = memory.data(16 * 8, 16);
const xIm: usize = memory.data(16 * 8, 16);

// ---- input and the digits one call reports (at most one per block) ----
const input: usize = memory.data(CHUNK_BLOCKS * BLOCK * 8, 16);
/** Per reported digit: the block that ended it (counted from 0 in the call), then its candidate's fields. */
const EMIT_FIELDS = 9;
const emitted: usize = memory.data((CHUNK_BLOCKS + 1) * EMIT_FIELDS * 8, 16);
let emitCount: i32 = 0;
/** The span's verdict: levels and purity of a hit. */
let hitLow: f64 = 0;
let hitHigh: f64 = 0;
let hitPurity: f64 = 0;

/** Byte offsets of the regions the JavaScript side reads and writes. */
export function imageStart(): usize {
  return params;
}
export function imageEnd(): usize {
  return state + (<usize>STATE_END << 3);
}
export function inputAt(): usize {
  return input;
}
export function emittedAt(): usize {
  return emitted;
}
/** The receiver's state as an index into the image (f64 slots from imageStart). */
export function machineSlot(): i32 {
  return <i32>((state - params) >> 3) + MACHINE;
}

@inline function get(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
@inline function put(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}

/** The thresholds as dsp/dtmf-detector.ts derives them from its options; notches 0 or 1 with their coefficients; the acceptance rule. */
export function configure(
  minAmplitude: f64, silentBlock: f64, normalTwist: f64, reverseTwist: f64, maxDeviation: f64, relativePeak: f64, toneToTotal: f64, levelStep: f64,
  notches: f64, p1: f64, q1: f64, r1: f64, p2: f64, q2: f64, r2: f64,
  minHits: f64, minToneSamples: f64, maxMisses: f64, meanToneToTotal: f64,
): void {
  put(params, MIN_HITS, minHits);
  put(params, MIN_TONE_SAMPLES, minToneSamples);
  put(params, MAX_MISSES, maxMisses);
  put(params, MEAN_TONE_TO_TOTAL, meanToneToTotal);
  put(params, MIN_AMPLITUDE, minAmplitude);
  put(params, SILENT_BLOCK, silentBlock);
  put(params, NORMAL_TWIST, normalTwist);
  put(params, REVERSE_TWIST, reverseTwist);
  put(params, MAX_DEVIATION, maxDeviation);
  put(params, RELATIVE_PEAK, relativePeak);
  put(params, TONE_TO_TOTAL, toneToTotal);
  put(params, LEVEL_STEP, levelStep);
  put(params, NOTCHES, notches);
  put(params, P1, p1);
  put(params, Q1, q1);
  put(params, R1, r1);
  put(params, P2, p2);
  put(params, Q2, q2);
  put(params, R2, r2);
}

/** The constants of frequency k (0–3 rows, 4–7 columns). */
export function setFrequency(k: i32, f: f64, coefficient: f64, cos: f64, sinus: f64, re: f64, im: f64, gainCorrection: f64, advancePerBlock: f64): void {
  put(freq, k, f);
  put(coeff, k, coefficient);
  put(cosW, k, cos);
  put(sinW, k, sinus);
  put(stepRe, k, re);
  put(stepIm, k, im);
  put(gain, k, gainCorrection);
  put(phaseAdvance, k, advancePerBlock);
}

/** The cross-leakage of column c into row r. */
export function setCross(i: i32, re: f64, im: f64): void {
  put(crossRe, i, re);
  put(crossIm, i, im);
}

/** Forgets the state (filter memory, loud run, ring phase). */
export function reset(): void {
  for (let i = 0; i < STATE_END; i++) put(state, i, 0);
  put(state, CURRENT + C_DIGIT, NO_DIGIT);
  put(state, OTHER + C_DIGIT, NO_DIGIT);
}

/** JavaScript's Math.round: nearest integer, halves towards +∞ (f64.nearest rounds them to even). Exact: v − floor(v) is. */
@inline function jsRound(v: f64): f64 {
  const f = Math.floor(v);
  return v - f >= 0.5 ? f + 1 : f;
}

/** Block j of the input (kind 0 f64, 1 f32, 2 Int16 scaled by 1/32768), dial-tone notched, into the block buffer; its energy. */
function filterBlock(kind: i32, j: i32): f64 {
  const at = j * BLOCK;
  const notches = get(params, NOTCHES) != 0;
  let z0 = get(state, Z);
  let z1 = get(state, Z + 1);
  let z2 = get(state, Z + 2);
  let z3 = get(state, Z + 3);
  const p1 = get(params, P1);
  const q1 = get(params, Q1);
  const r1 = get(params, R1);
  const p2 = get(params, P2);
  const q2 = get(params, Q2);
  const r2 = get(params, R2);
  let e: f64 = 0;
  for (let i = 0; i < BLOCK; i++) {
    let x: f64;
    if (kind == KIND_I16) x = <f64>load<i16>(input + (<usize>(at + i) << 1)) * (1.0 / 32768);
    else if (kind == KIND_F32) x = <f64>load<f32>(input + (<usize>(at + i) << 2));
    else x = load<f64>(input + (<usize>(at + i) << 3));
    if (!notches) {
      put(blockBuffer, i, x);
      e += x * x;
      continue;
    }
    // Direct form II, two cascaded notches (350 Hz, 440 Hz).
    const w1 = x - q1 * z0 - r1 * z1;
    const v = w1 + p1 * z0 + z1;
    z1 = z0;
    z0 = w1;
    const w2 = v - q2 * z2 - r2 * z3;
    const y = w2 + p2 * z2 + z3;
    z3 = z2;
    z2 = w2;
    put(blockBuffer, i, y);
    e += y * y;
  }
  if (notches) {
    // Denormals from decaying filter state would slow the loop to a crawl.
    put(state, Z, Math.abs(z0) < 1e-30 ? 0 : z0);
    put(state, Z + 1, Math.abs(z1) < 1e-30 ? 0 : z1);
    put(state, Z + 2, Math.abs(z2) < 1e-30 ? 0 : z2);
    put(state, Z + 3, Math.abs(z3) < 1e-30 ? 0 : z3);
  }
  return e;
}

/**
 * The Goertzel bank over the block buffer into ring slot `slot`: the complex
 * DFT value at each of the eight frequencies, referenced to the block's last
 * sample, Y(f) = Σ x[n]·e^(j2πf(L−1−n)/fs) = s1 − e^(−jω)·s2 — the value the
 * recursion ends with, so no rotation per block (the window's constants
 * absorb the reference). Each recursion is a chain of dependent
 * multiply-adds; the eight run side by side, two to a SIMD register (f64x2:
 * the same IEEE operations per lane as one at a time), so four independent
 * chains overlap in the CPU and one pass over the block does all eight.
 */
function goertzel(slot: i32): void {
  const c0 = v128.load(coeff);
  const c1 = v128.load(coeff, 16);
  const c2 = v128.load(coeff, 32);
  const c3 = v128.load(coeff, 48);
  let a0 = f64x2.splat(0);
  let b0 = a0;
  let a1 = a0;
  let b1 = a0;
  let a2 = a0;
  let b2 = a0;
  let a3 = a0;
  let b3 = a0;
  for (let i = 0; i < BLOCK; i++) {
    const v = f64x2.splat(get(blockBuffer, i));
    const t0 = f64x2.sub(f64x2.add(v, f64x2.mul(c0, a0)), b0);
    const t1 = f64x2.sub(f64x2.add(v, f64x2.mul(c1, a1)), b1);
    const t2 = f64x2.sub(f64x2.add(v, f64x2.mul(c2, a2)), b2);
    const t3 = f64x2.sub(f64x2.add(v, f64x2.mul(c3, a3)), b3);
    b0 = a0;
    a0 = t0;
    b1 = a1;
    a1 = t1;
    b2 = a2;
    a2 = t2;
    b3 = a3;
    a3 = t3;
  }
  const re = state + (<usize>(Y_RE + slot) << 3);
  const im = state + (<usize>(Y_IM + slot) << 3);
  v128.store(re, f64x2.sub(a0, f64x2.mul(v128.load(cosW), b0)));
  v128.store(im, f64x2.mul(v128.load(sinW), b0));
  v128.store(re, f64x2.sub(a1, f64x2.mul(v128.load(cosW, 16), b1)), 16);
  v128.store(im, f64x2.mul(v128.load(sinW, 16), b1), 16);
  v128.store(re, f64x2.sub(a2, f64x2.mul(v128.load(cosW, 32), b2)), 32);
  v128.store(im, f64x2.mul(v128.load(sinW, 32), b2), 32);
  v128.store(re, f64x2.sub(a3, f64x2.mul(v128.load(cosW, 48), b3)), 48);
  v128.store(im, f64x2.mul(v128.load(sinW, 48), b3), 48);
}

/** The window of the last three blocks (ring phase r = block mod 12), referenced to its last sample: W = y2 + ρ·(y1 + ρ·y0), ρ = e^(jωL). */
function window(r: i32): void {
  const s0 = ((r + 1) % 3) * 8;
  const s1 = ((r + 2) % 3) * 8;
  const s2 = (r % 3) * 8;
  const w = (r & 1) * 8;
  for (let k = 0; k < 8; k++) {
    const cr = get(stepRe, k);
    const ci = get(stepIm, k);
    let ar = get(state, Y_RE + s1 + k) + cr * get(state, Y_RE + s0 + k) - ci * get(state, Y_IM + s0 + k);
    let ai = get(state, Y_IM + s1 + k) + cr * get(state, Y_IM + s0 + k) + ci * get(state, Y_RE + s0 + k);
    const tr = get(state, Y_RE + s2 + k) + cr * ar - ci * ai;
    ai = get(state, Y_IM + s2 + k) + cr * ai + ci * ar;
    ar = tr;
    put(state, W_RE + w + k, ar);
    put(state, W_IM + w + k, ai);
    put(state, W_POWER + w + k, ar * ar + ai * ai);
  }
}

/** dsp/dtmf-detector.ts: each tone's leakage removed from the other's bin in one window (`from`), into x[into·8 + k]. */
function unmix(from: i32, row: i32, col: i32, into: i32): void {
  const qr = get(crossRe, row * 4 + col - 4);
  const qi = get(crossIm, row * 4 + col - 4);
  const n = WINDOW;
  const scale = n / (n * n - qr * qr - qi * qi);
  const rr = get(state, W_RE + from + row);
  const ri = get(state, W_IM + from + row);
  const cr = get(state, W_RE + from + col);
  const ci = get(state, W_IM + from + col);
  const o = into * 8;
  // β_r = (N·X_r − q·X_c)/det,  β_c = (N·X_c − conj(q)·X_r)/det
  put(xRe, o + row, scale * (n * rr - (qr * cr - qi * ci)));
  put(xIm, o + row, scale * (n * ri - (qr * ci + qi * cr)));
  put(xRe, o + col, scale * (n * cr - (qr * rr + qi * ri)));
  put(xIm, o + col, scale * (n * ci - (qr * ri - qi * rr)));
}

/** dsp/dtmf-detector.ts: peak amplitude of tone k corrected for its measured frequency offset, or 0 (off frequency, not steady). */
function toneAmplitude(k: i32): f64 {
  const x1r = get(xRe, k);
  const x1i = get(xIm, k);
  const x2r = get(xRe, 8 + k);
  const x2i = get(xIm, 8 + k);
  const p1 = x1r * x1r + x1i * x1i;
  const p2 = x2r * x2r + x2i * x2i;
  const step = get(params, LEVEL_STEP);
  if (p1 > p2 * step || p2 > p1 * step) return 0;
  const f0 = get(freq, k);
  // Phase advance of window 2 over window 1 (one block later), minus the nominal one.
  let dphi = atan2(x2i * x1r - x2r * x1i, x2r * x1r + x2i * x1i) - get(phaseAdvance, k);
  dphi -= 2 * Math.PI * jsRound(dphi / (2 * Math.PI));
  const df = (dphi * SAMPLE_RATE) / (2 * Math.PI * <f64>BLOCK);
  if (Math.abs(df) > get(params, MAX_DEVIATION) * f0) return 0;
  put(measured, k, f0 + df);
  // |X| of a sine of amplitude A, δ Hz off the analysis frequency: (A/2)·|sin(πδN/fs)/sin(πδ/fs)|.
  const x = (Math.PI * df) / SAMPLE_RATE;
  const kernel = Math.abs(x) < 1e-9 ? WINDOW : Math.abs(sin(x * WINDOW) / sin(x));
  return (Math.sqrt(p1) + Math.sqrt(p2)) / kernel;
}

/** The span test for the span ending at ring phase r: the digit (row·4 + column) with its levels in hit*, or NO_DIGIT. */
function classify(r: i32): i32 {
  const a = ((r + 1) & 1) * 8;
  const c = (r & 1) * 8;
  const total = get(state, ENERGY) + get(state, ENERGY + 1) + get(state, ENERGY + 2) + get(state, ENERGY + 3);
  for (let k = 0; k < 8; k++) put(power, k, get(state, W_POWER + a + k) + get(state, W_POWER + c + k));
  let row = 0;
  for (let k = 1; k < 4; k++) if (get(power, k) > get(power, row)) row = k;
  let col = 4;
  for (let k = 5; k < 8; k++) if (get(power, k) > get(power, col)) col = k;
  const peakRow = get(power, row) / get(params, RELATIVE_PEAK);
  const peakCol = get(power, col) / get(params, RELATIVE_PEAK);
  for (let k = 0; k < 4; k++) if (k != row && get(power, k) > peakRow) return NO_DIGIT;
  for (let k = 4; k < 8; k++) if (k != col && get(power, k) > peakCol) return NO_DIGIT;
  unmix(a, row, col, 0);
  unmix(c, row, col, 1);
  // Amplitudes as analysed (after the dial-tone notches), and the true ones.
  const minAmplitude = get(params, MIN_AMPLITUDE);
  const lowSeen = toneAmplitude(row);
  const low = lowSeen * get(gain, row);
  if (low < minAmplitude) return NO_DIGIT;
  const highSeen = toneAmplitude(col);
  const high = highSeen * get(gain, col);
  if (high < minAmplitude) return NO_DIGIT;
  // A column at twice the row's measured frequency is one voice or instrument (Q.23 chose no such pair).
  const measuredCol = get(measured, col);
  if (Math.abs(measuredCol - 2 * get(measured, row)) < OCTAVE_TOLERANCE * measuredCol) return NO_DIGIT;
  const lowPower = low * low;
  const highPower = high * high;
  if (lowPower > highPower * get(params, NORMAL_TWIST) || highPower > lowPower * get(params, REVERSE_TWIST)) return NO_DIGIT;
  // Tone power (A²/2 each) against the mean power of the span, both as analysed.
  const purity = ((lowSeen * lowSeen + highSeen * highSeen) * 0.5 * SPAN) / total;
  if (purity < get(params, TONE_TO_TOTAL)) return NO_DIGIT;
  hitLow = low;
  hitHigh = high;
  hitPurity = purity;
  return row * 4 + (col - 4);
}

// ---- the digit state machine (diagram: DtmfReceiverState in dsp/dtmf-detector.ts) ----

@inline function field(c: i32, f: i32): f64 {
  return get(state, c + f);
}
@inline function setField(c: i32, f: i32, v: f64): void {
  put(state, c + f, v);
}

function start(c: i32, digit: i32, block: f64): void {
  setField(c, C_DIGIT, <f64>digit);
  setField(c, C_FIRST, block);
  setField(c, C_LAST, block);
  setField(c, C_HITS, 1);
  setField(c, C_TONE, SPAN);
  setField(c, C_LOW, hitLow);
  setField(c, C_HIGH, hitHigh);
  setField(c, C_PURITY, hitPurity);
}

function add(c: i32, block: f64): void {
  setField(c, C_TONE, field(c, C_TONE) + Math.min(SPAN, (block - field(c, C_LAST)) * <f64>BLOCK));
  setField(c, C_LAST, block);
  setField(c, C_HITS, field(c, C_HITS) + 1);
  setField(c, C_LOW, field(c, C_LOW) + hitLow);
  setField(c, C_HIGH, field(c, C_HIGH) + hitHigh);
  setField(c, C_PURITY, field(c, C_PURITY) + hitPurity);
}

function copyOther(): void {
  for (let f = 0; f < 8; f++) setField(CURRENT, f, field(OTHER, f));
}

@inline function clear(c: i32): void {
  setField(c, C_DIGIT, NO_DIGIT);
}

function accepted(c: i32): bool {
  const hits = field(c, C_HITS);
  return hits >= get(params, MIN_HITS) && field(c, C_TONE) >= get(params, MIN_TONE_SAMPLES) && field(c, C_PURITY) >= get(params, MEAN_TONE_TO_TOTAL) * hits;
}

/** The one place the state changes; a move the diagram does not have traps (a RuntimeError in JavaScript). */
function transition(to: i32): void {
  const from = <i32>get(state, MACHINE);
  const allowed = to == IDLE || (from == IDLE && to == PENDING) || (from == PENDING && to == ACTIVE) || (from == ACTIVE && to == PENDING);
  if (!allowed) unreachable();
  put(state, MACHINE, <f64>to);
}

function toIdle(): void {
  transition(IDLE);
  clear(CURRENT);
  clear(OTHER);
}

/** Reports candidate c as ended by block j of this call. */
function emit(c: i32, j: i32): void {
  const at = emitted + (<usize>(emitCount * EMIT_FIELDS) << 3);
  put(at, 0, <f64>j);
  for (let f = 0; f < 8; f++) put(at, 1 + f, field(c, f));
  emitCount++;
}

/** Advances the receiver by the verdict (hit digit or NO_DIGIT) of `span`, decided at block j of this call. */
function advance(hit: i32, span: f64, j: i32): void {
  const maxMisses = get(params, MAX_MISSES);
  const machine = <i32>get(state, MACHINE);
  const current = <i32>field(CURRENT, C_DIGIT);
  if (machine == IDLE) {
    if (hit != NO_DIGIT) {
      start(CURRENT, hit, span);
      transition(PENDING);
    }
    return;
  }
  if (machine == PENDING) {
    if (hit == current) {
      add(CURRENT, span);
      if (accepted(CURRENT)) transition(ACTIVE);
    } else if (hit != NO_DIGIT) {
      start(CURRENT, hit, span);
    } else if (span - field(CURRENT, C_LAST) >= maxMisses) {
      toIdle();
    }
    return;
  }
  // ACTIVE
  if (hit == current) {
    add(CURRENT, span);
    clear(OTHER);
    return;
  }
  if (hit != NO_DIGIT) {
    if (hit == <i32>field(OTHER, C_DIGIT) && span - field(OTHER, C_LAST) < maxMisses) add(OTHER, span);
    else start(OTHER, hit, span);
    if (accepted(OTHER)) {
      emit(CURRENT, j);
      copyOther();
      clear(OTHER);
      return;
    }
  }
  if (span - field(CURRENT, C_LAST) >= maxMisses) {
    emit(CURRENT, j);
    if (<i32>field(OTHER, C_DIGIT) != NO_DIGIT && span - field(OTHER, C_LAST) < maxMisses) {
      copyOther();
      clear(OTHER);
      transition(PENDING);
    } else {
      toIdle();
    }
  }
}

/**
 * Runs `blocks` (≤ CHUNK_BLOCKS) whole blocks of the input and returns how
 * many digits ended in them (in `emitted`). A span needs four loud blocks; a
 * silent block (under the `silentBlock` energy) gets no Goertzel pass. The
 * span of blocks b−3 … b is decided at block b; the first three end none.
 */
export function run(kind: i32, blocks: i32): i32 {
  emitCount = 0;
  let ring = <i32>get(state, RING);
  let loudRun = <i32>get(state, LOUD_RUN);
  let b = get(state, BLOCKS);
  const silentBlock = get(params, SILENT_BLOCK);
  for (let j = 0; j < blocks; j++) {
    const e = filterBlock(kind, j);
    put(state, ENERGY + (ring & 3), e);
    if (e < silentBlock) {
      loudRun = 0;
    } else {
      if (loudRun < 4) loudRun++;
      goertzel((ring % 3) * 8);
      if (loudRun >= 3) window(ring);
    }
    if (b >= 3) advance(loudRun >= 4 ? classify(ring) : NO_DIGIT, b - 3, j);
    ring = ring == 11 ? 0 : ring + 1;
    b += 1;
  }
  put(state, RING, <f64>ring);
  put(state, LOUD_RUN, <f64>loudRun);
  put(state, BLOCKS, b);
  return emitCount;
}

/** Ends the call or file: the digit in progress, if it is accepted, is reported now (1, in `emitted`, or 0); the receiver goes idle. */
export function flush(): i32 {
  emitCount = 0;
  if (<i32>get(state, MACHINE) == ACTIVE) emit(CURRENT, 0);
  toIdle();
  return emitCount;
}
