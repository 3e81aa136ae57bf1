import t, { type Test } from 'tap';
import type { SignalingEvent } from '../../firmware-sim/error-signaling.js';
import { Centre } from '../../src/centre/centre.js';
import { ReceiverState, type ReceiverEvent } from '../../src/centre/centre-receiver.js';
import type { AppendResult, ReportStore } from '../../src/centre/report-store.js';
import { DatabaseReportStore } from '../../src/centre/database-report-store.js';
import { decodeReport } from '../../src/centre/report-decoder.js';
import { EventLog } from '../../src/database/event-log.js';
import { onBothEngines } from '../support/both-engines.js';
import { advanceUntil, enableSignaling, raise, record, startTeleserviceLab, type TeleserviceLab } from '../support/teleservice-lab.js';

/** Advance virtual time in steps; while a receiver waits for its commit (PostgreSQL), let real time pass for it. */
async function advance(tl: TeleserviceLab, ms: number): Promise<void> {
  const receivers = tl.lab.centre?.receivers ?? [];
  for (let done = 0; done < ms; done += 100) {
    tl.clock.advance(100);
    for (let k = 0; k < 2000 && receivers.some((r) => r.state === ReceiverState.Storing); k++) await new Promise((r) => setTimeout(r, 1));
  }
}

onBothEngines(t, 'the modem receiver stores a report in the database and the PBX deletes it after the ACK', async (t, f) => {
  const tl = await startTeleserviceLab({ centreDb: f.location });
  t.teardown(() => tl.close());
  const { pbx, signaling } = tl.pbx();
  const events = record<SignalingEvent>(signaling);
  enableSignaling(pbx, 1);
  raise(pbx, 'B', 0x210, 'Trunk 3 no dial tone');
  await advance(tl, 5 * 60_000);
  t.same(events.map((e) => e.type), ['attempt', 'sent'], 'signaled once');
  t.equal(pbx.errors.list().length, 0, 'the Error History is empty after the ACK');
  const [stored] = (await tl.lab.centreReports?.reports('HSIM-0001')) ?? [];
  t.equal(stored?.report.records[0].text, 'Trunk 3 no dial tone', 'the report is in the database, readable');
  t.same(decodeReport(stored!.bytes), stored!.report, 'with its raw bytes, which decode to the same report');
  const [event] = await new EventLog(tl.lab.centreDatabase!).list({ deviceId: 'HSIM-0001' });
  t.match(event, { type: 'class-b-error', source: 'report', life: 'active', ack: 'unacknowledged', data: { code: 0x210, text: 'Trunk 3 no dial tone' } }, 'and its error became an event');
});

/** Let real time pass until the receiver is no longer waiting for its store. */
async function committed(centre: Centre): Promise<void> {
  for (let k = 0; k < 2000 && centre.receivers[0].state === ReceiverState.Storing; k++) await new Promise((r) => setTimeout(r, 1));
}

/** A store that holds every commit until released, or fails it. */
class GatedStore implements ReportStore {
  pending: Array<{ release(): void; fail(err: Error): void }> = [];
  constructor(readonly inner: ReportStore) {}
  appendReport(bytes: Uint8Array, receivedAt: number): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ release: () => Promise.resolve(this.inner.appendReport(bytes, receivedAt)).then(resolve, reject), fail: reject });
    });
  }
}

async function gatedLab(t: Test): Promise<{ tl: TeleserviceLab; centre: Centre; store: GatedStore; log: ReceiverEvent[] }> {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const plain = await startTeleserviceLab();
  t.teardown(() => plain.close());
  const store = new GatedStore(new DatabaseReportStore(plain.lab.centreDatabase!));
  const centre = new Centre(tl.clock, store);
  t.teardown(() => centre.close());
  centre.attachSlot(tl.lab.modems.get('centre')!.slot, 'centre');
  const log: ReceiverEvent[] = [];
  centre.onEvent((e) => log.push(e));
  tl.clock.advance(1000);
  return { tl, centre, store, log };
}

t.test('no ACK before the commit: the PBX keeps its error while the store has not committed', async (t) => {
  const { tl, centre, store, log } = await gatedLab(t);
  const { pbx } = tl.pbx();
  enableSignaling(pbx, 1);
  raise(pbx, 'B');
  advanceUntil(tl.clock, () => store.pending.length > 0, 2 * 60_000);
  tl.clock.advance(1_000);
  t.equal(store.pending.length, 1, 'the report reached the store');
  t.equal(centre.receivers[0].state, ReceiverState.Storing, 'the receiver waits for the commit');
  t.notOk(log.some((e) => e.type === 'stored'), 'and has acknowledged nothing');
  t.equal(pbx.errors.list().length, 1, 'so the PBX still has its error');
  store.pending[0].release();
  await committed(centre);
  tl.clock.advance(30_000);
  t.ok(log.some((e) => e.type === 'stored'), 'after the commit the report is acknowledged');
  t.equal(pbx.errors.list().length, 0, 'and the PBX deletes the error');
});

t.test('a commit that fails is a NAK STORE: the PBX keeps its error and sends it again', async (t) => {
  const { tl, centre, store, log } = await gatedLab(t);
  const { pbx, signaling } = tl.pbx();
  const events = record<SignalingEvent>(signaling);
  enableSignaling(pbx, 1);
  raise(pbx, 'B');
  advanceUntil(tl.clock, () => store.pending.length > 0, 2 * 60_000);
  store.pending[0].fail(new Error('connection terminated'));
  await committed(centre);
  tl.clock.advance(30_000);
  t.match(log.filter((e) => e.type === 'nak'), [{ type: 'nak', reason: 'STORE' }], 'the receiver answered NAK STORE');
  t.equal(pbx.errors.list().length, 1, 'the PBX keeps its error');
  t.match(events.at(-1), { type: 'failed' }, 'and counts the call as failed');
  // The next attempt (one signaling interval later) commits.
  advanceUntil(tl.clock, () => store.pending.length > 1, 30 * 60_000);
  t.equal(store.pending.length, 2, 'the PBX sent the report again');
  store.pending[1].release();
  await committed(centre);
  tl.clock.advance(30_000);
  t.equal(pbx.errors.list().length, 0, 'the retry is stored and acknowledged');
});
