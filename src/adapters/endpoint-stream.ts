import { Duplex } from 'node:stream';
import type { LineEndpoint } from '../../core/line-endpoint.js';

/**
 * A LineEndpoint as a Duplex byte stream — the reverse of StreamLine — for
 * clients that read streams (SessionClient) on an in-process line, a LAN
 * connection or a modem's DTE side. Ending or destroying the stream closes
 * the line; the line's close ends the stream.
 */
export function endpointStream(line: LineEndpoint): Duplex {
  let ended = false;
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      line.write(chunk);
      done();
    },
    final(done) {
      line.close();
      done();
    },
    destroy(err, done) {
      line.close();
      done(err);
    },
  });
  line.onData((data) => {
    if (!ended) stream.push(Buffer.from(data));
  });
  line.onClose(() => {
    if (ended) return;
    ended = true;
    stream.push(null);
    stream.destroy();
  });
  return stream;
}
