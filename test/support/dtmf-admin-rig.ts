import { Circle } from '../../firmware-sim/circles.js';
import { DtmfAdminConnection, type DtmfAdminSource } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import type { DisplayLines, ToneKind } from '../../firmware-sim/dtmf-admin/dtmf-menu.js';
import { feedbackTone } from '../../firmware-sim/dtmf-admin/feedback-tones.js';
import type { Actor, Pbx } from '../../firmware-sim/pbx.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import type { MemoryProtocolLog } from '../../firmware-sim/protocol-log.js';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { makePbx } from './pbx-harness.js';

/** The System maintenance user every DTMF test PBX has, and the DTMF enable password. */
export const ADMIN = { name: 'SERV', password: '4711', circle: Circle.SystemMaintenance } as const;
export const ENABLE_PASSWORD = '123456';

export interface TargetOptions {
  type?: PbxType;
  passive?: boolean;
  active?: boolean;
  password?: string;
}

/** A PBX set up for DTMF administration: one System maintenance user, dtmf.* as asked. */
export function dtmfPbx(options: TargetOptions = {}): { pbx: Pbx; log: MemoryProtocolLog; admin: Actor } {
  const { pbx, log } = makePbx({ type: options.type ?? PbxType.OfficeCom });
  const made = pbx.users.completeFirstLogin(ADMIN.name, ADMIN.password, pbx.clock.now());
  if (!made.ok) throw new Error(made.error);
  const admin: Actor = { user: ADMIN.name, circle: ADMIN.circle, rights: pbx.rightsFor(ADMIN.circle), local: true };
  const set = (path: string, value: string): void => {
    const r = pbx.changeItem(admin, path, value);
    if (!r.ok) throw new Error(r.error);
  };
  set('dtmf.passive', options.passive === false ? 'no' : 'yes');
  set('dtmf.active', options.active ? 'yes' : 'no');
  if (options.password !== '') set('dtmf.password', options.password ?? ENABLE_PASSWORD);
  return { pbx, log: log as MemoryProtocolLog, admin };
}

/** Which feedback tone a block of audio is, by its length. */
export function toneOf(samples: Float32Array): ToneKind | 'other' {
  if (samples.length === feedbackTone('ok').length) return 'ok';
  if (samples.length === feedbackTone('error').length) return 'error';
  return 'other';
}

/** A DTMF admin connection fed with generated audio, recording what comes out. */
export class TargetRig {
  readonly displays: DisplayLines[] = [];
  readonly tones: Array<ToneKind | 'other'> = [];
  readonly ended: string[] = [];
  readonly conn: DtmfAdminConnection;

  constructor(readonly pbx: Pbx, source?: DtmfAdminSource) {
    this.conn = new DtmfAdminConnection(pbx, 'test line', {
      audio: (s) => this.tones.push(toneOf(s)),
      display: (l) => this.displays.push(l),
      end: (r) => this.ended.push(r),
    }, source);
  }

  /** Key `keys` as DTMF audio (60 ms on / 60 ms off), as a phone would. */
  send(keys: string): void {
    this.conn.receive(generateDtmf(keys, { onMs: 60, offMs: 60 }).samples);
  }

  /** Both display lines, trimmed, joined by " | ". */
  get shown(): string {
    const [a, b] = this.conn.display;
    return `${a.trimEnd()} | ${b.trimEnd()}`;
  }

  lastTone(): ToneKind | 'other' | undefined {
    return this.tones[this.tones.length - 1];
  }
}
