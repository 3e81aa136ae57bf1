import type { Duplex } from 'node:stream';

export interface EchoPumpOptions {
  /** Bytes to send (and to get back). */
  total: number;
  /** Bytes in flight at most: sent, not yet echoed. */
  window: number;
  /** Give up when nothing has come back for this long: a stalled path fails, it never hangs. */
  stallMs: number;
  /** Check that every byte comes back, in order (costs a pass over each chunk). */
  verify?: boolean;
}

export interface EchoPumpResult {
  bytesPerSecond: number;
  ms: number;
}

const CHUNK = 4096;
/** The test pattern repeats every 251 bytes (a prime), so no chunk boundary lines up with it. */
const PATTERN_PERIOD = 251;

/**
 * Push `total` bytes into `stream`, whose far end echoes them, keeping at
 * most `window` in flight, and count them coming back. Resolves with the
 * rate; rejects when the echo stalls for `stallMs` or a byte comes back wrong.
 */
export function echoPump(stream: Duplex, options: EchoPumpOptions): Promise<EchoPumpResult> {
  const { total, window, stallMs } = options;
  const pattern = Buffer.alloc(CHUNK + PATTERN_PERIOD);
  for (let i = 0; i < pattern.length; i++) pattern[i] = i % PATTERN_PERIOD;
  // One view per phase of the pattern, made once: the pump should cost next to nothing per chunk.
  const views = Array.from({ length: PATTERN_PERIOD }, (_, at) => pattern.subarray(at, at + CHUNK));
  return new Promise((resolve, reject) => {
    let sent = 0;
    let got = 0;
    const t0 = performance.now();
    let stall: NodeJS.Timeout;
    const finish = (err?: Error): void => {
      clearTimeout(stall);
      stream.off('data', onData);
      if (err) reject(err);
      else {
        const ms = performance.now() - t0;
        resolve({ bytesPerSecond: total / (ms / 1000), ms });
      }
    };
    const arm = (): void => {
      clearTimeout(stall);
      stall = setTimeout(() => finish(new Error(`echo stalled: ${sent} bytes sent, ${got} back, nothing for ${stallMs} ms`)), stallMs);
    };
    const fill = (): void => {
      while (sent < total && sent - got < window) {
        const n = Math.min(CHUNK, total - sent);
        const view = views[sent % PATTERN_PERIOD];
        stream.write(n === CHUNK ? view : view.subarray(0, n));
        sent += n;
      }
    };
    const onData = (b: Buffer): void => {
      if (options.verify) {
        for (let i = 0; i < b.length; i++) {
          if (b[i] !== (got + i) % PATTERN_PERIOD) return finish(new Error(`byte ${got + i} came back as ${b[i]}, not ${(got + i) % PATTERN_PERIOD}`));
        }
      }
      got += b.length;
      if (got > total) return finish(new Error(`${got} bytes came back, only ${total} were sent`));
      if (got === total) return finish();
      arm();
      fill();
    };
    stream.on('data', onData);
    arm();
    fill();
  });
}

/** Read from `stream` until `token` appears; resolves with what came, rejects after `timeoutMs`. */
export function expectText(stream: Duplex, token: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      stream.off('data', on);
      reject(new Error(`timeout waiting for ${JSON.stringify(token)}: ${JSON.stringify(buf.slice(-80))}`));
    }, timeoutMs);
    const on = (b: Buffer): void => {
      buf += b.toString('latin1');
      if (!buf.includes(token)) return;
      clearTimeout(timer);
      stream.off('data', on);
      resolve(buf);
    };
    stream.on('data', on);
  });
}
