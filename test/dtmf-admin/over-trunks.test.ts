import t from 'tap';
import { ENABLE_CODE } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import { multiTapKeys } from '../../firmware-sim/dtmf-admin/multi-tap.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { detectDtmf } from '../../dsp/dtmf-detector.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { DtmfAdminPort } from '../../src/network/dtmf-admin-port.js';
import { DtmfStationPort } from '../../src/network/dtmf-station-port.js';
import type { TrunkKind } from '../../src/network/exchange.js';
import { samplesToBytes, VOICE_BYTES_PER_SECOND } from '../../dsp/pcm.js';
import { ADMIN, dtmfPbx, ENABLE_PASSWORD } from '../support/dtmf-admin-rig.js';
import { logLines } from '../support/firmware-fixtures.js';
import { voiceNetwork } from '../support/voice-rig.js';

const KEYS = `${ENABLE_CODE}${ENABLE_PASSWORD}#${multiTapKeys(ADMIN.name)}${multiTapKeys(ADMIN.password)}1105#${multiTapKeys('Empfang')}`;

for (const kind of ['analog', 'digital'] as TrunkKind[]) {
  t.test(`a phone administers the PBX by DTMF over an ${kind} trunk`, async (t) => {
    const net = voiceNetwork(kind);
    const target = dtmfPbx();
    const displays: string[] = [];
    net.node.addPort('795', new DtmfAdminPort(target.pbx, (lines) => displays.push(lines.join('|'))));
    const mark = target.log.lastSeq();
    net.phone.call('0301234795');
    net.clock.advance(1000);
    t.ok(net.phone.path, 'the DTMF admin port answered');
    const audio = samplesToBytes(generateDtmf(KEYS, { onMs: 70, offMs: 70 }).samples);
    net.phone.path?.write(audio);
    net.clock.advance(Math.ceil((audio.length / VOICE_BYTES_PER_SECOND) * 1000) + 2000);
    t.equal(target.pbx.kds.get('station.105.name'), 'Empfang', 'station name changed by DTMF only');
    t.same(logLines(target.log, mark), ['SERV S (3) A0-1', 'SERV S (1) STN-NAME 105 "Empfang"'], 'login and change logged, the change as format 1');
    t.ok(displays.some((d) => d.startsWith('Main SERV')), 'display changes reported to the adapter');
    t.same(detectDtmf(Int16Array.from(net.phone.heard)), [], 'the feedback beeps are no DTMF digits');
    t.ok(net.phone.heard.some((v) => Math.abs(v) > 3000), 'the caller heard the feedback tones');
  });
}

t.test('active mode across the network: source station to a smaller target over a digital trunk', async (t) => {
  const net = voiceNetwork('digital');
  const source = dtmfPbx({ type: PbxType.OfficePro, active: true });
  const target = dtmfPbx({ type: PbxType.OfficeCom });
  net.node.addPort('795', new DtmfAdminPort(target.pbx));
  const srcNode = net.exchange.addPbx({ id: 'SRC', trunkNumbers: ['0409999'] });
  const port = new DtmfStationPort(source.pbx, '100');
  port.attachLine(srcNode.addPort('100', port));
  const shown = (): string => port.station.display.map((l) => l.trimEnd()).join(' | ');
  const key = (keys: string): void => {
    port.press(keys);
    net.clock.advance(keys.length * 200 + 1500);
  };
  key('*99600301234795#');
  t.match(shown(), /DTMF remote admin \| \*995 \+ password \+ #/, 'the station shows the target display once connected');
  key(`${ENABLE_CODE}${ENABLE_PASSWORD}#${multiTapKeys(ADMIN.name)}${multiTapKeys(ADMIN.password)}`);
  t.match(shown(), /^Main SERV \(S\)/, 'target menu mirrored on the source station');
  key(`1101#${multiTapKeys('Chef')}`);
  t.equal(target.pbx.kds.get('station.101.name'), 'Chef', 'changed in the target');
  key('*0');
  t.match(shown(), /ended/, 'logout ends active mode at the source');
});
