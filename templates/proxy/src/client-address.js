// The client address the per-address rate limit counts against.

import { isIP } from 'node:net';

/**
 * The connecting address, or with TRUST_PROXY=N the address N hops back in X-Forwarded-For (each trusted
 * proxy appends the address it saw, so the entries a client wrote itself are further left and ignored).
 * X-Forwarded-For is never read otherwise: anyone can send it, and believing it would let one client pose
 * as any number of addresses and escape the limit.
 * @param {import('node:http').IncomingMessage} req
 * @param {number} trustedHops
 */
export function clientAddress(req, trustedHops) {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustedHops > 0 && typeof forwarded === 'string') {
    const hops = forwarded.split(',');
    const claimed = hops[Math.max(0, hops.length - trustedHops)].trim();
    if (claimed) {
      const address = withoutPort(claimed);
      // An entry a trusted proxy wrote that is not an address (`unknown`, an obfuscated RFC 7239 name) still
      // tells its clients apart from the others: it becomes a bucket of its own, rather than the balancer's
      // address, which every client behind it shares.
      return isIP(address) ? bucketAddress(address) : `unparsed:${claimed.slice(0, 64)}`;
    }
  }
  return bucketAddress(req.socket.remoteAddress ?? '');
}

/**
 * An address as proxies write it, without a port: `192.0.2.1:5678` and `[2001:db8::1]:443` (some balancers add
 * the port), and `[2001:db8::1]`.
 * @param {string} entry
 */
function withoutPort(entry) {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed) return bracketed[1];
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(entry);
  return withPort ? withPort[1] : entry;
}

/**
 * The address as a rate-limit bucket sees it: IPv4-mapped IPv6 as plain IPv4, and IPv6 by its /64 prefix,
 * because one subscriber commonly gets a whole /64 and could otherwise rotate through 2^64 addresses.
 * @param {string} address
 */
export function bucketAddress(address) {
  if (!address.includes(':')) return address; // IPv4
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (isIP(address) !== 6) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const zeros = address.includes('::') ? Array(8 - left.length - right.length).fill('0') : [];
  const groups = [...left, ...zeros, ...right];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
