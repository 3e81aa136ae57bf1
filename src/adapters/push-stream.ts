import { Duplex } from 'node:stream';

/**
 * A byte stream whose writes go to `write` and whose reads are what the
 * owner `push`es into it — the shape a SessionClient reads, over a line it
 * must not own: a modem the centre's receiver lends out (it is given back,
 * not closed, when the stream closes), a relay in front of such a stream.
 * Ending the stream destroys it, so 'close' always follows.
 */
export function pushStream(write: (chunk: Buffer) => void): Duplex {
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      write(chunk);
      done();
    },
    final(done) {
      done();
      stream.destroy();
    },
  });
  return stream;
}
