import type { Clock } from '../../core/clock.js';
import { formatDatagramAddress, type DatagramAddress, type DatagramPort } from '../../core/datagram-port.js';

export interface MemoryDatagramNetworkOptions {
  /** One-way delay of every datagram (virtual ms); default 1. */
  latencyMs?: number;
  /** Return true to drop a datagram (loss, an outage, a cut cable). */
  drop?: (data: Uint8Array, from: DatagramAddress, to: DatagramAddress) => boolean;
}

/**
 * An in-process UDP network on a Clock, for firmware tests, scenarios and
 * memory-mode labs in virtual time: ports bound to addresses, datagrams
 * delivered after `latencyMs` through clock timers (never inside `send()`,
 * so a device's reply cannot re-enter its own send), to nobody if no port
 * has the address — as UDP does.
 */
export class MemoryDatagramNetwork {
  readonly #clock: Clock;
  readonly #ports = new Map<string, MemoryPort>();
  #nextPort = 40000;
  latencyMs: number;
  drop: MemoryDatagramNetworkOptions['drop'];
  /** Datagrams sent and delivered, for tests. */
  sent = 0;
  delivered = 0;

  constructor(clock: Clock, options: MemoryDatagramNetworkOptions = {}) {
    this.#clock = clock;
    this.latencyMs = options.latencyMs ?? 1;
    this.drop = options.drop;
  }

  /** Bind a port; without a port number one is chosen, as for a device's socket. */
  bind(host = '127.0.0.1', port?: number): DatagramPort & { readonly address: DatagramAddress } {
    let p = port;
    if (p === undefined) do p = this.#nextPort++; while (this.#ports.has(formatDatagramAddress({ host, port: p })));
    const address = { host, port: p };
    const key = formatDatagramAddress(address);
    if (this.#ports.has(key)) throw new Error(`memory udp ${key}: address already in use`);
    const bound = new MemoryPort(this, address);
    this.#ports.set(key, bound);
    return bound;
  }

  /** @internal */
  transmit(data: Uint8Array, from: DatagramAddress, to: DatagramAddress): void {
    this.sent++;
    if (this.drop?.(data, from, to)) return;
    const copy = Uint8Array.from(data);
    this.#clock.setTimer(this.latencyMs, () => {
      const port = this.#ports.get(formatDatagramAddress(to));
      if (!port) return;
      this.delivered++;
      port.deliver(copy, from);
    });
  }

  /** @internal */
  unbind(address: DatagramAddress): void {
    this.#ports.delete(formatDatagramAddress(address));
  }
}

class MemoryPort implements DatagramPort {
  readonly #listeners: Array<(data: Uint8Array, from: DatagramAddress) => void> = [];
  #closed = false;

  constructor(readonly network: MemoryDatagramNetwork, readonly address: DatagramAddress) {}

  get description(): string {
    return `memory udp ${formatDatagramAddress(this.address)}`;
  }

  send(data: Uint8Array, to: DatagramAddress): void {
    if (!this.#closed) this.network.transmit(data, this.address, to);
  }

  onMessage(listener: (data: Uint8Array, from: DatagramAddress) => void): void {
    this.#listeners.push(listener);
  }

  deliver(data: Uint8Array, from: DatagramAddress): void {
    if (this.#closed) return;
    for (const l of this.#listeners) l(data, from);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.network.unbind(this.address);
  }
}
