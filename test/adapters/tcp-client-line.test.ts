import { createServer, type Server, type Socket } from 'node:net';
import t from 'tap';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { tcpConnector } from '../../src/adapters/tcp-client-line.js';
import { freePort } from '../support/lab-child.js';

const IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240;
const BINARY = 0, ECHO = 1, SGA = 3, TTYPE = 24, NAWS = 31, TSPEED = 32, LINEMODE = 34;

function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onSocket);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve({ server, port: typeof a === 'object' && a ? a.port : 0 });
  }));
}

function open(port: number): Promise<LineEndpoint> {
  return new Promise((resolve, reject) => {
    tcpConnector({ rateBps: 38_400 }).connect('127.0.0.1', port, {
      connected: resolve,
      failed: (reason) => reject(new Error(reason)),
    });
  });
}

/** Collect what arrives until `test` holds, or fail after 5 s. */
function until(get: () => Buffer, test: (b: Buffer) => boolean, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 5000;
    const check = (): void => {
      if (test(get())) return resolve(get());
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}: ${get().toString('hex')}`));
      setTimeout(check, 10);
    };
    check();
  });
}

const has = (b: Buffer, ...seq: number[]): boolean => b.includes(Buffer.from(seq));

t.test('a refused port is "refused"; a name that does not resolve is "unreachable"', async (t) => {
  const port = await freePort();
  const refused = await new Promise<string>((resolve) => tcpConnector({ rateBps: 38_400 }).connect('127.0.0.1', port, { connected: () => resolve('connected'), failed: resolve }));
  t.equal(refused, 'refused', 'nothing listens on the port');
  const unknown = await new Promise<string>((resolve) => tcpConnector({ rateBps: 38_400 }).connect('no-such-host.invalid', 23, { connected: () => resolve('connected'), failed: resolve }));
  t.equal(unknown, 'unreachable', '.invalid never resolves (RFC 2606)');
});

t.test('a raw host gets the bytes as they are, 0xFF included', async (t) => {
  let got = Buffer.alloc(0);
  let peer: Socket | undefined;
  const { server, port } = await listen((s) => {
    peer = s;
    s.on('data', (d) => { got = Buffer.concat([got, d]); });
    s.write(Buffer.from([0x41, 0xff, 0x42]));
  });
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const line = await open(port);
  let back = Buffer.alloc(0);
  line.onData((d) => { back = Buffer.concat([back, d]); });
  line.write(Uint8Array.of(0xff, 0x0d, 0x00));
  t.same([...(await until(() => got, (b) => b.length >= 3, 'the bytes at the host'))], [0xff, 0x0d, 0x00], 'sent untouched');
  t.same([...(await until(() => back, (b) => b.length >= 3, 'the greeting'))], [0x41, 0xff, 0x42], 'received untouched');
  line.close();
  await until(() => Buffer.from(peer?.destroyed || peer?.readableEnded ? [1] : []), (b) => b.length > 0, 'the host seeing the close');
});

t.test('a Telnet host is answered as tcpser answers it: binary, SGA, its echo, VT100, the speed, 80x24; the rest refused; IAC escaped', async (t) => {
  let got = Buffer.alloc(0);
  const { server, port } = await listen((s) => {
    s.on('data', (d) => { got = Buffer.concat([got, d]); });
    s.write(Buffer.from([IAC, DO, TTYPE, IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, NAWS, IAC, DO, TSPEED, IAC, DO, LINEMODE]));
    setTimeout(() => s.write(Buffer.from([IAC, SB, TTYPE, 1, IAC, SE, IAC, SB, TSPEED, 1, IAC, SE, 0x48, 0x69, IAC, IAC, 0x21])), 100);
  });
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const line = await open(port);
  let back = Buffer.alloc(0);
  line.onData((d) => { back = Buffer.concat([back, d]); });
  const reply = await until(() => got, (b) => has(b, IAC, SB, TSPEED), 'the negotiation replies');
  t.ok(has(reply, IAC, WILL, BINARY) && has(reply, IAC, DO, BINARY), 'asks for binary both ways (8-bit clean)');
  t.ok(has(reply, IAC, WILL, TTYPE), 'will send the terminal type');
  t.ok(has(reply, IAC, DO, ECHO) && has(reply, IAC, DO, SGA), 'lets the host echo and suppress go-ahead');
  t.ok(has(reply, IAC, WILL, NAWS, IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE), 'reports an 80x24 window');
  t.ok(has(reply, IAC, WONT, LINEMODE), 'refuses linemode');
  t.ok(has(reply, IAC, SB, TTYPE, 0, ...Buffer.from('VT100'), IAC, SE), 'terminal type VT100');
  t.ok(has(reply, IAC, SB, TSPEED, 0, ...Buffer.from('38400,38400'), IAC, SE), 'terminal speed at the bridge rate');
  t.same([...(await until(() => back, (b) => b.length >= 4, 'the data'))], [0x48, 0x69, 0xff, 0x21], 'commands stripped, IAC IAC is one 0xFF');
  t.notOk(has(reply, IAC, DONT), 'nothing the host offered was refused that tcpser takes');
  const before = got.length;
  line.write(Uint8Array.of(0x41, 0xff));
  const sent = await until(() => got, (b) => b.length >= before + 3, 'the escaped byte');
  t.same([...sent.subarray(before)], [0x41, IAC, IAC], '0xFF from the modem goes out as IAC IAC');
  line.close();
});
