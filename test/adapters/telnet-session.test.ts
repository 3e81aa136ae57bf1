import t from 'tap';
import {
  DO,
  DONT,
  IAC,
  OPT_BINARY,
  OPT_COM_PORT,
  OPT_ECHO,
  OPT_SGA,
  SB,
  SE,
  TelnetSession,
  WILL,
  WONT,
} from '../../src/adapters/telnet-session.js';

const LINEMODE = 34; // RFC 1184, an option we do not serve

function harness() {
  const data: number[] = [];
  const wire: number[] = [];
  const subs: Array<[number, number[]]> = [];
  const changes: string[] = [];
  const s = new TelnetSession(
    {
      data: (b) => data.push(...b),
      transmit: (b) => wire.push(...b),
      subnegotiation: (o, p) => subs.push([o, [...p]]),
      optionChanged: (o, side, on) => changes.push(`${side}:${o}:${on}`),
    },
    { local: [OPT_BINARY, OPT_ECHO, OPT_SGA, OPT_COM_PORT], remote: [OPT_BINARY, OPT_SGA, OPT_COM_PORT] },
  );
  return { s, data, wire, subs, changes };
}

/** Feed bytes one at a time: the worst split a TCP stream can produce. */
function trickle(s: TelnetSession, bytes: number[]): void {
  for (const b of bytes) s.receive(Uint8Array.of(b));
}

t.test('commands are stripped from data and IAC IAC is one 0xFF, even split byte by byte', async (t) => {
  const h = harness();
  trickle(h.s, [0x41, IAC, 241 /* NOP */, 0x42, IAC, IAC, 0x43, IAC, SB, OPT_COM_PORT, 1, IAC, IAC, 2, IAC, SE, 0x44]);
  t.same(h.data, [0x41, 0x42, 0xff, 0x43, 0x44], 'data has NOP and SB removed and one 0xFF');
  t.same(h.subs, [[OPT_COM_PORT, [1, 0xff, 2]]], 'subnegotiation payload delivered with IAC unescaped');
});

t.test('NVT input: CR NUL and CR LF both become CR; in BINARY they pass', async (t) => {
  const h = harness();
  trickle(h.s, [0x61, 13, 0, 0x62, 13, 10, 0x63, 13]);
  trickle(h.s, [0x64]);
  t.same(h.data, [0x61, 13, 0x62, 13, 0x63, 13, 0x64], 'NUL and LF after CR dropped, bare CR kept');
  h.data.length = 0;
  h.s.receive(Uint8Array.of(IAC, WILL, OPT_BINARY, 13, 0, 13, 10));
  t.same(h.data, [13, 0, 13, 10], 'after WILL BINARY the client bytes pass untouched');
});

t.test('NVT output: bare CR goes as CR NUL, IAC doubled; BINARY only doubles IAC', async (t) => {
  const h = harness();
  h.s.send(Uint8Array.of(13, 10, 13, 0x41, 0xff));
  t.same(h.wire, [13, 10, 13, 0, 0x41, 0xff, 0xff], 'CR LF kept, bare CR padded, IAC doubled');
  h.wire.length = 0;
  h.s.receive(Uint8Array.of(IAC, DO, OPT_BINARY));
  t.same(h.wire, [IAC, WILL, OPT_BINARY], 'DO BINARY accepted');
  h.wire.length = 0;
  h.s.send(Uint8Array.of(13, 0x41, 0xff));
  t.same(h.wire, [13, 0x41, 0xff, 0xff], 'binary output: no CR padding');
});

t.test('negotiation: supported options accepted once, unknown refused, no loops', async (t) => {
  const h = harness();
  h.s.receive(Uint8Array.of(IAC, DO, OPT_ECHO, IAC, DO, OPT_ECHO, IAC, WILL, LINEMODE, IAC, DO, LINEMODE, IAC, WILL, OPT_COM_PORT));
  t.same(
    h.wire,
    [IAC, WILL, OPT_ECHO, IAC, DONT, LINEMODE, IAC, WONT, LINEMODE, IAC, DO, OPT_COM_PORT],
    'ECHO agreed once, LINEMODE refused both ways, COM-PORT accepted',
  );
  t.same(h.changes, ['local:1:true', 'remote:44:true'], 'option changes reported');
  h.wire.length = 0;
  h.s.request(OPT_SGA, 'local');
  h.s.request(OPT_SGA, 'local');
  t.same(h.wire, [IAC, WILL, OPT_SGA], 'a request is sent once while pending');
  h.wire.length = 0;
  h.s.receive(Uint8Array.of(IAC, DO, OPT_SGA));
  t.same(h.wire, [], 'the answer to our own request is not answered again');
  t.ok(h.s.isEnabled(OPT_SGA, 'local'), 'SGA is on');
  h.s.receive(Uint8Array.of(IAC, DONT, OPT_ECHO));
  t.same(h.wire, [IAC, WONT, OPT_ECHO], 'DONT ECHO acknowledged with WONT');
  t.notOk(h.s.isEnabled(OPT_ECHO, 'local'), 'ECHO is off');
  h.wire.length = 0;
  h.s.request(OPT_BINARY, 'remote');
  h.s.receive(Uint8Array.of(IAC, WONT, OPT_BINARY));
  t.same(h.wire, [IAC, DO, OPT_BINARY], 'a refusal of our DO is not answered');
  t.notOk(h.s.isEnabled(OPT_BINARY, 'remote'), 'BINARY stays off after refusal');
});

t.test('an oversized subnegotiation is dropped without harming later data', async (t) => {
  const h = harness();
  h.s.receive(Uint8Array.from([IAC, SB, OPT_COM_PORT, ...new Array(2000).fill(7), IAC, SE, 0x5a]));
  t.same(h.subs, [], 'oversized payload not delivered');
  t.same(h.data, [0x5a], 'data after it still arrives');
});
