import { connectLan, LanConnectError, pingFrom, providerRouteText, type ProviderRoute } from '../adapters/lan-connect.js';

/** How long each probe waits for an answer before it counts as none. */
export const PROBE_TIMEOUT_MS = 3_000;

export interface ReachabilityEvidence {
  target: string;
  route: string;
  at: string;
  /** The TCP connect to the LAN teleservice port. */
  tcp: { reached: boolean; detail: string };
  /** One ICMP echo from the provider network; null where a ping proves nothing (loopback stand-ins). */
  ping: { reached: boolean; detail: string } | null;
  /** True when no probe reached the PBX: the deactivation is proved. */
  unreachable: boolean;
}

/**
 * Probe a PBX's LAN teleservice address from the provider's side (spec
 * §5.4: "verificabile con un ping"): a TCP connect to its teleservice port
 * and, where the networks are real namespaces, a ping. A connection that
 * opens is closed at once — the probe never logs in.
 */
export async function probeReachability(address: string, port: number, route: ProviderRoute, now: () => number): Promise<ReachabilityEvidence> {
  const at = new Date(now()).toISOString();
  let tcp: ReachabilityEvidence['tcp'];
  try {
    const line = await connectLan(address, port, route, PROBE_TIMEOUT_MS);
    line.close();
    tcp = { reached: true, detail: `connected to ${address}:${port}` };
  } catch (err) {
    if (!(err instanceof LanConnectError)) throw err;
    tcp = { reached: false, detail: err.message };
  }
  const echo = await pingFrom(route, address, PROBE_TIMEOUT_MS);
  const ping = echo ? { reached: echo.ok, detail: echo.output } : null;
  return { target: `${address}:${port}`, route: providerRouteText(route), at, tcp, ping, unreachable: !tcp.reached && !(ping?.reached ?? false) };
}
