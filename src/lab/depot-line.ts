import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { CabinetRefusal, DepotCabinet } from '../../firmware-sim/key-depot/depot-cabinet.js';
import type { KeypadKey } from '../../firmware-sim/key-depot/depot-keypad.js';
import type { KeyDepot } from '../../firmware-sim/key-depot/key-depot.js';
import { DeviceTextLine, displayBox } from './device-text-line.js';

/** What the line drives: the depot's firmware (replaced by a power cycle), its cabinet, its power switch. */
export interface DepotLineTarget {
  readonly id: string;
  readonly cabinet: DepotCabinet;
  depot(): KeyDepot;
  powerCycle(): Promise<unknown>;
}

const HELP: ReadonlyArray<[string, string]> = [
  ['help', 'this list'],
  ['status', 'compartments, door, mains, check-in state, queued events'],
  ['display', 'show the 2 x 16 display'],
  ['pin <digits>', 'type a PIN on the keypad and press #'],
  ['keys <0-9*#>', 'press keypad keys one by one (# enters, * takes back)'],
  ['take <n>', 'take the key of compartment n (it must be open)'],
  ['return <n>', 'put the key back into compartment n (it must be open)'],
  ['door open|close', 'open or close the depot door'],
  ['tamper', 'trip the tamper switch'],
  ['mains off|on', 'mains fails or comes back (the depot runs on its battery)'],
  ['power cycle', 'cut all power and start the depot again (its flash keeps the queue)'],
];

/** How each refusal of the cabinet reads, with the status code of the keypad line. */
export const CABINET_REFUSAL: Record<CabinetRefusal, [number, (n: number) => string]> = {
  'no-such-compartment': [404, (n) => `no compartment ${n}`],
  locked: [423, (n) => `compartment ${n} is locked: enter a PIN that opens it`],
  empty: [409, (n) => `compartment ${n} is empty`],
  occupied: [409, (n) => `compartment ${n} already holds its key`],
};

/**
 * The key depot's keypad as a text line in the lab (docs/key-depot.md §6):
 * a person or a script types `pin 4711`, `take 3`, `return 3`, … and sees
 * the 2 × 16 display. Every reply ends with a status line, `OK` or
 * `ERROR <code> <text>`, as on the PBX's admin ports.
 */
export class DepotLine {
  readonly #line: DeviceTextLine;
  readonly #t: DepotLineTarget;
  /** A power cycle is running: lines wait for it. */
  #busy: Promise<unknown> | undefined;

  constructor(line: LineEndpoint, target: DepotLineTarget, options: { echo?: boolean } = {}) {
    this.#t = target;
    this.#line = new DeviceTextLine(line, (text) => this.#onLine(text), options);
    this.#line.show([`hicom-sim key depot ${target.id} (${target.cabinet.compartments} compartments); type help`]);
    this.#reply(this.#display(), 'OK');
  }

  #onLine(text: string): void {
    const run = (): void => {
      const words = text.trim().split(/\s+/).filter((w) => w !== '');
      if (words.length === 0) return;
      this.#command(words[0].toLowerCase(), words.slice(1));
    };
    if (this.#busy) void this.#busy.then(run);
    else run();
  }

  #command(verb: string, args: string[]): void {
    const depot = this.#t.depot();
    const cabinet = this.#t.cabinet;
    const usage = (u: string): void => this.#reply([], `ERROR 400 usage: ${u}`);
    const done = (lines: string[] = []): void => this.#reply([...lines, ...this.#display()], 'OK');
    if (verb === 'help') return this.#reply(HELP.map(([c, h]) => `${c.padEnd(16)} ${h}`), 'OK');
    if (verb === 'power') {
      if (args.join(' ') !== 'cycle') return usage('power cycle');
      this.#busy = this.#t.powerCycle().finally(() => (this.#busy = undefined));
      void this.#busy.then(() => done(['power cut and back']), (err: Error) => this.#reply([], `ERROR 500 ${err.message}`));
      return;
    }
    if (depot.lifecycle !== 'running' && verb !== 'status' && verb !== 'display') return this.#reply(this.#display(), `ERROR 503 the depot has stopped (${depot.haltReason}); power cycle it`);
    switch (verb) {
      case 'status':
        return this.#reply(this.#status(), 'OK');
      case 'display':
        return done();
      case 'pin': {
        if (args.length !== 1 || !/^\d{1,16}$/.test(args[0])) return usage('pin <digits>');
        for (const d of args[0]) depot.press(d as KeypadKey);
        depot.press('#');
        return done();
      }
      case 'keys': {
        if (args.length !== 1 || !/^[0-9*#]{1,32}$/.test(args[0])) return usage('keys <0-9*#>');
        for (const k of args[0]) depot.press(k as KeypadKey);
        return done();
      }
      case 'take':
      case 'return': {
        const n = Number(args[0]);
        if (args.length !== 1 || !/^\d{1,3}$/.test(args[0])) return usage(`${verb} <compartment>`);
        const refused = verb === 'take' ? cabinet.take(n) : cabinet.putBack(n);
        if (refused) {
          const [code, text] = CABINET_REFUSAL[refused];
          return this.#reply(this.#display(), `ERROR ${code} ${text(n)}`);
        }
        return done([`${verb === 'take' ? 'key taken from' : 'key returned to'} compartment ${n}`]);
      }
      case 'door':
        if (args.length !== 1 || !['open', 'close'].includes(args[0])) return usage('door open|close');
        cabinet.setDoor(args[0] === 'open');
        return done();
      case 'tamper':
        cabinet.tamper();
        return done();
      case 'mains':
        if (args.length !== 1 || !['on', 'off'].includes(args[0])) return usage('mains off|on');
        cabinet.setMains(args[0] === 'on');
        return done();
      default:
        return this.#reply([], `ERROR 404 unknown command "${verb}"; type help`);
    }
  }

  #status(): string[] {
    const depot = this.#t.depot();
    const cabinet = this.#t.cabinet;
    const open = depot.openCompartments();
    const lines = [];
    for (let c = 1; c <= cabinet.compartments; c++) lines.push(`compartment ${c}: key ${cabinet.keyPresent(c) ? 'in' : 'out'}${open.includes(c) ? ', open' : ''}`);
    lines.push(`door: ${cabinet.doorOpen() ? 'open' : 'closed'}`, `mains: ${cabinet.mainsPresent() ? 'on' : 'off (on battery)'}`);
    lines.push(`firmware: ${depot.lifecycle}${depot.haltReason ? ` (${depot.haltReason})` : ''}`);
    lines.push(`check-in: ${depot.checkInState}, ${depot.online ? 'online' : 'offline'}, every ${depot.intervalS} s`, `queued events: ${depot.pendingEvents().length}`, `users: ${depot.users.length}`);
    return lines;
  }

  #display(): string[] {
    return displayBox(this.#t.depot().display());
  }

  #reply(lines: string[], status: string): void {
    this.#line.reply(lines, status);
  }
}
