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
  emittedAt(): number;
  machineSlot(): number;
  configure(...values: number[]): void;
  setFrequency(k: number, f: number, coefficient: number, cos: number, sin: number, re: number, im: number, gain: number, phaseAdvance: number): void;
  setCross(i: number, re: number, im: number): void;
  reset(): void;
  run(kind: SampleKind, blocks: number): number;
  flush(): number;
}

/** A digit the kernel's receiver ended: the block of the run that ended it, and what its hits collected. */
export interface EndedDigit {
  block: number;
  /** Row·4 + column. */
  digit: number;
  firstBlock: number;
  lastBlock: number;
  hits: number;
  sumLow: number;
  sumHigh: number;
}

/** The fields of one ended digit in the kernel's memory (dsp/assembly/dtmf-span-kernel.ts `emit`). */
const EMIT_FIELDS = 9;

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
  readonly #emitted: Float64Array;
  readonly #machineSlot: number;
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
    this.#emitted = new Float64Array(buffer, exports.emittedAt(), (this.chunkBlocks + 1) * EMIT_FIELDS);
    this.#machineSlot = exports.machineSlot();
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

  /** The receiver state (0 idle, 1 pending, 2 active) of `image`, in the kernel or saved. */
  machineState(image: Float64Array): number {
    return (this.#owner === image ? this.#image : image)[this.#machineSlot];
  }

  /** Ends the call or file for `image`: the digit in progress, if accepted. */
  flush(image: Float64Array): EndedDigit[] {
    this.claim(image);
    return this.#ended(this.#exports.flush());
  }

  /**
   * Copies `count` samples of `from` from `start` into the kernel's input
   * (whole blocks, at most `chunkBlocks`), runs them for `image` and returns
   * the digits that ended in them.
   */
  run(image: Float64Array, from: ArrayLike<number>, start: number, count: number): EndedDigit[] {
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
    return this.#ended(this.#exports.run(kind, count / KERNEL_BLOCK));
  }

  #ended(count: number): EndedDigit[] {
    const out: EndedDigit[] = [];
    const e = this.#emitted;
    for (let i = 0, at = 0; i < count; i++, at += EMIT_FIELDS) {
      // [block, digit, first, last, hits, tone samples, low, high, purity]
      out.push({ block: e[at], digit: e[at + 1], firstBlock: e[at + 2], lastBlock: e[at + 3], hits: e[at + 4], sumLow: e[at + 6], sumHigh: e[at + 7] });
    }
    return out;
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
