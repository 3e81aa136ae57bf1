import t from 'tap';
import { ErrorSignaling, type SignalingEvent } from '../../firmware-sim/error-signaling.js';
import { NakReason, READY_LINE, nakLine } from '../../firmware-sim/report-exchange.js';
import { FrameDecoder } from '../../firmware-sim/report-frame.js';
import { makePbx } from '../support/pbx-harness.js';
import { ScriptedModem } from '../support/scripted-modem.js';
import { CENTRE_NUMBER, configure, enableSignaling, raise, record, startTeleserviceLab } from '../support/teleservice-lab.js';

for (const dropAfterBytes of [10, 60, 120]) {
  t.test(`line break after ${dropAfterBytes} bytes: nothing deleted, nothing stored, re-sent at the next interval`, async (t) => {
    const tl = await startTeleserviceLab();
    t.teardown(() => tl.close());
    const { pbx, signaling } = tl.pbx();
    const events = record<SignalingEvent>(signaling);
    enableSignaling(pbx, 1);
    tl.lab.exchange.setFaults(CENTRE_NUMBER, { dropAfterBytes });
    const id = raise(pbx, 'B');
    tl.clock.advance(90_000);
    t.match(events, [{ type: 'attempt' }, { type: 'failed', failure: 'line-break' }], 'the call broke mid-report');
    t.same(pbx.errors.list().map((r) => r.id), [id], 'the error is not deleted');
    t.equal((await tl.lab.centreReports?.summaries())?.length, 0, 'the centre stored nothing');
    tl.lab.exchange.clearFaults(CENTRE_NUMBER);
    tl.clock.advance(10 * 60_000);
    t.match(events.at(-1), { type: 'sent' }, 'sent on the retry');
    t.equal((await tl.lab.centreReports?.reports('HSIM-0001'))?.length, 1, 'stored once');
    t.equal(pbx.errors.list().length, 0, 'deleted after the ACK');
  });
}

t.test('an error entered during the call stays for the next report', async (t) => {
  const tl = await startTeleserviceLab();
  t.teardown(() => tl.close());
  const { pbx, signaling } = tl.pbx();
  const events = record<SignalingEvent>(signaling);
  enableSignaling(pbx, 1);
  const first = raise(pbx, 'B', 1, 'first');
  let second = 0;
  signaling.onEvent((e) => {
    if (e.type === 'attempt' && second === 0) second = raise(pbx, 'B', 2, 'during the call');
  });
  tl.clock.advance(61_000 + 30_000);
  t.match(events[1], { type: 'sent', records: 1 }, 'the first report carried one record');
  t.same(pbx.errors.list().map((r) => r.id), [second], 'the error that arrived during the call stays');
  tl.clock.advance(5 * 60_000);
  const reports = (await tl.lab.centreReports?.reports('HSIM-0001')) ?? [];
  t.same(reports.map((r) => r.report.records.map((x) => x.id)), [[first], [second]], 'it goes with the next report');
});

/**
 * A PBX with one class-B error and signaling every minute over a scripted
 * IMOD that connects: a minute later the call to the "centre" is up
 * (`imod.remotes[0]` is its end) and waits for READY.
 */
function signalingCallUp(): { pbx: ReturnType<typeof makePbx>['pbx']; imod: ScriptedModem; events: SignalingEvent[] } {
  const { pbx, clock } = makePbx();
  const imod = new ScriptedModem('imod', clock);
  imod.outcomes = ['connect'];
  const signaling = new ErrorSignaling({ pbx, modems: { imod } });
  const events = record<SignalingEvent>(signaling);
  signaling.start();
  configure(pbx, { 'signaling.enabled': 'yes', 'signaling.interval': '1', 'callback.1.number': '0999' });
  raise(pbx, 'B');
  clock.advance(61_000);
  return { pbx, imod, events };
}

t.test('NAK CRC: the PBX re-sends the same frame in the same call; a wrong ACK deletes nothing', async (t) => {
  const { pbx, imod, events } = signalingCallUp();
  const centre = imod.remotes[0];
  const decoder = new FrameDecoder();
  const frames: Buffer[] = [];
  const lines: string[] = [];
  centre.onData((b) => {
    for (const e of decoder.push(b)) {
      if (e.kind === 'frame') frames.push(e.payload);
      if (e.kind === 'line') lines.push(e.text);
    }
  });
  centre.write(READY_LINE);
  t.equal(frames.length, 1, 'frame sent after READY');
  centre.write(nakLine(NakReason.Crc));
  t.equal(frames.length, 2, 're-sent after NAK CRC');
  t.same(frames[1], frames[0], 'byte-identical');
  t.equal(pbx.errors.list().length, 1, 'nothing deleted before the ACK');
  centre.write('ACK 999\r\n');
  t.match(events.at(-1), { type: 'failed', failure: 'nak-SEQ' }, 'an ACK for another seq deletes nothing');
  t.equal(pbx.errors.list().length, 1, 'still there');
});

t.test('NAK FORMAT/STORE end the call as a failed attempt', async (t) => {
  const { pbx, imod, events } = signalingCallUp();
  imod.remotes[0].write(READY_LINE);
  imod.remotes[0].write(nakLine(NakReason.Store));
  t.match(events.at(-1), { type: 'failed', failure: 'nak-STORE', attempt: 1 }, 'failed attempt');
  t.equal(pbx.errors.list().length, 1, 'kept');
});
