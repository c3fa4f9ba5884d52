import ipaddr from 'ipaddr.js';

/**
 * Where Mamori may send a request a shop asked for (a push stream, a back-channel logout): public
 * unicast addresses, plus what the operator allows on purpose (MAMORI_RECEIVER_ALLOW), plus loopback
 * in development (the example shop). Everything else is refused, deny by default: a shop that could
 * point its endpoint at 169.254.169.254 or 10.0.0.1 would make Mamori its proxy into the operator's
 * network (SSRF). Address ranges come from ipaddr.js, not from a table of our own.
 */
export interface ReceiverPolicy {
  /** Development: loopback addresses and `localhost` names are allowed (the example shop). */
  readonly loopback: boolean;
  /** Networks the operator allows, private ones included. */
  readonly networks: readonly (readonly [ipaddr.IPv4 | ipaddr.IPv6, number])[];
  /** Names the operator allows (`shop.internal`, or `*.shop.internal` for every name under it); they may resolve anywhere. */
  readonly names: readonly string[];
}

export const ALLOW_VARIABLE = 'MAMORI_RECEIVER_ALLOW';

const NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Lower case, no brackets around an IPv6 literal, no trailing dot (`localhost.` is `localhost`). */
function normalHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.+$/, '');
}

/** An IPv4-mapped IPv6 network (::ffff:10.0.5.0/120) is kept as the IPv4 network it means. */
function asNetwork([address, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96)
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [address, bits];
}

function parseEntry(entry: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | string | null {
  if (ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) || ipaddr.IPv6.isValidCIDR(entry))
    return asNetwork(ipaddr.parseCIDR(entry));
  if (ipaddr.IPv4.isValidFourPartDecimal(entry) || ipaddr.IPv6.isValid(entry)) {
    const address = ipaddr.process(entry);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  }
  const name = normalHost(entry);
  return NAME.test(name) && !/^[\d.]+$/.test(name) ? name : null;
}

/**
 * MAMORI_RECEIVER_ALLOW: comma-separated networks (10.0.5.0/24, fd00::/8), addresses and host names
 * (shop.internal, *.shop.internal). Every bad entry is named; a network of every address is refused.
 */
export function parseReceiverAllowList(value: string): {
  networks: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  names: string[];
  problems: string[];
} {
  const networks: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  const names: string[] = [];
  const problems: string[] = [];
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const parsed = parseEntry(entry);
    if (parsed === null)
      problems.push(
        `${ALLOW_VARIABLE}: "${entry}" is not a network (10.0.5.0/24, fd00::/8), an address (10.0.5.7) or a host name (shop.internal, *.shop.internal)`,
      );
    else if (typeof parsed === 'string') names.push(parsed);
    else if (parsed[1] === 0)
      problems.push(
        `${ALLOW_VARIABLE}: "${entry}" would allow every address, cloud metadata included; list the networks the shops live on`,
      );
    else networks.push(parsed);
  }
  return { networks, names, problems };
}

/** Why an address class is refused, in words that name the rule. */
const RANGE_RULES: Record<string, string> = {
  loopback: 'a loopback address (127.0.0.0/8, ::1)',
  private: 'a private address (RFC 1918: 10/8, 172.16/12, 192.168/16)',
  uniqueLocal: 'a private address (unique local, fc00::/7)',
  linkLocal: 'a link-local address (169.254.0.0/16, fe80::/10, where cloud metadata answers)',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  unspecified: 'the unspecified address (0.0.0.0, ::)',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

function isListedName(policy: ReceiverPolicy, name: string): boolean {
  return policy.names.some((listed) => (listed.startsWith('*.') ? name.endsWith(listed.slice(1)) : name === listed));
}

const isLoopbackName = (name: string) => name === 'localhost' || name.endsWith('.localhost');

/** Special-use names (RFC 6761, 6762, 8375) and the internal zones clouds use. */
const INTERNAL_ZONES = ['.internal', '.local', '.localdomain', '.home.arpa'];

/** Why an address (IPv4, IPv6, IPv4-mapped, any notation ipaddr.js reads) is refused, or null. */
function addressRule(policy: ReceiverPolicy, literal: string): string | null {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(literal);
  } catch {
    return 'not an address';
  }
  if (policy.networks.some(([network, bits]) => address.kind() === network.kind() && address.match(network, bits)))
    return null;
  const range = address.range();
  if (range === 'unicast') return null;
  if (range === 'loopback' && policy.loopback) return null;
  return RANGE_RULES[range] ?? `a special-purpose address (${range})`;
}

/** Why a name is refused before it is even resolved, 'listed' when the operator vouches for it, or null. */
function nameRule(policy: ReceiverPolicy, name: string): string | 'listed' | null {
  if (isListedName(policy, name)) return 'listed';
  if (isLoopbackName(name)) return policy.loopback ? null : 'a loopback name (localhost)';
  if (!name.includes('.')) return 'a single-label name (resolved by the local network, never a public one)';
  if (INTERNAL_ZONES.some((zone) => name.endsWith(zone)))
    return `an internal name (${INTERNAL_ZONES.map((z) => `*${z}`).join(', ')})`;
  if (name.startsWith('metadata.')) return 'a cloud metadata name (metadata.*)';
  return null;
}

const because = (host: string, rule: string) =>
  `${host} is ${rule}; Mamori sends to public addresses only, and to what the operator lists in ${ALLOW_VARIABLE}`;

/**
 * Why Mamori refuses to send to this host before any lookup (the host of a URL: a name or an address
 * literal in any notation), or null. Registration refuses with it; the connection checks it again.
 */
export function receiverHostRefusal(policy: ReceiverPolicy, host: string): string | null {
  const normal = normalHost(host);
  if (ipaddr.isValid(normal)) {
    const rule = addressRule(policy, normal);
    return rule ? because(normal, rule) : null;
  }
  const rule = nameRule(policy, normal);
  return rule && rule !== 'listed' ? because(normal, rule) : null;
}

/**
 * Why Mamori refuses to connect to `address`, which `name` resolved to, or null: a name the operator
 * lists may resolve anywhere; any other name must resolve to addresses the policy allows.
 */
export function receiverAddressRefusal(policy: ReceiverPolicy, name: string, address: string): string | null {
  const normal = normalHost(name);
  if (nameRule(policy, normal) === 'listed') return null;
  const rule = addressRule(policy, address);
  return rule ? `${normal} resolves to ${because(address, rule)}` : null;
}

/** Why a URL Mamori would post to is refused, or null (a URL that does not parse is someone else's concern). */
export function receiverUrlRefusal(policy: ReceiverPolicy, url: string): string | null {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return null;
  }
  return receiverHostRefusal(policy, host);
}
