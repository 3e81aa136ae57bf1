import t from 'tap';
import { g711RoundTrip } from '../../dsp/g711.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { detectDtmf } from '../../dsp/dtmf-detector.js';
import { meanPower } from '../../dsp/audio-level.js';
import { parseFaultSpec, FaultSpecError } from '../../src/network/fault-plan.js';
import { samplesToBytes, VOICE_BYTES_PER_SECOND } from '../../dsp/pcm.js';
import { VoiceListener, voiceNetwork } from '../support/voice-rig.js';

const tone = generateDtmf('159#', { onMs: 60, offMs: 60 }).samples;

function carry(kind: 'analog' | 'digital', faults?: string) {
  const net = voiceNetwork(kind);
  const listener = new VoiceListener();
  net.node.addPort('20', listener);
  if (faults) net.exchange.setFaults('0401000', parseFaultSpec(faults));
  net.phone.call('030123420');
  net.clock.advance(2000);
  if (!net.phone.path) throw new Error(`no connection: ${net.phone.failed}`);
  // Odd-sized writes: a sample split across two deliveries must come out whole.
  const bytes = samplesToBytes(tone);
  net.phone.path.write(bytes.subarray(0, 1001));
  net.phone.path.write(bytes.subarray(1001));
  net.clock.advance(Math.ceil((bytes.length / VOICE_BYTES_PER_SECOND) * 1000) + 100);
  return { ...net, listener, heard: listener.samples() };
}

t.test('an analog trunk carries the samples unchanged, paced at 16,000 bytes/s', async (t) => {
  const { heard } = carry('analog');
  t.equal(heard.length, tone.length, 'every sample arrived');
  t.same([...heard.subarray(0, 400)], [...new Int16Array(samplesToBytes(tone).buffer.slice(0, 800))], 'bit-exact');
});

t.test('a digital trunk passes the audio through G.711 A-law', async (t) => {
  const { heard } = carry('digital');
  const expected = new Int16Array(samplesToBytes(g711RoundTrip(tone, 'alaw')).buffer.slice(0));
  t.equal(heard.length, tone.length, 'every sample arrived');
  t.same([...heard], [...expected], 'exactly the A-law quantised samples');
  t.notSame([...heard.subarray(0, 400)], [...new Int16Array(samplesToBytes(tone).buffer.slice(0, 800))], 'and not the original ones');
  t.same(detectDtmf(heard).map((d) => d.digit).join(''), '159#', 'the digits survive the A-law path');
});

t.test('loss, noise and dial tone from the fault plan act on voice calls', async (t) => {
  const clean = meanPower(carry('analog').heard);
  const lossy = meanPower(carry('analog', 'loss=6').heard);
  t.ok(Math.abs(10 * Math.log10(clean / lossy) - 6) < 0.1, `6 dB loss (got ${(10 * Math.log10(clean / lossy)).toFixed(2)} dB)`);
  const noisy = carry('analog', 'noise=-30,seed=3').heard;
  t.ok(meanPower(noisy.subarray(480, 960)) > 1e3, 'noise fills the pause between digits');
  const withTone = carry('digital', 'dial-tone=-13').heard;
  t.ok(meanPower(withTone.subarray(480, 960)) > 1e5, 'dial tone fills the pause');
  t.same(detectDtmf(withTone).map((d) => d.digit).join(''), '159#', 'digits still detected under dial tone through A-law');
});

t.test('bad impairment specs are refused with a clear error', async (t) => {
  t.throws(() => parseFaultSpec('loss=loud'), FaultSpecError, 'loss must be a number');
  t.throws(() => parseFaultSpec('noise=10'), /from -90 to 0 dB/, 'noise above 0 dBm0 refused');
  t.same(parseFaultSpec('dial-tone,loss=3dB'), { dialToneDbm0: -13, lossDb: 3 }, 'default dial-tone level and a dB suffix');
});
