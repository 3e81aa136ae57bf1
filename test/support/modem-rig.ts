import { VirtualClock } from '../../core/clock.js';
import { createLinePair, type TerminalEndpoint } from '../../src/adapters/line-pair.js';
import { Exchange, type ExchangeOptions, type PbxNode } from '../../src/network/exchange.js';
import { HayesModem, type HayesModemOptions } from '../../modem/hayes-modem.js';
import type { ProfileStore } from '../../modem/profile-store.js';

/** A terminal on a modem's DTE side that records everything the modem sends. */
export class Terminal {
  #out = '';

  constructor(readonly end: TerminalEndpoint) {
    end.onData((b) => { this.#out += Buffer.from(b).toString('latin1'); });
  }

  /** Send text, split into chunks of `chunk` bytes (awkward boundaries on purpose). */
  send(text: string, chunk = 1): void {
    for (let i = 0; i < text.length; i += chunk) this.end.write(Buffer.from(text.slice(i, i + chunk), 'latin1'));
  }

  /** Everything received since the last take(). */
  take(): string {
    const s = this.#out;
    this.#out = '';
    return s;
  }

  peek(): string {
    return this.#out;
  }
}

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
      const term = new Terminal(pair.dte);
      if (o.echo === false) {
        term.send('ATE0\r');
        term.take();
      }
      return { modem, term, number };
    },
  };
}
