// Which request headers reach the provider: an allowlist per provider (`forwardedHeaders` in providers.js,
// or UPSTREAM_<ID>_HEADERS). A denylist forwards whatever nobody thought of: X-HTTP-Method-Override and
// X-Original-URL make some servers act on another method or path than the one the allowlist checked, and
// CDN headers (Fastly-Client-IP, X-Cluster-Client-IP, True-Client-IP...) carry the client's address, which
// the proxy promises never to pass on.

/**
 * Headers that are never forwarded, whatever the configuration says: those that describe one connection
 * (RFC 9110, 7.6.1), every header a key can travel in (the proxy forwards the key itself, in the header it
 * came in), and those that identify the client.
 */
export const NEVER_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'expect',
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'x-goog-api-key',
  'cookie',
  'forwarded',
  'via',
  'origin',
  'referer',
  'x-real-ip',
  'x-forwarded-*',
  // What Cloudflare adds about the client and its connection (CF-Connecting-IP, CF-IPCountry, CF-Ray...).
  'cf-*',
  'true-client-ip',
]);

/**
 * A test for header names (lower-case) against names such as ['content-type', 'x-stainless-*'], where a final
 * `*` makes a prefix.
 * @param {string[]} names
 * @returns {(name: string) => boolean}
 */
export function compileHeaderAllowlist(names) {
  const exact = new Set(names.filter((name) => !name.endsWith('*')));
  const prefixes = names.filter((name) => name.endsWith('*')).map((name) => name.slice(0, -1));
  return (name) => exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
}

const isNeverForwarded = compileHeaderAllowlist([...NEVER_FORWARDED]);

/**
 * True when a configured name (or prefix, `x-my-app-*`) may be forwarded at all: it names no header in
 * NEVER_FORWARDED, and as a prefix covers none (`x-*` would cover `x-api-key`).
 * @param {string} name
 */
export function mayForward(name) {
  if (!name.endsWith('*')) return !isNeverForwarded(name);
  const prefix = name.slice(0, -1);
  return [...NEVER_FORWARDED].every((never) => !never.startsWith(prefix) && !prefix.startsWith(never.replace(/\*$/, '')));
}
