// The client address the per-address rate limit counts against.

/**
 * Cloudflare's edge sets CF-Connecting-IP to the address that connected to it, replacing any value the
 * client sent, so a client cannot pose as another address. (X-Forwarded-For is never read: anyone can
 * write it.) Locally, `wrangler dev` sets it too.
 * @param {Request} request
 */
export function clientAddress(request) {
  return bucketAddress(request.headers.get('cf-connecting-ip') ?? 'unknown');
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * The address as a rate-limit bucket sees it: IPv4-mapped IPv6 as plain IPv4, and IPv6 by its /64 prefix,
 * because one subscriber commonly gets a whole /64 and could otherwise rotate through 2^64 addresses.
 * @param {string} address
 */
export function bucketAddress(address) {
  if (!address.includes(':')) return address; // IPv4
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && IPV4.test(mapped[1])) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const zeros = address.includes('::') ? Array(8 - left.length - right.length).fill('0') : [];
  const groups = [...left, ...zeros, ...right];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Hexadecimal groups only (no embedded IPv4 apart from the mapped form above, no zone). */
function isIPv6(/** @type {string} */ address) {
  const parts = address.split('::');
  if (parts.length > 2) return false;
  const groups = parts.flatMap((part) => (part ? part.split(':') : []));
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return false;
  return parts.length === 2 ? groups.length < 8 : groups.length === 8;
}
