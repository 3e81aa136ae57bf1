import t from 'tap';
import { ENABLE_CODE } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import { multiTapKeys } from '../../firmware-sim/dtmf-admin/multi-tap.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { linearToAlaw } from '../../dsp/g711.js';
import { floatToPcm16 } from '../../dsp/g711.js';
import { DLE, ETX, parseVts } from '../../modem/voice-mode.js';
import { DtmfAdminPort } from '../../src/network/dtmf-admin-port.js';
import { ADMIN, dtmfPbx, ENABLE_PASSWORD } from '../support/dtmf-admin-rig.js';
import { createRig } from '../support/modem-rig.js';
import { VoiceListener } from '../support/voice-rig.js';

function voiceRig() {
  const rig = createRig();
  const node = rig.exchange.addPbx({ id: 'T', trunkNumbers: ['0301234'], trunkKind: 'analog' });
  const m = rig.addModem('0401000', { echo: false });
  return { ...rig, node, m };
}

t.test('+FCLASS: 0 and 8, read and test; bad values refused', async (t) => {
  const { m } = voiceRig();
  m.term.send('AT+FCLASS=?\r');
  t.match(m.term.take(), /0,8\r\n\r\nOK/, 'test lists data and voice');
  m.term.send('AT+FCLASS=8\rAT+FCLASS?\r');
  t.match(m.term.take(), /OK\r\n\r\n8\r\n\r\nOK/, 'voice mode set and read back');
  m.term.send('AT+FCLASS=2\r');
  t.match(m.term.take(), /ERROR/, 'fax class 2 not offered');
  m.term.send('AT+FCLASS=0\rAT+FCLASS?\r');
  t.match(m.term.take(), /OK\r\n\r\n0\r\n/, 'back to data');
  m.term.send('AT+VTX\r');
  t.match(m.term.take(), /ERROR/, '+VTX outside voice mode is refused');
});

t.test('+VTS parsing: digits, {digit,duration} and [f1,f2,duration]; bad lists refused', async (t) => {
  t.same(parseVts('1,{#,20},[697,1209,5]', 95), [{ digit: '1', ms: 95 }, { digit: '#', ms: 200 }, { freqs: [697, 1209], ms: 50 }], 'the three V.253 forms');
  t.equal(parseVts('1,,2', 95), undefined, 'empty element refused');
  t.equal(parseVts('{1,20', 95), undefined, 'unclosed brace refused');
  t.equal(parseVts('E', 95), undefined, 'no such digit');
});

t.test('voice dial in +FCLASS=8 reports VCON on answer; +VTS keys the DTMF admin menu', async (t) => {
  const { clock, node, m } = voiceRig();
  const target = dtmfPbx();
  node.addPort('795', new DtmfAdminPort(target.pbx));
  m.term.send('AT+FCLASS=8\rATDT0301234795\r');
  clock.advance(5000);
  t.match(m.term.take(), /OK\r\n\r\nVCON\r\n/, 'VCON when answered');
  const keys = `${ENABLE_CODE}${ENABLE_PASSWORD}#${multiTapKeys(ADMIN.name)}${multiTapKeys(ADMIN.password)}1103#${multiTapKeys('Modem')}`;
  // Ten keys per +VTS line, 70 ms each (S11), with bracket forms mixed in.
  m.term.send('ATS11=70\r');
  for (let i = 0; i < keys.length; i += 10) {
    m.term.send(`AT+VTS=${[...keys.slice(i, i + 10)].join(',')}\r`);
    clock.advance(2000);
  }
  t.notMatch(m.term.take(), /ERROR/, 'every +VTS accepted');
  t.equal(target.pbx.kds.get('station.103.name'), 'Modem', 'station renamed by AT+VTS only');
});

t.test('+VTX plays DLE-shielded A-law samples; DLE ETX ends it with OK', async (t) => {
  const { clock, node, m } = voiceRig();
  const listener = new VoiceListener();
  node.addPort('20', listener);
  m.term.send('AT+FCLASS=8\rATD030123420\r');
  clock.advance(5000);
  m.term.take();
  m.term.send('AT+VTX\r');
  t.match(m.term.take(), /CONNECT\r\n$/, 'CONNECT before the samples');
  const pcm = [0, 1000, -1000, 8000];
  const alaw = pcm.map(linearToAlaw);
  // 0x10 must be shielded; add a code that is a 0x10 sample on purpose.
  const bytes = [...alaw, DLE, DLE];
  m.term.send(Buffer.from([...bytes.slice(0, 3)]).toString('latin1'));
  m.term.send(Buffer.from([...bytes.slice(3), DLE, ETX]).toString('latin1'));
  clock.advance(100);
  t.match(m.term.take(), /OK/, 'OK after DLE ETX');
  t.equal(listener.heard.length, 5, 'five samples arrived (DLE DLE is one)');
  t.ok(Math.abs(listener.heard[1] - 1000) < 40, 'A-law sample decoded near its value');
  m.term.send('AT\r');
  t.match(m.term.take(), /OK/, 'back in command mode');
});

t.test('+VRX records with DLE shielding and reports DTMF as DLE digit; DLE ! stops it', async (t) => {
  const { clock, node, m } = voiceRig();
  const listener = new VoiceListener();
  node.addPort('20', listener);
  m.term.send('AT+FCLASS=8\rAT+VSM=0\rATD030123420\r');
  clock.advance(5000);
  m.term.take();
  m.term.send('AT+VRX\r');
  t.match(m.term.take(), /CONNECT\r\n$/, 'CONNECT');
  const tone = generateDtmf('7', { onMs: 80, offMs: 80 }).samples;
  const pcm = Buffer.alloc(tone.length * 2);
  tone.forEach((v, i) => pcm.writeInt16LE(floatToPcm16(v), i * 2));
  listener.path?.write(pcm);
  clock.advance(500);
  const got = Buffer.from(m.term.take(), 'latin1');
  t.ok(got.includes(Buffer.from([DLE, 0x37])), 'DLE 7 reported');
  t.ok(got.length >= pcm.length, 'the samples came along (16-bit linear)');
  m.term.send(Buffer.from([DLE, 0x21]).toString('latin1'));
  const end = Buffer.from(m.term.take(), 'latin1').toString('latin1');
  t.match(end, /\x10\x03\r\nOK\r\n$/, 'DLE ETX then OK');
});
