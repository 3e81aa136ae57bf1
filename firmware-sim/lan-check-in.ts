/**
 * The PBX's LAN option (spec §5.1): with `lan.enabled`, a centre address
 * and a key in the KDS, the PBX checks in with the centre every
 * `lan.interval` minutes over encrypted UDP (docs/check-in-telegram.md).
 * Its class-B errors and function-test pseudo errors travel as events, the
 * error id as the seq; they leave the Error History only when an ack lists
 * them — the rule of the modem path (error-signaling.ts). Deleting them is
 * logged before it happens as the centre reading and deleting the error
 * memory (seed: B1-1 "Lesen Fehlerspeicher", B1-2 "Löschen Fehlerspeicher").
 *
 * Commands from the centre: `test` raises the function-test pseudo error
 * now, `interval` sets `lan.interval` (a logged KDS change by user
 * "centre"); the rest is answered "unsupported". Outcomes are `command`
 * events with seq 2^31 + command id, so a repeated outcome is the same
 * event and never a new one.
 */
import { parseCommand, type CommandEnvelope, type DeviceEvent, type JsonObject } from '../core/check-in-body.js';
import { unixSeconds } from '../core/check-in-verdict.js';
import { KEY_BYTES } from '../core/check-in-telegram.js';
import { parseDatagramAddress, type DatagramAddress, type DatagramPort } from '../core/datagram-port.js';
import type { RandomSource } from '../core/random-source.js';
import { CheckInClient, CheckInState, type CheckInReport } from './check-in-client.js';
import { Circle } from './circles.js';
import { isSignaled } from './error-report.js';
import type { ErrorRecord } from './error-history.js';
import type { Actor, Pbx } from './pbx.js';
import { LogAppendError } from './protocol-log.js';
import { ReservedCounter } from './reserved-counter.js';

/** Seqs of command outcomes: above every error id a PBX hands out (its Error History keeps 512). */
export const COMMAND_RESULT_SEQ_BASE = 0x8000_0000;
/** The user the centre's reading, deleting and changing is logged under. */
export const CENTRE_LOG_USER = 'centre';
/** docs/check-in-telegram.md §3.1: an error's text travels cut to 200 characters (and 400 bytes of JSON), so any error fits a telegram. */
export const EVENT_TEXT_MAX = 200;
const EVENT_TEXT_MAX_BYTES = 400;
export const EVENT_LOCATION_MAX = 32;
const EVENT_LOCATION_MAX_BYTES = 100;
export const LAN_INTERVAL_UNIT_MS = 60_000;
/** The items whose change starts a new check-in (the interval only re-arms it; the teleservice items are not the check-in's). */
const CHECK_IN_ITEMS = new Set(['lan.enabled', 'lan.centre', 'lan.key']);

export interface LanCheckInOptions {
  pbx: Pbx;
  /** The PBX's UDP socket on its LAN. */
  port: DatagramPort;
  random: RandomSource;
  replyTimeoutMs?: number;
  onReport?: (report: CheckInReport) => void;
}

/** Why the option is not checking in (for `lan show`-like displays and the lab's log). */
export type LanIdle = 'disabled' | 'no-centre' | 'bad-centre' | 'no-key';

export class LanCheckIn {
  readonly #pbx: Pbx;
  readonly #o: LanCheckInOptions;
  #client: CheckInClient | undefined;
  #running = false;
  #idle: LanIdle | undefined = 'disabled';
  /** Outcomes of commands, waiting for an ack. */
  readonly #results = new Map<number, DeviceEvent>();
  readonly #counter: ReservedCounter;

  constructor(options: LanCheckInOptions) {
    this.#o = options;
    this.#pbx = options.pbx;
    this.#counter = new ReservedCounter(this.#pbx.checkIn.reservedUpTo, (upTo) => this.#pbx.saveCheckIn({ ...this.#pbx.checkIn, reservedUpTo: upTo }));
    options.port.onMessage((data) => this.#client?.receive(data));
    this.#pbx.onKdsChange((path) => {
      if (this.#running && CHECK_IN_ITEMS.has(path)) this.#restart();
      else if (this.#running && path === 'lan.interval') this.#client?.rearm();
    });
    // "Rücksetzen angeschlossener Optionen": the option starts a new check-in; what waits for an ack stays.
    this.#pbx.units.add({
      kind: 'option',
      name: 'lan',
      restart: () => {
        if (!this.#running) return 'not running';
        this.#restart();
        return this.#idle === undefined ? 'check-in restarted' : `idle (${this.#idle})`;
      },
    });
  }

  /** Why nothing is sent, or undefined while the option checks in. */
  get idle(): LanIdle | undefined {
    return this.#idle;
  }

  get state(): CheckInState {
    return this.#client?.state ?? CheckInState.Off;
  }

  get online(): boolean {
    return this.#client?.online ?? false;
  }

  start(): void {
    this.#running = true;
    this.#restart();
  }

  /** Power cut: stop sending; what is not acknowledged stays in the Error History. */
  stop(): void {
    this.#running = false;
    this.#client?.stop();
    this.#client = undefined;
  }

  #restart(): void {
    this.#client?.stop();
    this.#client = undefined;
    const kds = this.#pbx.kds;
    const centreText = kds.get('lan.centre') ?? '';
    const keyText = this.#pbx.openSecret('lan.key');
    let centre: DatagramAddress | undefined;
    try {
      centre = centreText ? parseDatagramAddress(centreText) : undefined;
    } catch {
      centre = undefined;
    }
    const key = keyText ? Buffer.from(keyText, 'base64') : undefined;
    this.#idle = !kds.flag('lan.enabled') ? 'disabled' : centreText === '' ? 'no-centre' : !centre ? 'bad-centre' : !key || key.length !== KEY_BYTES ? 'no-key' : undefined;
    if (this.#idle !== undefined || !centre || !key) return;
    this.#client = new CheckInClient({
      deviceId: this.#pbx.systemId,
      key,
      centre,
      port: this.#o.port,
      clock: this.#pbx.clock,
      random: this.#o.random,
      counter: this.#counter,
      rtc: { nowS: () => this.#nowS(), resync: (s) => this.#pbx.saveCheckIn({ ...this.#pbx.checkIn, clockOffsetMs: s * 1000 + 500 - this.#pbx.clock.now() }) },
      events: { pending: () => this.#pending(), acknowledge: (seqs) => this.#acknowledged(seqs) },
      status: () => this.#status(),
      intervalMs: () => Math.max(1, this.#pbx.kds.int('lan.interval')) * LAN_INTERVAL_UNIT_MS,
      onCommands: (commands) => this.#commands(commands),
      replyTimeoutMs: this.#o.replyTimeoutMs,
      onReport: this.#o.onReport,
    });
    this.#client.start();
  }

  #nowS(): number {
    return unixSeconds(this.#pbx.clock.now() + this.#pbx.checkIn.clockOffsetMs);
  }

  #status(): JsonObject {
    return { kind: 'pbx', type: this.#pbx.type, aps: this.#pbx.apsVersion, interval: this.#pbx.kds.int('lan.interval') * 60 };
  }

  #pending(): DeviceEvent[] {
    const offset = this.#pbx.checkIn.clockOffsetMs;
    const errors = this.#pbx.errors.select(isSignaled).map((r) => errorEvent(r, offset));
    return [...errors, ...this.#results.values()];
  }

  #acknowledged(seqs: number[]): void {
    const ids = seqs.filter((s) => s < COMMAND_RESULT_SEQ_BASE);
    for (const s of seqs) this.#results.delete(s);
    if (ids.length === 0) return;
    const centre = { user: CENTRE_LOG_USER, circle: undefined };
    try {
      // Logged before the deletion: the centre has read these errors and deletes them.
      this.#pbx.audit(centre, 6, `B1-1 LAN ${ids.length} error${ids.length === 1 ? '' : 's'}`);
      this.#pbx.audit(centre, 6, `B1-2 LAN ${ids.length} error${ids.length === 1 ? '' : 's'}`);
    } catch (err) {
      // A deletion that cannot be logged does not happen: the errors are sent again, the centre has them.
      if (err instanceof LogAppendError) return;
      throw err;
    }
    this.#pbx.errors.remove(ids);
    this.#pbx.persist();
  }

  #commands(commands: CommandEnvelope[]): void {
    for (const c of [...commands].sort((a, b) => a.id - b.id)) {
      const seq = COMMAND_RESULT_SEQ_BASE + (c.id % COMMAND_RESULT_SEQ_BASE);
      if (c.id <= this.#pbx.checkIn.lastCommand) {
        if (!this.#results.has(seq)) this.#results.set(seq, this.#result(seq, c.id, 'done', 'already run'));
        continue;
      }
      const parsed = parseCommand(c);
      let result: 'done' | 'refused' | 'unsupported' = 'done';
      let detail = '';
      if (!parsed.ok) [result, detail] = ['unsupported' in parsed ? 'unsupported' : 'refused', parsed.error];
      else if (parsed.value.type === 'test') {
        this.#pbx.errors.addFunctionTest(this.#pbx.clock.now());
      } else if (parsed.value.type === 'interval') {
        const minutes = Math.min(60, Math.max(1, Math.round(parsed.value.seconds / 60)));
        const changed = this.#pbx.changeItem(this.#centreActor(), 'lan.interval', String(minutes));
        if (!changed.ok) [result, detail] = ['refused', changed.error];
        else if (minutes * 60 !== parsed.value.seconds) detail = `a PBX checks in in whole minutes: ${minutes} min`;
      } else [result, detail] = ['unsupported', `a PBX does not take "${parsed.value.type}"`];
      this.#pbx.saveCheckIn({ ...this.#pbx.checkIn, lastCommand: c.id });
      this.#results.set(seq, this.#result(seq, c.id, result, detail));
    }
  }

  #result(seq: number, command: number, result: string, detail: string): DeviceEvent {
    return { seq, time: this.#nowS(), type: 'command', command, result, detail };
  }

  #centreActor(): Actor {
    return { user: CENTRE_LOG_USER, circle: Circle.SystemMaintenance, rights: this.#pbx.rightsFor(Circle.SystemMaintenance), local: false };
  }
}

/** docs/check-in-telegram.md §3.1: an `error` or `function-test` event of the PBX. */
export function errorEvent(r: ErrorRecord, clockOffsetMs = 0): DeviceEvent {
  return {
    seq: r.id,
    time: unixSeconds(r.time + clockOffsetMs),
    type: r.pseudo ? 'function-test' : 'error',
    class: r.cls,
    code: r.code,
    location: cut(r.location, EVENT_LOCATION_MAX, EVENT_LOCATION_MAX_BYTES),
    text: cut(r.text, EVENT_TEXT_MAX, EVENT_TEXT_MAX_BYTES),
    // Whole milliseconds: a clock may have finer ones (the fleet's), and a centre may read this field as an integer.
    errorTime: Math.floor(r.time),
  };
}

/** At most `chars` characters whose JSON form has at most `bytes` bytes. */
function cut(text: string, chars: number, bytes: number): string {
  let t = [...text].slice(0, chars);
  while (t.length && Buffer.byteLength(JSON.stringify(t.join(''))) - 2 > bytes) t = t.slice(0, -1);
  return t.join('');
}
