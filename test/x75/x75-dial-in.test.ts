import t from 'tap';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { IncomingCallInfo, ModemCallSink } from '../../core/modem-port.js';
import { DEFAULT_LAPB_PARAMS } from '../../modem/lapb.js';
import { X75Modem } from '../../modem/x75-modem.js';
import { linkSetupTimeoutMs } from '../../modem/x75-pump.js';
import { installTestLines } from '../../src/network/test-lines.js';
import { createRig } from '../support/modem-rig.js';

/** A PBX stand-in that echoes every session byte back with a prefix per chunk. */
class EchoSink implements ModemCallSink {
  readonly calls: IncomingCallInfo[] = [];
  readonly lines: LineEndpoint[] = [];
  acceptModemCall(line: LineEndpoint, info: IncomingCallInfo): void {
    this.calls.push(info);
    this.lines.push(line);
    line.write('PIN:');
    line.onData((b) => line.write(b));
  }
}

function setup(options: { channels?: number; pacing?: boolean } = {}) {
  const rig = createRig({ pacing: options.pacing ?? true });
  const node = rig.exchange.addPbx({ id: 'P1', trunkNumbers: ['0301234'] });
  const sink = new EchoSink();
  const x75 = new X75Modem({ clock: rig.clock, sink, channels: options.channels });
  x75.attachLine(node.addPort('792', x75, { channels: x75.channels }));
  return { rig, node, sink, x75 };
}

t.test('an ISDN TA with AT+BX75 dials the X.75 pseudo-port: CONNECT 64000/X75 and the session', async (t) => {
  const { rig, sink } = setup();
  const ta = rig.addModem('0897001', { echo: false, profile: 'isdn-ta' });
  ta.term.send('AT+BX75\r');
  t.match(ta.term.take(), /OK/, 'AT+BX75 is accepted in the isdn-ta profile');
  ta.term.send('ATDT0301234792\r');
  rig.clock.advance(10_000);
  t.match(ta.term.take(), /CONNECT 64000\/X75\r\nPIN:/, 'CONNECT 64000/X75, then the PBX speaks through LAPB');
  t.same(sink.calls.map((c) => [c.kind, c.caller, c.connectText]), [['x75', '0897001', '64000/X75']], 'the PBX is told kind x75, the caller and the CONNECT text');
  const data = Buffer.from(Buffer.alloc(4000).map((_, i) => (i * 7) & 0xff));
  ta.term.send(data.toString('latin1'), 500);
  rig.clock.advance(5_000);
  t.equal(ta.term.take(), data.toString('latin1'), 'every byte comes back in order through LAPB both ways');
});

t.test('over a channel that corrupts 0.1 % of octets (about one 134-octet frame in eight), LAPB delivers everything exactly once, in order', async (t) => {
  const { rig } = setup();
  rig.exchange.setFaults('P1:792', { corruptRate: 0.001, corruptSeed: 11 });
  const ta = rig.addModem('0897001', { echo: false, profile: 'isdn-ta' });
  ta.term.send('AT+BX75\r');
  ta.term.send('ATDT0301234792\r');
  rig.clock.advance(10_000);
  t.match(ta.term.take(), /CONNECT 64000\/X75\r\nPIN:/, 'the link comes up despite the corruption');
  const data = Buffer.from(Buffer.alloc(20_000).map((_, i) => (i * 31 + (i >> 8)) & 0xff)).toString('latin1');
  ta.term.send(data, 1000);
  rig.clock.advance(30_000);
  t.equal(ta.term.take(), data, '20,000 bytes echoed with no loss, duplicate or reordering');
});

t.test('outcomes at the X.75 pseudo-port', async (t) => {
  const { rig, x75 } = setup({ channels: 2 });
  const analog = rig.addModem('0897000', { echo: false });
  analog.term.send('ATDT0301234792\r');
  rig.clock.advance(20_000);
  t.match(analog.term.take(), /NO CARRIER/, 'an analog modem finds no common modulation: NO CARRIER');
  t.equal(x75.channelsInUse, 0, 'the channel is free again after the failed handshake');

  const tas = ['0897001', '0897002', '0897003'].map((n) => rig.addModem(n, { echo: false, profile: 'isdn-ta' }));
  for (const ta of tas.slice(0, 2)) {
    ta.term.send('AT+BX75\rATDT0301234792\r');
    rig.clock.advance(5_000);
    t.match(ta.term.take(), /CONNECT 64000\/X75/, `${ta.number} gets one of the two B channels`);
  }
  tas[2].term.send('AT+BX75\rATDT0301234792\r');
  rig.clock.advance(5_000);
  t.match(tas[2].term.take(), /BUSY/, 'a third caller finds all modem channels busy');
  tas[0].term.send('+++');
  rig.clock.advance(2_000);
  tas[0].term.send('ATH\r');
  rig.clock.advance(3_000);
  t.equal(x75.channelsInUse, 1, 'hanging up frees one channel (LAPB DISC, then the call)');
});

t.test('the PBX dials out over X.75 and reports connect only once LAPB is up', async (t) => {
  const { rig, x75 } = setup();
  const ta = rig.addModem('0897001', { echo: false, profile: 'isdn-ta' });
  ta.term.send('ATS0=1\r');
  ta.term.take();
  let result: string | undefined;
  x75.dial('00897001', (r) => {
    result = r.outcome;
    if (r.outcome === 'connect') r.line.write('HELLO');
  });
  rig.clock.advance(20_000);
  t.equal(result, 'connect', 'the auto-answering TA answers the digital call with X.75');
  t.match(ta.term.take(), /CONNECT 64000\/X75\r\nHELLO/, 'the TA reports CONNECT 64000/X75 and shows the PBX data');
});

t.test('the echo test line answers X.75 calls too', async (t) => {
  const rig = createRig({ pacing: true });
  const lines = installTestLines(rig.exchange);
  const ta = rig.addModem('0897001', { echo: false, profile: 'isdn-ta' });
  ta.term.send('AT+BX75\rATDT' + lines.echo + '\r');
  rig.clock.advance(10_000);
  t.match(ta.term.take(), /CONNECT 64000\/X75/, 'CONNECT 64000/X75 from the echo line');
  ta.term.send('ping over LAPB');
  rig.clock.advance(1_000);
  t.equal(ta.term.take(), 'ping over LAPB', 'echoed');
});

t.test('on an unpaced network, hanging up an X.75 call (DISC/UA delivered at once) leaves both sides intact', async (t) => {
  const { rig, x75 } = setup({ pacing: false });
  const ta = rig.addModem('0897001', { echo: false, profile: 'isdn-ta' });
  ta.term.send('AT+BX75\rATDT0301234792\r');
  rig.clock.advance(5_000);
  t.match(ta.term.take(), /CONNECT 64000\/X75/, 'connected');
  rig.clock.advance(1_100);
  ta.term.send('+++');
  rig.clock.advance(1_100);
  t.doesNotThrow(() => {
    ta.term.send('ATH\r');
    rig.clock.advance(2_000);
  }, 'ATH does not crash the LAPB stations');
  t.match(ta.term.take(), /OK\r\n\r\nOK\r\n$/, '+++ and ATH both answer OK');
  t.equal(x75.channelsInUse, 0, 'the PBX channel is free');
  t.equal(rig.exchange.activeCalls, 0, 'the call is released');
});

t.test('the X.75 pseudo-port hangs up on a digital caller who never sends SABM, after T1 × N2 (10 s); one who sends it in time keeps the call', async (t) => {
  const { rig, x75 } = setup();
  t.equal(linkSetupTimeoutMs(DEFAULT_LAPB_PARAMS), 10_000, 'T1 1 s × N2 10: the time a DTE\'s own set-up takes to give up');
  const silent = rig.exchange.addSubscriber('0897009', { offerCall: () => 'busy' });
  let path: LineEndpoint | undefined;
  let closedAt: number | undefined;
  silent.dial('0301234792', { bearer: 'digital', capabilities: { layer2: 'X75' } }, {
    onConnect: (p) => {
      path = p;
      p.onClose(() => { closedAt ??= rig.clock.now(); });
    },
    onFail: (reason) => t.fail(`the call fails: ${reason}`),
  });
  rig.clock.advance(2_000);
  t.ok(path, 'the pseudo-port answers the digital call');
  t.equal(x75.channelsInUse, 1, 'the silent caller holds the channel');
  const connectedAt = rig.clock.now();
  rig.clock.advance(7_000);
  t.equal(closedAt, undefined, 'still connected well inside the set-up time');
  rig.clock.advance(10_000);
  t.ok(closedAt !== undefined && closedAt - connectedAt <= linkSetupTimeoutMs(DEFAULT_LAPB_PARAMS), `hung up within T1 × N2 of the answer (${closedAt === undefined ? 'never' : `${closedAt - connectedAt} ms`})`);
  t.equal(x75.channelsInUse, 0, 'the channel is free again for the next caller');

  // A terminal adapter that sends SABM at once is not touched by the timer.
  const ta = rig.addModem('0897001', { echo: false, profile: 'isdn-ta' });
  ta.term.send('AT+BX75\r');
  ta.term.send('ATDT0301234792\r');
  rig.clock.advance(5_000);
  t.match(ta.term.take(), /CONNECT 64000\/X75\r\nPIN:/, 'a TA that speaks LAPB connects');
  rig.clock.advance(60_000);
  ta.term.send('still here');
  rig.clock.advance(1_000);
  t.match(ta.term.take(), /still here/, 'a minute later its call is still up: the timer ends with the link set-up');
});
