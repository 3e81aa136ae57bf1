import type { LineEndpoint } from './line-endpoint.js';

/** Why a TCP connection could not be made: refused (the host is there and says no), or no route or name. */
export type ConnectFailure = 'refused' | 'unreachable';

/**
 * Opens outgoing TCP connections for the network's internet gateway (bridge
 * mode, docs/bridge.md): the gateway is pure logic on the exchange's clock,
 * the socket is an adapter's (src/adapters/tcp-client-line.ts). Exactly one
 * of `connected`/`failed` fires, never after `cancel()`.
 */
export interface TcpConnector {
  connect(host: string, port: number, events: { connected(line: LineEndpoint): void; failed(reason: ConnectFailure): void }): { cancel(): void };
}
