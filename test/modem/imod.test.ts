import t from 'tap';
import { imodLab } from '../support/modem-rig.js';
import type { DialResult } from '../../core/modem-port.js';

t.test('negotiation with the caller: +MS, +ES, +DS pick the CONNECT text', async (t) => {
  const cases: Array<[string, string]> = [
    ['', '14400/V42BIS'],
    ['+DS=0', '14400/LAPM'],
    ['+ES=4', '14400/MNP5'],
    ['+ES=4;+DS=0', '14400/MNP'],
    ['+ES=0', '14400'],
    ['+MS=V32', '9600/V42BIS'],
    ['+MS=V22B', '2400/V42BIS'],
    ['+MS=V32B,1,300,12000', '12000/V42BIS'],
  ];
  for (const [setup, expected] of cases) {
    const l = imodLab();
    const m = l.rig.addModem('0301', { echo: false });
    m.term.send(`AT${setup}\r`);
    m.term.take();
    m.term.send('ATD089722077\r');
    l.rig.clock.advance(20_000);
    t.equal(m.term.take(), `\r\nCONNECT ${expected}\r\nPIN?\r\n`, `AT${setup || ' (defaults)'} → ${expected}`);
    t.equal(l.sink.calls[0]?.info.connectText, expected, 'the PBX sees the same text');
  }
});

t.test('a V.21-only caller connects at 300 and the channel frees on hang-up', async (t) => {
  const l = imodLab();
  const m = l.rig.addModem('0301', { echo: false });
  m.term.send('AT+MS=V21,0\r');
  m.term.take();
  m.term.send('ATD089722077\r');
  l.rig.clock.advance(20_000);
  t.equal(m.term.take(), '\r\nCONNECT 300/V42BIS\r\nPIN?\r\n', 'V.21 only still connects at 300');
  l.sink.calls[0].line.close();
  m.term.take();
  t.equal(l.imod.busy, false, 'channel free after hang-up');
});

t.test('outgoing calls from the PBX: connect, busy, no answer, unobtainable, channel busy', async (t) => {
  const l = imodLab();
  const tech = l.rig.addModem('0301', { echo: false });
  tech.term.send('ATS0=1\r');
  tech.term.take();
  const results: DialResult[] = [];
  l.imod.dial('00301', (r) => results.push(r));
  l.imod.dial('00301', (r) => results.push(r));
  l.rig.clock.advance(20_000);
  t.equal(results.length, 2, 'both dials reported');
  t.same(results[0], { outcome: 'channel-busy' }, 'second dial while the first is up: channel busy');
  t.equal(results[1].outcome, 'connect', 'callback connected');
  t.equal(tech.term.take(), '\r\nRING\r\n\r\nCONNECT 14400/V42BIS\r\n', 'technician saw RING and CONNECT');
  if (results[1].outcome === 'connect') {
    t.equal(results[1].connectText, '14400/V42BIS', 'connect text for the firmware');
    results[1].line.write('hello');
    l.rig.clock.advance(100);
    t.equal(tech.term.take(), 'hello', 'data from the PBX');
    results[1].line.close();
    t.equal(tech.term.take(), '\r\nNO CARRIER\r\n', 'PBX hang-up');
  }
  const more: DialResult[] = [];
  l.imod.dial(`0${l.tl.busy}`, (r) => more.push(r));
  l.rig.clock.advance(5_000);
  l.imod.dial(`0${l.tl.noAnswer}`, (r) => more.push(r));
  l.rig.clock.advance(60_000);
  l.imod.dial('00999', (r) => more.push(r));
  l.rig.clock.advance(5_000);
  t.same(more.map((r) => r.outcome), ['busy', 'no-answer', 'unobtainable'], 'failure outcomes');
  t.equal(l.imod.busy, false, 'channel free');
});
