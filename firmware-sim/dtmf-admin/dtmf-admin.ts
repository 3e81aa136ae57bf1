import { StateMachine, type TransitionTable } from '../../core/state-machine.js';
import { DtmfDetector } from '../../dsp/dtmf-detector.js';
import { DISPLAY_WIDTH, type Pbx } from '../pbx.js';
import { pbxTypeRank, type PbxType } from '../pbx-type.js';
import { LogAppendError } from '../protocol-log.js';
import { verifySecret } from '../secret-hash.js';
import { DtmfMenu, type DisplayLines, type ToneKind } from './dtmf-menu.js';
import { feedbackTone } from './feedback-tones.js';

/**
 * Procedure the called party keys to enable DTMF remote administration for
 * the current connection (spec §3.5): ENABLE_CODE, the 6-digit password of
 * the KDS item dtmf.password, then `#`.
 */
export const ENABLE_CODE = '*995';
export const ENABLE_PASSWORD_DIGITS = 6;
/** Wrong enable passwords after which the connection is cleared. */
export const ENABLE_ATTEMPTS = 3;

/** The administering PBX in active mode (absent when a phone or voice modem calls). */
export interface DtmfAdminSource {
  systemId: string;
  type: PbxType;
}

export interface DtmfAdminEvents {
  /** Audio to send to the caller (feedback tones), 8 kHz float samples. */
  audio(samples: Float32Array): void;
  /** The display changed (mirrored to the source station, logged by the adapter). */
  display(lines: DisplayLines): void;
  /** The target clears the connection (refused, logged out, too many failures). */
  end(reason: string): void;
}

/**
 * Connection states.
 *
 * ```
 *   AwaitEnable ──*995 pwd # (passive on, type ok, password ok)──▶ Menu ──logout──▶ Closed
 *        │ wrong password: A0-3, error tone, again (3× → Closed)
 *        └── passive off / source PBX smaller than target ──▶ Closed (reason on the display)
 * ```
 */
export enum DtmfAdminState {
  AwaitEnable = 'await-enable',
  Menu = 'menu',
  Closed = 'closed',
}

const CONNECTION_MOVES: TransitionTable<DtmfAdminState> = {
  [DtmfAdminState.AwaitEnable]: [DtmfAdminState.Menu, DtmfAdminState.Closed],
  [DtmfAdminState.Menu]: [DtmfAdminState.Closed],
  [DtmfAdminState.Closed]: [],
};

const fit = (s: string): string => s.slice(0, DISPLAY_WIDTH).padEnd(DISPLAY_WIDTH);
const OPEN = new WeakMap<Pbx, Set<DtmfAdminConnection>>();

/** Displays of the DTMF administration connections open on `pbx` (for `show display`). */
export function dtmfDisplays(pbx: Pbx): Array<{ via: string; lines: DisplayLines }> {
  return [...(OPEN.get(pbx) ?? [])].map((c) => ({ via: c.via, lines: c.display }));
}

/**
 * Why DTMF administration of `target` from `source` is refused ("target >
 * source", short enough for one display line), or undefined when allowed.
 */
export function typeRuleRefusal(source: PbxType | undefined, target: PbxType): string | undefined {
  if (source === undefined || pbxTypeRank(target) <= pbxTypeRank(source)) return undefined;
  return `${target} > ${source}`;
}

/**
 * One voice connection into the PBX's DTMF remote administration: audio in
 * through the DTMF receiver, the enable procedure, then the display-phone
 * menu (dtmf-menu.ts). Pure: audio and time come from the adapter.
 */
export class DtmfAdminConnection {
  readonly #detector = new DtmfDetector();
  readonly #machine = new StateMachine('DTMF admin', CONNECTION_MOVES, DtmfAdminState.AwaitEnable);
  #keys = '';
  #failures = 0;
  #menu: DtmfMenu | undefined;
  #lines: DisplayLines;

  constructor(readonly pbx: Pbx, readonly via: string, private readonly events: DtmfAdminEvents, readonly source?: DtmfAdminSource) {
    this.#detector.onDigit = (d) => this.key(d.digit);
    let open = OPEN.get(pbx);
    if (!open) OPEN.set(pbx, (open = new Set()));
    open.add(this);
    this.#lines = [fit('DTMF remote admin'), fit(`${ENABLE_CODE} + password + #`)];
    events.display(this.display);
  }

  get state(): DtmfAdminState {
    return this.#machine.state;
  }

  get display(): DisplayLines {
    return [...this.#lines];
  }

  get menu(): DtmfMenu | undefined {
    return this.#menu;
  }

  /** Audio from the caller (8 kHz); digits are acted on as the receiver reports them. */
  receive(samples: Float32Array | Int16Array): void {
    if (!this.#machine.is(DtmfAdminState.Closed)) this.#detector.process(samples);
  }

  /** One key, as the DTMF receiver reports it. */
  key(k: string): void {
    if (this.#machine.is(DtmfAdminState.Menu)) return this.#menu?.key(k);
    if (!this.#machine.is(DtmfAdminState.AwaitEnable)) return;
    // The procedure starts with its code; anything before it is dropped.
    this.#keys = k === '*' ? '*' : this.#keys + k;
    if (!ENABLE_CODE.startsWith(this.#keys.slice(0, ENABLE_CODE.length))) this.#keys = '';
    if (k === '#' && this.#keys.startsWith(ENABLE_CODE)) this.#enable(this.#keys.slice(ENABLE_CODE.length, -1));
  }

  /** The call went down: log out whoever was logged in. */
  close(): void {
    if (this.#machine.is(DtmfAdminState.Closed)) return;
    this.#menu?.close();
    this.#machine.transition(DtmfAdminState.Closed);
    OPEN.get(this.pbx)?.delete(this);
  }

  #enable(password: string): void {
    const pbx = this.pbx;
    if (!pbx.kds.flag('dtmf.passive')) return this.#refuseAndEnd('passive DTMF admin off');
    const typeRefusal = typeRuleRefusal(this.source?.type, pbx.type);
    if (typeRefusal) return this.#refuseAndEnd(typeRefusal, 'Refused: target bigger');
    const stored = pbx.kds.get('dtmf.password') ?? '';
    if (stored === '') return this.#refuseAndEnd('no DTMF password set');
    if (!/^\d{6}$/.test(password) || !verifySecret(password, stored)) {
      this.#failures++;
      try {
        pbx.audit({ user: '(dtmf)', circle: undefined }, 3, 'A0-3');
      } catch (err) {
        if (!(err instanceof LogAppendError)) throw err;
      }
      if (this.#failures >= ENABLE_ATTEMPTS) return this.#refuseAndEnd('wrong password 3 times');
      this.#keys = '';
      this.#show(['DTMF remote admin', 'wrong password']);
      return this.#tone('error');
    }
    this.#machine.transition(DtmfAdminState.Menu);
    this.#tone('ok');
    this.#menu = new DtmfMenu(pbx, this.via, {
      display: (lines) => this.#show(lines),
      tone: (kind) => this.#tone(kind),
      end: (reason) => this.#end(reason),
    });
  }

  #refuseAndEnd(reason: string, title = 'DTMF admin refused'): void {
    this.#show([title, reason]);
    this.#tone('error');
    this.#end(reason);
  }

  #end(reason: string): void {
    this.close();
    this.events.end(reason);
  }

  #tone(kind: ToneKind): void {
    this.events.audio(feedbackTone(kind));
  }

  #show(lines: [string, string]): void {
    this.#lines = [fit(lines[0]), fit(lines[1])];
    this.events.display(this.display);
  }
}
