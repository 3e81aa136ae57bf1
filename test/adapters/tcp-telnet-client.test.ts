import t, { type Test } from 'tap';
import { connect, type Socket } from 'node:net';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { listenTcpLines, type TelnetMode } from '../../src/adapters/tcp-line-server.js';
import { DO, IAC, OPT_BINARY, OPT_ECHO, OPT_SGA, WILL } from '../../src/adapters/telnet-session.js';
import { EndpointProbe } from '../support/endpoint-probe.js';

const TTYPE = 24; // RFC 1091 terminal type, which we refuse

/** A hand-written Telnet client: a socket plus what it received. */
async function telnetPair(t: Test, mode: TelnetMode) {
  let resolveEp: (ep: LineEndpoint) => void;
  const ep = new Promise<LineEndpoint>((r) => (resolveEp = r));
  const server = await listenTcpLines({ port: 0, telnet: mode, onConnection: (e) => resolveEp(e) });
  t.teardown(() => server.close());
  const sock: Socket = connect(server.port, '127.0.0.1');
  t.teardown(() => sock.destroy());
  let got = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  sock.on('data', (d) => {
    got = Buffer.concat([got, d]);
    wake?.();
  });
  await new Promise((r) => sock.once('connect', r));
  const probe = new EndpointProbe(await ep);
  const waitFor = async (needle: number[]): Promise<void> => {
    const n = Buffer.from(needle);
    const deadline = Date.now() + 5000;
    while (!got.includes(n)) {
      if (Date.now() > deadline) throw new Error(`client never got ${n.toString('hex')} (has ${got.toString('hex')})`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
  };
  return { sock, probe, waitFor, got: () => got, clear: () => (got = Buffer.alloc(0)) };
}

t.test('auto mode: a client opening with IAC gets telnet, options offered for char-at-a-time 8-bit use', async (t) => {
  const c = await telnetPair(t, 'auto');
  c.sock.write(Buffer.from([IAC, WILL, TTYPE, IAC, DO, OPT_SGA]));
  await c.waitFor([IAC, DO, OPT_BINARY]);
  const g = c.got();
  t.ok(g.includes(Buffer.from([IAC, 254 /* DONT */, TTYPE])), 'terminal type refused');
  t.ok(g.includes(Buffer.from([IAC, WILL, OPT_SGA])), 'SGA agreed');
  t.ok(g.includes(Buffer.from([IAC, WILL, OPT_ECHO])), 'we offer to echo, so the terminal stops echoing locally');
  t.ok(g.includes(Buffer.from([IAC, WILL, OPT_BINARY])), 'BINARY offered toward the client');
  t.equal(c.probe.received.length, 0, 'no negotiation bytes reached the device');

  c.clear();
  c.sock.write(Buffer.from('AT\r\0ATI\r\n'));
  await c.probe.waitForData('ATI\r');
  t.equal(c.probe.received.toString('latin1'), 'AT\rATI\r', 'NVT CR NUL and CR LF arrive as CR while BINARY is not agreed');

  c.probe.endpoint.write(Buffer.from([0x4f, 0x4b, 0x0d, 0xff]));
  await c.waitFor([0x4f]);
  await c.waitFor([0xff, 0xff]);
  t.ok(c.got().equals(Buffer.from([0x4f, 0x4b, 0x0d, 0x00, 0xff, 0xff])), 'device output: bare CR padded with NUL, 0xFF doubled');

  c.clear();
  c.sock.write(Buffer.from([IAC, DO, OPT_BINARY, IAC, WILL, OPT_BINARY]));
  c.probe.received = Buffer.alloc(0);
  c.sock.write(Buffer.from([0x0d, 0x00, 0xff, 0xff, 0x0a]));
  await c.probe.waitUntil(() => c.probe.received.length >= 4, 'binary bytes');
  t.ok(c.probe.received.equals(Buffer.from([0x0d, 0x00, 0xff, 0x0a])), 'in BINARY the device gets CR NUL as sent, IAC IAC as one 0xFF');
  c.probe.endpoint.write(Buffer.from([0x0d, 0x41]));
  await c.waitFor([0x41]);
  t.ok(c.got().includes(Buffer.from([0x0d, 0x41])), 'in BINARY the device output CR goes without NUL');
});

t.test('always mode: we offer options before the client says anything', async (t) => {
  const c = await telnetPair(t, 'always');
  await c.waitFor([IAC, DO, OPT_BINARY]);
  t.ok(c.got().includes(Buffer.from([IAC, WILL, OPT_ECHO])), 'ECHO offered unprompted');
  t.ok(c.got().includes(Buffer.from([IAC, DO, OPT_SGA])), 'SGA requested unprompted');
});

t.test('never mode: IAC from the client is plain data', async (t) => {
  const c = await telnetPair(t, 'never');
  c.sock.write(Buffer.from([IAC, WILL, OPT_ECHO]));
  await c.probe.waitUntil(() => c.probe.received.length >= 3, 'three bytes');
  t.ok(c.probe.received.equals(Buffer.from([IAC, WILL, OPT_ECHO])), 'bytes delivered untouched');
  t.equal(c.got().length, 0, 'nothing negotiated');
});
