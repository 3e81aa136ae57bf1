import t from 'tap';
import { ErrorSignaling, type SignalingEvent } from '../../firmware-sim/error-signaling.js';
import type { DialResult, OutgoingModem } from '../../core/modem-port.js';
import { Pbx } from '../../firmware-sim/pbx.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { MemoryProtocolLog } from '../../firmware-sim/protocol-log.js';
import { FrameDecoder } from '../../firmware-sim/report-frame.js';
import { READY_LINE, ackLine, parseExchangeLine } from '../../firmware-sim/report-exchange.js';
import { MemoryStateStore, type StateStore } from '../../firmware-sim/state-store.js';
import { VirtualClock } from '../../core/clock.js';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { decodeReport } from '../../src/centre/report-decoder.js';
import { TEST_HASH_COST } from '../support/pbx-harness.js';
import { enableSignaling, raise, record } from '../support/teleservice-lab.js';

/** An IMOD whose every call reaches a centre that answers READY and ACKs; it keeps the seqs it got. */
function ackingCentre(): { modem: OutgoingModem; seqs: number[] } {
  const seqs: number[] = [];
  const modem: OutgoingModem = {
    kind: 'imod',
    dial(_number: string, done: (result: DialResult) => void): void {
      const { dce, dte } = createLinePair('centre');
      const decoder = new FrameDecoder();
      dte.onData((bytes) => {
        for (const e of decoder.push(bytes)) {
          if (e.kind === 'line' && parseExchangeLine(e.text).type === 'hello') dte.write(READY_LINE);
          if (e.kind === 'frame') {
            const { seq } = decodeReport(e.payload);
            seqs.push(seq);
            dte.write(ackLine(seq));
          }
        }
      });
      done({ outcome: 'connect', line: dce, connectText: '14400' });
    },
  };
  return { modem, seqs };
}

/** Boot a PBX from `store` with error signaling, as the lab does at every start. */
function boot(clock: VirtualClock, store: StateStore, modem: OutgoingModem): { pbx: Pbx; signaling: ErrorSignaling; events: SignalingEvent[] } {
  const pbx = new Pbx({ clock, log: new MemoryProtocolLog(), store, systemId: 'HSIM-0001', type: PbxType.OfficePro, hashCost: TEST_HASH_COST });
  pbx.start();
  const signaling = new ErrorSignaling({ pbx, modems: { imod: modem } });
  const events = record(signaling);
  signaling.start();
  return { pbx, signaling, events };
}

t.test('the report sequence number goes on after a restart of the PBX', async (t) => {
  const clock = new VirtualClock();
  const store = new MemoryStateStore();
  const centre = ackingCentre();
  const first = boot(clock, store, centre.modem);
  enableSignaling(first.pbx, 1);
  for (let k = 0; k < 3; k++) {
    raise(first.pbx, 'B');
    clock.advance(2 * 60_000);
  }
  t.same(centre.seqs, [1, 2, 3], 'three reports before the restart, numbered 1–3');
  t.equal(store.load()?.reportSeq, 3, 'the last number is in the saved state');

  first.signaling.stop(); // power cut: RAM is gone, the state store stays
  const second = boot(clock, store, centre.modem);
  raise(second.pbx, 'B');
  clock.advance(2 * 60_000);
  t.same(centre.seqs, [1, 2, 3, 4], 'the first report after the restart is number 4, not 1 again');
  t.ok(second.events.some((e) => e.type === 'sent' && e.seq === 4), 'the PBX saw report 4 acknowledged');
});

t.test('a number is saved before its report goes out, so a restart mid-call does not reuse it', async (t) => {
  const clock = new VirtualClock();
  const store = new MemoryStateStore();
  const silent: OutgoingModem = { kind: 'imod', dial: () => {} }; // the call never completes
  const first = boot(clock, store, silent);
  enableSignaling(first.pbx, 1);
  raise(first.pbx, 'B');
  clock.advance(2 * 60_000);
  t.ok(first.events.some((e) => e.type === 'attempt' && e.seq === 1), 'report 1 is being sent');
  t.equal(store.load()?.reportSeq, 1, 'number 1 was saved at once');
  first.signaling.stop();

  const centre = ackingCentre();
  boot(clock, store, centre.modem);
  clock.advance(2 * 60_000);
  t.same(centre.seqs, [2], 'the unsent error goes out after the restart as report 2');
});

t.test('saved state without a report number starts at 0; a bad one is refused clearly', async (t) => {
  const clock = new VirtualClock();
  const store = new MemoryStateStore();
  boot(clock, store, ackingCentre().modem);
  const saved = store.load();
  if (!saved) throw new Error('no state saved at start');
  const { reportSeq: _omitted, ...older } = saved;
  store.save(older);
  const centre = ackingCentre();
  const again = boot(clock, store, centre.modem);
  enableSignaling(again.pbx, 1);
  raise(again.pbx, 'B');
  clock.advance(2 * 60_000);
  t.same(centre.seqs, [1], 'a state file from before the field existed numbers from 1');

  store.save({ ...saved, reportSeq: -5 });
  t.throws(() => boot(clock, store, centre.modem), /reportSeq -5 is not a number 0–4294967295/, 'a negative number in the state is a clear error');
  store.save({ ...saved, reportSeq: 'x' as unknown as number });
  t.throws(() => boot(clock, store, centre.modem), /reportSeq "x"/, 'a non-number is a clear error');
});
