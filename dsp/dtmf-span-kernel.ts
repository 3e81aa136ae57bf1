import { DTMF_SPAN_KERNEL_WASM } from './dtmf-span-kernel-wasm.js';

/** What `SpanKernel.run` is given: the input as the kernel reads it. */
export enum SampleKind {
  Float64 = 0,
  Float32 = 1,
  /** 16-bit linear, scaled by 1/32768 in the kernel. */
  Int16 = 2,
}

/** The WebAssembly JS API as used here (TypeScript's ES libraries have no types for it; the DOM library would bring far more). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, (...args: number[]) => number>>) => { exports: unknown };
}

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  CHUNK_BLOCKS: { value: number };
  imageStart(): number;
  imageEnd(): number;
  inputAt(): number;
  verdictDigitAt(): number;
  verdictLowAt(): number;
  verdictHighAt(): number;
  verdictPurityAt(): number;
  configure(...values: number[]): void;
  setFrequency(k: number, f: number, coefficient: number, cos: number, sin: number, re: number, im: number, gain: number, phaseAdvance: number): void;
  setCross(i: number, re: number, im: number): void;
  reset(): void;
  run(kind: SampleKind, blocks: number): void;
}

/**
 * The DTMF receiver's block arithmetic (dsp/assembly/dtmf-span-kernel.ts, as
 * WebAssembly): one instance per process, compiled when the first detector
 * is made, shared by every detector. Each detector owns an image (its
 * parameters, constants and state between blocks); `claim` puts it into the
 * kernel's memory, saving the image of the detector that ran before, so a
 * single detector (a decode) never copies and many (calls in a lab) copy
 * under 2 KB when they take turns.
 */
export class SpanKernel {
  /** Whole blocks the input holds: one call's work. */
  readonly chunkBlocks: number;
  readonly #exports: KernelExports;
  readonly #image: Float64Array;
  readonly #input: { f64: Float64Array; f32: Float32Array; i16: Int16Array };
  readonly verdictDigit: Int32Array;
  readonly verdictLow: Float64Array;
  readonly verdictHigh: Float64Array;
  readonly verdictPurity: Float64Array;
  #owner: Float64Array | undefined;

  constructor(exports: KernelExports) {
    this.#exports = exports;
    const buffer = exports.memory.buffer;
    this.chunkBlocks = exports.CHUNK_BLOCKS.value;
    const samples = this.chunkBlocks * KERNEL_BLOCK;
    const start = exports.imageStart();
    this.#image = new Float64Array(buffer, start, (exports.imageEnd() - start) / 8);
    const input = exports.inputAt();
    this.#input = { f64: new Float64Array(buffer, input, samples), f32: new Float32Array(buffer, input, samples), i16: new Int16Array(buffer, input, samples) };
    this.verdictDigit = new Int32Array(buffer, exports.verdictDigitAt(), this.chunkBlocks);
    this.verdictLow = new Float64Array(buffer, exports.verdictLowAt(), this.chunkBlocks);
    this.verdictHigh = new Float64Array(buffer, exports.verdictHighAt(), this.chunkBlocks);
    this.verdictPurity = new Float64Array(buffer, exports.verdictPurityAt(), this.chunkBlocks);
  }

  /** A fresh image, configured by `setUp` in the kernel (which then holds it). */
  newImage(setUp: (k: KernelExports) => void): Float64Array {
    const image = new Float64Array(this.#image.length);
    this.claim(image);
    setUp(this.#exports);
    this.#exports.reset();
    return image;
  }

  /** Makes `image` the kernel's, saving the one that was. */
  claim(image: Float64Array): void {
    if (this.#owner === image) return;
    this.#owner?.set(this.#image);
    this.#image.set(image);
    this.#owner = image;
  }

  /** Forgets the state of `image` (its parameters stay). */
  reset(image: Float64Array): void {
    this.claim(image);
    this.#exports.reset();
  }

  /**
   * Copies `count` samples of `from` from `start` into the kernel's input
   * (whole blocks, at most `chunkBlocks`) and runs them for `image`; the
   * verdicts are in `verdict*[0 … count/34)` until the next run.
   */
  run(image: Float64Array, from: ArrayLike<number>, start: number, count: number): void {
    this.claim(image);
    let kind: SampleKind;
    if (from instanceof Int16Array) {
      this.#input.i16.set(from.subarray(start, start + count));
      kind = SampleKind.Int16;
    } else if (from instanceof Float32Array) {
      this.#input.f32.set(from.subarray(start, start + count));
      kind = SampleKind.Float32;
    } else if (from instanceof Float64Array) {
      this.#input.f64.set(from.subarray(start, start + count));
      kind = SampleKind.Float64;
    } else {
      const f64 = this.#input.f64;
      for (let i = 0; i < count; i++) f64[i] = from[start + i];
      kind = SampleKind.Float64;
    }
    this.#exports.run(kind, count / KERNEL_BLOCK);
  }
}

/** The kernel's block length (dsp/dtmf-detector.ts DTMF_BLOCK; the kernel has it compiled in). */
const KERNEL_BLOCK = 34;

let kernel: SpanKernel | undefined;

/** The process's kernel, compiled and instantiated on first use (about a millisecond). */
export function spanKernel(): SpanKernel {
  if (kernel === undefined) {
    const bytes = Uint8Array.from(atob(DTMF_SPAN_KERNEL_WASM), (c) => c.charCodeAt(0));
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { atan2: Math.atan2, sin: Math.sin } });
    kernel = new SpanKernel(instance.exports as unknown as KernelExports);
  }
  return kernel;
}
