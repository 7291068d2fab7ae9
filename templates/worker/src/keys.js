// The user's key: where it is read from, and the only form in which it outlives the request.

/** @typedef {{ header: string, scheme?: string }} KeyHeader */

/** Every header a key can arrive in, for any provider: none of them is forwarded except the one that carried it. */
export const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'proxy-authorization']);

/**
 * Bounds for what can be a key. Every provider's keys are 32 to a few hundred visible ASCII characters without
 * quotes, backslashes, commas or spaces. Anything else is refused before it is used for anything (a rate-limit
 * bucket, a log line, a request upstream): a "key" of `"` or `4` would otherwise be removed from every text it
 * appears in, and a value of `a, b` is two keys joined by a duplicated header, of which the Worker cannot tell
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
 * @param {Headers} headers  a header sent twice arrives joined by ", " (which no key contains)
 * @returns {{ key: string, header: string, value: string } | { implausible: string, header: string } | undefined}
 */
export function keyFromHeaders(provider, headers) {
  let credential = credentialIn(provider.auth, headers);
  for (const accepted of provider.auth.alsoAccepted ?? []) credential ??= credentialIn(accepted, headers);
  return credential;
}

/**
 * @param {KeyHeader} accepted
 * @param {Headers} headers
 */
function credentialIn(accepted, headers) {
  const { header, scheme } = accepted;
  const value = headers.get(header);
  if (value === null || value.trim() === '') return undefined;
  if (value.includes(', ')) return { implausible: `${header} was sent more than once`, header };
  const key = scheme ? /^Bearer[ \t]+([^ \t]+)[ \t]*$/i.exec(value)?.[1] : value.trim();
  if (key === undefined) return { implausible: `${header} is not "${scheme} <key>"`, header };
  if (key.length < KEY_LENGTH.min) return { implausible: `the key in ${header} is too short to be a key`, header };
  if (key.length > KEY_LENGTH.max) return { implausible: `the key in ${header} is too long to be a key`, header };
  if (!KEY_CHARACTERS.test(key) || NEVER_IN_KEYS.test(key)) {
    return { implausible: `the key in ${header} has characters keys never have`, header };
  }
  return { key, header, value };
}

/**
 * Fingerprints keys with HMAC-SHA-256 under KEY_FINGERPRINT_SECRET (a Worker secret). Rate-limit buckets and
 * log lines use the fingerprint: it tells two keys apart, but cannot be turned back into a key, and even a
 * leaked fingerprint cannot be checked against a guessed key without the secret. A plain hash could: keys
 * with a known prefix and a leaked hash invite offline guessing. The secret must be the same in every
 * location and isolate, so that one key has one bucket everywhere: that is why it is a secret of the Worker
 * rather than made at start-up, as the Node proxy does.
 * @param {string} secret
 * @returns {(key: string) => Promise<string>} 32 hex characters (128 bits)
 */
export function createFingerprint(secret) {
  const encoder = new TextEncoder();
  const hmacKey = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return async (key) => {
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey, encoder.encode(key)));
    let hex = '';
    for (let i = 0; i < 16; i += 1) hex += mac[i].toString(16).padStart(2, '0');
    return hex;
  };
}
