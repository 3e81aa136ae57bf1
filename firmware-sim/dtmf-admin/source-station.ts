import { StateMachine, type TransitionTable } from '../../core/state-machine.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { DISPLAY_WIDTH, type Pbx } from '../pbx.js';
import type { DtmfAdminSource } from './dtmf-admin.js';
import type { DisplayLines } from './dtmf-menu.js';

/**
 * Code procedure at an admin station of the source PBX that starts active
 * DTMF remote administration (spec §3.5): ACTIVE_CODE, the number of the
 * target (as dialled from this station, e.g. 0 + trunk + extension), `#`.
 */
export const ACTIVE_CODE = '*996';
/** Keys sent while active: 80 ms tone, 80 ms pause (Q.23 asks ≥ 40 ms each). */
export const ACTIVE_TONE_MS = 80;
/** Devices with a display: an admin station is a system telephone that can show the menu. */
const ADMIN_DEVICES = new Set(['optiset-e-standard', 'optiset-e-advance']);

export interface SourceStationEvents {
  display(lines: DisplayLines): void;
  /** Place a voice call to `number` announcing this PBX as the administering source. */
  dial(number: string, source: DtmfAdminSource): void;
  /** DTMF audio for the target, 8 kHz float samples. */
  audio(samples: Float32Array): void;
}

/**
 * Station states.
 *
 * ```
 *   Idle ──*996 number # (dtmf.active on, admin station)──▶ Dialing ──answered──▶ Active
 *    ▲  └── refused: reason on the display                     │ failed              │ call ends
 *    └─────────────────────────────────────────────────────────┴─────────────────────┘
 * ```
 */
export enum SourceStationState {
  Idle = 'idle',
  Dialing = 'dialing',
  Active = 'active',
}

const STATION_MOVES: TransitionTable<SourceStationState> = {
  [SourceStationState.Idle]: [SourceStationState.Dialing],
  [SourceStationState.Dialing]: [SourceStationState.Active, SourceStationState.Idle],
  [SourceStationState.Active]: [SourceStationState.Idle],
};

const fit = (s: string): string => s.slice(0, DISPLAY_WIDTH).padEnd(DISPLAY_WIDTH);

/**
 * The keypad and display of one station of the source PBX in active DTMF
 * remote mode: it starts the call with the code procedure, sends every key
 * as DTMF and shows the target's menu (mirrored display). Pure.
 */
export class DtmfSourceStation {
  readonly #machine = new StateMachine('DTMF source station', STATION_MOVES, SourceStationState.Idle);
  #keys = '';
  /** The target's display arrived (it may come before the answer is reported). */
  #mirrored = false;
  #lines: DisplayLines = [fit(''), fit('')];

  constructor(readonly pbx: Pbx, readonly station: string, private readonly events: SourceStationEvents) {
    this.#show(['', '']);
  }

  get state(): SourceStationState {
    return this.#machine.state;
  }

  get display(): DisplayLines {
    return [...this.#lines];
  }

  press(key: string): void {
    if (this.#machine.is(SourceStationState.Active)) {
      this.events.audio(generateDtmf(key, { onMs: ACTIVE_TONE_MS, offMs: ACTIVE_TONE_MS }).samples);
      return;
    }
    if (!this.#machine.is(SourceStationState.Idle)) return;
    this.#keys = key === '*' && !this.#keys.startsWith(ACTIVE_CODE) ? '*' : this.#keys + key;
    if (!ACTIVE_CODE.startsWith(this.#keys.slice(0, ACTIVE_CODE.length))) this.#keys = '';
    this.#show(['', this.#keys]);
    if (key === '#' && this.#keys.startsWith(ACTIVE_CODE)) this.#activate(this.#keys.slice(ACTIVE_CODE.length, -1));
  }

  /** The target answered. */
  connected(): void {
    if (!this.#machine.is(SourceStationState.Dialing)) return;
    this.#machine.transition(SourceStationState.Active);
    if (!this.#mirrored) this.#show(['DTMF remote active', 'waiting for target']);
  }

  /** The target's display, mirrored. */
  mirror(lines: DisplayLines): void {
    if (this.#machine.is(SourceStationState.Idle)) return;
    this.#mirrored = true;
    this.#show(lines);
  }

  /** The call failed or ended. */
  ended(reason: string): void {
    if (this.#machine.is(SourceStationState.Idle)) return;
    this.#machine.transition(SourceStationState.Idle);
    this.#keys = '';
    // Keep the last mirrored line 2 when the target ended with a reason on it.
    this.#show(['DTMF remote ended', reason]);
  }

  #activate(number: string): void {
    this.#keys = '';
    const refusal = this.#refusal(number);
    if (refusal) return this.#show(['DTMF remote refused', refusal]);
    this.#machine.transition(SourceStationState.Dialing);
    this.#mirrored = false;
    this.#show(['DTMF remote: dialling', number]);
    this.events.dial(number, { systemId: this.pbx.systemId, type: this.pbx.type });
  }

  #refusal(number: string): string | undefined {
    if (!this.pbx.kds.flag('dtmf.active')) return 'active mode off in KDS';
    if (!ADMIN_DEVICES.has(this.pbx.kds.get(`station.${this.station}.device`) ?? '')) return `${this.station} is no admin station`;
    // The target is another PBX, an external call, which the station's code lock bars.
    if (this.pbx.kds.flag(`station.${this.station}.code-lock`)) return 'code lock on';
    if (!/^\d{1,22}$/.test(number)) return 'no target number';
    return undefined;
  }

  #show(lines: [string, string]): void {
    this.#lines = [fit(lines[0]), fit(lines[1])];
    this.events.display(this.display);
  }
}
