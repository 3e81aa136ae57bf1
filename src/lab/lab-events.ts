import type { CallFailure } from '../../core/call.js';
import type { ModemKind } from '../../core/modem-port.js';
import type { CallbackFailure } from '../../firmware-sim/callback-scheduler.js';
import type { ErrorClass } from '../../firmware-sim/error-history.js';
import type { SignalingFailure } from '../../firmware-sim/error-signaling.js';
import type { NakReason } from '../../firmware-sim/report-exchange.js';
import type { ReleaseCause } from '../network/data-path.js';
import type { AppliedFault } from '../network/exchange.js';
import type { FaultPlan } from '../network/fault-plan.js';

interface CallData {
  /** The exchange's call number, the same in every event of one call. */
  call: number;
  caller: string;
  called: string;
}

/**
 * Every event a running lab reports, by name, with its data: what the
 * control port sends to subscribers (docs/control.md) and what the timeline
 * report draws. Names are `area.what`; the data never holds a secret.
 */
export interface LabEventMap {
  'call.setup': CallData;
  'call.alerting': CallData;
  /** The called terminal went off hook; the modems now train. */
  'call.answered': CallData;
  'call.connected': CallData;
  /** A call ended: `connected` tells a release after connect from a failure before it. */
  'call.released': CallData & { outcome: CallFailure | ReleaseCause; connected: boolean };
  'error.raised': { pbx: string; id: number; class: ErrorClass; code: number; location: string; text: string; pseudo: boolean };
  'signaling.attempt': { pbx: string; attempt: number; modem: ModemKind; number: string; seq: number; records: number };
  'signaling.failed': { pbx: string; attempt: number; failure: SignalingFailure };
  'signaling.stopped': { pbx: string; failures: number };
  'signaling.resumed': { pbx: string };
  'signaling.skipped': { pbx: string; reason: 'disabled' | 'no-number' };
  'signaling.function-test': { pbx: string; id: number };
  /** The centre stored a report and sent its ACK (`duplicate`: it had it already). */
  'report.stored': { pbx: string; seq: number; records: number; duplicate: boolean; modem: string };
  /** The centre refused a report frame or call. */
  'report.nak': { pbx: string | null; reason: NakReason; modem: string };
  /** The PBX got the centre's ACK and deleted what it sent from its Error History. */
  'report.acknowledged': { pbx: string; seq: number; records: number; deleted: number };
  'callback.registered': { pbx: string; index: number; modem: ModemKind };
  'callback.refused': { pbx: string; index: number | null; reason: 'usage' | 'no-number' | 'wrong-code' };
  'callback.attempt': { pbx: string; index: number; attempt: number; modem: ModemKind; number: string };
  'callback.failed': { pbx: string; index: number; attempt: number; outcome: CallbackFailure };
  'callback.connected': { pbx: string; index: number; attempt: number; modem: ModemKind };
  'callback.given-up': { pbx: string; index: number; attempts: number };
  'callback.cancelled': { pbx: string; index: number };
  /** A device's check-in was acknowledged by the centre (LAN option, key depots). */
  'checkin.acked': { device: string; counter: number; accepted: number[] };
  /** A device's check-in was refused: a nak (replay, clock-skew) or dropped unanswered (unknown, bad tag, malformed). */
  'checkin.rejected': { device: string; reason: string };
  /** A device's check-in got no answer in time (centre down, unreachable, or it dropped the telegram). */
  'checkin.unanswered': { device: string; counter: number };
  /** A PBX came back up after a power cycle; `tornWrite` when power failed in the middle of an FMC write. */
  'pbx.restarted': { pbx: string; aps: string; tornWrite: boolean };
  /** A device of another family (a key depot) came back up after a power cycle. */
  'device.restarted': { device: string; kind: string };
  /** The reload switch was pressed: the PBX runs on its delivered database (docs/session-protocol.md). */
  'pbx.reloaded': { pbx: string; sessionsDropped: number };
  'log.entry': { pbx: string; seq: number; user: string; circle: string; format: number; command: string };
  /** A connection on a PBX's LAN teleservice port, and whether the PBX took it (refused ones get no prompt). */
  'lan.connection': { pbx: string; source: string; admitted: boolean };
  /** The provider network's link to a PBX's customer LAN was disconnected (`up` false) or joined again. */
  'lan.link': { pbx: string; up: boolean };
  'fault.set': { line: string; plan: FaultPlan };
  'fault.cleared': { line: string };
  /** An injected fault acted on a call. */
  'fault.applied': { line: string; fault: AppliedFault; call: number };
  /** A rig or a scenario recorded the outcome of one of its checks (it shows in the timeline report). */
  'verdict.recorded': { name: string; passed: boolean; detail: string };
  /** The lab is about to stop; only what the shutdown itself ends (a call released) may follow. */
  'lab.stopping': { reason: string };
}

export type LabEventName = keyof LabEventMap;

/** One event as it happened: name, lab time (ms since the epoch, the lab's clock) and data. */
export type LabEvent = { [K in LabEventName]: { event: K; time: number; data: LabEventMap[K] } }[LabEventName];

export const LAB_EVENT_NAMES: readonly LabEventName[] = [
  'call.setup', 'call.alerting', 'call.answered', 'call.connected', 'call.released',
  'error.raised',
  'signaling.attempt', 'signaling.failed', 'signaling.stopped', 'signaling.resumed', 'signaling.skipped', 'signaling.function-test',
  'report.stored', 'report.nak', 'report.acknowledged',
  'callback.registered', 'callback.refused', 'callback.attempt', 'callback.failed', 'callback.connected', 'callback.given-up', 'callback.cancelled',
  'checkin.acked', 'checkin.rejected', 'checkin.unanswered',
  'pbx.restarted', 'pbx.reloaded', 'device.restarted', 'log.entry',
  'lan.connection', 'lan.link',
  'fault.set', 'fault.cleared', 'fault.applied',
  'verdict.recorded',
  'lab.stopping',
];

/**
 * The lab's event stream: components report through `emit`, the control
 * server, the timeline recorder and the CLI listen with `on`. Delivery is
 * synchronous, so a listener sees the lab in the state the event describes
 * (a virtual-time run stops on the very event it waits for).
 */
export class LabEvents {
  readonly #listeners = new Set<(e: LabEvent) => void>();

  constructor(private readonly now: () => number) {}

  /** Whether anyone listens: a producer with costly data may skip building it (a fleet in virtual time has millions of call events and often no listener). */
  get listened(): boolean {
    return this.#listeners.size > 0;
  }

  emit<K extends LabEventName>(event: K, data: LabEventMap[K]): void {
    if (this.#listeners.size === 0) return;
    const e = { event, time: this.now(), data } as LabEvent;
    for (const l of [...this.#listeners]) l(e);
  }

  /** Listen to every event; returns the function that stops listening. */
  on(listener: (e: LabEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
