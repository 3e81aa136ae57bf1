import { VirtualClock } from '../../core/clock.js';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { Exchange, type ExchangeOptions, type PbxNode } from '../../src/network/exchange.js';
import { HayesModem, type HayesModemOptions } from '../../modem/hayes-modem.js';
import type { ProfileStore } from '../../modem/profile-store.js';
import { Imod } from '../../modem/imod.js';
import { installTestLines } from '../../src/network/test-lines.js';
import { RecordingSink } from './pbx-sink.js';
import { Terminal } from './terminal.js';

export interface ModemOnNet {
  modem: HayesModem;
  term: Terminal;
  number: string;
}

export interface Rig {
  clock: VirtualClock;
  exchange: Exchange;
  /** A modem on its own subscriber number (or internal number of `pbx`, no DID); echo off so transcripts show only results. */
  addModem(number: string, options?: { echo?: boolean; store?: ProfileStore; profile?: HayesModemOptions['profile']; pbx?: PbxNode }): ModemOnNet;
}

export function createRig(options: ExchangeOptions = {}): Rig {
  const clock = new VirtualClock(0);
  const exchange = new Exchange(clock, options);
  return {
    clock,
    exchange,
    addModem(number, o = {}) {
      const pair = createLinePair(`modem ${number}`);
      const modem = new HayesModem({ clock, dte: pair.dce, store: o.store, profile: o.profile });
      modem.attachLine(o.pbx ? o.pbx.addPort(number, modem, { did: null }) : exchange.addSubscriber(number, modem));
      const term = new Terminal(pair.dte, { chunk: 1 });
      if (o.echo === false) {
        term.send('ATE0\r');
        term.take();
      }
      return { modem, term, number };
    },
  };
}

/**
 * A modem (0301, echo off) in a data call to the network's echo line: after
 * `setup` (an AT line, e.g. "AT&D2") it dials and 20 s pass; the dialling
 * transcript is taken.
 */
export function echoCall(setup?: string): { rig: Rig; m: ModemOnNet } {
  const rig = createRig();
  const tl = installTestLines(rig.exchange);
  const m = rig.addModem('0301', { echo: false });
  if (setup) m.term.send(`${setup}\r`);
  m.term.send(`ATD${tl.echo}\r`);
  rig.clock.advance(20_000);
  m.term.take();
  return { rig, m };
}

/** One PBX (trunk 0897220) with the IMOD on internal 77 (DID 77), a recording sink standing in for the firmware, and the test lines. */
export function imodLab(): { rig: Rig; tl: ReturnType<typeof installTestLines>; sink: RecordingSink; imod: Imod; pbx: PbxNode } {
  const rig = createRig();
  const tl = installTestLines(rig.exchange);
  const sink = new RecordingSink();
  const imod = new Imod({ clock: rig.clock, sink });
  const pbx = rig.exchange.addPbx({ id: 'pbx1', trunkNumbers: ['0897220'] });
  imod.attachLine(pbx.addPort('77', imod));
  return { rig, tl, sink, imod, pbx };
}
