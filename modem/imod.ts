import type { LineEndpoint } from '../core/line-endpoint.js';
import type { DialResult } from '../core/modem-port.js';
import type { IncomingCall, LinkInfo } from '../core/call.js';
import { AnalogPump } from './analog-pump.js';
import { defaultCapabilities, type ModemCapabilities } from './negotiation.js';
import { PbxModem, type PbxModemOptions } from './pbx-modem.js';

export interface ImodOptions extends Omit<PbxModemOptions, 'channels'> {
  /** Default: V.32bis 14400, V.42 + MNP 2-4, V.42bis + MNP 5 (spec §3.2). */
  capabilities?: ModemCapabilities;
}

/**
 * The PBX's analog IMOD pseudo-port (spec §3.2): one modem channel that
 * answers calls to its number, negotiates with the caller, and hands the
 * connected line to the PBX; and places the PBX's outgoing calls
 * (callback, error signaling). While the channel is in use a second caller
 * gets BUSY ("all modem channels busy").
 */
export class Imod extends PbxModem {
  readonly kind = 'imod' as const;
  readonly #pump: AnalogPump;

  constructor(options: ImodOptions) {
    super({ ...options, channels: 1 });
    const caps = options.capabilities ?? defaultCapabilities();
    this.#pump = new AnalogPump(() => caps);
  }

  /** The single modem channel is taken (ringing, connected or dialing). */
  get busy(): boolean {
    return this.channelsInUse >= this.channels;
  }

  protected get pump(): AnalogPump {
    return this.#pump;
  }

  protected incoming(path: LineEndpoint, call: IncomingCall, link: LinkInfo): void {
    this.sink.acceptModemCall(path, { kind: 'imod', caller: call.caller, connectText: link.connectText });
  }

  protected outgoing(path: LineEndpoint, link: LinkInfo, done: (result: DialResult) => void): void {
    done({ outcome: 'connect', line: path, connectText: link.connectText });
  }
}
