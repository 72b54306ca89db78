import { BlockList, isIP } from 'node:net';

// Address ranges a webhook may not reach unless the installation allows private networks: they name this machine
// or a network behind it, never a partner's public receiver.
const RANGES: { kind: string; v4?: [string, number][]; v6?: [string, number][] }[] = [
  { kind: 'an unspecified address', v4: [['0.0.0.0', 8]], v6: [['::', 128]] },
  { kind: 'a loopback address', v4: [['127.0.0.0', 8]], v6: [['::1', 128]] },
  {
    kind: 'a private address',
    v4: [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['100.64.0.0', 10],
      ['192.0.0.0', 24],
      ['198.18.0.0', 15],
    ],
  },
  { kind: 'a unique-local address', v6: [['fc00::', 7]] },
  {
    kind: 'a link-local address',
    v4: [['169.254.0.0', 16]],
    v6: [
      ['fe80::', 10],
      ['fec0::', 10],
    ],
  },
  { kind: 'a multicast address', v4: [['224.0.0.0', 4]], v6: [['ff00::', 8]] },
  { kind: 'a reserved address', v4: [['240.0.0.0', 4]] },
];

const LISTS = RANGES.map(({ kind, v4 = [], v6 = [] }) => {
  const list = new BlockList();
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return { kind, list };
});

// The 8 groups of an IPv6 address (the URL parser writes it out in its one canonical form first).
function ipv6Groups(address: string): number[] {
  const canonical = new URL(`http://[${address.replace(/%.*$/, '')}]/`).hostname.slice(1, -1);
  const [head, tail = null] = canonical.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === null ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const dotted = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;

// The IPv4 address an IPv6 one carries and that the network would reach: IPv4-mapped (::ffff:a.b.c.d),
// IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
export function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return dotted(g[6], g[7]);
  if (zeros(0, 6) && (g[6] !== 0 || g[7] > 1)) return dotted(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return dotted(g[6], g[7]);
  if (g[0] === 0x2002) return dotted(g[1], g[2]);
  return null;
}

// Why an endpoint may not be at this IP address ("a loopback address"), or null for a public one.
export function nonPublicKind(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4) return nonPublicKind(v4);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const plain = address.replace(/%.*$/, '');
  return LISTS.find(({ list }) => list.check(plain, type))?.kind ?? null;
}

export const isLoopbackOrUnspecified = (address: string): boolean => {
  const kind = nonPublicKind(address);
  return kind === 'a loopback address' || kind === 'an unspecified address';
};
