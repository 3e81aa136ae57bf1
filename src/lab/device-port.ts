import type { DatagramAddress, DatagramPort } from '../../core/datagram-port.js';
import type { MemoryDatagramNetwork } from '../adapters/memory-datagram-network.js';
import { UdpDatagramPort } from '../adapters/udp-datagram-port.js';
import type { Logger } from '../logger.js';

/** The local end a device binds to reach `centre`: loopback for a loopback centre, every interface otherwise. */
export function localEndFor(centre: DatagramAddress): string {
  const v6 = centre.host.includes(':');
  const loopback = centre.host === 'localhost' || centre.host === '::1' || /^127\./.test(centre.host);
  return loopback ? (v6 ? '::1' : '127.0.0.1') : v6 ? '::' : '0.0.0.0';
}

/** Open the UDP socket a device of the lab (a key depot, a PBX's LAN option) checks in through: real, or on the lab's in-process network. */
export async function openDevicePort(centre: DatagramAddress, options: { onDisk: boolean; datagrams?: MemoryDatagramNetwork; logger: Logger }): Promise<DatagramPort> {
  if (options.onDisk) return UdpDatagramPort.open({ host: localEndFor(centre), logger: options.logger });
  if (!options.datagrams) throw new Error('a lab in memory needs its in-process network for devices that check in');
  return options.datagrams.bind(localEndFor(centre));
}

