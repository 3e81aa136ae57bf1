import t from 'tap';
import { imodLab } from '../support/modem-rig.js';

/** The IMOD lab with the technician's modem on 0301234. */
function lab() {
  const l = imodLab();
  return { ...l, tech: l.rig.addModem('0301234', { echo: false }) };
}

function dial(l: ReturnType<typeof lab>, number: string, waitMs = 70_000): string {
  l.tech.term.send(`ATD${number}\r`);
  l.rig.clock.advance(waitMs);
  return l.tech.term.take();
}

t.test('CONNECT to the IMOD by DID hands the line to the PBX', async (t) => {
  const l = lab();
  t.equal(dial(l, '089722077', 20_000), '\r\nCONNECT 14400/V42BIS\r\nPIN?\r\n', 'connect text then the PBX prompt');
  t.equal(l.sink.calls.length, 1, 'PBX got one call');
  t.same(l.sink.calls[0].info, { kind: 'imod', caller: '0301234', connectText: '14400/V42BIS' }, 'call info');
  l.sink.calls[0].line.close();
  t.equal(l.tech.term.take(), '\r\nNO CARRIER\r\n', 'PBX hang-up is NO CARRIER at the technician');
});

t.test('BUSY: subscriber busy, test line, all modem channels busy', async (t) => {
  const l = lab();
  t.equal(dial(l, l.tl.busy), '\r\nBUSY\r\n', 'always-busy test line');
  dial(l, '089722077', 20_000);
  const second = l.rig.addModem('0305555', { echo: false });
  second.term.send('ATD089722077\r');
  l.rig.clock.advance(10_000);
  t.equal(second.term.take(), '\r\nBUSY\r\n', 'IMOD channel in use → BUSY');
  second.term.send('ATD0301234\r');
  l.rig.clock.advance(10_000);
  t.equal(second.term.take(), '\r\nBUSY\r\n', 'a modem in a call is busy');
});

t.test('ATH1 (off hook) makes callers hear BUSY', async (t) => {
  const l = lab();
  l.tech.term.send('ATH1\r');
  t.equal(l.tech.term.take(), '\r\nOK\r\n', 'off hook');
  const other = l.rig.addModem('0305555', { echo: false });
  other.term.send('ATD0301234\r');
  l.rig.clock.advance(10_000);
  t.equal(other.term.take(), '\r\nBUSY\r\n', 'BUSY while off hook');
  l.tech.term.send('ATH0\r');
  l.tech.term.take();
  other.term.send('ATD0301234\r');
  l.rig.clock.advance(3_000);
  t.equal(l.tech.term.take(), '\r\nRING\r\n', 'on hook again: it rings');
});

t.test('NO ANSWER after S7 with ringback; NO CARRIER at X0–X2', async (t) => {
  const l = lab();
  l.tech.term.send('ATS7=20\r');
  l.tech.term.take();
  l.tech.term.send(`ATD${l.tl.noAnswer}\r`);
  // Dialing takes 300 ms dial-tone detection + 7 digits × 2 × S11 (95 ms) ≈ 1.6 s; S7 starts after it.
  l.rig.clock.advance(21_500);
  t.equal(l.tech.term.take(), '', 'still waiting before S7 ends');
  l.rig.clock.advance(500);
  t.equal(l.tech.term.take(), '\r\nNO ANSWER\r\n', 'NO ANSWER once S7 ran out');
  l.tech.term.send('ATX1\r');
  l.tech.term.take();
  t.equal(dial(l, l.tl.noAnswer), '\r\nNO CARRIER\r\n', 'X1 cannot tell: NO CARRIER');
  t.equal(dial(l, l.tl.busy), '\r\nNO CARRIER\r\n', 'X1 reports busy as NO CARRIER');
});

t.test('number unobtainable and removed DID give NO CARRIER; internal calls still reach the port', async (t) => {
  const l = lab();
  t.equal(dial(l, '0899999'), '\r\nNO CARRIER\r\n', 'unassigned number');
  l.pbx.setDid('77', null);
  t.equal(dial(l, '089722077'), '\r\nNO CARRIER\r\n', 'DID removed: unreachable from outside');
  const station = l.rig.addModem('21', { echo: false, pbx: l.pbx });
  station.term.send('ATD77\r');
  l.rig.clock.advance(20_000);
  t.equal(station.term.take(), '\r\nCONNECT 14400/V42BIS\r\nPIN?\r\n', 'internal number 77 still reaches the IMOD');
  t.equal(l.sink.calls[0].info.caller, '21', 'internal caller id');
});

t.test('NO DIALTONE from a line fault at X4, NO CARRIER at X3', async (t) => {
  const l = lab();
  l.rig.exchange.setFaults('0301234', { noDialtone: true });
  t.equal(dial(l, l.tl.echo), '\r\nNO DIALTONE\r\n', 'X4 detects missing dial tone');
  l.tech.term.send('ATX3\r');
  l.tech.term.take();
  t.equal(dial(l, l.tl.echo), '\r\nNO CARRIER\r\n', 'X3 dials blind and hears nothing');
});

t.test('line dropped by the network: NO CARRIER, DCD falls', async (t) => {
  const l = lab();
  l.rig.exchange.setFaults(l.tl.echo, { dropAfterBytes: 9 });
  t.equal(dial(l, l.tl.echo, 20_000), '\r\nCONNECT 14400/V42BIS\r\n', 'connected');
  t.equal(l.tech.term.dte.dceLines.dcd, true, 'DCD on while connected');
  l.tech.term.send('abcdef');
  l.rig.clock.advance(1_000);
  t.equal(l.tech.term.take(), 'abc\r\nNO CARRIER\r\n', '6 bytes out + 3 back = 9, then the line drops');
  t.equal(l.tech.term.dte.dceLines.dcd, false, 'DCD off after the drop');
  t.equal(l.tech.modem.state, 'command', 'modem back in command state');
});
