/**
 * Which IP addresses ytconv may connect to on a user's behalf. A link must not become a way to
 * reach the server's own network (loopback, LAN, cloud metadata at 169.254.169.254), so every
 * address outside the public unicast space is forbidden. Pure: no DNS here (see guard.ts).
 */
import { BlockList, isIP } from 'node:net';

function blockList(family: 'ipv4' | 'ipv6', cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix = ''] = cidr.split('/');
    list.addSubnet(network, Number(prefix), family);
  }
  return list;
}

/** IANA IPv4 special-purpose registry entries that are not globally reachable, plus multicast. */
const FORBIDDEN_V4 = blockList('ipv4', [
  '0.0.0.0/8', // "this network", unspecified
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local (cloud metadata lives here)
  '172.16.0.0/12', // RFC 1918
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1
  '192.88.99.0/24', // deprecated 6to4 relay anycast
  '192.168.0.0/16', // RFC 1918
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // TEST-NET-2
  '203.0.113.0/24', // TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, includes broadcast 255.255.255.255
]);

/**
 * Only 2000::/3 is allocated global unicast; everything outside it (::, ::1, 100::/64, fc00::/7,
 * fe80::/10, fec0::/10, ff00::/8, 64:ff9b:1::/48, 5f00::/16 …) is forbidden by that rule alone.
 */
const GLOBAL_V6 = blockList('ipv6', ['2000::/3']);
const FORBIDDEN_V6 = blockList('ipv6', [
  '2001::/23', // IETF protocol assignments, Teredo (its IPv4 part is obfuscated, so no judging it)
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation (RFC 9637)
]);

/** IPv6 forms that carry an IPv4 address, which then decides: the 12- or 2-byte prefix and where the IPv4 sits. */
const V4_EMBEDDINGS: readonly { prefix: readonly number[]; at: number }[] = [
  { prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], at: 12 }, // IPv4-compatible ::a.b.c.d (also :: and ::1)
  { prefix: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], at: 12 }, // IPv4-mapped ::ffff:a.b.c.d
  { prefix: [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], at: 12 }, // NAT64 64:ff9b::/96
  { prefix: [0x20, 0x02], at: 2 }, // 6to4 2002:AABB:CCDD::/48
];

/**
 * True when ytconv must not connect to `ip`. Anything that is not a plain IP address string
 * (a name, an odd IPv4 spelling such as `0x7f.1`) is forbidden too: refuse what we cannot judge.
 */
export function isForbiddenAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return FORBIDDEN_V4.check(ip, 'ipv4');
  if (family !== 6) return true;
  const bytes = ipv6Bytes(ip);
  const v4 = embeddedIPv4(bytes);
  if (v4 !== null) return isForbiddenAddress(v4);
  const plain = formatIPv6(bytes);
  return !GLOBAL_V6.check(plain, 'ipv6') || FORBIDDEN_V6.check(plain, 'ipv6');
}

/**
 * Judge a hostname as the WHATWG URL parser leaves it (IPv4 already in dotted-decimal, IPv6 in
 * brackets): true/false for an IP literal or a name under `localhost`, null for a name that DNS
 * has to answer.
 */
export function hostForbidden(host: string, isForbidden: (ip: string) => boolean = isForbiddenAddress): boolean | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // RFC 6761: `localhost` and every name under it are loopback, whatever a resolver says.
  if (/(?:^|\.)localhost\.?$/i.test(bare)) return isForbidden('127.0.0.1');
  return isIP(bare) === 0 ? null : isForbidden(bare);
}

function embeddedIPv4(bytes: Uint8Array): string | null {
  for (const { prefix, at } of V4_EMBEDDINGS) {
    if (prefix.every((byte, i) => bytes[i] === byte)) return bytes.subarray(at, at + 4).join('.');
  }
  return null;
}

/** The 16 bytes of an address that `isIP` already accepted as IPv6 (zone id dropped). */
function ipv6Bytes(ip: string): Uint8Array {
  const [address = ''] = ip.split('%');
  const hextets = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => (group.includes('.') ? v4Hextets(group) : [parseInt(group, 16)]));
  const [head = '', tail] = address.split('::');
  const left = hextets(head);
  const right = tail === undefined ? [] : hextets(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return new Uint8Array(all.flatMap((h) => [h >> 8, h & 0xff]));
}

function v4Hextets(dotted: string): number[] {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

function formatIPv6(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}
