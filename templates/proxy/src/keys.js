// The user's key: where it is read from, and the only form in which it outlives the request.

import { hash, randomBytes } from 'node:crypto';

/** @typedef {{ header: string, scheme?: string }} KeyHeader */

/**
 * Bounds for what can be a key. Every provider's keys are 32 to a few hundred visible ASCII characters without
 * quotes, backslashes, commas or spaces. Anything else is refused before it is used for anything (a rate-limit
 * bucket, a log line, a request upstream): a "key" of `"` or `4` would otherwise be removed from every text it
 * appears in, and a value of `a, b` is two keys joined by a duplicated header, of which the proxy cannot tell
 * which the client meant.
 */
const KEY_LENGTH = { min: 20, max: 1024 };
const KEY_CHARACTERS = /^[\x21-\x7e]+$/;
const NEVER_IN_KEYS = /["'`\\,;]/;

/**
 * The key of a request, from the provider's own auth header or one of the headers its official SDKs use.
 * Returns the header it came in and its exact value, so the key is forwarded the way the client sent it; or,
 * for a value that cannot be a key, why (the value itself is never repeated).
 * @param {{ auth: KeyHeader & { alsoAccepted?: KeyHeader[] } }} provider
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @param {string[]} [rawHeaders]  as received, [name, value, ...]: Node keeps only the first of two
 *   Authorization headers, so a duplicate shows only here
 * @returns {{ key: string, header: string, value: string } | { implausible: string, header: string } | undefined}
 */
export function keyFromHeaders(provider, headers, rawHeaders = []) {
  let credential = credentialIn(provider.auth, headers, rawHeaders);
  for (const accepted of provider.auth.alsoAccepted ?? []) credential ??= credentialIn(accepted, headers, rawHeaders);
  return credential;
}

/**
 * @param {KeyHeader} accepted
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @param {string[]} rawHeaders
 */
function credentialIn(accepted, headers, rawHeaders) {
  const { header, scheme } = accepted;
  const value = headers[header];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (value.includes(', ') || occurrences(rawHeaders, header) > 1) {
    return { implausible: `${header} was sent more than once`, header };
  }
  const key = scheme ? /^Bearer[ \t]+([^ \t]+)[ \t]*$/i.exec(value)?.[1] : value.trim();
  if (key === undefined) return { implausible: `${header} is not "${scheme} <key>"`, header };
  if (key.length < KEY_LENGTH.min) return { implausible: `the key in ${header} is too short to be a key`, header };
  if (key.length > KEY_LENGTH.max) return { implausible: `the key in ${header} is too long to be a key`, header };
  if (!KEY_CHARACTERS.test(key) || NEVER_IN_KEYS.test(key)) {
    return { implausible: `the key in ${header} has characters keys never have`, header };
  }
  return { key, header, value };
}

/** How many times a header (lower-case name) appears in a raw header list. */
function occurrences(/** @type {string[]} */ rawHeaders, /** @type {string} */ name) {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length === name.length && rawHeaders[i].toLowerCase() === name) count += 1;
  }
  return count;
}

/**
 * Fingerprints keys with SHA-256 under a secret made when the process starts and never stored: the hash of the
 * secret followed by the key, cut to its first 128 bits. Rate-limit buckets and log lines use the fingerprint:
 * it tells two keys apart, but cannot be turned back into a key, and even a leaked fingerprint cannot be
 * checked against a guessed key without the secret. A plain hash could: keys with a known prefix and a leaked
 * hash invite offline guessing.
 *
 * Why not HMAC: HMAC exists to stop length extension (from H(secret + m), computing H(secret + m + more)
 * without the secret), which needs the whole digest; half of it is kept here, so the secret prefix is as
 * strong, at a fifth of the cost (one call into OpenSSL rather than an Hmac object for each request).
 * It is computed afresh for each request: remembering fingerprints would mean keeping something derived from
 * each key beyond its request, and a lookup table keyed by it.
 * @param {Buffer} [secret]
 * @returns {(key: string) => string} 32 hex characters (128 bits)
 */
export function createFingerprint(secret = randomBytes(32)) {
  // Hex: a fixed-length prefix, so that no two (secret, key) pairs make the same text.
  const prefix = secret.toString('hex');
  return (key) => hash('sha256', prefix + key, 'hex').slice(0, 32);
}
