import { VirtualClock } from '../../core/clock.js';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { Exchange, type ExchangeOptions, type PbxNode } from '../../src/network/exchange.js';
import { HayesModem, type HayesModemOptions } from '../../modem/hayes-modem.js';
import type { ProfileStore } from '../../modem/profile-store.js';
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
