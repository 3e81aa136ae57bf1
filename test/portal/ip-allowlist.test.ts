import t from 'tap';
import { AllowlistError, IpAllowlist, MAX_NETWORKS } from '../../src/portal/ip-allowlist.js';

t.test('networks in CIDR notation, IPv4 and IPv6', async (t) => {
  const list = IpAllowlist.parse('192.0.2.77/24, 2001:db8::/32\n127.0.0.2');
  t.equal(list.toString(), '192.0.2.0/24 2001:db8::/32 127.0.0.2/32', 'stored canonically: network address, bare address as /32');
  t.ok(list.allows('192.0.2.1'), 'an address in the IPv4 network');
  t.ok(list.allows('2001:db8:1::5'), 'an address in the IPv6 network');
  t.ok(list.allows('::ffff:192.0.2.9'), 'an IPv4-mapped address as Node reports it');
  t.notOk(list.allows('127.0.0.1'), 'a neighbour of a single address is outside');
  t.notOk(list.allows('not an address'), 'garbage is never allowed');
  t.ok(IpAllowlist.parse('').allows('198.51.100.1'), 'the empty list allows everyone');
  t.ok(IpAllowlist.parse('::1').allows('::1'), 'IPv6 loopback');
});

t.test('bad entries are named', async (t) => {
  t.throws(() => IpAllowlist.parse('10.0.0.0/33'), new AllowlistError('"10.0.0.0/33" is not an IPv4 or IPv6 network in CIDR notation (e.g. 192.0.2.0/24, 2001:db8::/32)'), 'prefix too long');
  t.throws(() => IpAllowlist.parse("1.2.3.4 ' or 1=1 --"), /"'" is not an IPv4 or IPv6 address/, 'injection text is not an address');
  t.throws(() => IpAllowlist.parse(Array.from({ length: MAX_NETWORKS + 1 }, (_, i) => `10.0.${i}.0/24`).join(' ')), /at most 64 networks/, 'a list is bounded');
});
