import { constants, openSync } from 'node:fs';
import tty from 'node:tty';

/**
 * A tty (a pty's user side) opened as a terminal program opens it: raw,
 * non-blocking, read and written through libuv's tty handle, which waits
 * for readability and writability together. (serialport's unix binding
 * does not: while a write waits for room its poller stops watching for
 * input, so two of them on the ends of a full pty pair wait for each
 * other for ever. The benchmarks and tests use this instead.)
 */
export function openTty(path: string): tty.ReadStream {
  const stream = new tty.ReadStream(openSync(path, constants.O_RDWR | constants.O_NOCTTY));
  stream.setRawMode(true);
  return stream;
}
