import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Circle } from '../../firmware-sim/circles.js';
import { VirtualClock } from '../../core/clock.js';
import type { ErrorClass } from '../../firmware-sim/error-history.js';
import type { Actor, Pbx } from '../../firmware-sim/pbx.js';
import { validateConfig } from '../../src/lab/config.js';
import { Lab } from '../../src/lab/lab.js';
import type { PbxAssembly } from '../../src/lab/pbx-assembly.js';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { TEST_HASH_COST } from './pbx-harness.js';
import type { DatabaseLocation } from '../../src/database/database-url.js';
import { Terminal } from './terminal.js';

/** Numbers of the test lab; a PBX dials them with the outside-line prefix 0. */
export const CENTRE_NUMBER = '0899000';
export const TECH_NUMBER = '0897000';
export const TECH_ISDN_NUMBER = '0897001';
export const BUSY_NUMBER = '0800200';
export const NO_ANSWER_NUMBER = '0800300';
/** As a PBX dials it: outside-line prefix + number. */
export const viaTrunk = (n: string): string => `0${n}`;

export interface TeleserviceLab {
  lab: Lab;
  clock: VirtualClock;
  dir: string;
  pbx(id?: string): PbxAssembly;
  close(): Promise<void>;
}

/** A memory-mode lab in virtual time: `pbxs` PBXs (HSIM-0001 …), a technician modem and a centre on 0899000. */
export async function startTeleserviceLab(options: { pbxs?: number; centre?: boolean; centreDb?: DatabaseLocation } = {}): Promise<TeleserviceLab> {
  const clock = new VirtualClock();
  const dir = mkdtempSync(join(tmpdir(), 'hicom-teleservice-'));
  const count = options.pbxs ?? 1;
  const config = validateConfig({
    stateDir: dir,
    pacing: true,
    pbxs: Array.from({ length: count }, (_, i) => ({ id: `HSIM-${String(i + 1).padStart(4, '0')}`, trunks: [`03012${String(i + 1).padStart(2, '0')}`] })),
    modems: [
      { name: 'technician', number: TECH_NUMBER, bind: 'tcp:127.0.0.1:1', profile: 'analog' },
      { name: 'technician-isdn', number: TECH_ISDN_NUMBER, bind: 'tcp:127.0.0.1:3', profile: 'isdn-ta' },
      { name: 'centre', number: CENTRE_NUMBER, bind: 'tcp:127.0.0.1:2', profile: 'analog' },
    ],
    ...(options.centre === false ? {} : { centre: { modem: 'centre' } }),
  }, dir);
  const lab = await Lab.start(config, { clock, mode: 'memory', hashCost: TEST_HASH_COST, centreDir: join(dir, 'centre'), centreDb: options.centreDb, centreFsync: false });
  clock.advance(1000); // the centre's ATZ / ATS0=1 complete
  return {
    lab,
    clock,
    dir,
    pbx: (id = 'HSIM-0001') => {
      const p = lab.pbxs.get(id);
      if (!p) throw new Error(`no PBX ${id}`);
      return p;
    },
    close: async () => {
      await lab.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function serviceActor(pbx: Pbx): Actor {
  return { user: 'test', circle: Circle.SystemMaintenance, rights: pbx.rightsFor(Circle.SystemMaintenance), local: true };
}

/** Set KDS items as a System maintenance user; throws on a refused value. */
export function configure(pbx: Pbx, items: Record<string, string>): void {
  for (const [path, value] of Object.entries(items)) {
    const r = pbx.changeItem(serviceActor(pbx), path, value);
    if (!r.ok) throw new Error(`configure ${path}=${value}: ${r.error}`);
  }
}

/** Signaling on, centre in callback index 1, interval in minutes. */
export function enableSignaling(pbx: Pbx, intervalMin = 1, extra: Record<string, string> = {}): void {
  configure(pbx, { 'callback.1.number': viaTrunk(CENTRE_NUMBER), 'signaling.enabled': 'yes', 'signaling.interval': String(intervalMin), ...extra });
}

export function raise(pbx: Pbx, cls: ErrorClass, code = 0x210, text = 'Trunk 3 no dial tone'): number {
  return pbx.errors.add({ time: pbx.clock.now(), cls, code, location: 'S1/P3', text, pseudo: false }).id;
}

/** Collect every event a source emits. */
export function record<E>(source: { onEvent(l: (e: E) => void): void }): E[] {
  const events: E[] = [];
  source.onEvent((e) => events.push(e));
  return events;
}

/** A terminal plugged into a modem of the lab (the technician's by default): AT commands and session lines. */
export function techTerminal(tl: TeleserviceLab, modemName = 'technician'): Terminal {
  const pair = createLinePair(`terminal ${modemName}`);
  const modem = tl.lab.modems.get(modemName);
  if (!modem?.slot.plug(pair.dce)) throw new Error(`cannot plug a terminal into ${modemName}`);
  return new Terminal(pair.dte);
}

/** Advance virtual time in small steps until `done()` or `limitMs` passed; returns whether done. */
export function advanceUntil(clock: VirtualClock, done: () => boolean, limitMs: number, stepMs = 100): boolean {
  const end = clock.now() + limitMs;
  while (!done() && clock.now() < end) clock.advance(stepMs);
  return done();
}

/** Advance until the terminal's output matches `pattern` (data is paced at the line rate); returns and clears the output. */
export function waitFor(tl: TeleserviceLab, term: Terminal, pattern: RegExp, limitMs = 30_000): string {
  advanceUntil(tl.clock, () => pattern.test(term.peek()), limitMs, 50);
  return term.take();
}
