import { connect, createServer, type Server, type Socket } from 'node:net';
import t from 'tap';
import { runChat } from '../support/chat-client.js';
import { expectText } from '../support/echo-pump.js';
import { freePort, startLab, tempDir } from '../support/lab-child.js';
import { LineChild } from '../support/line-child.js';
import { writeModemLabConfig } from '../support/modem-lab.js';
import { pyserialExpect } from '../support/pyserial-expect.js';

/**
 * Bridge mode end to end (docs/bridge.md), the built CLI's lab against real
 * sockets on loopback: a modem dials out of the emulated network to a TCP
 * echo server, a refused port and a black-holed connect, through the phone
 * book and with a literal address; pyserial and ppp's chat dial through the
 * phone book; a TCP caller rings a modem on its listener.
 */

/** A TCP echo server in this process; `hangUpAll()` closes every connection from the server's side. */
async function echoServer(t: { teardown(fn: () => Promise<void>): void }): Promise<{ port: number; hangUpAll(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => s.write(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => {
    for (const s of sockets) s.destroy();
    server.close(() => r());
  }));
  const a = server.address();
  return { port: typeof a === 'object' && a ? a.port : 0, hangUpAll: () => { for (const s of sockets) s.destroy(); } };
}

/** A listener whose accept queue is full and never drained: connects to it hang, SYNs unanswered. */
const BLACK_HOLE = String.raw`
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
fill = []
for i in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    fill.append(c)
time.sleep(0.2)
print(port, flush=True)
time.sleep(120)
`;

function terminal(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Send an AT line; resolves with everything up to and including the first line matching `result`. */
async function at(s: Socket, line: string, result: string, timeoutMs = 10_000): Promise<string> {
  s.write(`${line}\r`);
  return expectText(s, result, timeoutMs);
}

t.test('dial outcomes against real sockets: CONNECT 38400 and echo, BUSY, NO ANSWER by S7, NO CARRIER when the host closes', async (t) => {
  const echo = await echoServer(t);
  const refused = await freePort();
  const hole = LineChild.python(BLACK_HOLE);
  t.teardown(() => hole.stop());
  const holePort = await hole.expect(/^\d+$/, 10_000);
  const files = await writeModemLabConfig(tempDir(t), [{ name: 'tech', number: '0897000', bind: 'tcp' }], {
    bridge: { phoneBook: { '5551001': `127.0.0.1:${echo.port}`, '5551002': `127.0.0.1:${refused}`, '5551003': `127.0.0.1:${holePort}` } },
  });
  await startLab(t, files);
  const s = await terminal(files.modems.tech.port!);
  t.teardown(() => s.destroy());
  await at(s, 'ATE0', 'OK\r\n');

  t.equal(await at(s, 'ATDT5551001', 'CONNECT 38400\r\n'), '\r\nCONNECT 38400\r\n', 'phone book number → the echo server, CONNECT at the bridge rate');
  s.write('ping');
  t.equal(await expectText(s, 'ping', 5_000), 'ping', 'the echo server answers through the modem');
  await new Promise((r) => setTimeout(r, 1100));
  s.write('+++');
  t.equal(await expectText(s, 'OK\r\n', 5_000), '+++\r\nOK\r\n', '+++ after the guard time (the pluses echoed first)');
  t.equal(await at(s, 'ATO', 'CONNECT 38400\r\n'), '\r\nCONNECT 38400\r\n', 'ATO: back online');
  await new Promise((r) => setTimeout(r, 1100));
  s.write('+++');
  await expectText(s, 'OK\r\n', 5_000);
  t.equal(await at(s, 'ATH', 'OK\r\n'), '\r\nOK\r\n', 'ATH hangs up');

  t.equal(await at(s, 'ATDT5551002', 'BUSY\r\n'), '\r\nBUSY\r\n', 'a refused port is BUSY');
  const t0 = Date.now();
  t.equal(await at(s, 'ATS7=3DT5551003', 'NO ANSWER\r\n', 10_000), '\r\nNO ANSWER\r\n', 'a black-holed connect is NO ANSWER');
  t.ok(Date.now() - t0 >= 2900, `after S7 = 3 s (${Date.now() - t0} ms)`);

  t.equal(await at(s, `ATS7=30D127.0.0.1:${echo.port}`, 'CONNECT 38400\r\n'), '\r\nCONNECT 38400\r\n', 'a literal host:port');
  echo.hangUpAll();
  t.equal(await expectText(s, 'NO CARRIER\r\n', 5_000), '\r\nNO CARRIER\r\n', 'the host closing is NO CARRIER');
});

t.test('pyserial on the pty and chat over TCP dial a host through the phone book', async (t) => {
  const echo = await echoServer(t);
  const dir = tempDir(t);
  const files = await writeModemLabConfig(dir, [
    { name: 'tech', number: '0897000', bind: 'pty' },
    { name: 'tech2', number: '0897002', bind: 'tcp' },
  ], { bridge: { phoneBook: { bbs: `127.0.0.1:${echo.port}`, '5551001': `127.0.0.1:${echo.port}` } } });
  await startLab(t, files);
  const chat = runChat(dir, `TCP:127.0.0.1:${files.modems.tech2.port}`, 'bridge', `ABORT BUSY\nABORT 'NO CARRIER'\n'' ATZ\nOK ATDT5551001\nCONNECT ''\n`);
  const py = LineChild.python(String.raw`
import serial, sys, time
port = serial.Serial(sys.argv[1], 38400, timeout=15)
${pyserialExpect('port')}
port.write(b'ATE0\r'); expect(b'OK\r\n')
port.write(b'ATDTbbs\r')
print('RESULT', expect(b'CONNECT 38400\r\n', b'BUSY', b'NO CARRIER').strip())
port.write(b'hello through the bridge')
print('ECHO', expect(b'bridge'))
time.sleep(1.2); port.write(b'+++'); time.sleep(1.2)
expect(b'OK\r\n')
port.write(b'ATH\r'); print('HANGUP', expect(b'OK\r\n').strip())
`, files.modems.tech.pty!);
  t.teardown(() => py.stop());
  t.equal(await py.expect(/^RESULT /, 20_000), 'RESULT CONNECT 38400', 'pyserial: ATDTbbs (a phone-book name) connects');
  t.equal(await py.expect(/^ECHO /, 10_000), 'ECHO hello through the bridge', 'the echo server answers');
  t.equal(await py.expect(/^HANGUP /, 10_000), 'HANGUP OK', '+++ and ATH');
  const done = await chat;
  t.equal(done.code, 0, `chat gets CONNECT through the phone book and exits 0 (log: ${done.log.slice(-300)})`);
});

t.test('a TCP caller rings the modem on its listener: RING, ATA, CONNECT 38400, data both ways; a second caller is told BUSY', async (t) => {
  const files = await writeModemLabConfig(tempDir(t), [{ name: 'bbs', number: '0897100', bind: 'tcp', listen: true }]);
  await startLab(t, files);
  const dte = await terminal(files.modems.bbs.port!);
  t.teardown(() => dte.destroy());
  await at(dte, 'ATE0', 'OK\r\n');
  const caller = await terminal(files.modems.bbs.listen!);
  t.teardown(() => caller.destroy());
  t.equal(await expectText(dte, 'RING\r\n', 10_000), '\r\nRING\r\n', 'the modem rings');
  const second = await terminal(files.modems.bbs.listen!);
  t.equal(await expectText(second, '\n', 5_000), 'BUSY\n', 'a second caller while the first rings: BUSY, as tcpser says it');
  t.equal(await at(dte, 'ATA', 'CONNECT 38400\r\n'), '\r\nCONNECT 38400\r\n', 'ATA answers');
  caller.write('hello modem');
  t.equal(await expectText(dte, 'modem', 5_000), 'hello modem', 'caller → DTE');
  dte.write('hello caller');
  t.equal(await expectText(caller, 'caller', 5_000), 'hello caller', 'DTE → caller');
  caller.destroy();
  t.equal(await expectText(dte, 'NO CARRIER\r\n', 5_000), '\r\nNO CARRIER\r\n', 'the caller hanging up is NO CARRIER');
});
