import ipaddr from 'ipaddr.js';

/** At most this many networks per list: an allowlist names places, not the internet. */
export const MAX_NETWORKS = 64;

export class AllowlistError extends Error {
  override name = 'AllowlistError';
}

/**
 * An IP allowlist of an account or a grant (seed 000: "l'utilisateur n'aura
 * accès à son compte que s'il se connecte à partir de cette adresse"):
 * IPv4 and IPv6 networks in CIDR notation; a bare address means just that
 * address (/32, /128). Stored as its canonical text, networks separated by
 * spaces; the empty list allows every address.
 */
export class IpAllowlist {
  private constructor(readonly networks: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][]) {}

  static readonly ANYWHERE = new IpAllowlist([]);

  /** Parse what a person typed (spaces, commas or new lines between networks); AllowlistError names the bad entry. */
  static parse(text: string): IpAllowlist {
    const entries = text.split(/[\s,]+/).filter((e) => e !== '');
    if (entries.length > MAX_NETWORKS) throw new AllowlistError(`at most ${MAX_NETWORKS} networks in one list (got ${entries.length})`);
    const networks: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
    for (const entry of entries) {
      if (entry.length > 64) throw new AllowlistError(`"${entry.slice(0, 64)}…" is not an IP address or network`);
      if (entry.includes('/')) {
        if (!ipaddr.isValidCIDR(entry)) throw new AllowlistError(`"${entry}" is not an IPv4 or IPv6 network in CIDR notation (e.g. 192.0.2.0/24, 2001:db8::/32)`);
        const [addr, bits] = ipaddr.parseCIDR(entry);
        networks.push([networkAddress(addr, bits), bits]);
      } else {
        if (!ipaddr.isValid(entry)) throw new AllowlistError(`"${entry}" is not an IPv4 or IPv6 address`);
        const addr = ipaddr.parse(entry);
        networks.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
      }
    }
    return new IpAllowlist(networks);
  }

  get anywhere(): boolean {
    return this.networks.length === 0;
  }

  /** Whether `address` (as Node gives it, IPv4-mapped IPv6 included) is in the list; the empty list allows everything. */
  allows(address: string): boolean {
    if (this.anywhere) return true;
    if (!ipaddr.isValid(address)) return false;
    const ip = ipaddr.process(address);
    return this.networks.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net as never, bits));
  }

  /** The canonical text (what the database stores). */
  toString(): string {
    return this.networks.map(([net, bits]) => `${net.toString()}/${bits}`).join(' ');
  }
}

/** 192.0.2.77/24 is stored as 192.0.2.0/24: what the list allows reads as it is. */
function networkAddress(addr: ipaddr.IPv4 | ipaddr.IPv6, bits: number): ipaddr.IPv4 | ipaddr.IPv6 {
  if (addr.kind() === 'ipv4') return ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
  return ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
}
