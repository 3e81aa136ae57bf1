import { readTelegramHeader } from '../../core/check-in-telegram.js';
import type { DatagramAddress, DatagramPort } from '../../core/datagram-port.js';

/**
 * Many devices on a few sockets (the fleet generator: 100,000 devices
 * cannot each hold a socket). Each device gets a DatagramPort that sends
 * through the shared one and receives only the answers whose telegram
 * header names its device id; datagrams for nobody are counted and dropped.
 */
export class DatagramMux {
  readonly #shared: DatagramPort;
  readonly #byId = new Map<string, Array<(data: Uint8Array, from: DatagramAddress) => void>>();
  /** Datagrams that named no device of this mux (or no device at all). */
  strays = 0;

  constructor(shared: DatagramPort) {
    this.#shared = shared;
    shared.onMessage((data, from) => {
      const head = readTelegramHeader(data);
      const listeners = head.ok ? this.#byId.get(head.header.deviceId) : undefined;
      if (!listeners) {
        this.strays++;
        return;
      }
      for (const l of listeners) l(data, from);
    });
  }

  /** The port of device `deviceId`; closing it detaches the device, not the shared socket. */
  port(deviceId: string): DatagramPort {
    const listeners: Array<(data: Uint8Array, from: DatagramAddress) => void> = [];
    this.#byId.set(deviceId, listeners);
    let closed = false;
    const shared = this.#shared;
    return {
      description: `${shared.description} (device ${deviceId})`,
      send: (data, to) => {
        if (!closed) shared.send(data, to);
      },
      onMessage: (l) => {
        listeners.push(l);
      },
      close: () => {
        closed = true;
        if (this.#byId.get(deviceId) === listeners) this.#byId.delete(deviceId);
      },
    };
  }
}
