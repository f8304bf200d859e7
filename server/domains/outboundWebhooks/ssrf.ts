import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses an outbound webhook may not reach unless the operator allows it
 * (OUTBOUND_WEBHOOKS_ALLOW_PRIVATE): loopback, private, link-local (cloud metadata at 169.254.169.254),
 * carrier-grade NAT, unspecified, multicast and reserved ranges, and their IPv6 counterparts.
 */
const refused = new BlockList();
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
  ['224.0.0.0', 3],
] as const) {
  refused.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  refused.addSubnet(network, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return refused.check(address, 'ipv4');
  if (family === 6) {
    // An IPv4-mapped address (::ffff:10.0.0.1) is that IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    return mapped ? refused.check(mapped, 'ipv4') : refused.check(address, 'ipv6');
  }
  return true;
}

export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
}

const refusal = (host: string) =>
  new RefusedAddressError(
    `${host} is a private or loopback address; webhooks go to public addresses only (an operator may allow private ones with OUTBOUND_WEBHOOKS_ALLOW_PRIVATE).`,
  );

/** The URL's host when it is an address literal or a local name (refused at once, before any lookup). */
export function refusedHost(url: string, allowPrivate: boolean): string | null {
  if (allowPrivate) return null;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return isPrivateAddress(host) ? host : null;
  return host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') ? host : null;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * dns.lookup for http.request that refuses private answers. It runs when the socket connects, so the
 * address checked is the address used (no window for DNS rebinding between check and connect).
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses;
      if (!allowPrivate && list.some((entry) => isPrivateAddress(entry.address))) {
        return callback(refusal(hostname), []);
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address.`), []);
      return callback(null, first.address, first.family);
    });
  };
}

export { refusal as refusedAddress };
