// Which IP addresses count as "inside" (loopback, private, link-local, carrier-grade NAT, multicast,
// reserved). Backend sources and push targets refuse them unless the configuration allows them, so a
// data address or a consumer-given endpoint cannot make the provider reach into its own network.
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['100::', 64],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) address. */
function embeddedIpv4(address: string): string | undefined {
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const match = /^(?:::ffff|64:ff9b:):([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!match) return undefined;
  const high = parseInt(match[1] ?? '0', 16);
  const low = parseInt(match[2] ?? '0', 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** True for addresses that are not on the public internet. Not an IP address: false. */
export function isPrivateAddress(address: string): boolean {
  const value = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(value);
  if (family === 4) return blocked.check(value, 'ipv4');
  if (family !== 6) return false;
  const v4 = embeddedIpv4(value);
  if (v4 !== undefined) return blocked.check(v4, 'ipv4');
  return blocked.check(value, 'ipv6');
}
