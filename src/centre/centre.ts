import type { Duplex } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { LineSlot } from '../adapters/line-slot.js';
import { createLinePair } from '../adapters/line-pair.js';
import { silentLogger, type Logger } from '../logger.js';
import { CentreReceiver, type ReceiverEvent } from './centre-receiver.js';
import type { ReportStore } from './report-store.js';

/**
 * A remote service centre's modem side: one report store (the centre's
 * database) shared by the receivers of all its modems; each report is one
 * transaction, so receivers on several modems never interleave.
 */
export class Centre {
  readonly receivers: CentreReceiver[] = [];
  readonly #listeners: Array<(e: ReceiverEvent, receiver: CentreReceiver) => void> = [];

  constructor(
    readonly clock: Clock,
    readonly store: ReportStore,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Start a receiver on a modem's DTE line. */
  attach(line: LineEndpoint, name: string): CentreReceiver {
    const receiver = new CentreReceiver({ clock: this.clock, line, store: this.store, logger: this.logger, name });
    receiver.onEvent((e) => {
      for (const l of this.#listeners) l(e, receiver);
    });
    this.receivers.push(receiver);
    receiver.start();
    return receiver;
  }

  /** Plug an in-process terminal into a modem's DTE slot and receive on it. */
  attachSlot(slot: LineSlot, name: string): CentreReceiver {
    const pair = createLinePair(`centre ${name}`);
    if (!slot.plug(pair.dce)) throw new Error(`modem ${name} already has a terminal plugged in`);
    return this.attach(pair.dte, name);
  }

  /** An idle modem lent for a call out (`CentreReceiver.lend`), or undefined when every modem is in a call or not ready. */
  lendModem(): { stream: Duplex; name: string } | undefined {
    for (const r of this.receivers) {
      const stream = r.lend();
      if (stream) return { stream, name: r.name };
    }
    return undefined;
  }

  onEvent(listener: (e: ReceiverEvent, receiver: CentreReceiver) => void): void {
    this.#listeners.push(listener);
  }

  close(): void {
    for (const r of this.receivers) r.close();
  }
}
