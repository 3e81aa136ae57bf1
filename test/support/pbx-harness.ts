import { VirtualClock } from '../../core/clock.js';
import type { AddressRules } from '../../firmware-sim/address-rules.js';
import { Pbx } from '../../firmware-sim/pbx.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import type { PbxVariant } from '../../firmware-sim/pbx-variant.js';
import { MemoryProtocolLog, type ProtocolLog } from '../../firmware-sim/protocol-log.js';
import { AdminSession, type SessionOptions } from '../../firmware-sim/session.js';
import { MemoryStateStore, type StateStore } from '../../firmware-sim/state-store.js';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { Terminal } from './terminal.js';

/** scrypt cost for tests: still a real scrypt, 16× cheaper than the default. */
export const TEST_HASH_COST = 1024;

export interface HarnessOptions {
  type?: PbxType;
  log?: ProtocolLog;
  store?: StateStore;
  clock?: VirtualClock;
  variant?: PbxVariant;
  /** The address rules of the LAN option (the lab's, by default none). */
  addressRules?: AddressRules;
}

export function makePbx(options: HarnessOptions = {}): { pbx: Pbx; clock: VirtualClock; log: ProtocolLog; store: StateStore } {
  const clock = options.clock ?? new VirtualClock();
  const log = options.log ?? new MemoryProtocolLog();
  const store = options.store ?? new MemoryStateStore();
  const pbx = new Pbx({ clock, log, store, systemId: 'HSIM-0001', type: options.type ?? PbxType.OfficePro, hashCost: TEST_HASH_COST, variant: options.variant, addressRules: options.addressRules });
  pbx.start();
  return { pbx, clock, log, store };
}

/** A terminal on an admin port of `pbx` (an AdminSession on the other end of the line): send lines, read what came back. */
export class AdminTerminal extends Terminal {
  readonly session: AdminSession;

  constructor(pbx: Pbx, options: Partial<SessionOptions> = {}) {
    const pair = createLinePair('test');
    super(pair.dte, { encoding: 'utf8' });
    this.session = new AdminSession(pbx, pair.dce, { channel: 'local', port: 'V.24', echo: false, ...options });
  }

  /** Send one line; return the reply lines up to and including the status line. */
  cmd(line: string): { lines: string[]; status: string; text: string } {
    this.take();
    this.send(`${line}\r`);
    const text = this.take();
    const lines = text.split('\r\n').filter((l) => l !== '');
    const status = [...lines].reverse().find((l) => l === 'OK' || l.startsWith('ERROR ')) ?? '';
    return { lines, status, text };
  }

  /** Answer User:/Password: and return the text until the status line. */
  login(name: string, password: string): string {
    this.take();
    this.send(`${name}\r`);
    this.send(`${password}\r`);
    return this.take();
  }
}

/** First login as SERVICE, creating `name` in System maintenance. */
export function firstLogin(term: AdminTerminal, name = 'serv', password = 'servpw'): string {
  term.take();
  term.send('SERVICE\r31994\r');
  term.send(`${name}\r${password}\r${password}\r`);
  return term.take();
}
