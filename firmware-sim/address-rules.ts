/**
 * The PBX's view of IP addresses, injected (spec §5.4, docs/lan-teleservice.md):
 * the firmware stores the service network and asks whether a connection's
 * source belongs to it, but parses no address itself — the adapter behind
 * this port does (src/lab/service-network-rules.ts, with ipaddr.js under it), so the
 * firmware stays free of libraries and of hand-written address parsers.
 */
export interface AddressRules {
  /**
   * The canonical form of a list of addresses and networks (CIDR), separated
   * by spaces or commas, e.g. `172.30.0.0/24 10.1.2.3`; or why it is not one.
   */
  canonicalList(text: string): { ok: true; value: string } | { ok: false; error: string };
  /** Whether `source` is one of the list's addresses or lies in one of its networks; false for anything unreadable. */
  admits(source: string, list: string): boolean;
}
