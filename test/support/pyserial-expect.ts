/**
 * The Python that the pyserial scripts of the end-to-end tests share: an
 * `expect(*tokens)` reading from the serial object named `port` until one of
 * the byte strings arrives. It consumes and returns (as text) everything up
 * to the end of the earliest one; with nothing more to read before the
 * port's timeout it prints TIMEOUT and exits 1, so the test sees why.
 * Splice it into a script after `import sys` and after `port` is opened.
 */
export function pyserialExpect(port: string): string {
  return String.raw`
buf = b''
def expect(*tokens):
    global buf
    while not any(t in buf for t in tokens):
        chunk = ${port}.read(${port}.in_waiting or 1)
        if not chunk:
            print('TIMEOUT waiting for %r; got %r' % (tokens, buf[-200:]))
            sys.exit(1)
        buf += chunk
    end = min(buf.index(t) + len(t) for t in tokens if t in buf)
    before, buf = buf[:end], buf[end:]
    return before.decode('utf-8', 'replace')
`;
}
