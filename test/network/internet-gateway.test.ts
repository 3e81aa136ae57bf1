import t from 'tap';
import type { ConnectFailure, TcpConnector } from '../../core/tcp-connector.js';
import { createLinePair, type TerminalEndpoint } from '../../src/adapters/line-pair.js';
import { InternetGateway, parseTcpAddress } from '../../src/network/internet-gateway.js';
import { createRig } from '../support/modem-rig.js';
import { Terminal } from '../support/terminal.js';

/** One connection attempt of the gateway, decided by the test. */
interface Attempt {
  host: string;
  port: number;
  cancelled: boolean;
  /** The host accepts: returns the host's end of the connection. */
  accept(): Terminal;
  fail(reason: ConnectFailure): void;
}

function fakeConnector(): { connector: TcpConnector; attempts: Attempt[] } {
  const attempts: Attempt[] = [];
  const connector: TcpConnector = {
    connect(host, port, events) {
      const attempt: Attempt = {
        host,
        port,
        cancelled: false,
        accept: () => {
          const pair = createLinePair(`tcp ${host}:${port}`);
          events.connected(pair.dce);
          return new Terminal(pair.dte as TerminalEndpoint);
        },
        fail: (reason) => events.failed(reason),
      };
      attempts.push(attempt);
      return { cancel: () => { attempt.cancelled = true; } };
    },
  };
  return { connector, attempts };
}

function bridgeRig(pacing = false) {
  const rig = createRig({ pacing });
  const { connector, attempts } = fakeConnector();
  const gateway = new InternetGateway({ connector, phoneBook: { '5551234': 'bbs.example.org:2323', home: '127.0.0.1:6400' } });
  gateway.attach(rig.exchange);
  const m = rig.addModem('0897000', { echo: false });
  return { ...rig, gateway, attempts, m };
}

t.test('addresses: host, host:port, [v6]:port; port 23 by default; nonsense refused', async (t) => {
  t.same(parseTcpAddress('BBS.Example.org'), { host: 'bbs.example.org', port: 23 }, 'telnet port by default');
  t.same(parseTcpAddress('127.0.0.1:6400'), { host: '127.0.0.1', port: 6400 }, 'with a port');
  t.same(parseTcpAddress('[::1]:2323'), { host: '::1', port: 2323 }, 'IPv6 in brackets');
  t.equal(parseTcpAddress('host:0'), undefined, 'port 0');
  t.equal(parseTcpAddress('host:70000'), undefined, 'port out of range');
  t.equal(parseTcpAddress('a b'), undefined, 'not a host name');
});

t.test('ATD host:port: CONNECT at the bridge rate, data both ways, +++ / ATO / ATH, the host sees the hang-up', async (t) => {
  const { clock, m, attempts } = bridgeRig();
  m.term.send('ATDTbbs.example.org:2323\r');
  clock.advance(1_000);
  t.same(attempts.map((a) => `${a.host}:${a.port}`), ['bbs.example.org:2323'], 'the gateway connects to the dialled host');
  const host = attempts[0].accept();
  host.send('Welcome to the BBS\r\n');
  clock.advance(100);
  t.equal(m.term.take(), '\r\nCONNECT 38400\r\nWelcome to the BBS\r\n', 'CONNECT at 38400, then the greeting sent before the modem was through');
  m.term.send('hello');
  clock.advance(100);
  t.equal(host.take(), 'hello', 'DTE bytes reach the host');
  clock.advance(1_000);
  m.term.send('+++');
  clock.advance(1_000);
  t.equal(m.term.take(), '\r\nOK\r\n', '+++ escapes to online command state');
  m.term.send('ATO\r');
  t.equal(m.term.take(), '\r\nCONNECT 38400\r\n', 'ATO goes back online');
  clock.advance(1_000);
  m.term.send('+++');
  clock.advance(1_000);
  m.term.take();
  t.equal(host.take(), '++++++', 'the pluses of both escapes went to the host as data, as on a real line');
  m.term.send('ATH\r');
  clock.advance(100);
  t.equal(m.term.take(), '\r\nOK\r\n', 'ATH hangs up');
  t.equal(host.dte.closed, true, 'the TCP connection is closed');
});

t.test('phone book: a number and a name dial their hosts; a host without a port gets 23', async (t) => {
  const { clock, m, attempts } = bridgeRig();
  m.term.send('ATDT5551234\r');
  clock.advance(5_000);
  m.term.send('x');
  m.term.send('ATDThome\r');
  clock.advance(5_000);
  m.term.send('x');
  m.term.send('ATDbbs.example.net\r');
  clock.advance(5_000);
  t.same(attempts.map((a) => `${a.host}:${a.port}`), ['bbs.example.org:2323', '127.0.0.1:6400', 'bbs.example.net:23'], 'phone book number, phone book name, literal host');
  t.same(attempts.map((a) => a.cancelled), [true, true, false], 'a key aborts the dial and the connection attempt with it');
});

t.test('dial outcomes: refused is BUSY, no route NO CARRIER, no answer within S7 NO ANSWER, the host closing NO CARRIER', async (t) => {
  const refused = bridgeRig();
  refused.m.term.send('ATD127.0.0.1:1\r');
  refused.clock.advance(1_000);
  refused.attempts[0].fail('refused');
  refused.clock.advance(100);
  t.equal(refused.m.term.take(), '\r\nBUSY\r\n', 'connection refused');

  const unreachable = bridgeRig();
  unreachable.m.term.send('ATDno.such.host\r');
  unreachable.clock.advance(1_000);
  unreachable.attempts[0].fail('unreachable');
  unreachable.clock.advance(100);
  t.equal(unreachable.m.term.take(), '\r\nNO CARRIER\r\n', 'no such host');

  const hole = bridgeRig();
  hole.m.term.send('ATS7=20D10.255.255.1\r');
  hole.clock.advance(19_000);
  t.equal(hole.m.term.take(), '', 'still waiting for the connection before S7');
  hole.clock.advance(2_000);
  t.equal(hole.m.term.take(), '\r\nNO ANSWER\r\n', 'S7 = 20 s ran out');
  t.equal(hole.attempts[0].cancelled, true, 'the connection attempt is given up');

  const closes = bridgeRig();
  closes.m.term.send('ATDbbs.example.org\r');
  closes.clock.advance(1_000);
  const host = closes.attempts[0].accept();
  closes.clock.advance(100);
  t.equal(closes.m.term.take(), '\r\nCONNECT 38400\r\n', 'connected');
  host.dte.close();
  closes.clock.advance(100);
  t.equal(closes.m.term.take(), '\r\nNO CARRIER\r\n', 'the host hung up');
  t.equal(closes.m.modem.state, 'command', 'back in command state');
});

t.test('pacing: a bridged call is paced at its 38400 bit/s (3,840 bytes/s)', async (t) => {
  const { clock, m, attempts } = bridgeRig(true);
  m.term.send('ATDbbs.example.org\r');
  clock.advance(1_000);
  const host = attempts[0].accept();
  clock.advance(100);
  m.term.take();
  host.send('x'.repeat(3840));
  clock.advance(500);
  const half = m.term.take().length;
  t.ok(half > 1700 && half < 2100, `about half a second's worth after 0.5 s (${half} of 3840 bytes)`);
  clock.advance(600);
  t.equal(half + m.term.take().length, 3840, 'all of it after a second');
});

t.test('a TCP caller rings the modem: RING, ATA, CONNECT 38400, data both ways, the caller hanging up is NO CARRIER', async (t) => {
  const { clock, gateway, m } = bridgeRig();
  const pair = createLinePair('tcp caller');
  const caller = new Terminal(pair.dte);
  gateway.incoming('0897000', pair.dce);
  clock.advance(1_000);
  t.match(m.term.take(), /^\r\nRING\r\n$/, 'the modem rings');
  m.term.send('ATA\r');
  clock.advance(100);
  t.equal(m.term.take(), '\r\nCONNECT 38400\r\n', 'answered');
  caller.send('hi');
  m.term.send('hello');
  clock.advance(100);
  t.equal(m.term.take(), 'hi', 'caller → DTE');
  t.equal(caller.take(), 'hello', 'DTE → caller');
  pair.dte.close();
  clock.advance(100);
  t.equal(m.term.take(), '\r\nNO CARRIER\r\n', 'the caller left');
});

t.test('a TCP caller is told BUSY by a modem in a call, and NO ANSWER after ten rings; S0 answers by itself', async (t) => {
  const busy = bridgeRig();
  const first = createLinePair('first');
  busy.gateway.incoming('0897000', first.dce);
  busy.clock.advance(1_000);
  const second = createLinePair('second');
  const secondCaller = new Terminal(second.dte);
  busy.gateway.incoming('0897000', second.dce);
  busy.clock.advance(1_000);
  t.equal(secondCaller.take(), 'BUSY\n', 'a second caller while the first rings');
  t.equal(second.dte.closed, true, 'and is disconnected');

  const silent = bridgeRig();
  const pair = createLinePair('caller');
  const caller = new Terminal(pair.dte);
  silent.gateway.incoming('0897000', pair.dce);
  silent.clock.advance(49_000);
  t.equal(caller.take(), '', 'nothing yet after nine and a half rings');
  silent.clock.advance(2_000);
  t.equal(caller.take(), 'NO ANSWER\n', 'NO ANSWER after ten rings');
  t.equal(pair.dte.closed, true, 'disconnected');
  t.equal((silent.m.term.take().match(/RING/g) ?? []).length, 10, 'the modem rang ten times');

  const auto = bridgeRig();
  auto.m.term.send('ATS0=2\r');
  auto.m.term.take();
  const autoPair = createLinePair('caller');
  auto.gateway.incoming('0897000', autoPair.dce);
  auto.clock.advance(6_000);
  t.equal(auto.m.term.take(), '\r\nRING\r\n\r\nRING\r\n\r\nCONNECT 38400\r\n', 'answered at the second ring');
});
